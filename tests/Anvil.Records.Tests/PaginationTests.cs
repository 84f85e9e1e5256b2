using Anvil.Records.Api;

namespace Anvil.Records.Tests;

/// <summary>limit/offset pages, count and the next/previous links, with a page size of 3 and a maximum of 5.</summary>
public abstract class PaginationTests(PostgresFixture? postgres) : ApiTestBase(postgres)
{
    protected override RecordsApiOptions Options => new() { PageSize = 3, MaxPageSize = 5 };

    private async Task<long[]> SevenLabelsAsync()
    {
        var ids = new List<long>();
        for (var i = 1; i <= 7; i++)
        {
            ids.Add(await Create("labels", new { name = $"label {i}" }));
        }
        return [.. ids];
    }

    [Fact]
    public async Task Pages_CarryCountAndAbsoluteLinksWithSortedParameters()
    {
        var ids = await SevenLabelsAsync();
        var first = await Get("/api/v1/labels");
        Assert.Equal(7, first["count"].GetInt32());
        Assert.Equal("http://127.0.0.1:8010/api/v1/labels?limit=3&offset=3", first["next"].GetString());
        Assert.Equal("null", first["previous"].GetRawText());
        Assert.Equal(ids[..3], Ids(first));
        Assert.Equal(["count", "next", "previous", "results"], first.Json.EnumerateObject().Select(p => p.Name));

        var second = await Get("/api/v1/labels?offset=3&limit=3&order=-created&updated_before=2999-01-01T00:00:00Z&order=id");
        Assert.Equal(ids[3..6], Ids(second));
        Assert.Equal("http://127.0.0.1:8010/api/v1/labels?limit=3&offset=6&order=-created&order=id&updated_before=2999-01-01T00%3A00%3A00Z",
            second["next"].GetString());
        Assert.Equal("http://127.0.0.1:8010/api/v1/labels?limit=3&order=-created&order=id&updated_before=2999-01-01T00%3A00%3A00Z",
            second["previous"].GetString());

        var last = await Get("/api/v1/labels?limit=2&offset=5");
        Assert.Equal(ids[5..], Ids(last));
        Assert.Equal(7, last["count"].GetInt32());
        Assert.Equal("null", last["next"].GetRawText());
        Assert.Equal("http://127.0.0.1:8010/api/v1/labels?limit=2&offset=3", last["previous"].GetString());
    }

    [Fact]
    public async Task LinkValues_AreEncodedLikePythonsUrlencode()
    {
        await SevenLabelsAsync();
        var reply = await Get("/api/v1/labels?limit=1&offset=1&zeta=a b&alpha=x%2Cy%2B%C3%A9&order=-id,created&flag");
        Assert.Equal("http://127.0.0.1:8010/api/v1/labels?alpha=x%2Cy%2B%C3%A9&flag=&limit=1&offset=2&order=-id%2Ccreated&zeta=a+b",
            reply["next"].GetString());
        Assert.Equal("http://127.0.0.1:8010/api/v1/labels?alpha=x%2Cy%2B%C3%A9&flag=&limit=1&order=-id%2Ccreated&zeta=a+b",
            reply["previous"].GetString());
    }

    [Theory]
    [InlineData("limit=0", 3)]
    [InlineData("limit=-2", 3)]
    [InlineData("limit=abc", 3)]
    [InlineData("limit=2", 2)]
    [InlineData("limit=5", 5)]
    [InlineData("limit=1000000", 5)]
    public async Task BadLimits_FallBackToThePageSizeAndBigOnesAreCapped(string query, int size)
    {
        await SevenLabelsAsync();
        var reply = await Get("/api/v1/labels?" + query);
        Assert.Equal(size, reply["results"].GetArrayLength());
        Assert.Equal(7, reply["count"].GetInt32());
        Assert.Contains($"limit={size}&offset={size}", reply["next"].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("offset=-1")]
    [InlineData("offset=x")]
    [InlineData("offset=0")]
    public async Task BadOffsets_MeanTheFirstPage(string query)
    {
        var ids = await SevenLabelsAsync();
        var reply = await Get("/api/v1/labels?" + query);
        Assert.Equal(ids[..3], Ids(reply));
        Assert.Equal("null", reply["previous"].GetRawText());
    }

    [Fact]
    public async Task OffsetsPastTheEnd_GiveAnEmptyPageWithTheTrueCount()
    {
        await SevenLabelsAsync();
        var reply = await Get("/api/v1/labels?offset=100&limit=2");
        Assert.Equal(7, reply["count"].GetInt32());
        Assert.Empty(Ids(reply));
        Assert.Equal("null", reply["next"].GetRawText());
        Assert.Equal("http://127.0.0.1:8010/api/v1/labels?limit=2&offset=98", reply["previous"].GetString());
        var exact = await Get("/api/v1/labels?offset=6&limit=3");
        Assert.Equal(7, exact["count"].GetInt32());
        Assert.Single(Ids(exact));
        var filtered = await Get("/api/v1/labels?offset=0&limit=3&created_after=2999-01-01T00:00:00Z");
        Assert.Equal(0, filtered["count"].GetInt32());
        Assert.Equal("null", filtered["next"].GetRawText());
    }
}

public sealed class PaginationTestsOnSqlite() : PaginationTests(null);

[Collection("postgres")]
public sealed class PaginationTestsOnPostgres(PostgresFixture postgres) : PaginationTests(postgres);
