using System.Text.Json;
using Anvil.Records.Retention;
using Anvil.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Anvil.Cli.Tests.Records;

[Trait("Category", "Integration")]
public sealed class SqliteRecordsRetentionTests(SqliteDatabases backend) : RecordsRetentionTests(backend), IClassFixture<SqliteDatabases>;

[Collection(RecordsPostgresCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PostgresRecordsRetentionTests(PostgresBackend backend) : RecordsRetentionTests(backend);

/// <summary>
/// What changes data: <c>playbook delete</c>, <c>playbook prune</c> and <c>playbook expire</c> from the CLI, and the
/// server's scheduled retention, each on a fresh database seeded through the API with exact shapes.
/// </summary>
[Trait("Category", "Integration")]
public abstract class RecordsRetentionTests(IRecordsBackend backend)
{
    private static readonly DateTimeOffset LongAgo = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static async Task<CliResult> Ok(string database, params string[] args) =>
        await Cli.OkAsync(["records", .. args, "--database", database]);

    private static async Task<JsonElement[]> Json(string database, params string[] args) =>
        (await Ok(database, [.. args, "-f", "json"])).Json.EnumerateArray().ToArray();

    private static async Task<long[]> PlaybookIds(string database) =>
        (await Json(database, "playbook", "list", "--order", "id")).Select(p => p.GetProperty("id").GetInt64()).ToArray();

    private static async Task<string> StatusOf(string database, string noun, long id) =>
        (await Ok(database, noun, "show", id.ToString(), "-f", "json")).Json.GetProperty("status").GetString()!;

    [Fact]
    public async Task Delete_RemovesThePlaybookAndEverythingUnderIt()
    {
        var db = await backend.NewDatabaseAsync();
        await using var seed = new Seeder(db);
        var kept = await seed.TreeAsync("/srv/kept.yml", DateTimeOffset.UtcNow);
        var doomed = await seed.TreeAsync("/srv/doomed.yml", DateTimeOffset.UtcNow, host: "web2");

        var r = await Ok(db, "playbook", "delete", doomed.Playbook.ToString());
        Assert.Equal($"Deleted playbook {doomed.Playbook}.\n", r.Out);
        Assert.Equal([kept.Playbook], await PlaybookIds(db));
        foreach (var (noun, id) in new[] { ("play", doomed.Play), ("task", doomed.Task), ("host", doomed.Host), ("result", doomed.Result), ("file", doomed.File) })
        {
            var gone = await Cli.RunAsync("records", noun, "show", id.ToString(), "--database", db);
            Assert.Equal($"anvil: error: {noun} {id} not found\n", gone.Err);
        }
        Assert.Single(await Json(db, "result", "list"));
        Assert.Empty(await Json(db, "host", "list", "--latest", "--name", "web2"));

        var again = await Cli.RunAsync("records", "playbook", "delete", doomed.Playbook.ToString(), "--database", db);
        Assert.Equal(1, again.Code);
        Assert.Equal($"anvil: error: playbook {doomed.Playbook} not found\n", again.Err);
    }

    [Fact]
    public async Task Prune_DryRunChangesNothing_ConfirmDeletesTheOldMatchesOnly()
    {
        var db = await backend.NewDatabaseAsync();
        await using var seed = new Seeder(db);
        var recent = await seed.TreeAsync("/srv/new.yml", DateTimeOffset.UtcNow);
        // Recorded after the recent one, so the latest "web1" is the old run's host until that run goes.
        var oldA = await seed.TreeAsync("/srv/old-a.yml", LongAgo);
        var oldB = await seed.TreeAsync("/srv/old-b.yml", LongAgo.AddDays(30));
        Assert.Equal(oldB.Host, (await Json(db, "host", "list", "--latest")).Single().GetProperty("id").GetInt64());

        var dry = await Json(db, "playbook", "prune");
        Assert.Equal([oldA.Playbook, oldB.Playbook], dry.Select(p => p.GetProperty("id").GetInt64()));
        var dryTable = (await Ok(db, "playbook", "prune", "--limit", "1")).Out;
        Assert.Contains("old-a.yml", dryTable);
        Assert.DoesNotContain("old-b.yml", dryTable);
        Assert.Matches(@"Dry run: 1 playbook started before \S+ would be deleted; add --confirm to delete them\. 1 more match \(--limit 1\)\.\n$", dryTable);
        Assert.Equal([recent.Playbook, oldA.Playbook, oldB.Playbook], await PlaybookIds(db));

        var some = await Json(db, "playbook", "prune", "--path", "old-b", "--confirm");
        Assert.Equal([oldB.Playbook], some.Select(p => p.GetProperty("id").GetInt64()));
        Assert.Equal([recent.Playbook, oldA.Playbook], await PlaybookIds(db));
        // The latest "web1" moved to the most recent remaining host of that name.
        Assert.Equal(oldA.Host, (await Json(db, "host", "list", "--latest")).Single().GetProperty("id").GetInt64());

        var rest = (await Ok(db, "prune", "--days", "31", "--confirm")).Out;
        Assert.Matches(@"Deleted 1 playbook started before \S+\.\n$", rest);
        Assert.Equal([recent.Playbook], await PlaybookIds(db));
        Assert.Equal(recent.Host, (await Json(db, "host", "list", "--latest")).Single().GetProperty("id").GetInt64());
        Assert.Equal([recent.Result], (await Json(db, "result", "list")).Select(r => r.GetProperty("id").GetInt64()));
        Assert.Equal([recent.Task], (await Json(db, "task", "list")).Select(r => r.GetProperty("id").GetInt64()));

        // --days 0 reaches runs started just now.
        Assert.Single(await Json(db, "playbook", "prune", "--days", "0"));
        Assert.Empty(await Json(db, "playbook", "prune", "--days", "0", "--status", "failed"));
    }

    [Fact]
    public async Task Expire_DryRunChangesNothing_ConfirmExpiresOnlyIdleRuns()
    {
        var db = await backend.NewDatabaseAsync();
        await using var seed = new Seeder(db);
        var now = DateTimeOffset.UtcNow;
        var idle = await seed.TreeAsync("/srv/idle.yml", now.AddDays(-3), status: "running", childStatus: "running");
        var fresh = await seed.TreeAsync("/srv/fresh.yml", now, status: "running", childStatus: "running");
        // The playbook row is old, but a task changed recently: the run is still working.
        var working = await seed.TreeAsync("/srv/working.yml", now.AddDays(-3), status: "running", childStatus: "running");
        var done = await seed.TreeAsync("/srv/done.yml", now.AddDays(-3));
        var twoDaysAgo = now.AddDays(-2);
        await seed.SqlAsync($"UPDATE playbooks SET updated = @t WHERE id IN ({idle.Playbook}, {working.Playbook}, {done.Playbook})", twoDaysAgo);
        await seed.SqlAsync($"UPDATE tasks SET updated = @t WHERE playbook_id IN ({idle.Playbook}, {done.Playbook})", twoDaysAgo);
        await seed.SqlAsync($"UPDATE results SET started = @t WHERE playbook_id IN ({idle.Playbook}, {working.Playbook}, {done.Playbook})", twoDaysAgo);

        var dry = (await Json(db, "playbook", "expire")).Single();
        Assert.Equal(idle.Playbook, dry.GetProperty("id").GetInt64());
        Assert.Equal("running", dry.GetProperty("status").GetString());
        Assert.Equal(1, dry.GetProperty("plays").GetInt64());
        Assert.Equal(1, dry.GetProperty("tasks").GetInt64());
        Assert.Matches(@"Dry run: would expire 1 running playbook idle since \S+ \(1 play, 1 task\); add --confirm to expire them\.\n$",
            (await Ok(db, "playbook", "expire")).Out);
        Assert.Equal("running", await StatusOf(db, "playbook", idle.Playbook));
        Assert.Equal("running", await StatusOf(db, "task", idle.Task));
        // A shorter idle time reaches the working run too (its task changed less than a day ago, but not within 0 h).
        Assert.Equal([idle.Playbook, working.Playbook, fresh.Playbook],
            (await Json(db, "playbook", "expire", "--hours", "0")).Select(p => p.GetProperty("id").GetInt64()));

        var expired = (await Ok(db, "expire", "--confirm")).Out;
        Assert.Matches(@"│\s*\d+\s*│ expired │ /srv/idle\.yml", expired);
        Assert.Matches(@"Expired 1 running playbook idle since \S+ \(1 play, 1 task\)\.\n$", expired);
        Assert.Equal("expired", await StatusOf(db, "playbook", idle.Playbook));
        Assert.Equal("expired", await StatusOf(db, "play", idle.Play));
        Assert.Equal("expired", await StatusOf(db, "task", idle.Task));
        foreach (var t in new[] { fresh, working })
        {
            Assert.Equal("running", await StatusOf(db, "playbook", t.Playbook));
            Assert.Equal("running", await StatusOf(db, "task", t.Task));
        }
        Assert.Equal("completed", await StatusOf(db, "playbook", done.Playbook));
        Assert.Empty(await Json(db, "playbook", "expire", "--confirm"));
    }

    [Fact]
    public async Task RetentionService_PrunesOldPlaybooksAndExpiresIdleRuns_OnEveryTick()
    {
        var db = await backend.NewDatabaseAsync();
        await using var seed = new Seeder(db);
        var now = DateTimeOffset.UtcNow;
        var recent = await seed.TreeAsync("/srv/recent.yml", now);
        var old = await seed.TreeAsync("/srv/old.yml", LongAgo);
        var idle = await seed.TreeAsync("/srv/idle.yml", now.AddDays(-2), status: "running", childStatus: "running");
        var fresh = await seed.TreeAsync("/srv/fresh.yml", now, status: "running", childStatus: "running");
        await seed.SqlAsync($"UPDATE playbooks SET updated = @t WHERE id = {idle.Playbook}", now.AddHours(-30));
        await seed.SqlAsync($"UPDATE tasks SET updated = @t WHERE playbook_id = {idle.Playbook}", now.AddHours(-30));

        var logs = new LogCapture();
        var app = AnvilServer.Build([], new ServerStartOptions
        {
            Urls = "http://127.0.0.1:0",
            Database = db,
            Settings = new Dictionary<string, string?>
            {
                ["Records:PruneDays"] = "31",
                ["Records:ExpireRunningAfter"] = "1.00:00:00",
                ["Records:RetentionInterval"] = "00:00:00.2",
            },
            ConfigureBuilder = b =>
            {
                b.Logging.ClearProviders();
                b.Logging.AddProvider(logs);
            },
        });
        await using (app)
        {
            await app.StartAsync();
            var url = app.Urls.First();
            async Task<long[]> Ids() =>
                (await Json(db, "playbook", "list", "--order", "id")).Select(p => p.GetProperty("id").GetInt64()).ToArray();

            await Wait.UntilAsync(async () => !(await Ids()).Contains(old.Playbook), TimeSpan.FromSeconds(60), "the old playbook is pruned");
            await Wait.UntilAsync(async () => await StatusOf(db, "playbook", idle.Playbook) == "expired", TimeSpan.FromSeconds(60), "the idle run is expired");
            Assert.Equal("expired", await StatusOf(db, "task", idle.Task));
            Assert.Equal("expired", await StatusOf(db, "play", idle.Play));
            Assert.Equal("running", await StatusOf(db, "playbook", fresh.Playbook));
            Assert.Equal("running", await StatusOf(db, "task", fresh.Task));
            Assert.Equal([recent.Playbook, idle.Playbook, fresh.Playbook], await Ids());
            Assert.Contains(logs.Messages, m => m.StartsWith("Retention: deleted 1 playbooks started more than 31 days ago", StringComparison.Ordinal));
            Assert.Contains(logs.Messages, m => m.StartsWith("Retention: expired 1 running playbooks (1 plays, 1 tasks)", StringComparison.Ordinal) &&
                                                m.EndsWith(": " + idle.Playbook, StringComparison.Ordinal));

            // Later sweeps catch what arrives after the start: an old run recorded through the server.
            await using (var client = Anvil.Client.RecordsClient.Http(url))
            {
                var late = (await client.PostAsync("/api/v1/playbooks", JsonSerializer.Serialize(new
                {
                    ansible_version = "2.14.18",
                    path = "/srv/late.yml",
                    started = "2019-06-01T00:00:00Z",
                }))).GetProperty("id").GetInt64();
                await Wait.UntilAsync(async () => !(await Ids()).Contains(late), TimeSpan.FromSeconds(60), "the late old playbook is pruned");
            }
            Assert.Equal([recent.Playbook, idle.Playbook, fresh.Playbook], await Ids());
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task RecordsRetention_PrunesInBatches()
    {
        var db = await backend.NewDatabaseAsync();
        await using var seed = new Seeder(db);
        var client = await seed.ClientAsync();
        var count = RecordsRetention.DeleteBatch + 5;
        for (var i = 0; i < count; i++)
        {
            await client.PostAsync("/api/v1/playbooks", JsonSerializer.Serialize(new
            {
                ansible_version = "2.14.18",
                path = $"/srv/{i}.yml",
                started = "2019-06-01T00:00:00Z",
            }));
        }
        var kept = await seed.TreeAsync("/srv/kept.yml", DateTimeOffset.UtcNow);
        await using var database = await Anvil.Data.AnvilDatabase.OpenAsync(db, AnvilSchema.All);
        var deleted = await new RecordsRetention(database).PruneAsync(DateTimeOffset.UtcNow.AddDays(-1));
        Assert.Equal(count, deleted);
        Assert.Equal([kept.Playbook], await PlaybookIds(db));
        Assert.Equal(0, await new RecordsRetention(database).PruneAsync(DateTimeOffset.UtcNow.AddDays(-1)));
    }
}

/// <summary>The retention settings are checked when the server starts; a wrong one is named.</summary>
public class RetentionSettingsTests
{
    [Theory]
    [InlineData("PruneDays", "-1", "Records:PruneDays must be between 0 (off) and 36500 (got -1)")]
    [InlineData("ExpireRunningAfter", "-00:00:01", "Records:ExpireRunningAfter must not be negative")]
    [InlineData("RetentionInterval", "00:00:00", "Records:RetentionInterval must be positive (got 00:00:00)")]
    public async Task OutOfRange_TheServerRefusesToStart(string setting, string value, string message)
    {
        using var dir = new TempDir();
        var e = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            // Kestrel reads the records settings while the application is built: that is where it fails.
            await using var app = AnvilServer.Build([], new ServerStartOptions
            {
                Urls = "http://127.0.0.1:0",
                Database = Path.Combine(dir.Path, "records.db"),
                Settings = new Dictionary<string, string?> { ["Records:" + setting] = value },
                ConfigureBuilder = b => b.Logging.ClearProviders(),
            });
            await app.StartAsync();
        });
        Assert.Contains(message, e.Message);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
