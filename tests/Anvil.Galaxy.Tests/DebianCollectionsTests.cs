using System.Text.Json;
using System.Security.Cryptography;
using Anvil.Galaxy.Building;
using Anvil.Registry.Importing;

namespace Anvil.Galaxy.Tests;

/// <summary>
/// Every collection of Debian's <c>ansible</c> package (109 real collections) built by Anvil and by ansible-galaxy,
/// and compared member by member. Debian ships them installed (MANIFEST.json, no galaxy.yml), so each tree is
/// hard-linked into a scratch directory and given a galaxy.yml made from its MANIFEST.json. The slow part is
/// ansible-galaxy (about 30 s on two cores, one process per core, each building half); nothing is cached. Every
/// artifact must also pass the registry's import checks: these collections were all accepted by galaxy.ansible.com,
/// so a refusal is a rule of ours stricter than Galaxy's.
/// </summary>
[Trait("Category", "Integration")]
[Trait("Category", "Interop")]
[Trait("Category", "Slow")]
public class DebianCollectionsTests
{
    private const string Installed = "/usr/lib/python3/dist-packages/ansible_collections";

    [Fact]
    public async Task EveryDebianCollection_BuildsLikeAnsibleGalaxy()
    {
        Tools.Require(Installed, "ansible");
        using var tmp = new TempDir();
        var src = Path.Combine(tmp.Path, "src");
        var (code, _, error) = await Tools.RunAsync("cp", ["-al", Installed, src]);
        Assert.True(code == 0, $"cp -al: {error}");
        var collections = Directory.EnumerateDirectories(src).SelectMany(Directory.EnumerateDirectories)
            .Where(d => File.Exists(Path.Combine(d, "MANIFEST.json"))).Order(StringComparer.Ordinal).ToList();
        Assert.True(collections.Count >= 100, $"only {collections.Count} collections under {Installed}");
        foreach (var dir in collections)
        {
            using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "MANIFEST.json")));
            // JSON is YAML: both tools read the metadata exactly as the collection was released.
            File.WriteAllText(Path.Combine(dir, "galaxy.yml"), manifest.RootElement.GetProperty("collection_info").GetRawText());
        }
        var theirs = Path.Combine(tmp.Path, "theirs");
        var halves = collections.Select((d, i) => (d, i)).GroupBy(x => x.i % 2).Select(g => g.Select(x => x.d).ToList()).ToList();
        var ansible = halves.Select(half => Tools.RunAsync("ansible-galaxy", ["collection", "build", .. half, "--output-path", theirs],
            env: GalaxyTools.AnsibleEnvironment(tmp.Path), timeout: TimeSpan.FromMinutes(20))).ToList();
        var ours = Path.Combine(tmp.Path, "ours");
        var built = new Dictionary<string, string>();
        var problems = new List<string>();
        foreach (var dir in collections)
        {
            try
            {
                var result = CollectionBuilder.Build(dir, ours, force: false);
                built[Path.GetFileName(result.ArtifactPath)] = result.ArtifactPath;
            }
            catch (GalaxyException e)
            {
                problems.Add($"{dir}: Anvil: {e.Message}");
            }
        }
        foreach (var run in await Task.WhenAll(ansible))
        {
            Assert.True(run.Code == 0, $"ansible-galaxy build failed:\n{run.Err}");
        }
        foreach (var (name, path) in built)
        {
            var reference = Path.Combine(theirs, name);
            if (!File.Exists(reference))
            {
                problems.Add($"{name}: ansible-galaxy did not build it");
                continue;
            }
            try
            {
                InteropTests.AssertSameArtifact(reference, path, sameOrder: false);
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException)
            {
                problems.Add($"{name}: {e.Message}");
            }
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
            var import = CollectionImporter.Check(path, name, sha256, sha256, new FileInfo(path).Length, new ImportOptions());
            if (!import.Succeeded)
            {
                problems.Add($"{name}: the registry's import refused it: {import.ErrorDescription}");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n\n", problems));
        Assert.Equal(collections.Count, built.Count);
    }
}
