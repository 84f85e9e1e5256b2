using System.Diagnostics;
using Anvil.Cli;

namespace Anvil.Integration.Tests;

/// <summary>The seed's client example (examples/FailedResults) finds the failures of real recorded runs, offline and
/// through a server, and prints the same lines either way.</summary>
[Trait("Category", "Integration")]
public class FailedResultsExampleTests
{
    [Fact]
    public async Task Example_PrintsEachFailure_WithAndWithoutAServer()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var home = new TempDir();
        var db = Path.Combine(home.Path, "records.db");
        foreach (var playbook in new[] { "failed.yml", "ok.yml", "loop.yml" })
        {
            await AnvilCommandLine.InvokeAsync(["run", pdd.Path, "-p", playbook, "-q", "--database", db], new StringWriter(), new StringWriter());
        }

        var offline = await RunExampleAsync("--database", db);
        var failedYml = Path.Combine(pdd.Path, "project", "failed.yml");
        var line = File.ReadAllLines(failedYml).Select((text, i) => (text, i)).First(l => l.text.StartsWith("    - name:", StringComparison.Ordinal)).i + 1;
        var expected = $"Failure on localhost: '{FirstTaskName(failedYml)}' ({failedYml}:{line})";
        Assert.Equal([expected], offline);

        var url = $"http://127.0.0.1:{Ports.Free()}";
        await using var server = await AnvilServerProcess.StartAsync(db, url: url);
        try
        {
            Assert.Equal(offline, await RunExampleAsync("--server", url));
        }
        finally
        {
            await server.KillAsync();
        }
    }

    private static string FirstTaskName(string playbook) =>
        File.ReadAllLines(playbook).First(l => l.StartsWith("    - name:", StringComparison.Ordinal)).Split("- name:")[1].Trim().Trim('"');

    private static async Task<List<string>> RunExampleAsync(params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "FailedResults"), args)
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = await p.StandardOutput.ReadToEndAsync();
        var stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

}
