using System.Diagnostics;
using System.Text.Json;

namespace Anvil.Cli.Tests.Records;

/// <summary>
/// The records commands against a real <c>anvil server</c> process (<c>--server</c>, <c>ANVIL_SERVER</c>), which
/// requires a login for reads and writes: credentials come from ANVIL_USERNAME/ANVIL_PASSWORD only and are never
/// printed. These tests set process-wide environment variables, hence the non-parallel collection.
/// </summary>
[Collection(AnvilHomeCollection.Name)]
[Trait("Category", "Integration")]
public sealed class RecordsServerTests : IAsyncLifetime
{
    private const string User = "alice";
    private const string Password = "pw-Secret-7781";

    private readonly TempDir _dir = new();
    private readonly Dictionary<string, string?> _saved = new();
    private AnvilServerProcess? _server;
    private string _url = "";
    private Tree _kept = null!;
    private Tree _doomed = null!;
    private Tree _old = null!;

    private string Database => Path.Combine(_dir.Path, "records.db");

    public async Task InitializeAsync()
    {
        foreach (var name in new[] { "ANVIL_SERVER", "ANVIL_USERNAME", "ANVIL_PASSWORD" })
        {
            _saved[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, null);
        }
        await using (var seed = new Seeder(Database))
        {
            _kept = await seed.TreeAsync("/srv/kept.yml", DateTimeOffset.UtcNow);
            _doomed = await seed.TreeAsync("/srv/doomed.yml", DateTimeOffset.UtcNow);
            _old = await seed.TreeAsync("/srv/old.yml", new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero));
        }
        await Cli.OkAsync("user", "add", User, "--password", Password, "--database", Database);
        _server = await AnvilServerProcess.StartAsync(Database, extra: ["--read-login-required", "--write-login-required"]);
        _url = _server.Url;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private static void Login(string? user, string? password)
    {
        Environment.SetEnvironmentVariable("ANVIL_USERNAME", user);
        Environment.SetEnvironmentVariable("ANVIL_PASSWORD", password);
    }

    private static long[] Ids(CliResult r) => r.Json.EnumerateArray().Select(p => p.GetProperty("id").GetInt64()).ToArray();

    [Fact]
    public async Task WithoutOrWithWrongCredentials_ExitsOneWithoutPrintingThem()
    {
        var r = await Cli.RunAsync("records", "playbook", "list", "--server", _url);
        Assert.Equal(1, r.Code);
        Assert.Equal($"anvil: error: {_url} requires a login: set ANVIL_USERNAME and ANVIL_PASSWORD\n", r.Err);

        Login(User, "wrong-" + Password);
        r = await Cli.RunAsync("records", "playbook", "list", "--server", _url);
        Assert.Equal(1, r.Code);
        Assert.Equal($"anvil: error: {_url} refused the login in ANVIL_USERNAME/ANVIL_PASSWORD: Invalid username/password.\n", r.Err);
        Assert.DoesNotContain(Password, r.Err + r.Out, StringComparison.Ordinal);

        Login(User, null);
        r = await Cli.RunAsync("records", "playbook", "list", "--server", _url);
        Assert.Equal(1, r.Code);
        Assert.Equal("anvil: error: ANVIL_USERNAME is set but ANVIL_PASSWORD is not\n", r.Err);
    }

    [Fact]
    public async Task WithCredentials_ReadsAndWritesTheServersDatabase()
    {
        Login(User, Password);
        var offline = await Cli.OkAsync("records", "playbook", "list", "-f", "json", "--database", Database);
        var online = await Cli.OkAsync("records", "playbook", "list", "-f", "json", "--server", _url);
        Assert.Equal(offline.Out, online.Out);
        Assert.Equal(new[] { _old.Playbook, _doomed.Playbook, _kept.Playbook }.Order(), Ids(online).Order());

        var shown = await Cli.OkAsync("records", "result", "show", _kept.Result.ToString(), "-f", "json", "--server", _url);
        Assert.Equal("task of /srv/kept.yml", shown.Json.GetProperty("task_name").GetString());
        var resolved = await Cli.OkAsync("records", "result", "list", "--resolve", "-f", "json", "--server", _url + "/");
        Assert.Contains(resolved.Json.EnumerateArray(), r => r.GetProperty("task").GetString() == "task of /srv/kept.yml");

        var deleted = await Cli.OkAsync("records", "playbook", "delete", _doomed.Playbook.ToString(), "--server", _url);
        Assert.Equal($"Deleted playbook {_doomed.Playbook}.\n", deleted.Out);
        var pruned = await Cli.OkAsync("records", "prune", "--confirm", "-f", "json", "--server", _url);
        Assert.Equal([_old.Playbook], Ids(pruned));
        Assert.Equal([_kept.Playbook], Ids(await Cli.OkAsync("records", "playbook", "list", "-f", "json", "--database", Database)));

        var missing = await Cli.RunAsync("records", "playbook", "show", _doomed.Playbook.ToString(), "--server", _url);
        Assert.Equal(1, missing.Code);
        Assert.Equal($"anvil: error: playbook {_doomed.Playbook} not found\n", missing.Err);
        foreach (var output in new[] { offline, online, shown, resolved, deleted, pruned, missing })
        {
            Assert.DoesNotContain(Password, output.Out + output.Err, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnvilServerVariable_IsUsedUnlessADatabaseIsGiven()
    {
        Login(User, Password);
        Environment.SetEnvironmentVariable("ANVIL_SERVER", _url);
        var viaEnvironment = await Cli.OkAsync("records", "host", "list", "-f", "json");
        Assert.Equal(3, viaEnvironment.Json.GetArrayLength());

        // Proof that the server answered: without the credentials it refuses.
        Login(null, null);
        var refused = await Cli.RunAsync("records", "host", "list");
        Assert.Equal(1, refused.Code);
        Assert.Contains("requires a login", refused.Err);

        // An explicit --database wins over ANVIL_SERVER.
        var local = await Cli.OkAsync("records", "host", "list", "-f", "json", "--database", Database);
        Assert.Equal(viaEnvironment.Out, local.Out);
    }
}
