using System.Text;
using System.Text.Json;
using Anvil.Galaxy.Building;
using Anvil.Galaxy.Installing;
using Anvil.Galaxy.Metadata;
using Anvil.Galaxy.Servers;
using Anvil.Galaxy.Versioning;

namespace Anvil.Galaxy.Tests;

/// <summary>Anvil and the real ansible-galaxy (Debian's ansible-core 2.14) on the same trees, artifacts and server.</summary>
[Trait("Category", "Integration")]
[Trait("Category", "Interop")]
public class InteropTests
{
    /// <summary>A tree with what builds must get right: nested and empty directories, an executable, links inside
    /// (file and directory) and outside, ignored files.</summary>
    private static SourceCollection Rich(string root, string ns = "acme", string name = "demo", string version = "1.0.0",
        IReadOnlyDictionary<string, string>? deps = null) =>
        new SourceCollection(root, ns, name, version, dependencies: deps)
            .Write("LICENSE", "GPL\n")
            .Write("plugins/modules/hello.py", "print('hello')\n")
            .Write("plugins/modules/run.sh", "#!/bin/sh\necho run\n", executable: true)
            .Write("plugins/module_utils/util.py", "X = 1\n")
            .Write("plugins/README.md", "# plugins\n")
            .Write("roles/myrole/tasks/main.yml", "- debug: msg=hi\n")
            .Write("docs/guide.md", "guide\n")
            .Write("tests/unit/test_x.py", "pass\n")
            .Write("tests/output/junk.txt", "junk\n")
            .Write("plugins/modules/__pycache__/hello.cpython-311.pyc", "junk")
            .Write("changelogs/changelog.yaml", "releases: {}\n")
            .Write("notes.tmp", "tmp\n")
            .Dir("empty")
            .Link("README.link.md", "README.md")
            .Link("roles/alias", "myrole");

    private static async Task<string> AnsibleBuildAsync(string home, string src, string output)
    {
        await GalaxyTools.AnsibleGalaxyAsync(home, null, "collection", "build", src, "--output-path", output);
        return Directory.EnumerateFiles(output, "*.tar.gz").Single();
    }

    private static async Task InstallAsync(string collectionsPath, params Requirement[] requirements)
    {
        using var store = new CollectionArtifactStore(null);
        await new CollectionInstaller([], store).InstallAsync(requirements, new InstallOptions { CollectionsPath = collectionsPath, Offline = true });
    }

    private static Requirement FileRequirement(string tarball) => new(null, VersionRange.Any, RequirementType.File, tarball);

    [Fact]
    public async Task AnsibleGalaxy_InstallsListsAndVerifies_AnAnvilBuild()
    {
        using var tmp = new TempDir();
        var artifact = CollectionBuilder.Build(Rich(Path.Combine(tmp.Path, "src")).Root, Path.Combine(tmp.Path, "out"), force: false).ArtifactPath;
        var installed = Path.Combine(tmp.Path, "inst");
        var output = await GalaxyTools.AnsibleGalaxyAsync(tmp.Path, null, "collection", "install", artifact, "-p", installed);
        Assert.Contains("acme.demo:1.0.0 was installed successfully", output);
        output = await GalaxyTools.AnsibleGalaxyAsync(tmp.Path, null, "collection", "verify", "acme.demo", "-p", installed, "--offline");
        Assert.Contains("Successfully verified that checksums for 'acme.demo:1.0.0' are internally consistent with its manifest.", output);
        output = await GalaxyTools.AnsibleGalaxyAsync(tmp.Path, null, "collection", "list", "acme.demo", "-p", installed, "--format", "json");
        Assert.Contains("\"acme.demo\": {\"version\": \"1.0.0\"}", output);
        var link = Path.Combine(installed, "ansible_collections", "acme", "demo", "README.link.md");
        Assert.Equal("README.md", new FileInfo(link).LinkTarget);
        Assert.True((File.GetUnixFileMode(Path.Combine(installed, "ansible_collections", "acme", "demo", "plugins", "modules", "run.sh")) & UnixFileMode.UserExecute) != 0);
    }

    [Fact]
    public async Task Anvil_InstallsAnAnsibleGalaxyBuild_ThatAnsibleGalaxyThenVerifies()
    {
        using var tmp = new TempDir();
        var artifact = await AnsibleBuildAsync(tmp.Path, Rich(Path.Combine(tmp.Path, "src")).Root, Path.Combine(tmp.Path, "out"));
        var installed = Path.Combine(tmp.Path, "inst");
        await InstallAsync(installed, FileRequirement(artifact));
        var output = await GalaxyTools.AnsibleGalaxyAsync(tmp.Path, null, "collection", "verify", "acme.demo", "-p", installed, "--offline");
        Assert.Contains("Successfully verified", output);
        var mine = await new CollectionVerifier([], new CollectionArtifactStore(null)).VerifyAsync(new CollectionName("acme", "demo"), null,
            [InstalledCollections.CollectionsRoot(installed)], offline: true);
        Assert.True(mine.Success);
        // Both tools install the same tree from the same artifact.
        var theirs = Path.Combine(tmp.Path, "theirs");
        await GalaxyTools.AnsibleGalaxyAsync(tmp.Path, null, "collection", "install", artifact, "-p", theirs);
        Assert.Equal(Tree(Path.Combine(theirs, "ansible_collections")), Tree(Path.Combine(installed, "ansible_collections")));
    }

    [Fact]
    public async Task SameTree_SameFilesModesLinksAndChecksums_AsAnsibleGalaxy()
    {
        using var tmp = new TempDir();
        var src = Rich(Path.Combine(tmp.Path, "src")).Root;
        System.IO.File.AppendAllText(Path.Combine(src, "galaxy.yml"), "build_ignore: ['*.tmp', 'docs']\n");
        var theirs = await AnsibleBuildAsync(tmp.Path, src, Path.Combine(tmp.Path, "theirs"));
        var ours = CollectionBuilder.Build(src, Path.Combine(tmp.Path, "ours"), force: false).ArtifactPath;
        AssertSameArtifact(theirs, ours, sameOrder: false);
    }

    /// <summary>With <c>manifest:</c> ansible-galaxy's order is deterministic too, so FILES.json and MANIFEST.json
    /// are byte-identical.</summary>
    [Fact]
    public async Task ManifestDirectives_GiveByteIdenticalManifests()
    {
        var (code, _, _) = await Tools.RunAsync("/usr/bin/python3", ["-c", "import distlib"]);
        Assert.True(code == 0, "ansible-galaxy's manifest: mode needs Debian's python3-distlib");
        using var tmp = new TempDir();
        var src = Rich(Path.Combine(tmp.Path, "src"))
            .Write("docs/api.rst", "api\n")
            .Write("docs/img.png", "png")
            .Write("playbooks/site.yml", "- hosts: all\n")
            .Write("plugins/filter/f.py", "x\n")
            .Write("plugins/filter/f.yml", "x\n")
            .Write("plugins/inventory/inv.yaml", "x\n")
            .Write(".hidden.txt", "x\n")
            .Write("meta/extra.yml", "x\n").Root;
        System.IO.File.AppendAllText(Path.Combine(src, "galaxy.yml"),
            "manifest:\n  directives:\n  - include notes.tmp\n  - recursive-exclude tests *.py\n  - graft empty\n  - global-include *.sh\n");
        var theirs = await AnsibleBuildAsync(tmp.Path, src, Path.Combine(tmp.Path, "theirs"));
        var ours = CollectionBuilder.Build(src, Path.Combine(tmp.Path, "ours"), force: false).ArtifactPath;
        Assert.Equal(Encoding.ASCII.GetString(TarListing.Member(theirs, "FILES.json")), Encoding.ASCII.GetString(TarListing.Member(ours, "FILES.json")));
        Assert.Equal(TarListing.Member(theirs, "MANIFEST.json"), TarListing.Member(ours, "MANIFEST.json"));
        AssertSameArtifact(theirs, ours, sameOrder: true);
    }

    [Fact]
    public async Task Init_CreatesTheSameSkeleton()
    {
        using var tmp = new TempDir();
        await GalaxyTools.AnsibleGalaxyAsync(tmp.Path, null, "collection", "init", "acme.skel", "--init-path", Path.Combine(tmp.Path, "theirs"));
        CollectionSkeleton.Create("acme.skel", Path.Combine(tmp.Path, "ours"), force: false);
        Assert.Equal(Tree(Path.Combine(tmp.Path, "theirs")), Tree(Path.Combine(tmp.Path, "ours")));
    }

    /// <summary>Names and ranges from a server: both tools choose the same versions (pre-releases only when pinned),
    /// Anvil writes what ansible-galaxy writes (tree and GALAXY.yml), and ansible-galaxy's online verify, which
    /// compares with the server's artifact, accepts Anvil's install.</summary>
    [Fact]
    public async Task FromAServer_SameChoicesAndTree_AndAnsibleGalaxyVerifiesOnline()
    {
        using var tmp = new TempDir();
        var built = Path.Combine(tmp.Path, "built");
        string Build(string name, string version, Dictionary<string, string>? deps = null) =>
            CollectionBuilder.Build(Rich(Path.Combine(tmp.Path, "src", $"{name}-{version}"), "acme", name, version, deps).Root, built, force: false).ArtifactPath;
        var tarballs = new List<string>
        {
            Build("base", "1.0.0"), Build("base", "1.1.0"), Build("base", "1.2.0"), Build("base", "2.0.0-beta.1"),
            Build("demo", "1.0.0", new() { ["acme.base"] = ">=1.0.0,<2.0.0" }),
            Build("demo", "1.1.0", new() { ["acme.base"] = ">=1.1.0,!=1.2.0", ["acme.tools"] = "*" }),
            Build("tools", "0.9.0"), Build("tools", "1.0.0-rc.1"),
        };
        using var server = await StaticGalaxy.StartAsync(Path.Combine(tmp.Path, "www"), tarballs);
        var ours = Path.Combine(tmp.Path, "ours");
        var theirs = Path.Combine(tmp.Path, "theirs");
        var settings = new GalaxyServerSettings { Name = "static", Url = server.Url };
        using var client = new GalaxyClient(settings);
        using var store = new CollectionArtifactStore(Path.Combine(tmp.Path, "cache"));
        var parser = new RequirementParser([settings], tmp.Path);
        var result = await new CollectionInstaller([client], store).InstallAsync([parser.FromArgument("acme.demo")], new InstallOptions { CollectionsPath = ours });
        await GalaxyTools.AnsibleGalaxyAsync(tmp.Path, null, "collection", "install", "acme.demo", "-p", theirs, "-s", server.Url);
        // demo 1.1.0 excludes base 1.2.0 and does not accept the pre-release 2.0.0-beta.1; tools 1.0.0-rc.1 is not pinned.
        Assert.Equal(["acme.base:1.1.0", "acme.demo:1.1.0", "acme.tools:0.9.0"], result.Installed.Select(c => c.ToString()).Order());
        Assert.Equal(Tree(Path.Combine(theirs, "ansible_collections")), Tree(Path.Combine(ours, "ansible_collections")));
        var output = await GalaxyTools.AnsibleGalaxyAsync(tmp.Path, null, "collection", "verify", "acme.demo", "acme.base", "-p", ours, "-s", server.Url);
        Assert.Contains("Successfully verified that checksums for 'acme.demo:1.1.0' match the remote collection.", output);
        Assert.Contains("Successfully verified that checksums for 'acme.base:1.1.0' match the remote collection.", output);
        output = await GalaxyTools.AnsibleGalaxyAsync(tmp.Path, null, "collection", "verify", "acme.demo", "-p", ours, "--offline");
        Assert.Contains("internally consistent", output);
        // A pin takes the pre-release, in both tools; the installed dependants stay.
        var pinned = await new CollectionInstaller([client], store).InstallAsync([parser.FromArgument("acme.tools:==1.0.0-rc.1")],
            new InstallOptions { CollectionsPath = ours });
        Assert.Equal("acme.tools:1.0.0-rc.1", Assert.Single(pinned.Installed).ToString());
        await GalaxyTools.AnsibleGalaxyAsync(tmp.Path, null, "collection", "install", "acme.tools:==1.0.0-rc.1", "-p", theirs, "-s", server.Url);
        Assert.Equal(Tree(Path.Combine(theirs, "ansible_collections")), Tree(Path.Combine(ours, "ansible_collections")));
        // Nothing to do the second time, without asking the server.
        var again = await new CollectionInstaller([client], store).InstallAsync([parser.FromArgument("acme.demo")], new InstallOptions { CollectionsPath = ours });
        Assert.True(again.NothingToDo);
        // Another run installing elsewhere takes the artifacts from the cache (checked by sha256).
        using var nextRun = new CollectionArtifactStore(Path.Combine(tmp.Path, "cache"));
        var elsewhere = await new CollectionInstaller([client], nextRun).InstallAsync([parser.FromArgument("acme.demo")],
            new InstallOptions { CollectionsPath = Path.Combine(tmp.Path, "elsewhere") });
        Assert.Equal(3, elsewhere.Installed.Count);
        Assert.Equal((3, 0), (nextRun.CacheHits, nextRun.Downloads));
    }

    [Fact]
    public async Task Conflicts_AreReportedAsAnsibleGalaxyReportsThem()
    {
        using var tmp = new TempDir();
        var built = Path.Combine(tmp.Path, "built");
        var tarballs = new[]
        {
            CollectionBuilder.Build(new SourceCollection(Path.Combine(tmp.Path, "a"), "acme", "a", dependencies: new Dictionary<string, string> { ["acme.c"] = ">=2.0.0" }).Root, built, false).ArtifactPath,
            CollectionBuilder.Build(new SourceCollection(Path.Combine(tmp.Path, "b"), "acme", "b", dependencies: new Dictionary<string, string> { ["acme.c"] = "<2.0.0" }).Root, built, false).ArtifactPath,
            CollectionBuilder.Build(new SourceCollection(Path.Combine(tmp.Path, "c1"), "acme", "c", "1.0.0").Root, built, false).ArtifactPath,
            CollectionBuilder.Build(new SourceCollection(Path.Combine(tmp.Path, "c2"), "acme", "c", "2.0.0").Root, built, false).ArtifactPath,
        };
        using var server = await StaticGalaxy.StartAsync(Path.Combine(tmp.Path, "www"), tarballs);
        var settings = new GalaxyServerSettings { Name = "static", Url = server.Url };
        using var client = new GalaxyClient(settings);
        using var store = new CollectionArtifactStore(null);
        var parser = new RequirementParser([settings], tmp.Path);
        var e = await Assert.ThrowsAsync<Resolution.ResolutionImpossibleException>(() => new CollectionInstaller([client], store)
            .InstallAsync([parser.FromArgument("acme.a"), parser.FromArgument("acme.b")], new InstallOptions { CollectionsPath = Path.Combine(tmp.Path, "i") }));
        var (code, _, theirs) = await Tools.RunAsync("ansible-galaxy", ["collection", "install", "acme.a", "acme.b", "-p", Path.Combine(tmp.Path, "j"), "-s", server.Url],
            env: GalaxyTools.AnsibleEnvironment(tmp.Path));
        Assert.Equal(1, code);
        foreach (var line in e.Message.Split(Environment.NewLine))
        {
            Assert.Contains(line, theirs.Replace("\n", " ", StringComparison.Ordinal).Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    /// <summary><c>download</c> writes tarballs and a requirements.yml that installs offline, with Anvil and with
    /// ansible-galaxy (run in that directory, as its relative names need).</summary>
    [Fact]
    public async Task Download_ThenInstallOffline_WithBothTools()
    {
        using var tmp = new TempDir();
        var built = Path.Combine(tmp.Path, "built");
        var tarballs = new[]
        {
            CollectionBuilder.Build(new SourceCollection(Path.Combine(tmp.Path, "a"), "acme", "app", dependencies: new Dictionary<string, string> { ["acme.lib"] = ">=1.0.0" }).Root, built, false).ArtifactPath,
            CollectionBuilder.Build(new SourceCollection(Path.Combine(tmp.Path, "l"), "acme", "lib", "1.3.0").Root, built, false).ArtifactPath,
        };
        using var server = await StaticGalaxy.StartAsync(Path.Combine(tmp.Path, "www"), tarballs);
        var settings = new GalaxyServerSettings { Name = "static", Url = server.Url };
        using var client = new GalaxyClient(settings);
        using var store = new CollectionArtifactStore(null);
        var downloads = Path.Combine(tmp.Path, "downloads");
        await new CollectionInstaller([client], store).DownloadAsync([new RequirementParser([settings], tmp.Path).FromArgument("acme.app")], downloads, false, false);
        Assert.Equal("collections:\n- name: acme-app-1.0.0.tar.gz\n  version: 1.0.0\n- name: acme-lib-1.3.0.tar.gz\n  version: 1.3.0\n",
            System.IO.File.ReadAllText(Path.Combine(downloads, "requirements.yml")));
        server.Dispose();
        var requirements = new RequirementParser([], tmp.Path).FromFile(Path.Combine(downloads, "requirements.yml"));
        using var offlineStore = new CollectionArtifactStore(null);
        var result = await new CollectionInstaller([], offlineStore).InstallAsync(requirements, new InstallOptions { CollectionsPath = Path.Combine(tmp.Path, "ours"), Offline = true });
        Assert.Equal(2, result.Installed.Count);
        await GalaxyTools.AnsibleGalaxyAsync(tmp.Path, downloads, "collection", "install", "-r", "requirements.yml", "--offline", "-p", Path.Combine(tmp.Path, "theirs"));
        Assert.Equal(Tree(Path.Combine(tmp.Path, "theirs", "ansible_collections")), Tree(Path.Combine(tmp.Path, "ours", "ansible_collections")));
    }

    /// <summary>Every path of a tree with its type, mode and content checksum (or link target).</summary>
    internal static List<string> Tree(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(p =>
        {
            var rel = Path.GetRelativePath(root, p);
            var info = new FileInfo(p);
            if (info.LinkTarget is { } target)
            {
                return $"{rel} -> {target}";
            }
            var mode = Convert.ToString((int)File.GetUnixFileMode(p), 8);
            return Directory.Exists(p) ? $"{rel}/ {mode}" : $"{rel} {mode} {CollectionBuilder.Sha256File(p)}";
        }).ToList();

    /// <summary>Same members (type, mode, link, content), same FILES.json entries, MANIFEST.json equal but for the
    /// FILES.json checksum when the order differs.</summary>
    internal static void AssertSameArtifact(string theirs, string ours, bool sameOrder)
    {
        static string Key(TarListing.Entry m) => $"{m.Name} {m.Type} {Convert.ToString(m.Mode, 8)} {m.Link} {(m.Name is "FILES.json" or "MANIFEST.json" ? "" : m.Sha256)}";
        var a = TarListing.Read(theirs).Select(Key).ToList();
        var b = TarListing.Read(ours).Select(Key).ToList();
        Assert.Equal(sameOrder ? a : a.Order(StringComparer.Ordinal).ToList(), sameOrder ? b : b.Order(StringComparer.Ordinal).ToList());
        var fa = ManifestJson.ReadFiles(TarListing.Member(theirs, "FILES.json"), "theirs").Files;
        var fb = ManifestJson.ReadFiles(TarListing.Member(ours, "FILES.json"), "ours").Files;
        Assert.Equal(fa.Select(f => f.ToString()).Order(StringComparer.Ordinal), fb.Select(f => f.ToString()).Order(StringComparer.Ordinal));
        var ma = JsonDocument.Parse(TarListing.Member(theirs, "MANIFEST.json")).RootElement;
        var mb = JsonDocument.Parse(TarListing.Member(ours, "MANIFEST.json")).RootElement;
        Assert.Equal(ma.GetProperty("collection_info").GetRawText(), mb.GetProperty("collection_info").GetRawText());
        // The FILES.json checksum differs only with the order of entries; each MANIFEST.json holds its own FILES.json's.
        Assert.Equal(CraftedArtifact.Sha(TarListing.Member(ours, "FILES.json")), mb.GetProperty("file_manifest_file").GetProperty("chksum_sha256").GetString());
        var rest = Encoding.ASCII.GetString(TarListing.Member(theirs, "MANIFEST.json"))
            .Replace(ma.GetProperty("file_manifest_file").GetProperty("chksum_sha256").GetString()!, "X", StringComparison.Ordinal);
        Assert.Equal(rest, Encoding.ASCII.GetString(TarListing.Member(ours, "MANIFEST.json"))
            .Replace(mb.GetProperty("file_manifest_file").GetProperty("chksum_sha256").GetString()!, "X", StringComparison.Ordinal));
    }
}
