namespace Anvil.Records.Tests;

/// <summary>SQL-looking input is only ever data: filters match it literally, LIKE wildcards included.</summary>
public abstract class InjectionTests(PostgresFixture? postgres) : ApiTestBase(postgres)
{
    [Fact]
    public async Task SqlInFiltersAndBodies_IsMatchedLiterally()
    {
        var percent = await Create("playbooks", new { ansible_version = "2", path = "/a_b.yml", name = "100% done" });
        var plain = await Create("playbooks", new { ansible_version = "2", path = "/ab.yml", name = "plain" });
        var quote = await Create("playbooks", new { ansible_version = "2", path = "/c\\d.yml", name = "it's" });
        var evil = await Post("/api/v1/playbooks", new { ansible_version = "2", path = "/e.yml", name = "'); DROP TABLE playbooks; --", labels = new[] { "x' OR '1'='1" } });
        Assert.Equal(201, evil.Status);
        Assert.Equal("'); DROP TABLE playbooks; --", evil["name"].GetString());
        var evilId = evil["id"].GetInt64();

        Assert.Empty(await ListIds("/api/v1/playbooks?name=' OR 1=1 --"));
        Assert.Empty(await ListIds("/api/v1/playbooks?name=%27%20OR%20%271%27%3D%271"));
        Assert.Equal([percent], await ListIds("/api/v1/playbooks?name=%25"));
        Assert.Equal([percent], await ListIds("/api/v1/playbooks?path=_"));
        Assert.Equal([quote], await ListIds("/api/v1/playbooks?path=%5C"));
        Assert.Equal([quote], await ListIds("/api/v1/playbooks?name='s"));
        Assert.Equal([evilId], await ListIds("/api/v1/playbooks?name=DROP TABLE"));
        Assert.Equal([evilId], await ListIds("/api/v1/playbooks?label=x' OR '1'='1"));
        Assert.Empty(await ListIds("/api/v1/playbooks?label=' OR ''='"));
        Assert.Empty(await ListIds("/api/v1/playbooks?controller=\"; DROP TABLE playbooks; --"));
        Assert.Empty(await ListIds("/api/v1/results?host_name=' OR 1=1 --"));
        Assert.Empty(await ListIds("/api/v1/tasks?action=x' OR 'a'='a"));
        Assert.Empty(await ListIds("/api/v1/records?key=' OR 1=1 --"));

        AssertError(await Get("/api/v1/playbooks?order=id;DROP TABLE playbooks"),
            "{\"order\":[\"Select a valid choice. id;DROP TABLE playbooks is not one of the available choices.\"]}");
        AssertError(await Get("/api/v1/plays?playbook=1 OR 1=1"), "{\"playbook\":[\"Enter a number.\"]}");
        AssertError(await Get("/api/v1/playbooks?status=completed' OR '1'='1"),
            "{\"status\":[\"Select a valid choice. completed' OR '1'='1 is not one of the available choices.\"]}");
        Assert.Equal(404, (await Get("/api/v1/latesthosts/' OR '1'='1")).Status);
        Assert.Equal(404, (await Get("/api/v1/playbooks/1 OR 1=1")).Status);

        Assert.Equal([evilId, quote, plain, percent], await ListIds("/api/v1/playbooks"));
    }

    [Fact]
    public async Task InputNoDatabaseCanStore_IsA400NamingTheField()
    {
        var tree = await CreateTreeAsync();
        // NUL characters: PostgreSQL cannot store or compare them; Django refuses them in form and serializer fields.
        AssertError(await Get("/api/v1/playbooks?name=a%00b"), "{\"name\":[\"Null characters are not allowed.\"]}");
        AssertError(await Get("/api/v1/playbooks?status=running%00"), "{\"status\":[\"Null characters are not allowed.\"]}");
        AssertError(await Get("/api/v1/results?host_name=%00"), "{\"host_name\":[\"Null characters are not allowed.\"]}");
        Assert.Equal(404, (await Get("/api/v1/latesthosts/web%001")).Status);
        AssertError(await Send("POST", "/api/v1/hosts", $"{{\"playbook\":{tree.Playbook},\"name\":\"a\\u0000b\"}}"),
            "{\"name\":[\"Null characters are not allowed.\"]}");
        AssertError(await Send("POST", "/api/v1/files", $"{{\"playbook\":{tree.Playbook},\"path\":\"/f\",\"content\":\"x\\u0000\"}}"),
            "{\"content\":[\"Null characters are not allowed.\"]}");
        AssertError(await Send("PATCH", $"/api/v1/playbooks/{tree.Playbook}", "{\"labels\":[\"a\\u0000\"]}"), "{\"labels\":[\"Invalid value.\"]}");
        // Inside JSON values a NUL is just an escape, stored and answered as such.
        var facts = await Send("PATCH", $"/api/v1/hosts/{tree.Host}", "{\"facts\":{\"k\\u0000\":\"v\\u0000\"}}");
        Assert.Equal(200, facts.Status);
        Assert.Equal("{\"k\\u0000\":\"v\\u0000\"}", (await Get($"/api/v1/hosts/{tree.Host}"))["facts"].GetRawText());

        // A lone surrogate escape is valid JSON but not text: refused in a string field, kept as sent in a JSON value.
        AssertError(await Send("PATCH", $"/api/v1/plays/{tree.Play}", "{\"name\":\"\\ud800\"}"), "{\"name\":[\"Not a valid string.\"]}");
        var odd = await Send("PATCH", $"/api/v1/results/{tree.Result}", "{\"content\":{\"msg\":\"\\ud800\"}}");
        Assert.Equal(200, odd.Status);
        Assert.Equal("{\"msg\":\"\\ud800\"}", (await Get($"/api/v1/results/{tree.Result}"))["content"].GetRawText());

        // Indexed keys are bounded (ARA: 255 characters); other text is not.
        var longName = new string('h', 1025);
        AssertError(await Post("/api/v1/hosts", new { playbook = tree.Playbook, name = longName }),
            "{\"name\":[\"Ensure this field has no more than 1024 characters.\"]}");
        AssertError(await Post("/api/v1/labels", new { name = new string('\u00e9', 1024) + "\u00e9" }),
            "{\"name\":[\"Ensure this field has no more than 1024 characters.\"]}");
        AssertError(await Post("/api/v1/records", new { playbook = tree.Playbook, key = new string('\u20ac', 700), type = "t" }),
            "{\"key\":[\"Ensure this field has no more than 2048 bytes.\"]}");
        AssertError(await Patch($"/api/v1/playbooks/{tree.Playbook}", new { labels = new[] { longName } }),
            "{\"labels\":[\"Ensure this field has no more than 1024 characters.\"]}");
        Assert.Equal(201, (await Post("/api/v1/hosts", new { playbook = tree.Playbook, name = new string('\u00e9', 1024) })).Status);
        Assert.Equal(201, (await Post("/api/v1/files", new { playbook = tree.Playbook, path = new string('p', 1024), content = "x" })).Status);
        var longPlay = await Patch($"/api/v1/plays/{tree.Play}", new { name = new string('n', 20000) });
        Assert.Equal(20000, longPlay["name"].GetString()!.Length);
    }

    [Fact]
    public async Task ExtremeNumbersAndDates_AreAnsweredNotFailed()
    {
        var tree = await CreateTreeAsync();
        Assert.Empty(await ListIds("/api/v1/results?playbook=99999999999999999999999"));
        Assert.Equal([tree.Host], await ListIds("/api/v1/hosts?ok__lt=99999999999999999999999"));
        Assert.Empty(await ListIds("/api/v1/hosts?ok__gt=1e30"));
        AssertError(await Get("/api/v1/hosts?ok__gt=1e999"), "{\"ok__gt\":[\"Enter a number.\"]}");
        AssertError(await Get("/api/v1/hosts?ok__gt=NaN"), "{\"ok__gt\":[\"Enter a number.\"]}");
        Assert.Empty(await ListIds("/api/v1/results?offset=9223372036854775807"));
        Assert.Equal([tree.Playbook], await ListIds("/api/v1/playbooks?started_after=0001-01-01T00:00:00Z&started_before=9999-12-31T23:59:59.999999Z"));
        var far = await Patch($"/api/v1/playbooks/{tree.Playbook}", new { ended = "9999-12-31T23:59:59.999999Z" });
        Assert.Equal("9999-12-31T23:59:59.999999Z", far["ended"].GetString());
        AssertError(await Post("/api/v1/plays", new { playbook = 1e30, uuid = Guid.NewGuid() }),
            "{\"playbook\":[\"Incorrect type. Expected pk value, received float.\"]}");
        AssertError(await Post("/api/v1/hosts", new { playbook = tree.Playbook, name = "n", ok = 1e30 }), "{\"ok\":[\"Ensure this value is less than or equal to 2147483647.\"]}");
    }
}

public sealed class InjectionTestsOnSqlite() : InjectionTests(null);

[Collection("postgres")]
public sealed class InjectionTestsOnPostgres(PostgresFixture postgres) : InjectionTests(postgres);
