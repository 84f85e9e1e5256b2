using System.Text.Json;
using Anvil.Galaxy.Tests;
using Npgsql;

namespace Anvil.Server.Tests.Registry;

/// <summary>The registry on PostgreSQL, end to end with the real ansible-galaxy: the same database as the records,
/// as a team that outgrew SQLite runs it.</summary>
[Trait("Category", "Integration")]
[Collection("postgres")]
[Trait("Category", "Interop")]
public sealed class PostgresRegistryInteropTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Publish_Install_Refuse_OnPostgres()
    {
        Tools.Require("ansible-galaxy", "ansible-core");
        var connection = postgres.NewDatabase();
        await using var r = await RegistryServer.StartAsync(database: connection);
        var home = r.GalaxyHome("alice", token: r.AliceToken);
        foreach (var v in new[] { "1.0.0", "1.1.0", "2.0.0-rc.1" })
        {
            await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "publish", await r.BuildAsync("acme", "base", v));
        }
        await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "publish",
            await r.BuildAsync("acme", "demo", "1.0.0", new Dictionary<string, string> { ["acme.base"] = "<1.1.0" }));

        var inst = Path.Combine(r.Work, "inst");
        var installed = await RegistryServer.AnsibleGalaxyOkAsync(home, "collection", "install", "acme.demo", "-p", inst);
        Assert.Contains("acme.demo:1.0.0 was installed successfully", installed);
        var manifest = Path.Combine(inst, "ansible_collections", "acme", "base", "MANIFEST.json");
        Assert.Equal("1.0.0", JsonDocument.Parse(File.ReadAllText(manifest)).RootElement.GetProperty("collection_info").GetProperty("version").GetString());
        Assert.Equal("1.1.0", (await r.Store.GetCollectionAsync("acme", "base"))!.Collection.LatestVersion);

        // The same version again: refused by the server, and the database still holds one row for it.
        var (code, output, error) = await RegistryServer.AnsibleGalaxyAsync(home, "collection", "publish", await r.BuildAsync("acme", "base", "1.1.0"));
        Assert.NotEqual(0, code);
        Assert.Contains("acme.base 1.1.0 already exists and versions cannot be replaced", output + error);
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM registry_versions v JOIN registry_collections c ON c.id = v.collection_id WHERE c.name = 'base'", db);
        Assert.Equal(3L, (long)(await count.ExecuteScalarAsync())!);
        Assert.Equal(4, r.ArtifactFiles().Count);
    }
}
