using Dapper;

namespace Anvil.Records.Tests;

/// <summary>
/// The hot requests (failed results of a playbook, playbooks by start time, a playbook's detail) must stay fast at a
/// million results: on SQLite every query they run walks an index in the requested order, checked with
/// <c>EXPLAIN QUERY PLAN</c> on the exact SQL and arguments the API sends. A full table scan or a sort of the whole
/// set would show up here long before it shows up in a benchmark.
/// </summary>
public sealed class QueryPlanTests() : ApiTestBase(null)
{
    private async Task<List<string>> PlansAsync(string pathAndQuery)
    {
        var queries = new List<(string Sql, object? Args)>();
        Api.QueryObserver = (sql, args) => queries.Add((sql, args));
        var reply = await Get(pathAndQuery);
        Api.QueryObserver = null;
        Assert.True(reply.Status == 200, reply.ToString());
        var plans = new List<string>();
        await using var c = await Database.OpenConnectionAsync();
        foreach (var (sql, args) in queries)
        {
            var rows = await c.QueryAsync<(long Id, long Parent, long Unused, string Detail)>("EXPLAIN QUERY PLAN " + sql, args);
            plans.Add(string.Join("\n", rows.Select(r => r.Detail)));
        }
        return plans;
    }

    private static void AssertNoScanOrSort(string plan)
    {
        Assert.DoesNotContain("TEMP B-TREE", plan, StringComparison.Ordinal);
        foreach (var line in plan.Split('\n'))
        {
            Assert.False(line.StartsWith("SCAN ", StringComparison.Ordinal), $"table scan: {line}\n{plan}");
        }
    }

    [Fact]
    public async Task FailedResultsOfAPlaybook_AreReadAndCountedFromThePlaybookStatusIndex()
    {
        var tree = await CreateTreeAsync(status: "failed");
        await Create("results", new { playbook = tree.Playbook, play = tree.Play, task = tree.Task, host = tree.Host, status = "failed" });
        await Create("results", new { playbook = tree.Playbook, play = tree.Play, task = tree.Task, host = tree.Host, status = "ok" });
        var plans = await PlansAsync($"/api/v1/results?playbook={tree.Playbook}&status=failed&limit=1");
        Assert.Equal(3, plans.Count); // page, count (the page is full), delegated hosts
        Assert.Contains("SEARCH r USING INDEX ix_results_playbook_status (playbook_id=? AND status=?)", plans[0], StringComparison.Ordinal);
        Assert.Contains("SEARCH r USING COVERING INDEX ix_results_playbook_status (playbook_id=? AND status=?)", plans[1], StringComparison.Ordinal);
        Assert.Contains("(result_id=?)", plans[2], StringComparison.Ordinal);
        plans.ForEach(AssertNoScanOrSort);
    }

    [Fact]
    public async Task PlaybooksByStartTime_WalkTheStartedIndexAndReadCountersByKey()
    {
        await CreateTreeAsync("/a.yml");
        await CreateTreeAsync("/b.yml");
        var plans = await PlansAsync("/api/v1/playbooks?order=-started&limit=1");
        Assert.Equal(3, plans.Count); // page, count, labels
        var page = plans[0].Split('\n');
        Assert.Equal("SCAN p USING INDEX ix_playbooks_started", page[0]);
        Assert.DoesNotContain("TEMP B-TREE", plans[0], StringComparison.Ordinal);
        // The items are read from the counters' primary key, not counted.
        Assert.StartsWith("SEARCH pc USING INTEGER PRIMARY KEY (rowid=?)", page[1], StringComparison.Ordinal);
        Assert.Equal(2, page.Length);
        AssertNoScanOrSort(plans[2]);
    }

    [Fact]
    public async Task DetailsAndAPlaybooksTasks_AreFoundByKey()
    {
        var tree = await CreateTreeAsync();
        var plans = await PlansAsync($"/api/v1/playbooks/{tree.Playbook}");
        Assert.Equal(2, plans.Count); // playbook with counts, labels
        Assert.StartsWith("SEARCH p USING INTEGER PRIMARY KEY (rowid=?)", plans[0], StringComparison.Ordinal);
        plans.ForEach(AssertNoScanOrSort);
        var result = await PlansAsync($"/api/v1/results/{tree.Result}");
        result.ForEach(AssertNoScanOrSort);
        var tasks = await PlansAsync($"/api/v1/tasks?playbook={tree.Playbook}");
        tasks.ForEach(AssertNoScanOrSort);
    }
}
