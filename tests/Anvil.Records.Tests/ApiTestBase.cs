using System.Text;
using System.Text.Json;
using Anvil.Records.Api;
using Anvil.Data;
using Anvil.Records.Storage;
using Microsoft.Data.Sqlite;

namespace Anvil.Records.Tests;

/// <summary>One throwaway PostgreSQL cluster for every PostgreSQL test class; each test gets a fresh database,
/// copied from a migrated template.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private int _databases;

    internal PostgresCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = new PostgresCluster();
        Cluster.CreateDatabase("anvil_template");
        // Migrated once; disposing closes its connections so that it can serve as a template.
        await using var db = await AnvilDatabase.OpenAsync(Cluster.ConnectionString("anvil_template"), [RecordsSchema.Migrations]);
    }

    public async Task<AnvilDatabase> NewDatabaseAsync()
    {
        var name = "t" + Interlocked.Increment(ref _databases);
        Cluster.CreateDatabase(name, "anvil_template");
        return await AnvilDatabase.OpenAsync(Cluster.ConnectionString(name), [RecordsSchema.Migrations]);
    }

    public Task DisposeAsync()
    {
        Cluster?.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;

/// <summary>
/// Base of the API test suites: each runs on a fresh SQLite file (no fixture) and on a fresh PostgreSQL database
/// (with the fixture), through <see cref="RecordsApi.SendAsync"/> exactly as the server and the offline client call it.
/// </summary>
public abstract class ApiTestBase(PostgresFixture? postgres) : IAsyncLifetime
{
    protected const string Base = "http://127.0.0.1:8010";
    private TempDir? _dir;

    protected AnvilDatabase Database { get; private set; } = null!;

    internal RecordsApi Api { get; private set; } = null!;

    protected bool OnPostgres => postgres is not null;

    protected virtual RecordsApiOptions Options => new();

    public async Task InitializeAsync()
    {
        if (postgres is not null)
        {
            Database = await postgres.NewDatabaseAsync();
        }
        else
        {
            _dir = new TempDir();
            Database = await AnvilDatabase.OpenAsync(Path.Combine(_dir.Path, "anvil.db"), [RecordsSchema.Migrations]);
        }
        Api = new RecordsApi(Database, Options);
    }

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        if (_dir is not null)
        {
            SqliteConnection.ClearAllPools();
            _dir.Dispose();
        }
    }

    protected async Task<Reply> Send(string method, string pathAndQuery, string? body = null)
    {
        var response = await Api.SendAsync(ApiRequest.Create(method, pathAndQuery,
            body is null ? default : Encoding.UTF8.GetBytes(body), Base));
        return new Reply(response);
    }

    protected Task<Reply> Get(string pathAndQuery) => Send("GET", pathAndQuery);

    protected Task<Reply> Post(string path, object body) => Send("POST", path, Json(body));

    protected Task<Reply> Patch(string path, object body) => Send("PATCH", path, Json(body));

    protected Task<Reply> Put(string path, object body) => Send("PUT", path, Json(body));

    protected Task<Reply> Delete(string path) => Send("DELETE", path);

    protected static string Json(object body) => body as string ?? JsonSerializer.Serialize(body);

    /// <summary>Posts and checks the status; returns the created object's id.</summary>
    protected async Task<long> Create(string resource, object body)
    {
        var reply = await Post("/api/v1/" + resource, body);
        Assert.True(reply.Status == 201, $"POST {resource}: {reply.Status} {reply.Text}");
        return reply.Json.GetProperty("id").GetInt64();
    }

    /// <summary>A playbook with a play, a file, a task, a host and a result: the ids of each.</summary>
    protected async Task<Tree> CreateTreeAsync(string path = "/srv/site.yml", string host = "web1", string status = "ok")
    {
        var playbook = await Create("playbooks", new { ansible_version = "2.14.18", path, status = "running", started = "2024-01-01T00:00:00Z" });
        var play = await Create("plays", new { playbook, name = "play", uuid = Guid.NewGuid().ToString(), started = "2024-01-01T00:00:01Z" });
        var file = await Create("files", new { playbook, path, content = "- hosts: all\n" });
        var task = await Create("tasks", new { playbook, play, file, name = "task", action = "debug", lineno = 3, handler = false, started = "2024-01-01T00:00:02Z" });
        var hostId = await Create("hosts", new { playbook, name = host });
        var result = await Create("results", new { playbook, play, task, host = hostId, status, started = "2024-01-01T00:00:03Z", ended = "2024-01-01T00:00:04Z" });
        return new Tree(playbook, play, file, task, hostId, result);
    }

    /// <summary>The ids of the objects in a list reply, in order.</summary>
    protected static long[] Ids(Reply list) =>
        list.Json.GetProperty("results").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToArray();

    protected async Task<long[]> ListIds(string pathAndQuery)
    {
        var reply = await Get(pathAndQuery);
        Assert.True(reply.Status == 200, $"GET {pathAndQuery}: {reply.Status} {reply.Text}");
        return Ids(reply);
    }

    /// <summary>Asserts a 400 whose body is exactly <paramref name="expected"/>.</summary>
    protected static void AssertError(Reply reply, string expected)
    {
        Assert.Equal(400, reply.Status);
        Assert.Equal(expected, reply.Text);
    }

    protected sealed record Tree(long Playbook, long Play, long File, long Task, long Host, long Result);
}

/// <summary>An API answer, with its body parsed on demand.</summary>
public sealed class Reply(ApiResponse response)
{
    private JsonElement? _json;

    public int Status => response.Status;

    public string Text { get; } = Encoding.UTF8.GetString(response.Body.Span);

    public IReadOnlyDictionary<string, string> Headers => response.Headers;

    public JsonElement Json => _json ??= JsonDocument.Parse(Text).RootElement;

    public JsonElement this[string name] => Json.GetProperty(name);

    public override string ToString() => $"{Status} {Text}";
}
