using Anvil.Records.Resources;

namespace Anvil.Records.Tests;

/// <summary>The API answers what the resource descriptors say: every filter is read under its name and kind, every
/// order field sorts and no other does, every status is a valid choice, and a list item has the described fields.</summary>
public abstract class DescriptorTests(PostgresFixture? postgres) : ApiTestBase(postgres)
{
    public static TheoryData<string> Resources => [.. RecordsResources.All.Select(r => r.Name)];

    [Theory]
    [MemberData(nameof(Resources))]
    public async Task EveryDescribedFilter_IsAppliedUnderItsName(string name)
    {
        var resource = RecordsResources.Find(name)!;
        var tree = await CreateTreeAsync();
        await Create("records", new { playbook = tree.Playbook, key = "k", value = "v", type = "text" });
        await Patch($"/api/v1/playbooks/{tree.Playbook}", new { labels = new[] { "l" } });
        var all = (await Get($"/api/v1/{name}"))["count"].GetInt32();
        Assert.True(all > 0, $"{name}: nothing to filter");
        foreach (var f in resource.Filters)
        {
            var (bad, error) = f.Kind switch
            {
                FilterKind.Date => ("yesterday", "Enter a valid date/time."),
                FilterKind.Id or FilterKind.Number => ("x", "Enter a number."),
                FilterKind.Uuid => ("x", "Enter a valid UUID."),
                FilterKind.Status => ("x", "Select a valid choice. x is not one of the available choices."),
                _ => ((string?)null, (string?)null),
            };
            if (bad is not null)
            {
                AssertError(await Get($"/api/v1/{name}?{f.Name}={bad}"), $"{{\"{f.Name}\":[\"{error}\"]}}");
            }
            else if (f.Kind == FilterKind.String)
            {
                // A value nothing has: the filter is applied (an unknown parameter would be ignored).
                Assert.True((await Get($"/api/v1/{name}?{f.Name}=zz-no-such-value"))["count"].GetInt32() == 0, $"{name}: {f.Name}");
            }
            else
            {
                var yes = (await Get($"/api/v1/{name}?{f.Name}=true"))["count"].GetInt32();
                var no = (await Get($"/api/v1/{name}?{f.Name}=false"))["count"].GetInt32();
                Assert.True(yes + no == all && (yes == 0 || no == 0), $"{name}: {f.Name}");
            }
        }
        Assert.Equal(all, (await Get($"/api/v1/{name}?no_such_filter=zz"))["count"].GetInt32());
    }

    [Theory]
    [MemberData(nameof(Resources))]
    public async Task ExactlyTheDescribedOrders_Sort(string name)
    {
        var resource = RecordsResources.Find(name)!;
        await CreateTreeAsync();
        foreach (var order in resource.Orders)
        {
            Assert.Equal(200, (await Get($"/api/v1/{name}?order={order.Name}")).Status);
            Assert.Equal(200, (await Get($"/api/v1/{name}?order=-{order.Name}")).Status);
        }
        // The name of every filter and field that is not an order field is refused as one.
        foreach (var other in resource.Filters.Select(f => f.Name).Concat(resource.Fields).Distinct()
                     .Where(n => resource.Orders.All(o => o.Name != n)))
        {
            AssertError(await Get($"/api/v1/{name}?order={other}"),
                $"{{\"order\":[\"Select a valid choice. {other} is not one of the available choices.\"]}}");
        }
    }

    [Theory]
    [MemberData(nameof(Resources))]
    public async Task AListItem_HasTheDescribedFieldsAndStatuses(string name)
    {
        var resource = RecordsResources.Find(name)!;
        var tree = await CreateTreeAsync();
        await Create("records", new { playbook = tree.Playbook, key = "k", value = "v", type = "text" });
        await Create("labels", new { name = "l" });
        var item = (await Get($"/api/v1/{name}"))["results"][0];
        Assert.Equal(resource.Fields, item.EnumerateObject().Select(p => p.Name));
        foreach (var status in resource.StatusChoices)
        {
            Assert.Equal(200, (await Get($"/api/v1/{name}?status={status}")).Status);
        }
        if (resource.StatusChoices.Count > 0)
        {
            Assert.Contains(item.GetProperty("status").GetString(), resource.Statuses);
        }
    }

    [Fact]
    public async Task Writes_AcceptTheDescribedStatuses()
    {
        foreach (var status in RecordsResources.Playbooks.Statuses)
        {
            await Create("playbooks", new { ansible_version = "2", path = "/p", status });
        }
        AssertError(await Post("/api/v1/playbooks", new { ansible_version = "2", path = "/p", status = "rescued" }),
            "{\"status\":[\"\\\"rescued\\\" is not a valid choice.\"]}");
    }
}

public sealed class DescriptorTestsOnSqlite() : DescriptorTests(null);

[Collection("postgres")]
public sealed class DescriptorTestsOnPostgres(PostgresFixture postgres) : DescriptorTests(postgres);
