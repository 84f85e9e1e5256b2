using Anvil.Events;
using Anvil.Galaxy.Building;
using Anvil.Galaxy.Installing;
using Anvil.Galaxy.Versioning;
using Anvil.Runner;

namespace Anvil.Galaxy.Tests;

/// <summary>Ansible, through Anvil's runner, using a module from a collection Anvil installed next to the playbook
/// (<c>project/collections/ansible_collections/</c>, which Ansible searches first).</summary>
[Trait("Category", "Integration")]
[Trait("Category", "Interop")]
public class RunnerTests
{
    private static async Task<string> PrivateDataDirAsync(TempDir tmp, string playbook)
    {
        var pdd = Path.Combine(tmp.Path, "pdd");
        tmp.File("pdd/inventory/hosts", "localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n");
        tmp.File("pdd/project/site.yml", playbook);
        var artifact = CollectionBuilder.Build(new SourceCollection(Path.Combine(tmp.Path, "src"), "acme", "tools").EchoModule().Root,
            Path.Combine(tmp.Path, "built"), force: false).ArtifactPath;
        using var store = new CollectionArtifactStore(null);
        await new CollectionInstaller([], store).InstallAsync([new Requirement(null, VersionRange.Any, RequirementType.File, artifact)],
            new InstallOptions { CollectionsPath = Path.Combine(pdd, "project", "collections"), Offline = true });
        Assert.True(File.Exists(Path.Combine(pdd, "project", "collections", "ansible_collections", "acme", "tools", "plugins", "modules", "echo.py")));
        return pdd;
    }

    private static async Task<List<string?>> EchoedAsync(string pdd)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var result = await AnsibleRunner.RunAsync(new RunnerOptions { PrivateDataDir = pdd, Playbook = "site.yml", Ident = "collection" }, cts.Token);
        Assert.True(result.Status == RunStatus.Successful, $"the run ended {result.Status} (rc {result.Rc}); see {result.ArtifactDir}/stdout");
        var echoed = new List<string?>();
        await foreach (var e in result.Events(cts.Token))
        {
            if (e.Event == EventNames.RunnerOnOk && e.EventData.TryGetProperty("res", out var res) && res.TryGetProperty("echoed", out var value))
            {
                echoed.Add(value.GetString());
            }
        }
        return echoed;
    }

    [Fact]
    public async Task Module_ByFullyQualifiedName_Runs()
    {
        using var tmp = new TempDir();
        var pdd = await PrivateDataDirAsync(tmp, """
            - hosts: localhost
              gather_facts: false
              tasks:
                - acme.tools.echo:
                    msg: by fqcn
            """);
        Assert.Equal(["by fqcn"], await EchoedAsync(pdd));
    }

    [Fact]
    public async Task Module_ThroughTheCollectionsKeyword_Runs()
    {
        using var tmp = new TempDir();
        var pdd = await PrivateDataDirAsync(tmp, """
            - hosts: localhost
              gather_facts: false
              collections:
                - acme.tools
              tasks:
                - echo:
                    msg: by collections keyword
            """);
        Assert.Equal(["by collections keyword"], await EchoedAsync(pdd));
    }
}
