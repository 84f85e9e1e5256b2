using Dapper;

namespace Anvil.Records.Tests;

/// <summary>Files (get-or-create, shared contents) and records (one key per playbook).</summary>
public abstract class FileRecordTests(PostgresFixture? postgres) : ApiTestBase(postgres)
{
    private async Task<long> CountAsync(string table)
    {
        await using var c = await Database.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
    }

    [Fact]
    public async Task PostingAFileAgain_AnswersTheExistingRowAndContentsAreShared()
    {
        var p1 = await Create("playbooks", new { ansible_version = "2", path = "/p1" });
        var p2 = await Create("playbooks", new { ansible_version = "2", path = "/p2" });
        var first = await Post("/api/v1/files", new { playbook = p1, path = "/site.yml", content = "- hosts: all\n" });
        Assert.Equal(201, first.Status);
        Assert.Equal(["id", "sha1", "content", "created", "updated", "path", "playbook"], first.Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("cc6bc51d200550b3b6b7e44896db5a0e3f8377a5", first["sha1"].GetString());
        var again = await Post("/api/v1/files", new { playbook = p1, path = "/site.yml", content = "- hosts: all\n" });
        Assert.Equal(201, again.Status);
        Assert.Equal(first.Text, again.Text);
        var other = await Post("/api/v1/files", new { playbook = p2, path = "/site.yml", content = "- hosts: all\n" });
        Assert.NotEqual(first["id"].GetInt64(), other["id"].GetInt64());
        Assert.Equal(2, await CountAsync("files"));
        Assert.Equal(1, await CountAsync("file_contents"));

        // ARA answers 500 here; Anvil records the new text on the same file.
        var changed = await Post("/api/v1/files", new { playbook = p1, path = "/site.yml", content = "- hosts: web\n" });
        Assert.Equal(201, changed.Status);
        Assert.Equal(first["id"].GetInt64(), changed["id"].GetInt64());
        Assert.Equal("- hosts: web\n", changed["content"].GetString());
        Assert.Equal("- hosts: web\n", (await Get($"/api/v1/files/{first["id"]}"))["content"].GetString());
        Assert.Equal(2, await CountAsync("file_contents"));
        Assert.Equal(2, await CountAsync("files"));
        Assert.Equal(first["created"].GetString(), changed["created"].GetString());

        var empty = await Post("/api/v1/files", new { playbook = p1, path = "/empty.yml", content = "" });
        Assert.Equal(201, empty.Status);
        Assert.Equal("da39a3ee5e6b4b0d3255bfef95601890afd80709", empty["sha1"].GetString());
    }

    [Fact]
    public async Task File_ShapesValidationFiltersAndUpdates()
    {
        var playbook = await Create("playbooks", new { ansible_version = "2", path = "/p" });
        AssertError(await Post("/api/v1/files", new { }),
            "{\"content\":[\"This field is required.\"],\"path\":[\"This field is required.\"],\"playbook\":[\"This field is required.\"]}");
        AssertError(await Post("/api/v1/files", new { playbook, path = "/x", content = 5 }), "{\"content\":[\"Not a valid string.\"]}");
        var a = await Create("files", new { playbook, path = "/srv/Roles/main.yml", content = "a: 1\n" });
        var b = await Create("files", new { playbook, path = "/srv/site.yml", content = "b: 2\n" });
        var item = (await Get("/api/v1/files"))["results"][0];
        Assert.Equal(["id", "sha1", "playbook", "created", "updated", "path"], item.EnumerateObject().Select(p => p.Name));
        var detail = await Get($"/api/v1/files/{a}");
        Assert.Equal(["id", "sha1", "playbook", "content", "created", "updated", "path"], detail.Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("a: 1\n", detail["content"].GetString());
        Assert.Equal([a], await ListIds("/api/v1/files?path=roles"));
        Assert.Equal([a, b], await ListIds($"/api/v1/files?playbook={playbook}"));
        Assert.Equal([b, a], await ListIds("/api/v1/files?order=-id"));
        Assert.Equal([b, a], await ListIds("/api/v1/files?order=-path"));
        Assert.Equal([a, b], await ListIds("/api/v1/files?order=path"));
        Assert.Equal([b, a], await ListIds("/api/v1/files?order=-created"));
        Assert.Empty(await ListIds("/api/v1/files?updated_after=2999-01-01T00:00:00Z"));
        AssertError(await Get("/api/v1/files?order=sha1"), "{\"order\":[\"Select a valid choice. sha1 is not one of the available choices.\"]}");
        AssertError(await Patch($"/api/v1/files/{b}", new { path = "/srv/Roles/main.yml" }),
            "{\"non_field_errors\":[\"The fields path, playbook must make a unique set.\"]}");
        var patched = await Patch($"/api/v1/files/{b}", new { content = "b: 3\n" });
        Assert.Equal(200, patched.Status);
        Assert.Equal("b: 3\n", patched["content"].GetString());
        Assert.Equal([b, a], await ListIds("/api/v1/files?order=-updated"));
        Assert.Equal(204, (await Delete($"/api/v1/files/{a}")).Status);
        Assert.Equal(404, (await Get($"/api/v1/files/{a}")).Status);
    }

    [Fact]
    public async Task Records_HoldAnyJsonOncePerKeyAndPlaybook()
    {
        var playbook = await Create("playbooks", new { ansible_version = "2", path = "/p" });
        var text = await Post("/api/v1/records", new { playbook, key = "k", type = "text" });
        Assert.Equal(201, text.Status);
        Assert.Equal(["id", "value", "created", "updated", "key", "type", "playbook"], text.Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("\"\"", text["value"].GetRawText());
        AssertError(await Post("/api/v1/records", new { playbook, key = "k", type = "list", value = new[] { 1 } }),
            "{\"non_field_errors\":[\"The fields key, playbook must make a unique set.\"]}");
        AssertError(await Post("/api/v1/records", new { playbook, value = 1 }),
            "{\"key\":[\"This field is required.\"],\"type\":[\"This field is required.\"]}");
        var dict = await Send("POST", "/api/v1/records", $"{{\"playbook\":{playbook},\"key\":\"d\",\"type\":\"dict\",\"value\":{{\"a\": 1, \"b\": [1, 2.5, \"\\u00e9\"]}}}}");
        Assert.Equal("{\"a\":1,\"b\":[1,2.5,\"\\u00e9\"]}", dict["value"].GetRawText());
        var id = dict["id"].GetInt64();
        Assert.Equal("{\"a\":1,\"b\":[1,2.5,\"\\u00e9\"]}", (await Get($"/api/v1/records/{id}"))["value"].GetRawText());
        var item = (await Get("/api/v1/records"))["results"][0];
        Assert.Equal(["id", "playbook", "created", "updated", "key", "type"], item.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["id", "playbook", "value", "created", "updated", "key", "type"],
            (await Get($"/api/v1/records/{id}")).Json.EnumerateObject().Select(p => p.Name));

        Assert.Equal([id], await ListIds("/api/v1/records?key=d"));
        Assert.Empty(await ListIds("/api/v1/records?key=D"));
        Assert.Equal([text["id"].GetInt64(), id], await ListIds($"/api/v1/records?playbook={playbook}"));
        Assert.Equal([text["id"].GetInt64(), id], await ListIds("/api/v1/records?order=-key"));
        Assert.Equal([id, text["id"].GetInt64()], await ListIds("/api/v1/records?order=key"));
        AssertError(await Patch($"/api/v1/records/{id}", new { key = "k" }),
            "{\"non_field_errors\":[\"The fields key, playbook must make a unique set.\"]}");
        var put = await Put($"/api/v1/records/{id}", new { playbook, key = "d", type = "text" });
        Assert.Equal("\"\"", put["value"].GetRawText());
        Assert.Equal(204, (await Delete($"/api/v1/records/{id}")).Status);
        Assert.Equal(404, (await Delete($"/api/v1/records/{id}")).Status);
    }
}

public sealed class FileRecordTestsOnSqlite() : FileRecordTests(null);

[Collection("postgres")]
public sealed class FileRecordTestsOnPostgres(PostgresFixture postgres) : FileRecordTests(postgres);
