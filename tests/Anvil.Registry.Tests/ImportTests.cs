using Anvil.Galaxy.Building;
using Anvil.Galaxy.Tests;
using Anvil.Registry.Importing;

namespace Anvil.Registry.Tests;

/// <summary>The registry's import checks as a library: file names, role names, and an import from a stream.</summary>
public class ImportTests
{
    [Theory]
    [InlineData("acme-demo-1.0.0.tar.gz", "acme", "demo", "1.0.0")]
    [InlineData("acme-demo-2.0.0-beta.1+build.5.tar.gz", "acme", "demo", "2.0.0-beta.1+build.5")]
    [InlineData("my_ns-my_coll-0.1.0.tar.gz", "my_ns", "my_coll", "0.1.0")]
    public void ParseFilename_ReadsNamespaceNameAndVersion(string file, string ns, string name, string version) =>
        Assert.Equal((ns, name, version), CollectionRules.ParseFilename(file));

    [Theory]
    [InlineData("acme-demo-1.0.tar.gz")]
    [InlineData("acme-demo-1.0.0.tgz")]
    [InlineData("acme.demo-1.0.0.tar.gz")]
    [InlineData("demo-1.0.0.tar.gz")]
    [InlineData("acme-demo-v1.0.0.tar.gz")]
    public void ParseFilename_RefusesOtherForms(string file) => Assert.Null(CollectionRules.ParseFilename(file));

    [Theory]
    [InlineData("web_server", true)]
    [InlineData("role2", true)]
    [InlineData("Web", false)]
    [InlineData("2role", false)]
    [InlineData("web-server", false)]
    [InlineData("_install_age", true)]
    [InlineData("web__server", false)]
    [InlineData("__init", false)]
    public void RoleNames_FollowTheCollectionRule(string role, bool valid) =>
        Assert.Equal(valid, CollectionRules.RoleNameViolation(role) is null);

    [Fact]
    public async Task Import_FromAStream_ChecksEverything_AndKeepsOnlyTheArtifact()
    {
        using var tmp = new TempDir();
        var src = new SourceCollection(Path.Combine(tmp.Path, "src")).EchoModule().Write("roles/web/tasks/main.yml", "- debug: msg=x\n")
            .Write("plugins/filter/sub/tools.py", "X = 1\n");
        var artifact = CollectionBuilder.Build(src.Root, Path.Combine(tmp.Path, "out"), force: false).ArtifactPath;
        var staging = Path.Combine(tmp.Path, "staging");
        var sha = CraftedArtifact.Sha(await File.ReadAllBytesAsync(artifact));

        await using (var upload = File.OpenRead(artifact))
        {
            var result = await CollectionImporter.ImportAsync(upload, "acme-demo-1.0.0.tar.gz", sha, staging);
            Assert.True(result.Succeeded, string.Join("\n", result.Log.Select(l => l.Message)));
            Assert.Equal(sha, result.Sha256);
            Assert.Equal(new FileInfo(artifact).Length, result.Size);
            Assert.Equal("acme.demo:1.0.0", result.Info!.ToString());
            Assert.Equal("# acme.demo\n", result.Readme);
            Assert.Equal(">=2.14.0", result.RequiresAnsible);
            Assert.Equal([("sub.tools", "filter"), ("echo", "module"), ("web", "role")], result.Contents.Select(c => (c.Name, c.ContentType)));
            Assert.DoesNotContain(result.Log, l => l.Level != "INFO");
            // Only the staged artifact remains: the check's extraction is gone.
            Assert.Equal([result.ArtifactPath], Directory.EnumerateFileSystemEntries(staging));
        }

        await using (var upload = File.OpenRead(artifact))
        {
            var result = await CollectionImporter.ImportAsync(upload, "acme-demo-1.0.0.tar.gz", new string('0', 64), staging);
            Assert.False(result.Succeeded);
            Assert.Contains("the expected sha256 checksum does not match", result.ErrorDescription);
            Assert.Equal(ImportLogLevelError, result.Log[^1].Level);
            Assert.Single(Directory.EnumerateFileSystemEntries(staging)); // the refused upload was removed
        }
    }

    [Fact]
    public async Task Import_ReportsEveryMetadataProblem_NamingTheField_AndWarnsWithoutRuntimeYml()
    {
        using var tmp = new TempDir();
        var src = new SourceCollection(Path.Combine(tmp.Path, "src"));
        File.Delete(Path.Combine(src.Root, "meta", "runtime.yml"));
        var ok = CollectionBuilder.Build(src.Root, Path.Combine(tmp.Path, "out"), force: false).ArtifactPath;
        await using (var upload = File.OpenRead(ok))
        {
            var result = await CollectionImporter.ImportAsync(upload, "acme-demo-1.0.0.tar.gz", null, Path.Combine(tmp.Path, "s1"));
            Assert.True(result.Succeeded);
            Assert.Contains(result.Log, l => l.Level == "WARNING" && l.Message.StartsWith("meta/runtime.yml: missing", StringComparison.Ordinal));
        }

        // A MANIFEST.json that a lax builder let through: several problems, all reported.
        var bad = new CraftedArtifact { Namespace = "acme", Name = "demo", Version = "1.0.0" }.File("README.md", "# x\n")
            .Dir("roles").Dir("roles/Bad").File("roles/Bad/main.yml", "x").WriteTo(Path.Combine(tmp.Path, "bad"));
        await using (var upload = File.OpenRead(bad))
        {
            var result = await CollectionImporter.ImportAsync(upload, "acme-demo-1.0.0.tar.gz", null, Path.Combine(tmp.Path, "s2"));
            Assert.False(result.Succeeded);
            var errors = result.Log.Where(l => l.Level == "ERROR").Select(l => l.Message).ToList();
            Assert.Contains("MANIFEST.json: collection_info.repository: missing (Galaxy servers require the URL of the source repository)", errors);
            Assert.Contains(errors, e => e.StartsWith("roles/Bad: invalid role name 'Bad'", StringComparison.Ordinal));
            Assert.Contains("and 1 more problem(s), see the import log", result.ErrorDescription);
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(tmp.Path, "s2")));
        }
    }

    private const string ImportLogLevelError = "ERROR";
}
