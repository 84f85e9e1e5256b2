using Anvil.Records.Api;
using Anvil.Records.Storage;
using Microsoft.Data.Sqlite;

namespace Anvil.Records.Tests;

/// <summary>
/// Reads are answered from memory until the database changes; any commit, by this API, by another handle on the
/// same file or by something outside Anvil altogether, must show on the next read.
/// </summary>
public abstract class ResponseCacheTests(PostgresFixture? postgres) : ApiTestBase(postgres)
{
    protected async Task<(Reply Reply, int Queries)> CountedGet(string pathAndQuery)
    {
        var queries = 0;
        Api.QueryObserver = (_, _) => Interlocked.Increment(ref queries);
        try
        {
            return (await Get(pathAndQuery), queries);
        }
        finally
        {
            Api.QueryObserver = null;
        }
    }

    [Fact]
    public async Task AChangeMadeThroughTheApi_ShowsOnTheNextRead()
    {
        var tree = await CreateTreeAsync();
        var before = await Get("/api/v1/playbooks?order=-started");
        Assert.Equal("", before.Json.GetProperty("results")[0].GetProperty("name").GetString() ?? "");

        Assert.Equal(200, (await Patch($"/api/v1/playbooks/{tree.Playbook}", new { name = "renamed" })).Status);

        var after = await Get("/api/v1/playbooks?order=-started");
        Assert.Equal("renamed", after.Json.GetProperty("results")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Errors_AreNeverKept()
    {
        Assert.Equal(404, (await Get("/api/v1/playbooks/1")).Status);
        await CreateTreeAsync();
        Assert.Equal(200, (await Get("/api/v1/playbooks/1")).Status);
    }
}

public sealed class ResponseCacheTestsOnSqlite() : ResponseCacheTests(null)
{
    [Fact]
    public async Task ARepeatedRead_DoesNotTouchTheDatabaseUntilSomethingIsCommitted()
    {
        var tree = await CreateTreeAsync();
        var (first, firstQueries) = await CountedGet("/api/v1/results?playbook=" + tree.Playbook + "&status=ok");
        var (second, secondQueries) = await CountedGet("/api/v1/results?playbook=" + tree.Playbook + "&status=ok");
        Assert.True(firstQueries > 0);
        Assert.Equal(0, secondQueries);
        Assert.Equal(first.Text, second.Text);

        // Another query string is another answer.
        var (other, otherQueries) = await CountedGet("/api/v1/results?playbook=" + tree.Playbook + "&status=failed");
        Assert.True(otherQueries > 0);
        Assert.Equal(0, other.Json.GetProperty("count").GetInt64());

        await Create("labels", new { name = "anything" });
        var (_, afterWrite) = await CountedGet("/api/v1/results?playbook=" + tree.Playbook + "&status=ok");
        Assert.True(afterWrite > 0);
    }

    [Fact]
    public async Task ACommitByAnotherConnectionToTheSameFile_ShowsOnTheNextRead()
    {
        var tree = await CreateTreeAsync();
        Assert.Equal("running", (await Get($"/api/v1/playbooks/{tree.Playbook}")).Json.GetProperty("status").GetString());
        Assert.Equal("running", (await Get($"/api/v1/playbooks/{tree.Playbook}")).Json.GetProperty("status").GetString());

        // As another process would: its own connection, plain SQL, nothing of Anvil's in between.
        var file = Database.Description["sqlite:".Length..];
        await using (var other = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            await other.OpenAsync();
            await using var cmd = other.CreateCommand();
            cmd.CommandText = "UPDATE playbooks SET status = 'completed' WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", tree.Playbook);
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }

        Assert.Equal("completed", (await Get($"/api/v1/playbooks/{tree.Playbook}")).Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task AbsoluteLinks_FollowTheAddressTheClientUsed()
    {
        await CreateTreeAsync();
        await CreateTreeAsync("/srv/other.yml");
        var here = await Api.SendAsync(ApiRequest.Create("GET", "/api/v1/playbooks?limit=1", default, "http://127.0.0.1:8010"));
        var there = await Api.SendAsync(ApiRequest.Create("GET", "/api/v1/playbooks?limit=1", default, "http://records.example:9000"));
        Assert.Contains("http://127.0.0.1:8010/api/v1/playbooks?", new Reply(here).Json.GetProperty("next").GetString());
        Assert.Contains("http://records.example:9000/api/v1/playbooks?", new Reply(there).Json.GetProperty("next").GetString());
    }
}

public sealed class ResponseCacheOffOnSqlite() : ApiTestBase(null)
{
    protected override RecordsApiOptions Options => new() { ResponseCacheBytes = 0 };

    [Fact]
    public async Task WithTheCacheOff_EveryReadQueries()
    {
        var tree = await CreateTreeAsync();
        var counts = new List<int>();
        for (var i = 0; i < 2; i++)
        {
            var queries = 0;
            Api.QueryObserver = (_, _) => queries++;
            Assert.Equal(200, (await Get($"/api/v1/playbooks/{tree.Playbook}")).Status);
            Api.QueryObserver = null;
            counts.Add(queries);
        }
        Assert.All(counts, c => Assert.True(c > 0));
    }
}

[Collection("postgres")]
public sealed class ResponseCacheTestsOnPostgres(PostgresFixture postgres) : ResponseCacheTests(postgres)
{
    [Fact]
    public async Task PostgreSQL_reads_are_never_cached()
    {
        var tree = await CreateTreeAsync();
        var (_, first) = await CountedGet($"/api/v1/playbooks/{tree.Playbook}");
        var (_, second) = await CountedGet($"/api/v1/playbooks/{tree.Playbook}");
        Assert.True(first > 0);
        Assert.True(second > 0);
        Assert.Null(Database.ChangeStamp());
    }
}
