using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Anvil.AraCompat.Tests.Harness;

namespace Anvil.AraCompat.Tests;

/// <summary>A server with two seeded playbooks, shared by the fault tests of a class.</summary>
public abstract class SeededServerFixture : IAsyncLifetime
{
    /// <summary>The body limit of this server, so that the oversized-body test sends only a little more.</summary>
    public const long BodyLimit = 256 * 1024;

    private IRecordsServer? _server;
    private ApiReader? _api;

    internal IRecordsServer Server => _server ?? throw new InvalidOperationException("not started");
    internal ApiReader Api => _api ?? throw new InvalidOperationException("not started");
    internal SeededPlaybook First { get; private set; } = null!;
    internal SeededPlaybook Second { get; private set; } = null!;

    private protected abstract Task<DatabaseSpec> DatabaseAsync();

    private protected virtual Task DisposeDatabaseAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _server = await RecordsServers.StartAsync(await DatabaseAsync(), new ServerSettings { MaxRequestBodyBytes = BodyLimit });
        _api = new ApiReader(_server.BaseUrl);
        First = await Seed.PlaybookAsync(_api.Http, "first", results: 12);
        Second = await Seed.PlaybookAsync(_api.Http, "second", results: 8);
    }

    public async Task DisposeAsync()
    {
        _api?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        await DisposeDatabaseAsync();
    }
}

public sealed class SqliteSeededServer : SeededServerFixture
{
    private readonly TempDir _dir = new();

    private protected override Task<DatabaseSpec> DatabaseAsync() =>
        Task.FromResult<DatabaseSpec>(new DatabaseSpec.Sqlite(Path.Combine(_dir.Path, "records.db")));

    private protected override Task DisposeDatabaseAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Bad input gets a clear 4xx naming the problem, never a 500: malformed JSON, wrong field types, oversized bodies,
/// invalid and SQL-looking filter values. Run once per database by the subclasses.
/// </summary>
[Trait("Category", "Integration")]
public abstract class FaultTests<TFixture>(TFixture server) where TFixture : SeededServerFixture
{
    private HttpClient Http => server.Api.Http;

    [Theory]
    [InlineData("/api/v1/playbooks", "{\"ansible_version\": \"2.14\", \"path\": ")]
    [InlineData("/api/v1/results", "{\"status\": 'ok'}")]
    [InlineData("/api/v1/labels", "{\"name\": \"x\"")]
    [InlineData("/api/v1/hosts", "not json at all")]
    public async Task MalformedJson_IsA400SayingSo(string path, string body)
    {
        var (status, json) = await SendAsync(HttpMethod.Post, path, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var detail = json.GetProperty("detail").GetString();
        Assert.StartsWith("JSON parse error", detail);
    }

    [Fact]
    public async Task MalformedJsonOnPatch_IsA400Too()
    {
        var (status, json) = await SendAsync(HttpMethod.Patch, $"/api/v1/playbooks/{server.First.Playbook}", "{\"status\": ");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("JSON parse error", json.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AWrongFieldType_IsA400NamingTheField()
    {
        var p = server.First;
        await AssertFieldErrorAsync(HttpMethod.Post, "/api/v1/hosts",
            new { name = "typed", playbook = p.Playbook, changed = "lots" }, "changed");
        await AssertFieldErrorAsync(HttpMethod.Post, "/api/v1/playbooks",
            new { ansible_version = "2.14", path = "/x.yml", started = "yesterday" }, "started");
        await AssertFieldErrorAsync(HttpMethod.Post, "/api/v1/tasks",
            new { name = "t", action = "debug", lineno = "twelve", handler = false, play = p.Play, file = 1, playbook = p.Playbook }, "lineno");
        await AssertFieldErrorAsync(HttpMethod.Post, "/api/v1/results",
            new { playbook = "abc", play = p.Play, task = p.Task, host = p.Host, status = "ok" }, "playbook");
        await AssertFieldErrorAsync(HttpMethod.Post, "/api/v1/results",
            new { playbook = p.Playbook, play = p.Play, task = p.Task, host = p.Host, status = "changed" }, "status");
        await AssertFieldErrorAsync(HttpMethod.Patch, $"/api/v1/playbooks/{p.Playbook}", new { labels = "not-a-list" }, "labels");
        await AssertFieldErrorAsync(HttpMethod.Patch, $"/api/v1/hosts/{p.Host}", new { ok = new[] { 1 } }, "ok");
        // A reference to an object that does not exist is the client's mistake too.
        await AssertFieldErrorAsync(HttpMethod.Post, "/api/v1/hosts", new { name = "orphan", playbook = 987654321 }, "playbook");
    }

    [Theory]
    [InlineData("/api/v1/playbooks", "[1, 2, 3]")]
    [InlineData("/api/v1/playbooks", "\"a string\"")]
    [InlineData("/api/v1/playbooks", "null")]
    [InlineData("/api/v1/results", "{}")]
    [InlineData("/api/v1/records", "{\"key\": null, \"type\": 5, \"playbook\": {}}")]
    [InlineData("/api/v1/files", "{\"path\": [], \"content\": {}, \"playbook\": true}")]
    [InlineData("/api/v1/plays", "{\"uuid\": \"not-a-uuid\", \"playbook\": 1.5}")]
    public async Task BodiesOfTheWrongShape_Are400Not500(string path, string body)
    {
        var (status, json) = await SendAsync(HttpMethod.Post, path, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(JsonValueKind.Object, json.ValueKind);
        Assert.True(json.EnumerateObject().Any(), "an empty error body names nothing");
    }

    [Fact]
    public async Task AnOversizedBody_IsA413()
    {
        // A valid JSON document, just too big: the limit, not the parser, must answer.
        var labels = await server.Api.CountAsync("/api/v1/labels");
        var big = "{\"name\": \"" + new string('x', (int)SeededServerFixture.BodyLimit + 1024) + "\"}";
        var (status, json) = await SendAsync(HttpMethod.Post, "/api/v1/labels", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal(JsonValueKind.String, json.GetProperty("detail").ValueKind);
        // The server is still fine afterwards, and nothing was stored.
        Assert.Equal(labels, await server.Api.CountAsync("/api/v1/labels"));
    }

    [Theory]
    [InlineData("/api/v1/results?playbook=abc", "playbook")]
    [InlineData("/api/v1/results?host=one", "host")]
    [InlineData("/api/v1/results?status=changed", "status")]
    [InlineData("/api/v1/playbooks?status=bogus", "status")]
    [InlineData("/api/v1/playbooks?created_after=2024-01-01", "created_after")]
    [InlineData("/api/v1/playbooks?started_before=yesterday", "started_before")]
    [InlineData("/api/v1/playbooks?order=bogus", "order")]
    [InlineData("/api/v1/playbooks?order=-started,nope", "order")]
    [InlineData("/api/v1/plays?uuid=not-a-uuid", "uuid")]
    [InlineData("/api/v1/hosts?failed__gt=many", "failed__gt")]
    [InlineData("/api/v1/tasks?play=first", "play")]
    public async Task AnInvalidFilterValue_IsA400NamingTheFilter(string query, string field)
    {
        var (status, json) = await SendAsync(HttpMethod.Get, query);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(json.TryGetProperty(field, out var messages), $"{query}: {json}");
        Assert.Equal(JsonValueKind.Array, messages.ValueKind);
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
    }

    [Fact]
    public async Task OddQueryValues_NeverCauseAServerError()
    {
        string[] resources = ["playbooks", "plays", "tasks", "hosts", "latesthosts", "results", "files", "records", "labels"];
        string[] odd =
        [
            "limit=-1", "limit=abc", "limit=0", "limit=99999999999999999999", "offset=-5", "offset=abc",
            "offset=99999999999", "order=", "order=-", "order=,,", "changed=maybe", "handler=2",
            "created_before=9999-99-99T99:99:99", "updated_after=2024-02-30T00:00:00Z", "playbook=-1",
            "playbook=99999999999999999999", "name=%00", "path=%00%01", "name=" + new string('n', 5000),
            "status=ok&status=", "uuid=%00", "key=%F0%9F%92%A5", "host_name=%C3%A9", "label=%FF%FE",
            "id=1", "format=json", "format=xml",
        ];
        var failures = new List<string>();
        foreach (var r in resources)
        {
            foreach (var q in odd)
            {
                using var response = await Http.GetAsync($"/api/v1/{r}?{q}");
                if ((int)response.StatusCode >= 500)
                {
                    var text = await response.Content.ReadAsStringAsync();
                    failures.Add($"{r}?{q} → {(int)response.StatusCode} {(text.Length > 120 ? text[..120] : text)}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task SqlLookingFilterValues_ArePlainText()
    {
        var api = server.Api;
        var allResults = await api.CountAsync("/api/v1/results");
        var allPlaybooks = await api.CountAsync("/api/v1/playbooks");
        Assert.Equal(server.First.Results + server.Second.Results, allResults);

        string[] injections =
        [
            "' OR 1=1 --", "' OR '1'='1", "x'; DROP TABLE results; --", "\" OR \"\"=\"", "%' OR 1=1 --",
            "1; DELETE FROM playbooks", "') UNION SELECT id, name FROM users --", "\\'; DROP TABLE hosts; --",
        ];
        foreach (var value in injections)
        {
            var v = Uri.EscapeDataString(value);
            foreach (var q in new[]
            {
                $"/api/v1/playbooks?name={v}", $"/api/v1/playbooks?path={v}", $"/api/v1/playbooks?label={v}",
                $"/api/v1/playbooks?controller={v}", $"/api/v1/hosts?name={v}", $"/api/v1/tasks?name={v}",
                $"/api/v1/tasks?action={v}",
                $"/api/v1/records?key={v}", $"/api/v1/files?path={v}", $"/api/v1/plays?name={v}",
            })
            {
                Assert.True(0 == await api.CountAsync(q), q);
            }
            // In integer and choice filters the same values are invalid input, not SQL.
            foreach (var q in new[] { $"/api/v1/results?playbook={v}", $"/api/v1/results?status={v}", $"/api/v1/playbooks?order={v}" })
            {
                var (status, _) = await SendAsync(HttpMethod.Get, q);
                Assert.True(status == HttpStatusCode.BadRequest, $"{q} → {(int)status}");
            }
        }
        // LIKE wildcards are literal characters too.
        Assert.Equal(0, await api.CountAsync("/api/v1/playbooks?name=%25"));
        Assert.Equal(0, await api.CountAsync("/api/v1/playbooks?name=_irst"));
        Assert.Equal(1, await api.CountAsync("/api/v1/playbooks?name=irst"));

        // Every table is still there with the same rows.
        Assert.Equal(allResults, await api.CountAsync("/api/v1/results"));
        Assert.Equal(allPlaybooks, await api.CountAsync("/api/v1/playbooks"));
        Assert.Equal(2, await api.CountAsync("/api/v1/hosts"));
        Assert.Equal(server.First.Results, await api.CountAsync($"/api/v1/results?playbook={server.First.Playbook}"));
    }

    private async Task AssertFieldErrorAsync(HttpMethod method, string path, object body, string field)
    {
        var (status, json) = await SendAsync(method, path, JsonSerializer.Serialize(body));
        Assert.True(status == HttpStatusCode.BadRequest, $"{method} {path} {JsonSerializer.Serialize(body)} → {(int)status}: {json}");
        Assert.True(json.TryGetProperty(field, out var messages) && messages.ValueKind == JsonValueKind.Array,
            $"{method} {path}: expected an error for '{field}', got {json}");
    }

    private async Task<(HttpStatusCode Status, JsonElement Json)> SendAsync(HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode < 500, $"{method} {path} → {(int)response.StatusCode}: {ApiReader.Clip(text)}");
        JsonElement json;
        try
        {
            json = JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            Assert.Fail($"{method} {path} → {(int)response.StatusCode} without a JSON body: {ApiReader.Clip(text)}");
            throw;
        }
        return (response.StatusCode, json);
    }
}

[Trait("Category", "Integration")]
public sealed class SqliteFaultTests(SqliteSeededServer server) : FaultTests<SqliteSeededServer>(server), IClassFixture<SqliteSeededServer>;
