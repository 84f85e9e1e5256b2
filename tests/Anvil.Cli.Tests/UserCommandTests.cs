using Anvil.Server;
using System.Text.Json;
using Anvil.Cli;
using Anvil.Data;
using Anvil.Data.Users;

namespace Anvil.Cli.Tests;

/// <summary>These tests point the process-wide ANVIL_HOME at their own directory, so nothing else may run meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AnvilHomeCollection
{
    public const string Name = "ANVIL_HOME changes";
}

/// <summary><c>anvil db migrate</c> and <c>anvil user add|list|remove</c>, in process, on a fresh ANVIL_HOME.</summary>
[Collection(AnvilHomeCollection.Name)]
public sealed class UserCommandTests : IDisposable
{
    private readonly TempDir _home = new();
    private readonly string? _previousHome = Environment.GetEnvironmentVariable("ANVIL_HOME");
    private readonly string? _previousDatabase = Environment.GetEnvironmentVariable("ANVIL_DATABASE");

    public UserCommandTests()
    {
        Environment.SetEnvironmentVariable("ANVIL_HOME", _home.Path);
        Environment.SetEnvironmentVariable("ANVIL_DATABASE", null);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("ANVIL_HOME", _previousHome);
        Environment.SetEnvironmentVariable("ANVIL_DATABASE", _previousDatabase);
        _home.Dispose();
    }

    private string DefaultDatabase => Path.Combine(_home.Path, "anvil.db");

    private static Task<(int Code, string Out, string Err)> Anvil(params string[] args) => AnvilWithInput("", args);

    private static async Task<(int Code, string Out, string Err)> AnvilWithInput(string stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AnvilCommandLine.InvokeAsync(args, output, error, new StringReader(stdin));
        return (code, output.ToString(), error.ToString());
    }

    private static async Task<bool> VerifyAsync(string database, string user, string password)
    {
        await using var db = await AnvilDatabase.OpenAsync(database, AnvilSchema.All);
        return await new UserStore(db).VerifyAsync(user, password);
    }

    [Fact]
    public async Task DbMigrate_AppliesThenIsUpToDate_InAnvilHome()
    {
        var (code, output, err) = await Anvil("db", "migrate");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        // Anvil.Data's users come first (0000), then the records' first migration.
        Assert.Equal([$"sqlite:{DefaultDatabase}: applied 0000_users", $"sqlite:{DefaultDatabase}: applied 0001_initial"],
            output.Split('\n').Take(2).Select(l => l.Trim()));
        Assert.True(File.Exists(DefaultDatabase));

        (code, output, _) = await Anvil("db", "migrate");
        Assert.Equal(0, code);
        Assert.Equal($"sqlite:{DefaultDatabase}: up to date", output.Trim());
    }

    [Fact]
    public async Task DbMigrate_DatabaseOptionAndAnvilDatabase_AreHonoured()
    {
        var explicitDb = Path.Combine(_home.Path, "elsewhere", "records.db");
        var (code, output, _) = await Anvil("db", "migrate", "--database", explicitDb);
        Assert.Equal(0, code);
        Assert.StartsWith($"sqlite:{explicitDb}: applied", output);

        var fromEnv = Path.Combine(_home.Path, "env.db");
        Environment.SetEnvironmentVariable("ANVIL_DATABASE", fromEnv);
        (code, output, _) = await Anvil("db", "migrate");
        Assert.Equal(0, code);
        Assert.StartsWith($"sqlite:{fromEnv}: applied", output);
        Assert.False(File.Exists(DefaultDatabase));
    }

    [Fact]
    public async Task DbMigrate_UnreachablePostgres_ExitsOneWithoutPassword()
    {
        // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        var (code, output, err) = await Anvil("db", "migrate", "--database", "postgres://anvil:pw-Secret-9@127.0.0.1:9/records");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith("anvil: error: cannot migrate postgres://anvil@127.0.0.1:9/records:", err);
        Assert.DoesNotContain("pw-Secret-9", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_DatabaseUnreachable_ExitsOneInOneLine()
    {
        var (code, _, err) = await Anvil("server", "--urls", "http://127.0.0.1:0", "--database",
            "postgres://anvil:pw-Secret-9@127.0.0.1:9/records");
        Assert.Equal(1, code);
        Assert.Equal("anvil: error: cannot start the server: Failed to connect to 127.0.0.1:9", err.Trim());
    }

    [Fact]
    public async Task UserAdd_List_Remove()
    {
        var (code, output, err) = await Anvil("user", "add", "alice", "--password", "alice-Secret-1", "--admin");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.Equal($"Added user 'alice' (admin) to sqlite:{DefaultDatabase}", output.Trim());
        (code, output, _) = await Anvil("user", "add", "bob", "--password", "bob-Secret-2");
        Assert.Equal(0, code);
        Assert.Equal($"Added user 'bob' to sqlite:{DefaultDatabase}", output.Trim());
        Assert.True(await VerifyAsync(DefaultDatabase, "alice", "alice-Secret-1"));
        Assert.True(await VerifyAsync(DefaultDatabase, "bob", "bob-Secret-2"));

        (code, output, _) = await Anvil("user", "list");
        Assert.Equal(0, code);
        var rows = output.Split('\n').Where(l => l.Contains("alice") || l.Contains("bob")).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Matches(@"alice\s*│\s*yes\s*│\s*\d{4}-\d\d-\d\dT", rows[0]);
        Assert.Matches(@"bob\s*│\s*no\s*│", rows[1]);
        Assert.Contains("name", output);
        Assert.DoesNotContain("Secret", output, StringComparison.Ordinal);
        Assert.DoesNotContain("pbkdf2", output, StringComparison.Ordinal);

        (code, output, _) = await Anvil("user", "list", "-f", "json");
        Assert.Equal(0, code);
        var users = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.Equal(["alice", "bob"], users.Select(u => u.GetProperty("name").GetString()));
        Assert.Equal([true, false], users.Select(u => u.GetProperty("admin").GetBoolean()));
        Assert.All(users, u => Assert.NotNull(Clock.Parse(u.GetProperty("created").GetString()!)));
        Assert.All(users, u => Assert.Equal(3, u.EnumerateObject().Count()));

        (code, output, _) = await Anvil("user", "remove", "alice");
        Assert.Equal(0, code);
        Assert.Equal($"Removed user 'alice' from sqlite:{DefaultDatabase}", output.Trim());
        Assert.False(await VerifyAsync(DefaultDatabase, "alice", "alice-Secret-1"));
        (code, output, _) = await Anvil("user", "list", "--format", "json");
        Assert.Equal(["bob"], JsonDocument.Parse(output).RootElement.EnumerateArray().Select(u => u.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task UserRemove_Missing_ExitsOne()
    {
        var (code, output, err) = await Anvil("user", "remove", "ghost");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal($"anvil: error: no user 'ghost' in sqlite:{DefaultDatabase}", err.Trim());
    }

    [Fact]
    public async Task UserAdd_Existing_ExitsOne_AndKeepsThePassword()
    {
        Assert.Equal(0, (await Anvil("user", "add", "carol", "--password", "first-Secret")).Code);
        var (code, output, err) = await Anvil("user", "add", "carol", "--password", "second-Secret");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal("anvil: error: user 'carol' already exists", err.Trim());
        Assert.True(await VerifyAsync(DefaultDatabase, "carol", "first-Secret"));
    }

    [Fact]
    public async Task UserAdd_BadInput_IsRefused()
    {
        var (code, _, err) = await Anvil("user", "add", "dave:x", "--password", "pw-Secret");
        Assert.Equal(1, code);
        Assert.StartsWith("anvil: error: invalid user name 'dave:x'", err);
        Assert.DoesNotContain("pw-Secret", err, StringComparison.Ordinal);

        (code, _, err) = await Anvil("user", "add", "dave", "--password", "");
        Assert.Equal(1, code);
        Assert.Equal("anvil: error: the password must not be empty", err.Trim());

        (code, _, err) = await Anvil("user", "list", "-f", "yaml");
        Assert.Equal(2, code);
        Assert.Contains("yaml", err);
    }

    [Theory]
    [InlineData("user add", "--password", "--password-stdin", "--admin")]
    [InlineData("user passwd", "--password", "--password-stdin", "--database")]
    [InlineData("user list", "-f, --format", "--database", null)]
    [InlineData("user remove", "--database", null, null)]
    [InlineData("db migrate", "--database", null, null)]
    [InlineData("server", "--urls", "--read-login-required", "--write-login-required")]
    public async Task Help_ListsTheOptions(string command, string a, string? b, string? c)
    {
        var (code, output, _) = await Anvil([.. command.Split(' '), "--help"]);
        Assert.Equal(0, code);
        Assert.Contains($"Usage: anvil {command}", output);
        foreach (var option in new[] { a, b, c }.OfType<string>())
        {
            Assert.Contains(option, output);
        }
    }

    [Fact]
    public async Task UserAdd_PasswordFromStdin_KeepsItOffTheCommandLine()
    {
        var (code, _, err) = await AnvilWithInput("from-Stdin-9\nsecond line ignored\n", "user", "add", "carol", "--password-stdin");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.True(await VerifyAsync(DefaultDatabase, "carol", "from-Stdin-9"));
        Assert.False(await VerifyAsync(DefaultDatabase, "carol", "second line ignored"));
    }

    [Fact]
    public async Task UserAdd_WithoutAPassword_OffATerminal_SaysHowToGiveOne()
    {
        var (code, output, err) = await Anvil("user", "add", "dave");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal("anvil: error: no password: use --password-stdin (or --password) when not on a terminal", err.Trim());

        (code, _, err) = await AnvilWithInput("", "user", "add", "dave", "--password-stdin");
        Assert.Equal(1, code);
        Assert.Contains("standard input has no password", err);

        (code, _, err) = await AnvilWithInput("x-Secret-1\n", "user", "add", "dave", "--password-stdin", "--password", "y");
        Assert.Equal(1, code);
        Assert.Contains("not both", err);

        (code, output, _) = await Anvil("user", "list", "-f", "json");
        Assert.Equal("[]", output.Trim());
    }

    [Fact]
    public async Task UserPasswd_ReplacesThePassword()
    {
        Assert.Equal(0, (await Anvil("user", "add", "erin", "--password", "old-Secret-1")).Code);
        var (code, output, err) = await AnvilWithInput("new-Secret-2\n", "user", "passwd", "erin", "--password-stdin");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.Equal($"Changed the password of 'erin' in sqlite:{DefaultDatabase}", output.Trim());
        Assert.True(await VerifyAsync(DefaultDatabase, "erin", "new-Secret-2"));
        Assert.False(await VerifyAsync(DefaultDatabase, "erin", "old-Secret-1"));

        (code, _, err) = await AnvilWithInput("whatever-1\n", "user", "passwd", "nobody", "--password-stdin");
        Assert.Equal(1, code);
        Assert.Equal($"anvil: error: no user 'nobody' in sqlite:{DefaultDatabase}", err.Trim());
    }
}
