using System.Text.Json;
using Anvil.Galaxy.Tests;
using Anvil.Galaxy.Installing;
using Anvil.Galaxy.Servers;
using Anvil.Galaxy.Versioning;

namespace Anvil.Server.Tests.Registry;

/// <summary>The real ansible-galaxy (Debian's ansible-core 2.14) against the registry of a running Anvil server.</summary>
[Trait("Category", "Integration")]
[Trait("Category", "Interop")]
public sealed class GalaxyInteropTests
{
    private static string Installed(string root, string ns, string name)
    {
        var manifest = Path.Combine(root, "ansible_collections", ns, name, "MANIFEST.json");
        return JsonDocument.Parse(File.ReadAllText(manifest)).RootElement.GetProperty("collection_info").GetProperty("version").GetString()!;
    }

    [Fact]
    public async Task Publish_WithToken_ThenInstallWithDependencies_Download_Verify()
    {
        Tools.Require("ansible-galaxy", "ansible-core");
        // Pages of two versions: the client must follow the root-relative links.next.
        await using var r = await RegistryServer.StartAsync(new Dictionary<string, string?> { ["Galaxy:MaxPageSize"] = "2" });
        var home = r.GalaxyHome("alice", token: r.AliceToken);
        foreach (var v in new[] { "1.0.0", "1.1.0", "1.2.0", "2.0.0-beta.1" })
        {
            var output = await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "publish", await r.BuildAsync("acme", "base", v));
            Assert.Contains("Collection has been successfully published and imported to the Galaxy server anvil", output);
        }
        await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "publish",
            await r.BuildAsync("acme", "demo", "1.0.0", new Dictionary<string, string> { ["acme.base"] = ">=1.0.0,<1.2.0" }));
        await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "publish",
            await r.BuildAsync("acme", "app", "1.0.0", new Dictionary<string, string> { ["acme.base"] = ">=1.0.0" }));

        var inst = Path.Combine(r.Work, "inst");
        var installed = await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "install", "acme.demo", "acme.app", "-p", inst);
        Assert.Contains("acme.demo:1.0.0 was installed successfully", installed);
        // The range picks 1.1.0; acme.app's open range would take 1.2.0, but both must agree: 1.1.0. The
        // pre-release 2.0.0-beta.1 is never chosen without --pre.
        Assert.Equal("1.1.0", Installed(inst, "acme", "base"));

        var alone = Path.Combine(r.Work, "alone");
        await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "install", "acme.base", "-p", alone);
        Assert.Equal("1.2.0", Installed(alone, "acme", "base")); // the latest release, not the pre-release
        var pre = Path.Combine(r.Work, "pre");
        await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "install", "acme.base", "--pre", "-p", pre);
        Assert.Equal("2.0.0-beta.1", Installed(pre, "acme", "base"));

        var verified = await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "verify", "acme.demo", "-p", inst);
        Assert.Contains("Successfully verified that checksums for 'acme.demo:1.0.0' match the remote collection.", verified);
        var info = File.ReadAllText(Path.Combine(inst, "ansible_collections", "acme.demo-1.0.0.info", "GALAXY.yml"));
        Assert.Contains("version_url: /api/v3/collections/acme/demo/versions/1.0.0/", info);

        var dl = Path.Combine(r.Work, "dl");
        var downloaded = await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "download", "acme.demo", "-p", dl);
        Assert.Contains("Collection 'acme.demo:1.0.0' was downloaded successfully", downloaded);
        Assert.True(File.Exists(Path.Combine(dl, "acme-base-1.1.0.tar.gz")));
        var stored = await r.Store.GetVersionAsync("acme", "demo", "1.0.0");
        Assert.Equal(stored!.Sha256, CraftedArtifact.Sha(await File.ReadAllBytesAsync(Path.Combine(dl, "acme-demo-1.0.0.tar.gz"))));

        // The import recorded what the collection holds and who sent it.
        Assert.Equal("alice", stored.Uploader);
        Assert.Contains("\"web_server\"", stored.ContentsJson);
        Assert.Contains("\"echo\"", stored.ContentsJson);
        Assert.Equal("# acme.demo\n", stored.Readme);
        Assert.Equal(">=2.14.0", stored.RequiresAnsible);
    }

    [Fact]
    public async Task Publish_WithBasicAuth_AndAnonymousInstall()
    {
        Tools.Require("ansible-galaxy", "ansible-core");
        await using var r = await RegistryServer.StartAsync();
        var home = r.GalaxyHome("basic", basic: ("alice", RegistryServer.AlicePassword));
        await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "publish", await r.BuildAsync("acme", "demo", "1.0.0"));
        Assert.NotNull(await r.Store.GetVersionAsync("acme", "demo", "1.0.0"));
        // Reading is public by default: no credentials at all.
        var anonymous = r.GalaxyHome("anonymous");
        var inst = Path.Combine(r.Work, "inst");
        await RegistryServer.AnsibleGalaxyOkAsync(anonymous, "collection", "install", "acme.demo", "-p", inst);
        Assert.Equal("1.0.0", Installed(inst, "acme", "demo"));
    }

    [Fact]
    public async Task ResponseCache_SeesTheNewVersion_AfterAPublish()
    {
        Tools.Require("ansible-galaxy", "ansible-core");
        await using var r = await RegistryServer.StartAsync();
        var home = r.GalaxyHome("cache", token: r.AliceToken);
        var inst = Path.Combine(r.Work, "inst");
        await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "publish", await r.BuildAsync("acme", "demo", "1.0.0"));
        await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "install", "acme.demo", "-p", inst);
        Assert.Equal("1.0.0", Installed(inst, "acme", "demo"));
        Assert.True(File.Exists(Path.Combine(home, ".ansible", "galaxy_cache", "api.json")), "the client's response cache is in use");

        await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "publish", await r.BuildAsync("acme", "demo", "1.1.0"));
        var upgraded = await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "install", "acme.demo", "--upgrade", "-p", inst);
        Assert.Contains("acme.demo:1.1.0 was installed successfully", upgraded);
        Assert.Equal("1.1.0", Installed(inst, "acme", "demo"));
    }

    [Fact]
    public async Task Refusals_AsAnsibleGalaxyShowsThem()
    {
        Tools.Require("ansible-galaxy", "ansible-core");
        await using var r = await RegistryServer.StartAsync();
        var artifact = await r.BuildAsync("acme", "demo", "1.0.0");

        var (code, output, error) = await RegistryServer.AnsibleGalaxyAsync(r.GalaxyHome("wrong", token: "anvil_not-a-real-token"),
            "collection", "publish", artifact);
        Assert.NotEqual(0, code);
        Assert.Contains("HTTP Code: 401, Message: Invalid token.", output + error);

        (code, output, error) = await RegistryServer.AnsibleGalaxyAsync(r.GalaxyHome("bob", token: r.BobToken), "collection", "publish", artifact);
        Assert.NotEqual(0, code);
        Assert.Contains("HTTP Code: 403, Message: User 'bob' is not an owner of namespace \"acme\"", output + error);

        var nowhere = await r.BuildAsync("nowhere", "demo", "1.0.0");
        (code, output, error) = await RegistryServer.AnsibleGalaxyAsync(r.GalaxyHome("alice", token: r.AliceToken), "collection", "publish", nowhere);
        Assert.NotEqual(0, code);
        Assert.Contains("Namespace \"nowhere\" does not exist", output + error);
        Assert.Empty(r.ArtifactFiles());

        var home = r.GalaxyHome("alice", token: r.AliceToken);
        await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "publish", artifact);
        var before = r.ArtifactFiles();
        // Same version again, even rebuilt with other bytes.
        (code, output, error) = await RegistryServer.AnsibleGalaxyAsync(home, "collection", "publish",
            await r.BuildAsync("acme", "demo", "1.0.0", edit: s => s.Write("extra.txt", "new\n")));
        Assert.NotEqual(0, code);
        Assert.Contains("acme.demo 1.0.0 already exists and versions cannot be replaced", output + error);
        Assert.Equal(before, r.ArtifactFiles());

        // A bad role name passes the upload and fails the import: ansible-galaxy shows the import's error.
        var badRole = await r.BuildAsync("acme", "demo", "1.0.1", edit: s => s.Write("roles/Bad-Role/tasks/main.yml", "- debug: msg=x\n"));
        (code, output, error) = await RegistryServer.AnsibleGalaxyAsync(home, "collection", "publish", badRole);
        Assert.NotEqual(0, code);
        Assert.Contains("Galaxy import process failed: roles/Bad-Role: invalid role name 'Bad-Role'", output + error);
        Assert.Contains("(Code: ImporterError)", output + error);
        Assert.Null(await r.Store.GetVersionAsync("acme", "demo", "1.0.1"));
        Assert.Equal(before, r.ArtifactFiles());
        Assert.Empty(r.StagedFiles());
    }

    [Fact]
    public async Task TwentyConcurrentInstalls_WhileAPublishIsInProgress_AllSucceed_Consistently()
    {
        Tools.Require("ansible-galaxy", "ansible-core");
        await using var r = await RegistryServer.StartAsync();
        var home = r.GalaxyHome("alice", token: r.AliceToken);
        await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "publish", await r.BuildAsync("acme", "base", "1.0.0"));
        await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "publish",
            await r.BuildAsync("acme", "demo", "1.0.0", new Dictionary<string, string> { ["acme.base"] = ">=1.0.0" }));
        var next = await r.BuildAsync("acme", "base", "1.1.0", edit: s => s.Write("big.txt", new string('x', 4 << 20)));

        var publish = RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "publish", next);
        // 5 ansible-galaxy processes (heavy: one Python each on 2 cores) and 15 installs through Anvil's library.
        var galaxyInstalls = Enumerable.Range(0, 5).Select(async i =>
        {
            var target = Path.Combine(r.Work, $"g{i}");
            await RegistryServer.AnsibleGalaxyOkAsync(r.GalaxyHome($"g{i}"), "collection", "install", "acme.demo", "-p", target, "--no-cache");
            return target;
        });
        var anvilInstalls = Enumerable.Range(0, 15).Select(async i =>
        {
            var target = Path.Combine(r.Work, $"a{i}");
            using var client = new GalaxyClient(GalaxyServerList.AdHoc("anvil", r.Url, null, true, null));
            using var store = new CollectionArtifactStore(null);
            var result = await new CollectionInstaller([client], store).InstallAsync(
                [new Requirement(new Anvil.Galaxy.CollectionName("acme", "demo"), VersionRange.Any, RequirementType.Galaxy, "acme.demo")],
                new InstallOptions { CollectionsPath = target });
            Assert.Empty(result.Failed);
            return target;
        });
        var targets = await Task.WhenAll(galaxyInstalls.Concat(anvilInstalls));
        await publish;
        Assert.Equal(20, targets.Length);
        foreach (var t in targets)
        {
            // Either the old or the new latest, and the files match the version's own manifest.
            var version = Installed(t, "acme", "base");
            Assert.Contains(version, new[] { "1.0.0", "1.1.0" });
            Assert.Equal(version == "1.1.0", File.Exists(Path.Combine(t, "ansible_collections", "acme", "base", "big.txt")));
        }
        Assert.Equal("1.1.0", (await r.Store.GetCollectionAsync("acme", "base"))!.Collection.LatestVersion);
    }
}
