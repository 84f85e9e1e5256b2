using System.Text.Json;
using Anvil.AraCompat.Tests.Harness;

namespace Anvil.AraCompat.Tests;

/// <summary>One throwaway PostgreSQL 15 cluster (Anvil.TestSupport's PostgresCluster) for every PostgreSQL test class;
/// each server gets an empty database of its own and migrates it on start.</summary>
public sealed class PostgresDatabases : IDisposable
{
    private int _count;

    internal PostgresCluster Cluster { get; } = new();

    internal DatabaseSpec.Postgres NewDatabase(string prefix)
    {
        var name = prefix + Interlocked.Increment(ref _count);
        Cluster.CreateDatabase(name);
        return new DatabaseSpec.Postgres(Cluster.ConnectionString(name));
    }

    public void Dispose() => Cluster.Dispose();
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresDatabases>
{
    public const string Name = "postgres";
}

/// <summary>site.yml recorded into a server on PostgreSQL.</summary>
public sealed class PostgresSiteRun(PostgresDatabases postgres) : SiteRunFixture
{
    private protected override Task<DatabaseSpec> DatabaseAsync() => Task.FromResult<DatabaseSpec>(postgres.NewDatabase("site"));
}

/// <summary>A seeded server on PostgreSQL for the fault tests.</summary>
public sealed class PostgresSeededServer(PostgresDatabases postgres) : SeededServerFixture
{
    private protected override Task<DatabaseSpec> DatabaseAsync() => Task.FromResult<DatabaseSpec>(postgres.NewDatabase("faults"));
}

/// <summary>ARA's callback and CLI against a server on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PostgresAraClientTests(PostgresSiteRun site) : AraClientTests<PostgresSiteRun>(site), IClassFixture<PostgresSiteRun>;

/// <summary>Bad input against a server on PostgreSQL (which, unlike SQLite, rejects NUL characters in text).</summary>
[Collection(PostgresCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PostgresFaultTests(PostgresSeededServer server) : FaultTests<PostgresSeededServer>(server), IClassFixture<PostgresSeededServer>;

/// <summary>
/// Two servers on one PostgreSQL database, started together, and eight runs of concurrent.yml recorded at the same
/// time, four through each server, by ARA's callback.
/// </summary>
public sealed class TwoServersOnePostgres(PostgresDatabases postgres) : IAsyncLifetime
{
    public const int RunCount = 8;

    private readonly List<IRecordsServer> _servers = [];

    internal IReadOnlyList<IRecordsServer> Servers => _servers;

    /// <summary>Run i went through server i % 2 and is named <c>concurrent-i</c>.</summary>
    internal IReadOnlyList<PlaybookRun> Runs { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var database = postgres.NewDatabase("shared");
        if (RecordsServers.Reference)
        {
            // Django's migrate is not safe to run twice at once; ARA's servers start one after the other.
            _servers.Add(await RecordsServers.StartAsync(database));
            _servers.Add(await RecordsServers.StartAsync(database));
        }
        else
        {
            // Both start (and migrate) at the same moment, as two replicas behind a load balancer would.
            _servers.AddRange(await Task.WhenAll(RecordsServers.StartAsync(database), RecordsServers.StartAsync(database)));
        }
        Runs = await Task.WhenAll(Enumerable.Range(0, RunCount).Select(i =>
            Ara.RunPlaybookAsync(_servers[i % 2].BaseUrl, "concurrent.yml",
                ["-e", $"ara_playbook_name=concurrent-{i}", "-e", $"run_tag=run{i}", "-e", $"ara_playbook_labels=concurrent,run-{i}"])));
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _servers)
        {
            await s.DisposeAsync();
        }
    }
}

[Collection(PostgresCollection.Name)]
[Trait("Category", "Integration")]
public sealed class TwoServerTests(TwoServersOnePostgres fixture) : IClassFixture<TwoServersOnePostgres>
{
    [Fact]
    public void EveryRun_FinishedWithItsRecapAndNoRecordingErrors()
    {
        foreach (var run in fixture.Runs)
        {
            Assert.True(run.Result.ExitCode == 0, run.Result.ToString());
            Assert.Equal(Concurrent.Recap, run.Recap);
            var errors = Ara.RecordingErrors(run.Result.Output);
            Assert.True(errors.Count == 0, string.Join('\n', errors) + "\n" + run.Result);
        }
    }

    [Fact]
    public async Task BothServers_SeeAllEightPlaybooksAndEveryResultOnce()
    {
        foreach (var server in fixture.Servers)
        {
            using var api = new ApiReader(server.BaseUrl);
            Assert.Equal(TwoServersOnePostgres.RunCount, await api.CountAsync("/api/v1/playbooks"));
            Assert.Equal(TwoServersOnePostgres.RunCount, await api.CountAsync("/api/v1/playbooks?label=concurrent"));
            Assert.Equal(TwoServersOnePostgres.RunCount, await api.CountAsync("/api/v1/playbooks?status=completed"));
            Assert.Equal(TwoServersOnePostgres.RunCount * Concurrent.Tasks, await api.CountAsync("/api/v1/tasks"));
            Assert.Equal(TwoServersOnePostgres.RunCount * Concurrent.Hosts, await api.CountAsync("/api/v1/hosts"));
            Assert.Equal(TwoServersOnePostgres.RunCount * Concurrent.ResultsPerRun, await api.CountAsync("/api/v1/results"));
            Assert.Equal(TwoServersOnePostgres.RunCount, await api.CountAsync("/api/v1/plays"));
            // Labels are shared rows: "concurrent" once, plus check:False and tags:all, plus one per run.
            Assert.Equal(3 + TwoServersOnePostgres.RunCount, await api.CountAsync("/api/v1/labels"));
        }
    }

    [Fact]
    public async Task EachPlaybook_HasItsOwnTasksHostsAndOneResultPerTaskAndHost()
    {
        using var api = new ApiReader(fixture.Servers[0].BaseUrl);
        for (var i = 0; i < TwoServersOnePostgres.RunCount; i++)
        {
            var playbook = Assert.Single(await api.ListAllAsync($"/api/v1/playbooks?name=concurrent-{i}"),
                p => p.GetProperty("name").GetString() == $"concurrent-{i}");
            var id = playbook.GetProperty("id").GetInt64();
            Assert.Equal("completed", playbook.GetProperty("status").GetString());
            Assert.Contains($"run-{i}", playbook.GetProperty("labels").EnumerateArray().Select(l => l.GetProperty("name").GetString()));

            var tasks = await api.ListAllAsync($"/api/v1/tasks?playbook={id}");
            Assert.Equal(Concurrent.Tasks, tasks.Count);
            Assert.Equal(Concurrent.Tasks, tasks.Select(t => t.GetProperty("name").GetString()).Distinct().Count());

            var hosts = await api.ListAllAsync($"/api/v1/hosts?playbook={id}");
            Assert.Equal(Concurrent.Recap.Keys.Order(), hosts.Select(h => h.GetProperty("name").GetString()).Order());
            foreach (var h in hosts)
            {
                var recap = fixture.Runs[i].Recap[h.GetProperty("name").GetString()!];
                Assert.Equal(recap.Ok, h.GetProperty("ok").GetInt32());
                Assert.Equal(recap.Changed, h.GetProperty("changed").GetInt32());
                Assert.Equal(recap.Skipped, h.GetProperty("skipped").GetInt32());
                Assert.Equal(recap.Failed, h.GetProperty("failed").GetInt32());
            }

            var results = await api.ListAllAsync($"/api/v1/results?playbook={id}&limit=50");
            Assert.Equal(Concurrent.ResultsPerRun, results.Count);
            var taskIds = tasks.Select(t => t.GetProperty("id").GetInt64()).ToHashSet();
            var hostIds = hosts.Select(h => h.GetProperty("id").GetInt64()).ToHashSet();
            Assert.All(results, r =>
            {
                Assert.Contains(r.GetProperty("task").GetInt64(), taskIds);
                Assert.Contains(r.GetProperty("host").GetInt64(), hostIds);
            });
            var pairs = results.GroupBy(r => (r.GetProperty("task").GetInt64(), r.GetProperty("host").GetInt64())).ToList();
            Assert.All(pairs, g => Assert.Single(g));
            Assert.Equal(Concurrent.Tasks * Concurrent.Hosts, pairs.Count);

            // The debug message carries the run's own tag: no result was attached to another run's playbook.
            var firstTask = tasks.Single(t => t.GetProperty("name").GetString() == "first debug").GetProperty("id").GetInt64();
            foreach (var r in results.Where(r => r.GetProperty("task").GetInt64() == firstTask))
            {
                var content = (await api.GetAsync($"/api/v1/results/{r.GetProperty("id").GetInt64()}")).GetProperty("content");
                Assert.StartsWith($"run{i} on ", content.GetProperty("msg").GetString());
            }
        }
    }

    [Fact]
    public async Task LatestHosts_PointAtARowOfEachName()
    {
        using var api = new ApiReader(fixture.Servers[1].BaseUrl);
        var latest = await api.ListAllAsync("/api/v1/latesthosts");
        Assert.Equal(Concurrent.Recap.Keys.Order(), latest.Select(l => l.GetProperty("name").GetString()).Order());
        foreach (var l in latest)
        {
            var host = l.GetProperty("host");
            Assert.Equal(l.GetProperty("name").GetString(), host.GetProperty("name").GetString());
            Assert.Equal(JsonValueKind.Object, host.GetProperty("playbook").ValueKind);
        }
    }
}
