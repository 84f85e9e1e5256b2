namespace Anvil.Records.Tests;

/// <summary>Hosts (get-or-create, counters) and latest hosts.</summary>
public abstract class HostTests(PostgresFixture? postgres) : ApiTestBase(postgres)
{
    [Fact]
    public async Task PostingAnExistingHost_AnswersItUnchangedWith201()
    {
        var playbook = await Create("playbooks", new { ansible_version = "2", path = "/p" });
        var first = await Post("/api/v1/hosts", new { playbook, name = "web1", facts = new { os = "Debian" }, ok = 3 });
        Assert.Equal(201, first.Status);
        Assert.Equal(["id", "facts", "created", "updated", "name", "changed", "failed", "ok", "skipped", "unreachable", "playbook"],
            first.Json.EnumerateObject().Select(p => p.Name));
        var again = await Post("/api/v1/hosts", new { playbook, name = "web1", facts = new { os = "Other" }, ok = 9 });
        Assert.Equal(201, again.Status);
        Assert.Equal(first.Text, again.Text);
        Assert.Equal(1, (await Get("/api/v1/hosts"))["count"].GetInt32());
        var next = await Post("/api/v1/hosts", new { playbook, name = "web2" });
        Assert.Equal(first["id"].GetInt64() + 1, next["id"].GetInt64());
        AssertError(await Post("/api/v1/hosts", new { playbook, name = "web3", ok = -1.5 }), "{\"ok\":[\"A valid integer is required.\"]}");
        AssertError(await Post("/api/v1/hosts", new { playbook }), "{\"name\":[\"This field is required.\"]}");
    }

    [Fact]
    public async Task PostingAHost_MakesItTheLatestOfItsName_PatchingDoesNot()
    {
        var a = await CreateTreeAsync("/a.yml", "web1");
        var b = await CreateTreeAsync("/b.yml", "web1");
        var latest = await Get("/api/v1/latesthosts/web1");
        Assert.Equal(["name", "host", "created", "updated"], latest.Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(b.Host, latest["host"].GetProperty("id").GetInt64());
        Assert.Equal(["id", "playbook", "facts", "created", "updated", "name", "changed", "failed", "ok", "skipped", "unreachable"],
            latest["host"].EnumerateObject().Select(p => p.Name));
        Assert.Equal(b.Playbook, latest["host"].GetProperty("playbook").GetProperty("id").GetInt64());

        await Patch($"/api/v1/hosts/{a.Host}", new { ok = 5 });
        Assert.Equal(b.Host, (await Get("/api/v1/latesthosts/web1"))["host"].GetProperty("id").GetInt64());
        await Post("/api/v1/hosts", new { playbook = a.Playbook, name = "web1" });
        Assert.Equal(a.Host, (await Get("/api/v1/latesthosts/web1"))["host"].GetProperty("id").GetInt64());
        Assert.Equal(1, (await Get("/api/v1/latesthosts"))["count"].GetInt32());
    }

    [Fact]
    public async Task DeletingAHost_MovesItsLatestEntryToThePreviousOne()
    {
        var a = await CreateTreeAsync("/a.yml", "db.example.com");
        var b = await CreateTreeAsync("/b.yml", "db.example.com");
        Assert.Equal(b.Host, (await Get("/api/v1/latesthosts/db.example.com"))["host"].GetProperty("id").GetInt64());
        Assert.Equal(204, (await Delete($"/api/v1/hosts/{b.Host}")).Status);
        Assert.Equal(404, (await Get($"/api/v1/results/{b.Result}")).Status);
        Assert.Equal(a.Host, (await Get("/api/v1/latesthosts/db.example.com"))["host"].GetProperty("id").GetInt64());
        Assert.Equal(204, (await Delete($"/api/v1/hosts/{a.Host}")).Status);
        Assert.Equal(404, (await Get("/api/v1/latesthosts/db.example.com")).Status);
        Assert.Equal(404, (await Delete($"/api/v1/hosts/{a.Host}")).Status);
    }

    [Fact]
    public async Task RenamingAHostOntoAnotherInTheSamePlaybook_IsRefused()
    {
        var tree = await CreateTreeAsync();
        var other = await Create("hosts", new { playbook = tree.Playbook, name = "web2" });
        AssertError(await Patch($"/api/v1/hosts/{other}", new { name = "web1" }),
            "{\"non_field_errors\":[\"The fields name, playbook must make a unique set.\"]}");
        var put = await Put($"/api/v1/hosts/{other}", new { playbook = tree.Playbook, name = "web3", changed = "2" });
        Assert.Equal(200, put.Status);
        Assert.Equal("{}", put["facts"].GetRawText());
        Assert.Equal(2, put["changed"].GetInt32());
    }

    [Fact]
    public async Task Host_FiltersAndOrders()
    {
        var a = await CreateTreeAsync("/srv/alpha.yml", "web1");
        await Patch($"/api/v1/playbooks/{a.Playbook}", new { name = "Alpha" });
        await Patch($"/api/v1/hosts/{a.Host}", new { changed = 1, failed = 2, ok = 3, skipped = 4, unreachable = 5 });
        var b = await CreateTreeAsync("/srv/beta.yml", "DB1");
        await Patch($"/api/v1/hosts/{b.Host}", new { changed = 5, failed = 4, ok = 3, skipped = 2, unreachable = 1 });

        Assert.Equal([a.Host], await ListIds($"/api/v1/hosts?playbook={a.Playbook}"));
        Assert.Equal([a.Host], await ListIds("/api/v1/hosts?playbook_name=ALPH"));
        Assert.Equal([b.Host], await ListIds("/api/v1/hosts?playbook_path=beta"));
        Assert.Equal([b.Host], await ListIds("/api/v1/hosts?name=db"));
        Assert.Equal([b.Host], await ListIds("/api/v1/hosts?changed__gt=1"));
        Assert.Equal([a.Host], await ListIds("/api/v1/hosts?changed__lt=2"));
        Assert.Equal([a.Host, b.Host], await ListIds("/api/v1/hosts?changed__gt=0.5"));
        Assert.Equal([b.Host], await ListIds("/api/v1/hosts?failed__gt=3"));
        Assert.Equal([a.Host], await ListIds("/api/v1/hosts?failed__lt=3"));
        Assert.Empty(await ListIds("/api/v1/hosts?ok__gt=3"));
        Assert.Equal([a.Host, b.Host], await ListIds("/api/v1/hosts?ok__lt=4"));
        Assert.Equal([a.Host], await ListIds("/api/v1/hosts?skipped__gt=2"));
        Assert.Equal([b.Host], await ListIds("/api/v1/hosts?skipped__lt=4"));
        Assert.Equal([a.Host], await ListIds("/api/v1/hosts?unreachable__gt=1"));
        Assert.Equal([b.Host], await ListIds("/api/v1/hosts?unreachable__lt=2"));
        Assert.Empty(await ListIds("/api/v1/hosts?created_after=2999-01-01T00:00:00Z"));
        Assert.Equal([a.Host, b.Host], await ListIds("/api/v1/hosts?updated_before=2999-01-01T00:00:00Z"));
        AssertError(await Get("/api/v1/hosts?failed__gt=lots"), "{\"failed__gt\":[\"Enter a number.\"]}");

        Assert.Equal([b.Host, a.Host], await ListIds("/api/v1/hosts?order=name"));
        Assert.Equal([a.Host, b.Host], await ListIds("/api/v1/hosts?order=changed"));
        Assert.Equal([b.Host, a.Host], await ListIds("/api/v1/hosts?order=-changed"));
        Assert.Equal([a.Host, b.Host], await ListIds("/api/v1/hosts?order=-unreachable"));
        Assert.Equal([b.Host, a.Host], await ListIds("/api/v1/hosts?order=unreachable"));
        Assert.Equal([a.Host, b.Host], await ListIds("/api/v1/hosts?order=ok,id"));
        Assert.Equal([b.Host, a.Host], await ListIds("/api/v1/hosts?order=ok,-id"));
        Assert.Equal([b.Host, a.Host], await ListIds("/api/v1/hosts?order=-id"));
        Assert.Equal([b.Host, a.Host], await ListIds("/api/v1/hosts?order=-created"));
        Assert.Equal([a.Host, b.Host], await ListIds("/api/v1/hosts?order=failed"));
        Assert.Equal([b.Host, a.Host], await ListIds("/api/v1/hosts?order=-updated"));
        Assert.Equal([b.Host, a.Host], await ListIds("/api/v1/hosts?order=skipped"));
        AssertError(await Get("/api/v1/hosts?order=started"), "{\"order\":[\"Select a valid choice. started is not one of the available choices.\"]}");

        var item = (await Get($"/api/v1/hosts?playbook={a.Playbook}"))["results"][0];
        Assert.Equal(["id", "playbook", "created", "updated", "name", "changed", "failed", "ok", "skipped", "unreachable"],
            item.EnumerateObject().Select(p => p.Name));
        var detail = await Get($"/api/v1/hosts/{a.Host}");
        Assert.Equal(["id", "playbook", "facts", "created", "updated", "name", "changed", "failed", "ok", "skipped", "unreachable"],
            detail.Json.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task LatestHost_FiltersAndOrders()
    {
        var a = await CreateTreeAsync("/srv/alpha.yml", "web1");
        await Patch($"/api/v1/hosts/{a.Host}", new { failed = 2 });
        var b = await CreateTreeAsync("/srv/beta.yml", "db1");
        await Patch($"/api/v1/playbooks/{b.Playbook}", new { name = "Beta" });
        var c = await CreateTreeAsync("/srv/gamma.yml", "web1");

        Assert.Equal(["web1", "db1"], await Names("/api/v1/latesthosts"));
        Assert.Equal(["db1", "web1"], await Names("/api/v1/latesthosts?order=name"));
        Assert.Equal(["web1", "db1"], await Names("/api/v1/latesthosts?order=-id"));
        Assert.Equal(["web1", "db1"], await Names("/api/v1/latesthosts?order=-updated"));
        Assert.Equal(["db1"], await Names($"/api/v1/latesthosts?playbook={b.Playbook}"));
        Assert.Empty(await Names($"/api/v1/latesthosts?playbook={a.Playbook}"));
        Assert.Equal(["db1"], await Names("/api/v1/latesthosts?playbook_name=bet"));
        Assert.Equal(["web1"], await Names("/api/v1/latesthosts?playbook_path=GAMMA"));
        Assert.Equal(["web1"], await Names("/api/v1/latesthosts?name=WEB"));
        Assert.Empty(await Names("/api/v1/latesthosts?failed__gt=0"));
        Assert.Equal(["web1", "db1"], await Names("/api/v1/latesthosts?failed__lt=1"));
        Assert.Equal(["web1", "db1"], await Names("/api/v1/latesthosts?host__created_before=2999-01-01T00:00:00Z&host__updated_before=2999-01-01T00:00:00Z"));
        Assert.Empty(await Names("/api/v1/latesthosts?host__created_after=2999-01-01T00:00:00Z"));
        Assert.Empty(await Names("/api/v1/latesthosts?host__updated_after=2999-01-01T00:00:00Z"));
        Assert.Empty(await Names("/api/v1/latesthosts?created_after=2999-01-01T00:00:00Z"));
        Assert.Equal(["web1", "db1"], await Names("/api/v1/latesthosts?updated_before=2999-01-01T00:00:00Z"));
        AssertError(await Get("/api/v1/latesthosts?host__created_after=today"), "{\"host__created_after\":[\"Enter a valid date/time.\"]}");

        var list = await Get("/api/v1/latesthosts?name=web1");
        var detail = await Get("/api/v1/latesthosts/web1");
        Assert.Equal(detail.Text, list["results"][0].GetRawText());
        Assert.Equal(c.Host, detail["host"].GetProperty("id").GetInt64());
    }

    private async Task<string[]> Names(string pathAndQuery)
    {
        var reply = await Get(pathAndQuery);
        Assert.True(reply.Status == 200, reply.ToString());
        return reply["results"].EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToArray();
    }
}

public sealed class HostTestsOnSqlite() : HostTests(null);

[Collection("postgres")]
public sealed class HostTestsOnPostgres(PostgresFixture postgres) : HostTests(postgres);
