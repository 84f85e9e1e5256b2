using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Anvil.Cli.Tests.Records;
using CliRunner = Anvil.Cli.Tests.Records.Cli;

namespace Anvil.Cli.Tests;

/// <summary><c>anvil galaxy namespace …</c>, <c>anvil token …</c> on a database, and <c>anvil collection publish</c> /
/// <c>install -s</c> against a real <c>anvil server</c> process. ANVIL_HOME is process-wide, hence the collection.</summary>
[Collection(AnvilHomeCollection.Name)]
[Trait("Category", "Integration")]
public sealed class RegistryCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    private string Database => Path.Combine(_dir.Path, "registry.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync([.. args, "--database", Database]);

    private async Task<CliResult> Ok(params string[] args)
    {
        var r = await Run(args);
        Assert.True(r.Code == 0, $"anvil {string.Join(' ', args)}: {r}");
        return r;
    }

    private async Task<string> NewToken(string user, string? name = null)
    {
        var r = await Ok(name is null ? ["token", "create", "--user", user] : ["token", "create", "--user", user, "--name", name]);
        return r.Out.TrimEnd('\n').Split('\n')[^1];
    }

    [Fact]
    public async Task Namespaces_CreateAddOwnerList_WithClearErrors()
    {
        await Ok("user", "add", "alice", "--password", "alice-pw-1");
        await Ok("user", "add", "bob", "--password", "bob-pw-1");
        var created = await Ok("galaxy", "namespace", "create", "acme", "--owner", "alice", "--description", "ACME");
        Assert.Contains("Created namespace 'acme' owned by 'alice'", created.Out);
        Assert.Contains("'bob' now owns namespace 'acme'", (await Ok("galaxy", "namespace", "add-owner", "acme", "bob")).Out);

        var json = JsonDocument.Parse((await Ok("galaxy", "namespace", "list", "-f", "json")).Out).RootElement;
        Assert.Equal("acme", json[0].GetProperty("name").GetString());
        Assert.Equal(["alice", "bob"], json[0].GetProperty("owners").EnumerateArray().Select(o => o.GetString()));
        Assert.Contains("alice, bob", (await Ok("galaxy", "namespace", "list")).Out);

        foreach (var (args, message) in new (string[], string)[]
        {
            (["galaxy", "namespace", "create", "acme", "--owner", "alice"], "anvil: error: namespace 'acme' already exists"),
            (["galaxy", "namespace", "create", "Bad-Name", "--owner", "alice"], "anvil: error: invalid namespace name 'Bad-Name'"),
            (["galaxy", "namespace", "create", "other", "--owner", "nobody"], "anvil: error: user 'nobody' does not exist"),
            (["galaxy", "namespace", "add-owner", "missing", "bob"], "anvil: error: namespace 'missing' does not exist"),
            (["galaxy", "namespace", "remove-owner", "acme", "nobody"], "anvil: error: user 'nobody' does not exist"),
        })
        {
            var r = await Run(args);
            Assert.Equal(AnvilCommandLine.InputError, r.Code);
            Assert.StartsWith(message, r.Err);
        }
        var missingOwner = await CliRunner.RunAsync("galaxy", "namespace", "create", "x", "--database", Database);
        Assert.Equal(AnvilCommandLine.UsageError, missingOwner.Code);
        Assert.Contains("--owner", missingOwner.Err);
        foreach (var help in new[] { "create", "add-owner", "remove-owner", "list" })
        {
            var r = await CliRunner.RunAsync("galaxy", "namespace", help, "--help");
            Assert.Equal(0, r.Code);
            Assert.StartsWith($"Usage: anvil galaxy namespace {help}", r.Out);
        }
    }

    [Fact]
    public async Task Tokens_PrintedOnceOnTheLastLine_StoredHashed_Revocable()
    {
        await Ok("user", "add", "alice", "--password", "alice-pw-1");
        var token = await NewToken("alice", "laptop");
        Assert.Matches("^anvil_[A-Za-z0-9]{43}$", token);
        var second = await NewToken("alice");
        Assert.NotEqual(token, second);

        // The database (and its write-ahead log) never holds the token, only its SHA-256.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.EnumerateFiles(_dir.Path, "registry.db*"))
        {
            var bytes = Encoding.ASCII.GetString(await File.ReadAllBytesAsync(file));
            Assert.DoesNotContain(token, bytes);
            Assert.DoesNotContain(token["anvil_".Length..], bytes);
        }

        var list = await Ok("token", "list", "-f", "json");
        Assert.DoesNotContain(token, list.Out);
        var rows = JsonDocument.Parse(list.Out).RootElement;
        Assert.Equal(2, rows.GetArrayLength());
        Assert.Equal("laptop", rows[0].GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("revoked").ValueKind);

        Assert.Equal("Revoked the token\n", (await Ok("token", "revoke", token)).Out);
        var again = await Run("token", "revoke", token);
        Assert.Equal(AnvilCommandLine.InputError, again.Code);
        Assert.DoesNotContain(token, again.Err); // a token is never echoed
        var id = rows[1].GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"Revoked token {id}\n", (await Ok("token", "revoke", id)).Out);
        Assert.Equal("anvil: error: no active token with id 999 in sqlite:" + Database + "\n", (await Run("token", "revoke", "999")).Err);
        Assert.Contains("revoked", (await Ok("token", "list")).Out);
        var noUser = await Run("token", "create", "--user", "nobody");
        Assert.Equal(AnvilCommandLine.InputError, noUser.Code);
        Assert.Equal("anvil: error: user 'nobody' does not exist\n", noUser.Err);
        foreach (var help in new[] { "create", "revoke", "list" })
        {
            var r = await CliRunner.RunAsync("token", help, "--help");
            Assert.Equal(0, r.Code);
            Assert.StartsWith($"Usage: anvil token {help}", r.Out);
        }
    }

    [Fact]
    public async Task PublishAndInstall_AgainstAnAnvilServer()
    {
        await Ok("user", "add", "alice", "--password", "alice-pw-1");
        await Ok("user", "add", "bob", "--password", "bob-pw-1");
        await Ok("galaxy", "namespace", "create", "acme", "--owner", "alice");
        var alice = await NewToken("alice");
        var bob = await NewToken("bob");
        var src = Path.Combine(_dir.Path, "src");
        Directory.CreateDirectory(Path.Combine(src, "meta"));
        await File.WriteAllTextAsync(Path.Combine(src, "README.md"), "# acme.demo\n");
        await File.WriteAllTextAsync(Path.Combine(src, "meta", "runtime.yml"), "requires_ansible: '>=2.14.0'\n");
        await File.WriteAllTextAsync(Path.Combine(src, "galaxy.yml"),
            "namespace: acme\nname: demo\nversion: 1.0.0\nreadme: README.md\nauthors: [Test]\nlicense: [MIT]\nrepository: https://example.com/r\n");
        var built = Path.Combine(_dir.Path, "built");
        await CliRunner.OkAsync("collection", "build", src, "--output-path", built);
        var tarball = Path.Combine(built, "acme-demo-1.0.0.tar.gz");

        await using var server = await StartServerAsync();
        var url = server.Url;
        try
        {
            var published = await CliRunner.RunAsync("collection", "publish", tarball, "-s", url + "/api/galaxy/", "--token", alice);
            Assert.True(published.Code == 0, published.ToString());
            Assert.Contains("INFO: Imported acme.demo 1.0.0", published.Out);
            Assert.Contains("Collection has been successfully published and imported to the Galaxy server cmd_arg", published.Out);
            Assert.True(Directory.EnumerateFiles(Path.Combine(_dir.Path, "artifacts"), "*.tar.gz", SearchOption.AllDirectories).Any());

            var target = Path.Combine(_dir.Path, "inst");
            var installed = await CliRunner.RunAsync("collection", "install", "acme.demo", "-s", url, "-p", target);
            Assert.True(installed.Code == 0, installed.ToString());
            Assert.True(File.Exists(Path.Combine(target, "ansible_collections", "acme", "demo", "MANIFEST.json")));

            // verify against the server's artifact (not --offline): clean, then a changed file is named.
            var verified = await CliRunner.RunAsync("collection", "verify", "acme.demo", "-s", url, "-p", target);
            Assert.True(verified.Code == 0, verified.ToString());
            Assert.Contains("Successfully verified that checksums for 'acme.demo:1.0.0' match the remote collection.", verified.Out);
            await File.AppendAllTextAsync(Path.Combine(target, "ansible_collections", "acme", "demo", "README.md"), "changed\n");
            var modified = await CliRunner.RunAsync("collection", "verify", "acme.demo", "-s", url, "-p", target);
            Assert.Equal(1, modified.Code);
            Assert.Contains("Collection acme.demo contains modified content in the following files:", modified.Out + modified.Err);
            Assert.Contains("README.md", modified.Out + modified.Err);

            var duplicate = await CliRunner.RunAsync("collection", "publish", tarball, "-s", url, "--token", alice);
            Assert.Equal(AnvilCommandLine.InputError, duplicate.Code);
            Assert.Contains("HTTP Code: 409, Message: acme.demo 1.0.0 already exists and versions cannot be replaced.", duplicate.Err);
            var notOwner = await CliRunner.RunAsync("collection", "publish", tarball, "-s", url, "--token", bob);
            Assert.Equal(AnvilCommandLine.InputError, notOwner.Code);
            Assert.Contains("User 'bob' is not an owner of namespace \"acme\"", notOwner.Err);
            var wrong = await CliRunner.RunAsync("collection", "publish", tarball, "-s", url, "--token", "anvil_wrong");
            Assert.Equal(AnvilCommandLine.InputError, wrong.Code);
            Assert.Contains("Invalid token.", wrong.Err);
            var noToken = await CliRunner.RunAsync("collection", "publish", tarball, "-s", url);
            Assert.Equal(AnvilCommandLine.InputError, noToken.Code);
            Assert.Contains("No access token or username set", noToken.Err);
            var missing = await CliRunner.RunAsync("collection", "publish", Path.Combine(built, "nope.tar.gz"), "-s", url, "--token", alice);
            Assert.Equal(AnvilCommandLine.InputError, missing.Code);
            Assert.Contains("nope.tar.gz: no such file", missing.Err);

            // A failing import: exit 1 with the import's error.
            await File.WriteAllTextAsync(Path.Combine(src, "galaxy.yml"),
                "namespace: acme\nname: demo\nversion: 1.1.0\nreadme: README.md\nauthors: [Test]\nlicense: [MIT]\nrepository: https://example.com/r\n");
            Directory.CreateDirectory(Path.Combine(src, "roles", "Bad-Role"));
            await CliRunner.OkAsync("collection", "build", src, "--output-path", built);
            var failed = await CliRunner.RunAsync("collection", "publish", Path.Combine(built, "acme-demo-1.1.0.tar.gz"), "-s", url, "--token", alice);
            Assert.Equal(AnvilCommandLine.InputError, failed.Code);
            Assert.Contains("ERROR: roles/Bad-Role: invalid role name 'Bad-Role'", failed.Err);
            Assert.Contains("anvil: error: Galaxy import process failed:", failed.Err);

            var noWait = await CliRunner.RunAsync("collection", "publish", Path.Combine(built, "acme-demo-1.1.0.tar.gz"), "-s", url, "--token", alice, "--no-wait");
            Assert.Equal(0, noWait.Code);
            Assert.Contains("Import task results can be found at " + url + "/api/v3/imports/collections/", noWait.Out);
            var help = await CliRunner.RunAsync("collection", "publish", "--help");
            Assert.Contains("--import-timeout", help.Out);
        }
        finally
        {
            await server.KillAsync();
        }
    }

    /// <summary>The built <c>anvil server</c> on this test's database and artifacts folder, until it answers.</summary>
    private Task<AnvilServerProcess> StartServerAsync() =>
        AnvilServerProcess.StartAsync(Database,
            new Dictionary<string, string> { ["Galaxy__ArtifactsPath"] = Path.Combine(_dir.Path, "artifacts") });
}
