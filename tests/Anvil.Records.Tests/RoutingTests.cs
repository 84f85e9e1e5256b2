namespace Anvil.Records.Tests;

/// <summary>URLs, methods, formats and the JSON text itself.</summary>
public abstract class RoutingTests(PostgresFixture? postgres) : ApiTestBase(postgres)
{
    private const string NotFound = "{\"detail\":\"Not found.\"}";

    [Fact]
    public async Task ApiIndex_PointsAtV1WithAnAbsoluteUrl()
    {
        var reply = await Get("/api/");
        Assert.Equal(200, reply.Status);
        Assert.Equal("{\"kind\":\"ara\",\"version\":\"1.7.4\",\"api\":[\"http://127.0.0.1:8010/api/v1/\"]}", reply.Text);
    }

    [Fact]
    public async Task RouterRoot_ListsTheNineResourcesInAraOrder()
    {
        var reply = await Get("/api/v1/");
        Assert.Equal(200, reply.Status);
        string[] names = ["labels", "playbooks", "plays", "tasks", "hosts", "latesthosts", "results", "files", "records"];
        Assert.Equal(names, reply.Json.EnumerateObject().Select(p => p.Name));
        foreach (var name in names)
        {
            Assert.Equal($"{Base}/api/v1/{name}", reply[name].GetString());
        }
    }

    [Theory]
    [InlineData("/api/v1/playbooks/")]
    [InlineData("/api/v1/playbooks/1/")]
    [InlineData("/api/v1/latesthosts/")]
    [InlineData("/api/v1/bogus")]
    [InlineData("/api/v1/playbooks/1/results")]
    [InlineData("/api/v2/playbooks")]
    [InlineData("/")]
    public async Task TrailingSlashesAndUnknownPaths_AreJson404s(string path)
    {
        await CreateTreeAsync();
        var reply = await Get(path);
        Assert.Equal(404, reply.Status);
        Assert.Equal(NotFound, reply.Text);
    }

    [Theory]
    [InlineData("GET", "/api/v1/playbooks/abc")]
    [InlineData("GET", "/api/v1/playbooks/99999")]
    [InlineData("GET", "/api/v1/playbooks/-1")]
    [InlineData("GET", "/api/v1/results/99999999999999999999999")]
    [InlineData("DELETE", "/api/v1/plays/abc")]
    [InlineData("PATCH", "/api/v1/tasks/424242")]
    [InlineData("PUT", "/api/v1/labels/424242")]
    [InlineData("GET", "/api/v1/latesthosts/nosuchhost")]
    public async Task UnknownObjects_AreNotFound(string method, string path)
    {
        var reply = await Send(method, path, method is "PATCH" or "PUT" ? "{\"name\":\"x\"}" : null);
        Assert.Equal(404, reply.Status);
        Assert.Equal(NotFound, reply.Text);
    }

    [Fact]
    public async Task JsonFormatSuffixAndParameter_AreAcceptedOthersAreNot()
    {
        var tree = await CreateTreeAsync();
        var list = await Get("/api/v1/playbooks");
        Assert.Equal(list.Text.Replace("/api/v1/playbooks", "/api/v1/playbooks.json", StringComparison.Ordinal),
            (await Get("/api/v1/playbooks.json")).Text.Replace("/api/v1/playbooks", "/api/v1/playbooks.json", StringComparison.Ordinal));
        Assert.Equal(list.Text, (await Get("/api/v1/playbooks?format=json")).Text);
        var detail = await Get($"/api/v1/playbooks/{tree.Playbook}");
        Assert.Equal(detail.Text, (await Get($"/api/v1/playbooks/{tree.Playbook}.json")).Text);
        Assert.Equal(detail.Text, (await Get($"/api/v1/playbooks/{tree.Playbook}?format=json")).Text);
        Assert.Equal(404, (await Get("/api/v1/playbooks?format=xml")).Status);
        Assert.Equal(404, (await Get("/api/v1/playbooks.xml")).Status);
        Assert.Equal(404, (await Get($"/api/v1/playbooks/{tree.Playbook}.xml")).Status);
        Assert.Equal(200, (await Get("/api/v1/latesthosts/web1.json")).Status);
    }

    [Theory]
    [InlineData("POST", "/api/v1/latesthosts")]
    [InlineData("PUT", "/api/v1/latesthosts/web1")]
    [InlineData("PATCH", "/api/v1/latesthosts/web1")]
    [InlineData("DELETE", "/api/v1/latesthosts/web1")]
    public async Task LatestHosts_AreReadOnly(string method, string path)
    {
        await CreateTreeAsync();
        var reply = await Send(method, path, method == "DELETE" ? null : "{}");
        Assert.Equal(405, reply.Status);
        Assert.Equal($"{{\"detail\":\"Method \\\"{method}\\\" not allowed.\"}}", reply.Text);
        Assert.Equal("GET, HEAD, OPTIONS", reply.Headers["Allow"]);
        Assert.Equal(200, (await Get("/api/v1/latesthosts/web1")).Status);
    }

    [Fact]
    public async Task MethodsARouteDoesNotTake_Answer405WithTheAllowedOnes()
    {
        var tree = await CreateTreeAsync();
        var post = await Send("POST", $"/api/v1/playbooks/{tree.Playbook}", "{}");
        Assert.Equal(405, post.Status);
        Assert.Equal("GET, PUT, PATCH, DELETE, HEAD, OPTIONS", post.Headers["Allow"]);
        var delete = await Send("DELETE", "/api/v1/playbooks");
        Assert.Equal(405, delete.Status);
        Assert.Equal("{\"detail\":\"Method \\\"DELETE\\\" not allowed.\"}", delete.Text);
        Assert.Equal("GET, POST, HEAD, OPTIONS", delete.Headers["Allow"]);
        Assert.Equal(405, (await Send("PUT", "/api/v1/results", "{}")).Status);
        Assert.Equal(405, (await Send("POST", "/api/v1/", "{}")).Status);
        Assert.Equal(405, (await Send("TRACE", $"/api/v1/tasks/{tree.Task}")).Status);
        Assert.Equal(200, (await Get($"/api/v1/playbooks/{tree.Playbook}")).Status);
    }

    [Theory]
    [InlineData("/api/v1/playbooks", "Playbook List")]
    [InlineData("/api/v1/playbooks/1", "Playbook Instance")]
    [InlineData("/api/v1/latesthosts", "Latest Host List")]
    [InlineData("/api/v1/latesthosts/web1", "Latest Host Instance")]
    [InlineData("/api/v1/results/7", "Result Instance")]
    [InlineData("/api/v1/labels", "Label List")]
    [InlineData("/api/v1/", "Api Root")]
    public async Task Options_DescribeTheView(string path, string name)
    {
        var reply = await Send("OPTIONS", path);
        Assert.Equal(200, reply.Status);
        Assert.Equal($"{{\"name\":\"{name}\",\"description\":\"\",\"renders\":[\"application/json\"],\"parses\":[\"application/json\"]}}", reply.Text);
    }

    [Fact]
    public async Task Head_AnswersLikeGet()
    {
        var tree = await CreateTreeAsync();
        Assert.Equal((await Get($"/api/v1/results/{tree.Result}")).Text, (await Send("HEAD", $"/api/v1/results/{tree.Result}")).Text);
        Assert.Equal(404, (await Send("HEAD", "/api/v1/results/999")).Status);
    }

    [Fact]
    public async Task AnvilExtensionPaths_GoToTheExtensions()
    {
        // The records API itself has no such routes (it would answer 404): these answers are the extensions'.
        Assert.Equal(400, (await Send("POST", "/api/v1/anvil/ingest", "{}")).Status);
        Assert.Equal(404, (await Get("/api/v1/anvil/playbooks/12345/output")).Status);
        Assert.Equal(405, (await Send("GET", "/api/v1/anvil/ingest")).Status);
    }

    [Fact]
    public async Task Json_IsCompactAndEscapedLikeAra()
    {
        // ARA (Python's json with ensure_ascii) escapes quotes, backslashes, control characters and everything
        // outside ASCII, lowercase, astral characters as surrogate pairs; HTML-sensitive characters stay as they are.
        var name = "caf\u00e9 <b>&'+`x` \"q\" back\\slash\ttab \U0001F600 \u2028 \u007f end";
        var reply = await Post("/api/v1/playbooks", new
        {
            ansible_version = "2.14",
            path = "/p<a>&'b'+`c`.yml",
            name,
            arguments = new Dictionary<string, object> { ["cl\u00e9"] = "v\u00e4lue <&>", ["n"] = new[] { 1, 2 } },
        });
        Assert.Equal(201, reply.Status);
        const string escapedName = "\"caf\\u00e9 <b>&'+`x` \\\"q\\\" back\\\\slash\\ttab \\ud83d\\ude00 \\u2028 \\u007f end\"";
        const string escapedArguments = "\"arguments\":{\"cl\\u00e9\":\"v\\u00e4lue <&>\",\"n\":[1,2]}";
        Assert.Contains("\"name\":" + escapedName, reply.Text, StringComparison.Ordinal);
        Assert.Contains(escapedArguments, reply.Text, StringComparison.Ordinal);
        Assert.Contains("\"path\":\"/p<a>&'b'+`c`.yml\"", reply.Text, StringComparison.Ordinal);
        Assert.Equal(name, reply["name"].GetString());
        var list = await Get("/api/v1/playbooks");
        Assert.Contains("\"name\":" + escapedName, list.Text, StringComparison.Ordinal);
        Assert.Contains(escapedArguments, list.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("\": ", list.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(", \"", list.Text, StringComparison.Ordinal);
        Assert.All(list.Text, ch => Assert.InRange(ch, ' ', '~'));
    }

    [Fact]
    public async Task JsonValues_KeepTheirTextKeyOrderAndNumbers()
    {
        const string arguments = "{\"z\":1,\"a\":{\"big\":123456789012345678901234567890,\"f\":1.5e3,\"neg\":-0.25},\"l\":[true,false,null,\"s\"],\"e\":{}}";
        var reply = await Send("POST", "/api/v1/playbooks", $"{{\"ansible_version\":\"2\",\"path\":\"/p\",\"arguments\": {arguments.Replace(",", ", ", StringComparison.Ordinal)}}}");
        Assert.Equal(201, reply.Status);
        Assert.Contains("\"arguments\":" + arguments, reply.Text, StringComparison.Ordinal);
        Assert.Contains("\"arguments\":" + arguments, (await Get($"/api/v1/playbooks/{reply["id"]}")).Text, StringComparison.Ordinal);
    }
}

public sealed class RoutingTestsOnSqlite() : RoutingTests(null);

[Collection("postgres")]
public sealed class RoutingTestsOnPostgres(PostgresFixture postgres) : RoutingTests(postgres);
