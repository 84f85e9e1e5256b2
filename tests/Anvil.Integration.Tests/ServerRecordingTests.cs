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
        var server = await AnvilServerProcess.StartAsync(db, url: url);
        try
        {
            var err = new StringWriter();
            var run = Task.Run(() => AnvilCommandLine.InvokeAsync(
                ["run", pdd.Path, "-p", "slow_steps.yml", "-q", "-i", "killed-server", "--record-to", url], new StringWriter(), err));

            // Killed once the run has reached the server (results of the first steps recorded) …
            await Wait.UntilAsync(async () => await RecordedResultsAsync(server) >= 2, TimeSpan.FromMinutes(1),
                "the server records the first results of the run");
            var events = Path.Combine(pdd.Path, "artifacts", "killed-server", "job_events");
            await server.KillAsync(); // SIGKILL: no goodbye
            await server.DisposeAsync();
            // … and restarted once the run has gone on without it (events the recorder must keep and send later).
            var eventsAtKill = Directory.GetFiles(events).Length;
            await Wait.UntilAsync(() => Directory.GetFiles(events).Length >= eventsAtKill + 2, TimeSpan.FromMinutes(1),
                "the run writes more events while the server is down");
            server = await AnvilServerProcess.StartAsync(db, url: url);

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
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task RecordTo_StoresTheRun_ReadableThroughTheApi()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var home = new TempDir();
        var url = $"http://127.0.0.1:{Ports.Free()}";
        var server = await AnvilServerProcess.StartAsync(Path.Combine(home.Path, "s.db"), url: url);
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
            await server.DisposeAsync();
        }
    }

    /// <summary>How many results the server holds (0 while it does not answer).</summary>
    private static async Task<int> RecordedResultsAsync(AnvilServerProcess server)
    {
        try
        {
            var results = await server.Http.GetFromJsonAsync<JsonElement>("/api/v1/results?limit=1");
            return results.GetProperty("count").GetInt32();
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }
}
