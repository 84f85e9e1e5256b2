using Anvil.Server;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json;
using Anvil.Client;
using Anvil.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Anvil.Cli.Tests.Records;

/// <summary>What <c>anvil</c> did: exit code, stdout, stderr.</summary>
internal sealed record CliResult(int Code, string Out, string Err)
{
    public JsonElement Json => JsonDocument.Parse(Out).RootElement;

    public override string ToString() => $"exit {Code}\nstdout:\n{Out}\nstderr:\n{Err}";
}

internal static class Cli
{
    /// <summary>Runs the <c>anvil</c> command line in this process, as the program does.</summary>
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AnvilCommandLine.InvokeAsync(args, output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs and asserts success.</summary>
    public static async Task<CliResult> OkAsync(params string[] args)
    {
        var r = await RunAsync(args);
        Assert.True(r.Code == 0 && r.Err.Length == 0, $"anvil {string.Join(' ', args)}: {r}");
        return r;
    }
}

/// <summary>
/// A database kind the records commands are tested on: one database with real recorded runs that read-only tests
/// share, and fresh (migrated, empty) databases for the tests that change data. Values are what <c>--database</c>
/// takes.
/// </summary>
public interface IRecordsBackend
{
    string Recorded { get; }

    Task<string> NewDatabaseAsync();
}

/// <summary>SQLite files in a temporary directory; no recorded runs (see <see cref="SqliteBackend"/>).</summary>
public class SqliteDatabases : IRecordsBackend, IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private int _databases;

    public string Recorded => Path.Combine(_dir.Path, "recorded.db");

    public Task<string> NewDatabaseAsync() =>
        Task.FromResult(Path.Combine(_dir.Path, $"db{Interlocked.Increment(ref _databases)}.db"));

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>SQLite files, and the recorded runs in one of them.</summary>
public sealed class SqliteBackend : SqliteDatabases
{
    public override Task InitializeAsync() => RecordedRuns.SeedAsync(Recorded);
}

/// <summary>A throwaway PostgreSQL cluster: a migrated template that fresh databases are copied from, and one
/// database with the recorded runs.</summary>
public sealed class PostgresBackend : IRecordsBackend, IAsyncLifetime
{
    private int _databases;

    internal PostgresCluster Cluster { get; private set; } = null!;

    public string Recorded => Cluster.ConnectionString("recorded");

    public async Task InitializeAsync()
    {
        Cluster = new PostgresCluster();
        Cluster.CreateDatabase("anvil_template");
        // Migrated once; disposing closes its connections so that it can serve as a template.
        await using (await AnvilDatabase.OpenAsync(Cluster.ConnectionString("anvil_template"), AnvilSchema.All))
        {
        }
        Cluster.CreateDatabase("recorded", "anvil_template");
        await RecordedRuns.SeedAsync(Recorded);
    }

    public Task<string> NewDatabaseAsync()
    {
        var name = "t" + Interlocked.Increment(ref _databases);
        Cluster.CreateDatabase(name, "anvil_template");
        return Task.FromResult(Cluster.ConnectionString(name));
    }

    public Task DisposeAsync()
    {
        Cluster?.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class RecordsPostgresCollection : ICollectionFixture<PostgresBackend>
{
    public const string Name = "records on PostgreSQL";
}

/// <summary>The shared data: three real runs of the fixture private data dir recorded by <c>anvil run</c>
/// (ok.yml, failed.yml, changed.yml, in that order), then, through the API, a name with a comma and quotes and a
/// label on the ok run, and a record.</summary>
internal static class RecordedRuns
{
    public const string Name = "deploy, \"blue\"";

    public static async Task SeedAsync(string database)
    {
        using var pdd = new TempDir(RepoPaths.FixturePdd);
        foreach (var (playbook, rc) in new[] { ("ok.yml", 0), ("failed.yml", 2), ("changed.yml", 0) })
        {
            var r = await Cli.RunAsync("run", pdd.Path, "-p", playbook, "-q", "-i", Path.GetFileNameWithoutExtension(playbook), "--database", database);
            Assert.True(r.Code == rc, $"anvil run {playbook}: {r}");
        }
        await using var client = await RecordsClient.Offline(database);
        var ok = (await client.GetAsync("/api/v1/playbooks", ("path", "ok.yml"))).GetProperty("results")[0].GetProperty("id").GetInt64();
        await client.PatchAsync($"/api/v1/playbooks/{ok}", JsonSerializer.Serialize(new { name = Name, labels = new[] { "nightly" } }));
        await client.PostAsync("/api/v1/records", JsonSerializer.Serialize(new { playbook = ok, key = "build", type = "text", value = "1.2.3" }));
    }
}

/// <summary>Builds exact shapes through the API (<see cref="RecordsClient.Offline"/>), and changes what the API
/// cannot (times it sets itself) with SQL, as only a test may.</summary>
internal sealed class Seeder(string database) : IAsyncDisposable
{
    private RecordsClient? _client;

    public async Task<RecordsClient> ClientAsync() => _client ??= await RecordsClient.Offline(database);

    /// <summary>A playbook with a play, a file, a task, a host and a result.</summary>
    public async Task<Tree> TreeAsync(string path, DateTimeOffset started, string status = "completed", string host = "web1",
        string childStatus = "completed")
    {
        var c = await ClientAsync();
        var at = Clock.Format(Clock.ToMicros(started));
        var playbook = await IdAsync(c, "playbooks", new { ansible_version = "2.14.18", path, status, started = at });
        var play = await IdAsync(c, "plays", new { playbook, name = "play of " + path, uuid = Guid.NewGuid().ToString(), status = childStatus, started = at });
        var file = await IdAsync(c, "files", new { playbook, path, content = "- hosts: all\n" });
        var task = await IdAsync(c, "tasks", new { playbook, play, file, name = "task of " + path, action = "debug", lineno = 3, handler = false, status = childStatus, started = at });
        var hostId = await IdAsync(c, "hosts", new { playbook, name = host });
        var result = await IdAsync(c, "results", new { playbook, play, task, host = hostId, status = "ok", started = at, ended = at });
        return new Tree(playbook, play, file, task, hostId, result);
    }

    private static async Task<long> IdAsync(RecordsClient c, string resource, object body) =>
        (await c.PostAsync("/api/v1/" + resource, JsonSerializer.Serialize(body))).GetProperty("id").GetInt64();

    /// <summary>Runs one SQL statement (<c>@t</c> is bound to <paramref name="time"/> in stored form).</summary>
    public async Task SqlAsync(string sql, DateTimeOffset time)
    {
        await using var db = await AnvilDatabase.OpenAsync(database, AnvilSchema.All);
        await using var connection = await db.OpenConnectionAsync();
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        var p = command.CreateParameter();
        p.ParameterName = "t";
        p.Value = Clock.ToMicros(time);
        command.Parameters.Add(p);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
    }
}

internal sealed record Tree(long Playbook, long Play, long File, long Task, long Host, long Result);

/// <summary>Keeps every formatted log message (a real provider on the real logging pipeline).</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _messages = new();

    public IReadOnlyList<string> Messages => _messages.ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(_messages);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) => messages.Enqueue(formatter(state, exception));
    }
}
