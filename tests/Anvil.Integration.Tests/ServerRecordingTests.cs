using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Anvil.Cli;

namespace Anvil.Integration.Tests;

/// <summary>Recording to a real <c>anvil server</c> process, including one killed and restarted mid-run.</summary>
[Trait("Category", "Integration")]
public class ServerRecordingTests
{
    [Fact]
    public async Task ServerKilledDuringARun_TheRunFinishes_AndAfterRestartTheRecordIsComplete()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var home = new TempDir();
        var db = Path.Combine(home.Path, "server.db");
        var port = Ports.Free();
        var url = $"http://127.0.0.1:{port}";
        var server = await Fixtures.StartServerAsync(url, db);
        try
        {
            var err = new StringWriter();
            var run = Task.Run(() => AnvilCommandLine.InvokeAsync(
                ["run", pdd.Path, "-p", "slow_steps.yml", "-q", "-i", "killed-server", "--record-to", url], new StringWriter(), err));

            await Task.Delay(TimeSpan.FromSeconds(1.5));
            server.Kill(entireProcessTree: true); // SIGKILL: no goodbye
            await server.WaitForExitAsync();
            await Task.Delay(TimeSpan.FromSeconds(2));
            server = await Fixtures.StartServerAsync(url, db);

            var code = await run.WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Equal(0, code);
            Assert.DoesNotContain("not complete", err.ToString());

            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var playbooks = await http.GetFromJsonAsync<JsonElement>("/api/v1/playbooks");
            var playbook = Assert.Single(playbooks.GetProperty("results").EnumerateArray());
            Assert.Equal("completed", playbook.GetProperty("status").GetString());
            Assert.Equal(8, playbook.GetProperty("items").GetProperty("results").GetInt32());
            Assert.Equal(8, playbook.GetProperty("items").GetProperty("tasks").GetInt32());
            var id = playbook.GetProperty("id").GetInt64();
            var output = await http.GetFromJsonAsync<JsonElement>($"/api/v1/anvil/playbooks/{id}/output");
            var artifactEvents = Directory.GetFiles(Path.Combine(pdd.Path, "artifacts", "killed-server", "job_events")).Length;
            Assert.Equal(artifactEvents, output.GetProperty("events").GetArrayLength());
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task RecordTo_StoresTheRun_ReadableThroughTheApi()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var home = new TempDir();
        var url = $"http://127.0.0.1:{Ports.Free()}";
        var server = await Fixtures.StartServerAsync(url, Path.Combine(home.Path, "s.db"));
        try
        {
            var code = await AnvilCommandLine.InvokeAsync(["run", pdd.Path, "-p", "loop.yml", "-q", "--record-to", url],
                new StringWriter(), new StringWriter());
            Assert.Equal(0, code);
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var results = await http.GetFromJsonAsync<JsonElement>("/api/v1/results?ignore_errors=true");
            var ignored = Assert.Single(results.GetProperty("results").EnumerateArray());
            Assert.Equal("ignored", ignored.GetProperty("status").GetString());
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }


}
