using System.Formats.Tar;
using Anvil.Galaxy.Tests;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Anvil.Galaxy.Metadata;
using Anvil.Data.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Anvil.Server.Tests.Registry;

/// <summary>The registry's HTTP API: shapes ansible-galaxy relies on, authentication, and every refusal with its
/// message and nothing stored.</summary>
[Trait("Category", "Integration")]
public sealed class GalaxyApiTests
{
    private static async Task<string> ErrorDetail(HttpResponseMessage response)
    {
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return body.GetProperty("errors")[0].GetProperty("detail").GetString()!;
    }

    [Fact]
    public async Task Discovery_ListsDetailsAndDownload_HaveTheShapesTheClientReads()
    {
        Tools.Require("ansible-galaxy", "ansible-core");
        await using var r = await RegistryServer.StartAsync(new Dictionary<string, string?> { ["Galaxy:MaxPageSize"] = "2" });
        foreach (var root in new[] { "/api/", "/api", "/api/galaxy/", "/api/galaxy" })
        {
            var d = await r.GetJsonAsync(root);
            Assert.Equal("v3/", d.GetProperty("available_versions").GetProperty("v3").GetString());
        }
        Assert.Equal("ara", (await r.GetJsonAsync("/api/")).GetProperty("kind").GetString()); // still ARA's index

        var collection = await r.WaitImportAsync(await r.UploadAsync(await r.BuildAsync("acme", "demo", "1.0.0"), r.AliceToken), r.AliceToken);
        Assert.Equal("completed", collection.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, collection.GetProperty("error").ValueKind);
        var first = await r.GetJsonAsync("/api/v3/collections/acme/demo/");
        foreach (var v in new[] { "1.1.0", "1.2.0" })
        {
            var done = await r.WaitImportAsync(await r.UploadAsync(await r.BuildAsync("acme", "demo", v), r.AliceToken), r.AliceToken);
            Assert.Equal("completed", done.GetProperty("state").GetString());
        }
        var detail = await r.GetJsonAsync("/api/v3/collections/acme/demo/");
        Assert.NotEqual(first.GetProperty("updated_at").GetString(), detail.GetProperty("updated_at").GetString());
        Assert.Equal("1.2.0", detail.GetProperty("highest_version").GetProperty("version").GetString());
        Assert.Equal("/api/v3/collections/acme/demo/versions/", detail.GetProperty("versions_url").GetString());

        var page = await r.GetJsonAsync("/api/v3/collections/acme/demo/versions/?limit=100");
        Assert.Equal(3, page.GetProperty("meta").GetProperty("count").GetInt32());
        Assert.Equal(2, page.GetProperty("data").GetArrayLength()); // capped at Galaxy:MaxPageSize
        Assert.Equal("/api/v3/collections/acme/demo/versions/?limit=2&offset=2", page.GetProperty("links").GetProperty("next").GetString());
        var last = await r.GetJsonAsync(page.GetProperty("links").GetProperty("next").GetString()!);
        Assert.Equal(JsonValueKind.Null, last.GetProperty("links").GetProperty("next").ValueKind);
        Assert.Equal(">=2.14.0", last.GetProperty("data")[0].GetProperty("requires_ansible").GetString());
        // The same under the distribution-style root, with links to it.
        var galaxyPage = await r.GetJsonAsync("/api/galaxy/v3/collections/acme/demo/versions/");
        Assert.StartsWith("/api/galaxy/v3/", galaxyPage.GetProperty("links").GetProperty("next").GetString());

        var version = await r.GetJsonAsync("/api/v3/collections/acme/demo/versions/1.1.0/");
        var download = version.GetProperty("download_url").GetString()!;
        Assert.Equal($"{r.Server.BaseAddress.ToString().TrimEnd('/')}/api/v3/plugin/ansible/content/published/collections/artifacts/acme-demo-1.1.0.tar.gz", download);
        Assert.Equal("acme-demo-1.1.0.tar.gz", version.GetProperty("artifact").GetProperty("filename").GetString());
        Assert.Equal(0, version.GetProperty("signatures").GetArrayLength());
        Assert.Equal(JsonValueKind.Object, version.GetProperty("metadata").GetProperty("dependencies").ValueKind);
        Assert.Equal("acme", version.GetProperty("namespace").GetProperty("name").GetString());
        Assert.Equal("demo", version.GetProperty("collection").GetProperty("name").GetString());

        using var file = await r.Server.Http.GetAsync(download);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        var bytes = await file.Content.ReadAsByteArrayAsync();
        Assert.Equal(version.GetProperty("artifact").GetProperty("size").GetInt64(), file.Content.Headers.ContentLength);
        Assert.Equal(version.GetProperty("artifact").GetProperty("sha256").GetString(), CraftedArtifact.Sha(bytes));
        var etag = file.Headers.ETag!;
        using var conditional = new HttpRequestMessage(HttpMethod.Get, download);
        conditional.Headers.IfNoneMatch.Add(etag);
        using var notModified = await r.Server.Http.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        var list = await r.GetJsonAsync("/api/v3/collections/?q=dem");
        Assert.Equal("demo", list.GetProperty("data")[0].GetProperty("name").GetString());
        using var missing = await r.Server.Http.GetAsync("/api/v3/collections/acme/nothing/");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("Collection acme.nothing not found.", await ErrorDetail(missing));
        using var missingVersions = await r.Server.Http.GetAsync("/api/v3/collections/acme/nothing/versions/?limit=100");
        Assert.Equal(HttpStatusCode.NotFound, missingVersions.StatusCode);
    }

    [Fact]
    public async Task Authentication_TokenAndBasic_RevokedTokens_ReadLoginSetting()
    {
        Tools.Require("ansible-galaxy", "ansible-core");
        await using var r = await RegistryServer.StartAsync(new Dictionary<string, string?> { ["Galaxy:ReadLoginRequired"] = "true" });
        var artifact = await r.BuildAsync("acme", "demo", "1.0.0");

        using (var anonymous = await r.UploadAsync(artifact, token: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Authentication credentials were not provided.", await ErrorDetail(anonymous));
        }
        using (var wrong = await r.UploadAsync(artifact, "anvil_wrong"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Equal("Invalid token.", await ErrorDetail(wrong));
        }
        var tokens = r.Server.App.Services.GetRequiredService<TokenStore>();
        var revoked = await tokens.CreateAsync("alice");
        Assert.True(await tokens.RevokeAsync(revoked.Secret));
        using (var refused = await r.UploadAsync(artifact, revoked.Secret))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        Assert.Empty(r.ArtifactFiles());

        // Reads need a user; discovery at /api/galaxy/ never does, even with a wrong token.
        using (var read = await r.Server.Http.GetAsync("/api/v3/collections/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        }
        using (var discovery = await r.Server.SendAsync(HttpMethod.Get, "/api/galaxy/", new AuthenticationHeaderValue("Token", "wrong")))
        {
            Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
        }
        var done = await r.WaitImportAsync(await r.UploadAsync(artifact, r.AliceToken), r.AliceToken);
        Assert.Equal("completed", done.GetProperty("state").GetString());
        Assert.Equal(1, (await r.GetJsonAsync("/api/v3/collections/", r.AliceToken)).GetProperty("meta").GetProperty("count").GetInt32());
        using (var basic = await r.Server.SendAsync(HttpMethod.Get, "/api/v3/collections/acme/demo/", RunningServer.Basic("alice", RegistryServer.AlicePassword)))
        {
            Assert.Equal(HttpStatusCode.OK, basic.StatusCode);
        }
        // An import is visible to its uploader only (and admins).
        using var other = await r.Server.SendAsync(HttpMethod.Get, done.GetProperty("href").GetString()!, new AuthenticationHeaderValue("Token", r.BobToken));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        // Tokens work on the records API too, and a token never reaches the log.
        using var records = await r.Server.SendAsync(HttpMethod.Get, "/api/v1/playbooks", new AuthenticationHeaderValue("Token", r.AliceToken));
        Assert.Equal(HttpStatusCode.OK, records.StatusCode);
        Assert.DoesNotContain(r.AliceToken, r.Server.Logs.All);
        Assert.DoesNotContain(revoked.Secret, r.Server.Logs.All);
    }

    /// <summary>Each malicious or inconsistent artifact: the import fails naming the problem, and nothing is kept.</summary>
    [Fact]
    public async Task MaliciousOrInconsistentArtifacts_FailTheImport_AndStoreNothing()
    {
        Tools.Require("ansible-galaxy", "ansible-core");
        await using var r = await RegistryServer.StartAsync();
        var good = await r.BuildAsync("acme", "demo", "1.0.0");
        var dir = Path.Combine(r.Work, "bad");
        string Repack(string name, Func<string, byte[], byte[]?> change, params TarEntry[] extra) =>
            RegistryServer.Repack(good, Path.Combine(dir, name, "acme-demo-1.0.0.tar.gz"), change, extra);

        var filesJson = TarListing.Member(good, "FILES.json");
        var cases = new List<(string Name, string Path, string Expected)>
        {
            ("dotdot", new CraftedArtifact { Name = "demo" }.File("../escape.txt", "x").WriteTo(Path.Combine(dir, "dotdot")), "'../escape.txt', a path with '..'"),
            ("absolute", new CraftedArtifact { Name = "demo" }.File("/etc/evil", "x").WriteTo(Path.Combine(dir, "absolute")), "an absolute path"),
            ("symlink", new CraftedArtifact { Name = "demo" }.Symlink("plugins/passwd", "../../../../etc/passwd").WriteTo(Path.Combine(dir, "symlink")),
                "path points to location outside of collection"),
            ("file checksum", new CraftedArtifact { Name = "demo" }.File("README.md", "real", listedContent: "claimed").WriteTo(Path.Combine(dir, "sum")),
                "Checksum mismatch for 'README.md'"),
            ("FILES.json checksum", Repack("files", (n, d) => n == "FILES.json" ? [.. d, (byte)' '] : d),
                "MANIFEST.json: file_manifest_file.chksum_sha256"),
            ("metadata", Repack("meta", (n, d) => n == "MANIFEST.json"
                    ? RegistryServer.Utf8(Encoding.UTF8.GetString(d).Replace("\"license\": [\n   \"GPL-3.0-or-later\"\n  ]", "\"license\": [\n   \"Not-A-License\"\n  ]",
                        StringComparison.Ordinal))
                    : d),
                "MANIFEST.json: collection_info.license[0]: 'Not-A-License' is not an SPDX license identifier"),
            ("bomb", new CraftedArtifact { Name = "demo" }.Zeros("plugins/zeros.bin", 300L << 20).WriteTo(Path.Combine(dir, "bomb")), "decompression bomb"),
        };
        // A real artifact renamed: the file name no longer matches MANIFEST.json.
        var renamed = Path.Combine(dir, "renamed", "acme-demo-1.0.1.tar.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(renamed)!);
        File.Copy(good, renamed);
        cases.Add(("file name", renamed, "the file name says version '1.0.1' but MANIFEST.json: collection_info.version is '1.0.0'"));
        Assert.NotEqual(filesJson, TarListing.Member(cases[4].Path, "FILES.json"));

        foreach (var (name, path, expected) in cases)
        {
            var import = await r.WaitImportAsync(await r.UploadAsync(path, r.AliceToken), r.AliceToken);
            Assert.True(import.GetProperty("state").GetString() == "failed", $"{name}: {import}");
            var description = import.GetProperty("error").GetProperty("description").GetString()!;
            Assert.True(description.Contains(expected, StringComparison.Ordinal), $"{name}: '{description}' lacks '{expected}'");
            Assert.Equal("ImporterError", import.GetProperty("error").GetProperty("code").GetString());
            Assert.Contains(import.GetProperty("messages").EnumerateArray(), m => m.GetProperty("level").GetString() == "ERROR");
            Assert.DoesNotContain(r.Store.StagingPath, description); // messages name the upload, not server paths
            Assert.True(r.ArtifactFiles().Count == 0, $"{name}: an artifact was kept");
            Assert.Empty(r.StagedFiles());
        }
        Assert.Empty((await r.Store.ListCollectionsAsync()).Items);
        Assert.Null(await r.Store.GetVersionAsync("acme", "demo", "1.0.0"));
        Assert.Equal(cases.Count, (await r.Store.ListImportsAsync("alice")).Total);

        // Refused before the body is read: bad file name, wrong sha256, not multipart.
        using (var badName = await r.UploadAsync(good, r.AliceToken, filename: "demo.tar.gz"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
            Assert.Contains("must be NAMESPACE-NAME-VERSION.tar.gz", await ErrorDetail(badName));
        }
        using (var badSum = await r.UploadAsync(good, r.AliceToken, sha256: new string('0', 64)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badSum.StatusCode);
            Assert.Contains("The expected sha256 checksum does not match", await ErrorDetail(badSum));
        }
        using (var notMultipart = await r.Server.SendAsync(HttpMethod.Post, "/api/v3/artifacts/collections/", new AuthenticationHeaderValue("Token", r.AliceToken), "{}"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, notMultipart.StatusCode);
        }
        Assert.Empty(r.ArtifactFiles());
        Assert.Empty(r.StagedFiles());

        // And the good one still goes in.
        var ok = await r.WaitImportAsync(await r.UploadAsync(good, r.AliceToken), r.AliceToken);
        Assert.Equal("completed", ok.GetProperty("state").GetString());
        Assert.Single(r.ArtifactFiles());
    }

    [Fact]
    public async Task UploadLimit_IsEnforced_WithAClearMessage()
    {
        Tools.Require("ansible-galaxy", "ansible-core");
        await using var r = await RegistryServer.StartAsync(new Dictionary<string, string?> { ["Galaxy:MaxUploadBytes"] = "1000" });
        var artifact = await r.BuildAsync("acme", "demo", "1.0.0");
        using var response = await r.UploadAsync(artifact, r.AliceToken);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("Galaxy:MaxUploadBytes", await ErrorDetail(response));
        Assert.Empty(r.ArtifactFiles());
        Assert.Empty(r.StagedFiles());
    }
}
