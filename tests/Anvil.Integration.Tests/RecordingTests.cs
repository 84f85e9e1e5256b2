using Anvil.Server;
using System.Text.Json;
using Anvil.Cli;
using Anvil.Client;
using Anvil.Events;
using Anvil.Records.Ingest;
using Anvil.Client.Recording;
using Anvil.Data;
using Anvil.Runner;
using Anvil.Runner.Events;
using Dapper;

namespace Anvil.Integration.Tests;

/// <summary>Runs recorded by the runner's recorder into a real SQLite database.</summary>
[Trait("Category", "Integration")]
public class RecordingTests
{
    [Fact]
    public async Task AnvilRun_RecordsTheDemoCompletely_InTheLocalDatabase()
    {
        using var pdd = Fixtures.Copy(Fixtures.DemoPdd);
        using var home = new TempDir();
        var db = Path.Combine(home.Path, "records.db");
        var err = new StringWriter();
        var code = await AnvilCommandLine.InvokeAsync(["run", pdd.Path, "-p", "site.yml", "-i", "rec-demo", "--database", db],
            new StringWriter(), err);
        Assert.Equal(0, code);
        Assert.Matches(@"Recorded as playbook \d+ in sqlite:", err.ToString());

        await using var records = await AnvilDatabase.OpenAsync(db, AnvilSchema.All);
        await using var c = await records.OpenConnectionAsync();
        var playbook = await c.QuerySingleAsync<(long Id, string Status, string Path, string AnsibleVersion, long? Ended)>(
            "SELECT id, status, path, ansible_version, ended FROM playbooks WHERE run_ident = 'rec-demo'");
        Assert.Equal("completed", playbook.Status);
        Assert.Equal(Path.Combine(pdd.Path, "project", "site.yml"), playbook.Path);
        Assert.Matches(@"^2\.\d+\.\d+", playbook.AnsibleVersion);
        Assert.NotNull(playbook.Ended);

        // The recap and the recorded host counters agree.
        var artifacts = Path.Combine(pdd.Path, "artifacts", "rec-demo");
        var stats = Fixtures.ReadEvents(artifacts)[^1].GetProperty("event_data");
        var host = await c.QuerySingleAsync<(int Ok, int Changed, int Failed, int Skipped)>(
            "SELECT ok, changed, failed, skipped FROM hosts WHERE playbook_id = @Id AND name = 'localhost'", new { playbook.Id });
        Assert.Equal(stats.GetProperty("ok").GetProperty("localhost").GetInt32(), host.Ok);
        Assert.Equal(stats.GetProperty("changed").GetProperty("localhost").GetInt32(), host.Changed);
        Assert.Equal(stats.GetProperty("skipped").GetProperty("localhost").GetInt32(), host.Skipped);

        // One result per host result event (loop items are inside their task's result), with statuses.
        var events = Fixtures.ReadEvents(artifacts).Select(e => e.GetProperty("event").GetString()).ToList();
        var results = (await c.QueryAsync<string>("SELECT status FROM results WHERE playbook_id = @Id", new { playbook.Id })).ToList();
        Assert.Equal(events.Count(e => e is "runner_on_ok" or "runner_on_failed" or "runner_on_skipped" or "runner_on_unreachable"), results.Count);
        Assert.Equal(events.Count(e => e == "runner_on_failed"), results.Count(r => r == "failed"));
        foreach (var content in await c.QueryAsync<string>("SELECT content FROM results WHERE playbook_id = @Id", new { playbook.Id }))
        {
            using var doc = JsonDocument.Parse(content);
            Assert.DoesNotContain(doc.RootElement.EnumerateObject(), p => p.Name.StartsWith("_ansible", StringComparison.Ordinal));
        }

        // Files: the playbook and the role's task file, with their text.
        var files = (await c.QueryAsync<(string Path, string Contents)>(
            "SELECT f.path, fc.contents FROM files f JOIN file_contents fc ON fc.id = f.content_id WHERE f.playbook_id = @Id", new { playbook.Id })).ToList();
        Assert.Contains(files, f => f.Path.EndsWith("site.yml", StringComparison.Ordinal) && f.Contents == File.ReadAllText(Path.Combine(pdd.Path, "project", "site.yml")));
        Assert.Contains(files, f => f.Path.EndsWith(Path.Combine("greeter", "tasks", "main.yml"), StringComparison.Ordinal));

        // Facts from fact gathering reached the host; the console text is the stdout artifact, event by event.
        Assert.Contains("ansible_", await c.ExecuteScalarAsync<string>("SELECT facts FROM hosts WHERE playbook_id = @Id", new { playbook.Id }));
        var console = (await c.QueryAsync<string>("SELECT stdout FROM run_events WHERE playbook_id = @Id ORDER BY counter", new { playbook.Id }))
            .Where(s => s.Length > 0).Select(s => s + "\n");
        Assert.Equal(File.ReadAllText(Path.Combine(artifacts, "stdout")), string.Concat(console));

        // Tasks: every task start recorded, handlers flagged, none left running.
        Assert.Equal(events.Count(e => e == "playbook_on_task_start"), await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tasks WHERE playbook_id = @Id", new { playbook.Id }));
        Assert.True(await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tasks WHERE playbook_id = @Id AND handler = 1", new { playbook.Id }) >= 1);
        Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tasks WHERE playbook_id = @Id AND ended IS NULL", new { playbook.Id }));
    }

    [Fact]
    public async Task FailedRun_IsRecordedAsFailed_WithTheFailedTask()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var home = new TempDir();
        var db = Path.Combine(home.Path, "records.db");
        var code = await AnvilCommandLine.InvokeAsync(["run", pdd.Path, "-p", "failed.yml", "-q", "-i", "rec-fail", "--database", db],
            new StringWriter(), new StringWriter());
        Assert.Equal(2, code);
        await using var records = await AnvilDatabase.OpenAsync(db, AnvilSchema.All);
        await using var c = await records.OpenConnectionAsync();
        Assert.Equal("failed", await c.ExecuteScalarAsync<string>("SELECT status FROM playbooks WHERE run_ident = 'rec-fail'"));
        Assert.Equal("failed", await c.ExecuteScalarAsync<string>("SELECT t.status FROM tasks t JOIN results r ON r.task_id = t.id WHERE r.status = 'failed'"));
    }

    [Fact]
    public async Task NoRecord_LeavesNoDatabase()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var home = new TempDir();
        var db = Path.Combine(home.Path, "records.db");
        var code = await AnvilCommandLine.InvokeAsync(["run", pdd.Path, "-p", "ok.yml", "-q", "--no-record", "--database", db],
            new StringWriter(), new StringWriter());
        Assert.Equal(0, code);
        Assert.False(File.Exists(db));
    }

    [Fact]
    public async Task SameBatchTwice_IsStoredOnce()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var home = new TempDir();
        var run = await Fixtures.RunAnvilAsync(pdd.Path, "multi_host.yml", ident: "twice");
        var batch = new IngestBatch
        {
            Run = new RunInfo { Ident = "twice", Path = Path.Combine(pdd.Path, "project", "multi_host.yml") },
            Events = JobEventReader.ListInOrder(run.JobEventsDir).Select(f => JobEventSerializer.Parse(File.ReadAllBytes(f))).ToList(),
            FinalStatus = run.Status,
        };
        await using var db = await AnvilDatabase.OpenAsync(Path.Combine(home.Path, "r.db"), AnvilSchema.All);
        var sink = new LocalIngestSink(db);
        var first = await sink.SendAsync(batch);
        var second = await sink.SendAsync(batch);
        Assert.Equal(batch.Events.Count, first.Stored);
        Assert.Equal(0, second.Stored);
        Assert.Equal(batch.Events.Count, second.Duplicates);
        await using var c = await db.OpenConnectionAsync();
        Assert.Equal(3, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM results"));
        Assert.Equal(3, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM hosts"));
    }

    [Fact]
    public async Task UnreachableServer_SpoolsEverything_AndReplayStoresItOnce()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var home = new TempDir();
        var spool = Path.Combine(home.Path, "spool");
        // A real connection refused: nothing listens on this port yet.
        var url = $"http://127.0.0.1:{Ports.Free()}";
        using var transport = new HttpRecordsTransport(url, timeout: TimeSpan.FromSeconds(2));
        var (result, outcome) = await RecordHandlerRunAsync(pdd.Path, "spooled", new HttpIngestSink(transport), spool);
        Assert.False(outcome.Complete);
        Assert.True(Directory.EnumerateFiles(Path.Combine(spool, "spooled"), "*.json").Count() >= 3, "batches kept in order on disk");

        // Leftovers go only where they were going: a run recording elsewhere leaves them be.
        var elsewhere = Path.Combine(home.Path, "elsewhere.db");
        await using (var other = await AnvilDatabase.OpenAsync(elsewhere, AnvilSchema.All))
        {
            Assert.Equal(0, await RunRecorder.ReplayLeftoversAsync(new LocalIngestSink(other), spool));
        }
        Assert.True(Directory.Exists(Path.Combine(spool, "spooled")));

        var database = Path.Combine(home.Path, "server.db");
        await using var server = await AnvilServerProcess.StartAsync(database, url: url);
        try
        {
            Assert.Equal(1, await RunRecorder.ReplayLeftoversAsync(new HttpIngestSink(transport), spool));
            Assert.False(Directory.Exists(Path.Combine(spool, "spooled")));
            Assert.Equal(0, await RunRecorder.ReplayLeftoversAsync(new HttpIngestSink(transport), spool));
        }
        finally
        {
            await server.KillAsync();
        }
        await using var db = await AnvilDatabase.OpenAsync(database, AnvilSchema.All);
        await using var c = await db.OpenConnectionAsync();
        Assert.Equal("completed", await c.ExecuteScalarAsync<string>("SELECT status FROM playbooks WHERE run_ident = 'spooled'"));
        Assert.Equal(result.EventCount, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM run_events"));
        Assert.Equal(2, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM results"));
    }

    private static async Task<(RunResult Result, RecordingOutcome Outcome)> RecordHandlerRunAsync(string pdd, string ident,
        IIngestSink sink, string spool)
    {
        var plan = AnsibleRunner.Plan(new RunnerOptions { PrivateDataDir = pdd, Playbook = "handler.yml", Ident = ident });
        var recorder = new RunRecorder(sink,
            new RunInfo { Ident = ident, Path = Path.Combine(pdd, "project", "handler.yml") },
            new RecorderOptions { SpoolDirectory = spool, RetryInterval = TimeSpan.FromMilliseconds(100), MaxBatchEvents = 3 });
        var result = await AnsibleRunner.Start(new RunnerOptions
        {
            PrivateDataDir = pdd,
            Playbook = "handler.yml",
            Ident = ident,
            EventHandler = (e, _) =>
            {
                recorder.Add(e);
                return ValueTask.FromResult(true);
            },
        }, plan).Completion;
        return (result, await recorder.CompleteAsync(result.Status, TimeSpan.FromSeconds(2)));
    }
}
