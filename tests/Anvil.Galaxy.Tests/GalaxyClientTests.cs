using System.Net;
using System.Text;
using System.Text.Json;
using Anvil.Galaxy.Installing;
using Anvil.Galaxy.Metadata;
using Anvil.Galaxy.Servers;

namespace Anvil.Galaxy.Tests;

/// <summary>
/// The v3 client against the responses recorded from a real ansible-galaxy 2.14 session (galaxy.md, samples/galaxy/api):
/// the URLs it builds are the ones ansible-galaxy requested, and it reads what those servers answered. A real
/// Galaxy-compatible server for end-to-end installs comes with the Anvil registry (issue #7).
/// </summary>
public class GalaxyClientTests
{
    private static string Api => Path.Combine(RepoPaths.Samples, "galaxy", "api");

    private static JsonElement Sample(string name) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Api, name))).RootElement;

    [Fact]
    public void Urls_AreTheOnesAnsibleGalaxyRequests()
    {
        var name = new CollectionName("acme", "base");
        Assert.Equal("http://127.0.0.1:8787/api/v3/collections/acme/base/versions/?limit=100",
            GalaxyClient.VersionsUrl("http://127.0.0.1:8787/api/", "v3/", name));
        Assert.Equal("http://127.0.0.1:8787/api/v3/collections/acme/base/versions/1.2.0/",
            GalaxyClient.VersionUrl("http://127.0.0.1:8787/api/", "v3/", name, "1.2.0"));
        // The discovery retry: ansible-galaxy's join drops the final slash.
        Assert.Equal("http://127.0.0.1:8787/api", GalaxyClient.Join("http://127.0.0.1:8787/", "/api/"));
        // pulp_ansible roots and galaxy_ng content roots.
        Assert.Equal("https://hub/api/galaxy/content/published/v3/collections/a/b/versions/?limit=100",
            GalaxyClient.VersionsUrl("https://hub/api/galaxy/content/published/", "v3/", new CollectionName("a", "b")));
    }

    [Fact]
    public void VersionPage_IsRead_AndTheRootRelativeNextFollowed()
    {
        var versions = new List<string>();
        var next = GalaxyClient.ParseVersionsPage(Sample("GET_versions_acme_base_page1_limit2.json"), versions);
        Assert.Equal(["1.0.0", "1.1.0"], versions);
        Assert.Equal("/api/v3/collections/acme/base/versions/?limit=2&offset=2", next);
        Assert.Equal("http://127.0.0.1:8787/api/v3/collections/acme/base/versions/?limit=2&offset=2",
            GalaxyClient.NextPageUrl("http://127.0.0.1:8787/api/v3/collections/acme/base/versions/?limit=100", next!));
        // An absolute next (which 2.14 mishandles) is followed as is.
        Assert.Equal("https://other/api/x/?offset=4", GalaxyClient.NextPageUrl("http://h/api/", "https://other/api/x/?offset=4"));
    }

    [Fact]
    public void VersionDetail_GivesDownloadChecksumDependenciesAndHref()
    {
        var v = GalaxyClient.ParseVersion(Sample("GET_version_acme_demo_1.0.0.json"), "http://127.0.0.1:8787/api/v3/collections/acme/demo/versions/1.0.0/");
        Assert.Equal(("acme", "demo", "1.0.0"), (v.Namespace, v.Name, v.Version));
        Assert.Equal("http://127.0.0.1:8787/download/acme-demo-1.0.0.tar.gz", v.DownloadUrl);
        Assert.Equal("13b9ce17eed854771d79dada68ca4629b2f6cd34abb62bc99c8c1651d780966f", v.Sha256);
        Assert.Equal([new KeyValuePair<string, string>("acme.base", ">=1.0.0,<2.0.0")], v.Dependencies);
        Assert.Equal("/api/v3/collections/acme/demo/versions/1.0.0/", v.Href);
        Assert.Empty(v.Signatures);
    }

    [Fact]
    public void GalaxyYml_IsWrittenAsAnsibleGalaxyWritesIt()
    {
        var expected = File.ReadAllText(Path.Combine(RepoPaths.Samples, "galaxy", "installed-info", "acme.demo-1.0.0.info", "GALAXY.yml"));
        var info = new CollectionInfo { Namespace = "acme", Name = "demo", Version = "1.0.0" };
        var text = CollectionTarget.GalaxyInfoYaml(info, new GalaxySourceInfo("http://127.0.0.1:8787/download/acme-demo-1.0.0.tar.gz",
            "http://127.0.0.1:8787/api/", "/api/v3/collections/acme/demo/versions/1.0.0/", []));
        Assert.Equal(expected.TrimEnd('\n'), text.TrimEnd('\n'));
    }

    /// <summary>Serves the recorded responses at the paths of the request log, and records what is asked.</summary>
    private sealed class Recorded : HttpMessageHandler
    {
        public List<(string Path, string? Auth)> Requests { get; } = [];

        public Dictionary<string, (HttpStatusCode Status, string Body, string? Location)> Routes { get; } = new()
        {
            ["/"] = (HttpStatusCode.NotFound, "{}", null),
            ["/api"] = (HttpStatusCode.OK, File.ReadAllText(Path.Combine(Api, "GET_api_root.json")), null),
            ["/api/v3/collections/acme/base/versions/?limit=100"] = (HttpStatusCode.OK, File.ReadAllText(Path.Combine(Api, "GET_versions_acme_base_page1_limit2.json")), null),
            ["/api/v3/collections/acme/base/versions/?limit=2&offset=2"] = (HttpStatusCode.OK, Page(["1.2.0", "2.0.0-beta.1"], "/api/v3/collections/acme/base/versions/?limit=2&offset=4"), null),
            ["/api/v3/collections/acme/base/versions/?limit=2&offset=4"] = (HttpStatusCode.OK, Page(["2.0.0"], null), null),
            ["/api/v3/collections/acme/demo/versions/1.0.0/"] = (HttpStatusCode.Found, "", "/api/v3/plugin/ansible/content/published/collections/index/acme/demo/versions/1.0.0/"),
            ["/api/v3/plugin/ansible/content/published/collections/index/acme/demo/versions/1.0.0/"] = (HttpStatusCode.OK, File.ReadAllText(Path.Combine(Api, "GET_version_acme_demo_1.0.0.json")), null),
            ["/api/v3/collections/acme/nope/versions/?limit=100"] = (HttpStatusCode.NotFound, File.ReadAllText(Path.Combine(Api, "error_404.json")), null),
            ["/api/v3/collections/acme/nope/versions/1.0.0/"] = (HttpStatusCode.NotFound, File.ReadAllText(Path.Combine(Api, "error_404.json")), null),
            ["/download/acme-demo-1.0.0.tar.gz"] = (HttpStatusCode.Found, "", "/storage/acme-demo-1.0.0.tar.gz"),
            ["/storage/acme-demo-1.0.0.tar.gz"] = (HttpStatusCode.OK, "artifact bytes", null),
        };

        private static string Page(string[] versions, string? next) => JsonSerializer.Serialize(new
        {
            meta = new { count = 5 },
            links = new { next },
            data = versions.Select(v => new { version = v }),
        });

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.PathAndQuery;
            Requests.Add((path, request.Headers.TryGetValues("Authorization", out var a) ? a.Single() : null));
            var (status, body, location) = Routes.TryGetValue(path, out var r) ? r : (HttpStatusCode.NotFound, "{}", null);
            var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8), RequestMessage = request };
            if (location is not null)
            {
                response.Headers.Location = new Uri(location, UriKind.Relative);
            }
            return Task.FromResult(response);
        }
    }

    [Fact]
    public async Task Client_DiscoversAtApi_FollowsPages_KeepsAuthOnApiRedirects_DropsItOnDownloadRedirects()
    {
        var recorded = new Recorded();
        using var http = new HttpClient(recorded);
        using var client = new GalaxyClient(new GalaxyServerSettings { Name = "hub", Url = "http://127.0.0.1:8787/", Token = "abc123" }, http);
        var versions = await client.GetVersionsAsync(new CollectionName("acme", "base"));
        Assert.Equal(["1.0.0", "1.1.0", "1.2.0", "2.0.0-beta.1", "2.0.0"], versions);
        Assert.Equal("http://127.0.0.1:8787/api", await client.GetApiRootAsync());
        var detail = await client.GetVersionAsync(new CollectionName("acme", "demo"), "1.0.0");
        Assert.Equal("13b9ce17eed854771d79dada68ca4629b2f6cd34abb62bc99c8c1651d780966f", detail.Sha256);
        using var ms = new MemoryStream();
        var sha = await client.DownloadAsync(detail.DownloadUrl.Replace("127.0.0.1:8787", "127.0.0.1:8787", StringComparison.Ordinal), ms);
        Assert.Equal(CraftedArtifact.Sha(Encoding.UTF8.GetBytes("artifact bytes")), sha);
        Assert.Equal(
        [
            ("/", "Token abc123"),
            ("/api", "Token abc123"),
            ("/api/v3/collections/acme/base/versions/?limit=100", "Token abc123"),
            ("/api/v3/collections/acme/base/versions/?limit=2&offset=2", "Token abc123"),
            ("/api/v3/collections/acme/base/versions/?limit=2&offset=4", "Token abc123"),
            ("/api/v3/collections/acme/demo/versions/1.0.0/", "Token abc123"),
            ("/api/v3/plugin/ansible/content/published/collections/index/acme/demo/versions/1.0.0/", "Token abc123"),
            ("/download/acme-demo-1.0.0.tar.gz", "Token abc123"),
            ("/storage/acme-demo-1.0.0.tar.gz", null),
        ], recorded.Requests);
    }

    [Fact]
    public async Task NotFound_IsNoVersions_ForAList_AndAClearErrorForADetail()
    {
        var recorded = new Recorded();
        recorded.Routes["/api/"] = recorded.Routes["/api"];
        using var http = new HttpClient(recorded);
        using var client = new GalaxyClient(new GalaxyServerSettings { Name = "hub", Url = "http://127.0.0.1:8787/api/" }, http);
        Assert.Empty(await client.GetVersionsAsync(new CollectionName("acme", "nope")));
        var e = await Assert.ThrowsAsync<GalaxyApiException>(() => client.GetVersionAsync(new CollectionName("acme", "nope"), "1.0.0"));
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
        Assert.Contains("(HTTP Code: 404, Message: Not found. Code: not_found;", e.Message);
    }

    [Fact]
    public async Task Unreachable_IsOneLine_NotAStackTrace()
    {
        using var client = new GalaxyClient(new GalaxyServerSettings { Name = "dead", Url = $"http://127.0.0.1:{Ports.Free()}/api/", Timeout = TimeSpan.FromSeconds(5) });
        var e = await Assert.ThrowsAnyAsync<GalaxyException>(() => client.GetVersionsAsync(new CollectionName("a", "b")));
        Assert.DoesNotContain("\n", e.Message);
        Assert.Contains("127.0.0.1", e.Message);
    }

    [Fact]
    public async Task BusyServer_IsRetried()
    {
        var recorded = new Recorded();
        var calls = 0;
        recorded.Routes["/api/"] = (HttpStatusCode.OK, File.ReadAllText(Path.Combine(Api, "GET_api_root.json")), null);
        using var http = new HttpClient(new Flaky(recorded, () => ++calls <= 2));
        using var client = new GalaxyClient(new GalaxyServerSettings { Name = "hub", Url = "http://127.0.0.1:8787/api/" }, http)
        {
            Delay = (_, _) => Task.CompletedTask,
        };
        Assert.Equal(5, (await client.GetVersionsAsync(new CollectionName("acme", "base"))).Count);
        Assert.True(calls > 2);
    }

    private sealed class Flaky(HttpMessageHandler inner, Func<bool> fail) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            fail() ? Task.FromResult(new HttpResponseMessage((HttpStatusCode)429) { RequestMessage = request }) : base.SendAsync(request, cancellationToken);
    }
}
