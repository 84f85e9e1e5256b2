using Anvil.Server;
using System.Net;
using System.Text.Json;
using Anvil.Data;

namespace Anvil.Server.Tests;

/// <summary>One throwaway PostgreSQL 15 cluster for this project's PostgreSQL tests; a fresh database per test.</summary>
public sealed class PostgresFixture : IDisposable
{
    private int _databases;

    internal PostgresCluster Cluster { get; } = new();

    /// <summary>The connection string of a new, empty database.</summary>
    public string NewDatabase()
    {
        var name = "users" + Interlocked.Increment(ref _databases);
        Cluster.CreateDatabase(name);
        return Cluster.ConnectionString(name);
    }

    public void Dispose() => Cluster.Dispose();
}

[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;

[Collection("postgres")]
public sealed class PostgresServerTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Server_OnPostgres_MigratesReportsHealthAndAuthenticates()
    {
        var connection = postgres.NewDatabase();
        await using var server = await RunningServer.StartAsync(write: true, database: connection, users: ("pat", "pat-Secret-7"));
        using var health = await server.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal($"postgres://postgres@127.0.0.1:{postgres.Cluster.Port}/{connection.Split("Database=")[1]}",
            body.GetProperty("database").GetString());

        using var anonymous = await server.SendAsync(HttpMethod.Post, "/api/v1/labels", body: "{}");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var wrong = await server.SendAsync(HttpMethod.Post, "/api/v1/labels", RunningServer.Basic("pat", "nope"), "{}");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using var right = await server.SendAsync(HttpMethod.Post, "/api/v1/labels", RunningServer.Basic("pat", "pat-Secret-7"), "{}");
        Assert.NotEqual(HttpStatusCode.Unauthorized, right.StatusCode);
    }

    [Fact]
    public async Task Healthz_PostgresStopped_Returns503_AndLoginIsA503NotA500()
    {
        // A cluster of its own, to stop under the running server.
        var cluster = new PostgresCluster();
        try
        {
            cluster.CreateDatabase("gone");
            await using var server = await RunningServer.StartAsync(write: true, database: cluster.ConnectionString("gone"),
                users: ("quinn", "quinn-Secret-8"));
            using (var up = await server.Http.GetAsync("/healthz"))
            {
                Assert.Equal(HttpStatusCode.OK, up.StatusCode);
            }
            cluster.Dispose();

            using var down = await server.Http.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Equal("unavailable", JsonDocument.Parse(await down.Content.ReadAsStringAsync()).RootElement
                .GetProperty("status").GetString());

            // Checking a password needs the database: without it the answer is "unavailable", not a crash.
            using var login = await server.SendAsync(HttpMethod.Post, "/api/v1/labels", RunningServer.Basic("quinn", "quinn-Secret-8"), "{}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, login.StatusCode);
            Assert.Equal("{\"detail\":\"The records database is unavailable.\"}", await login.Content.ReadAsStringAsync());
        }
        finally
        {
            cluster.Dispose();
        }
    }
}
