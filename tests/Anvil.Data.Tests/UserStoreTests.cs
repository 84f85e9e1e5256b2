using Anvil.Data;
using Anvil.Data.Users;
using Dapper;

namespace Anvil.Data.Tests;

/// <summary>The user store's behaviour, the same on every database (SQLite and PostgreSQL).</summary>
public abstract class UserStoreContract
{
    protected abstract Task<AnvilDatabase> OpenAsync();

    [Fact]
    public async Task AddListVerifyRemove_RoundTrip()
    {
        await using var db = await OpenAsync();
        var store = new UserStore(db);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var version = store.Version;
        await store.AddAsync("zoe", "zoe-password");
        await store.AddAsync("adam", "adam-password", admin: true);
        Assert.True(store.Version > version);

        var users = await store.ListAsync();
        Assert.Equal(["adam", "zoe"], users.Select(u => u.Name));
        Assert.True(users[0].Admin);
        Assert.False(users[1].Admin);
        Assert.All(users, u => Assert.InRange(u.Created, before, DateTimeOffset.UtcNow.AddSeconds(1)));

        Assert.True(await store.VerifyAsync("zoe", "zoe-password"));
        Assert.False(await store.VerifyAsync("zoe", "adam-password"));
        Assert.False(await store.VerifyAsync("zoe", ""));
        Assert.False(await store.VerifyAsync("nobody", "zoe-password"));
        Assert.False(await store.VerifyAsync("ZOE", "zoe-password"));

        version = store.Version;
        Assert.True(await store.RemoveAsync("zoe"));
        Assert.True(store.Version > version);
        Assert.False(await store.RemoveAsync("zoe"));
        Assert.False(await store.VerifyAsync("zoe", "zoe-password"));
        Assert.Equal(["adam"], (await store.ListAsync()).Select(u => u.Name));
    }

    [Fact]
    public async Task Add_ExistingName_FailsClearly()
    {
        await using var db = await OpenAsync();
        var store = new UserStore(db);
        await store.AddAsync("carol", "first");
        var e = await Assert.ThrowsAsync<UserStoreException>(() => store.AddAsync("carol", "second"));
        Assert.Equal("user 'carol' already exists", e.Message);
        Assert.True(await store.VerifyAsync("carol", "first"));
    }

    [Theory]
    [InlineData("", "the user name must not be empty")]
    [InlineData("with:colon", "invalid user name 'with:colon'")]
    [InlineData("with space", "invalid user name 'with space'")]
    public async Task Add_InvalidName_FailsNamingIt(string name, string message)
    {
        await using var db = await OpenAsync();
        var e = await Assert.ThrowsAsync<UserStoreException>(() => new UserStore(db).AddAsync(name, "pw"));
        Assert.StartsWith(message, e.Message);
        Assert.Empty(await new UserStore(db).ListAsync());
    }

    [Fact]
    public async Task Add_EmptyPassword_Fails()
    {
        await using var db = await OpenAsync();
        var e = await Assert.ThrowsAsync<UserStoreException>(() => new UserStore(db).AddAsync("dave", ""));
        Assert.Equal("the password must not be empty", e.Message);
    }

    [Fact]
    public async Task Passwords_AreStoredAsSaltedPbkdf2Hashes()
    {
        await using var db = await OpenAsync();
        var store = new UserStore(db);
        await store.AddAsync("erin", "same-password");
        await store.AddAsync("frank", "same-password");
        await using var c = await db.OpenConnectionAsync();
        var hashes = (await c.QueryAsync<string>("SELECT password_hash FROM users ORDER BY name")).ToList();
        Assert.All(hashes, h =>
        {
            Assert.Matches(@"^pbkdf2_sha256\$210000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=$", h);
            Assert.DoesNotContain("same-password", h, StringComparison.Ordinal);
        });
        Assert.NotEqual(hashes[0], hashes[1]); // random salts
    }

    [Fact]
    public async Task Tokens_AreStoredHashed_AndRevocable()
    {
        await using var db = await OpenAsync();
        var users = new UserStore(db);
        await users.AddAsync("alice", "alice-password");
        await users.AddAsync("root", "root-password", admin: true);
        var tokens = new TokenStore(db);
        var made = await tokens.CreateAsync("alice", "laptop");
        var other = await tokens.CreateAsync("root");
        Assert.StartsWith(TokenStore.Prefix, made.Secret);
        Assert.True(made.Secret.Length >= 40);
        Assert.NotEqual(made.Secret, other.Secret);

        var owner = await tokens.AuthenticateAsync(made.Secret);
        Assert.Equal(("alice", false), (owner!.User, owner.Admin));
        Assert.True((await tokens.AuthenticateAsync(other.Secret))!.Admin);
        Assert.Null(await tokens.AuthenticateAsync(made.Secret + "x"));
        Assert.Null(await tokens.AuthenticateAsync(""));

        // The secret is nowhere in the database, in any column.
        await using (var c = await db.OpenConnectionAsync())
        {
            var rows = await c.QueryAsync("SELECT * FROM registry_tokens");
            var text = string.Join("|", rows.SelectMany(r => ((IDictionary<string, object>)r).Values).Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)));
            Assert.DoesNotContain(made.Secret, text);
            Assert.DoesNotContain(made.Secret[TokenStore.Prefix.Length..], text);
            Assert.Contains(TokenStore.Hash(made.Secret), text);
        }

        var listed = await tokens.ListAsync("alice");
        Assert.Equal("laptop", Assert.Single(listed).Name);
        Assert.NotNull(listed[0].LastUsed);
        Assert.Equal(2, (await tokens.ListAsync()).Count);

        Assert.True(await tokens.RevokeAsync(made.Secret));
        Assert.False(await tokens.RevokeAsync(made.Secret));
        Assert.Null(await tokens.AuthenticateAsync(made.Secret));
        Assert.True(await tokens.RevokeAsync(other.Token.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Null(await tokens.AuthenticateAsync(other.Secret));
        Assert.False(await tokens.RevokeAsync("999999"));
        Assert.All(await tokens.ListAsync(), t => Assert.True(t.IsRevoked));
        await Assert.ThrowsAsync<UserStoreException>(() => tokens.CreateAsync("nobody"));
    }
}

public sealed class SqliteUserStoreTests : UserStoreContract, IDisposable
{
    private readonly TempDir _dir = new();

    protected override Task<AnvilDatabase> OpenAsync() => AnvilDatabase.OpenAsync(Path.Combine(_dir.Path, "users.db"), []);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Add_OtherConstraintFailure_IsNotReportedAsAnExistingUser()
    {
        // SQLite reports NOT NULL, CHECK, foreign-key and trigger failures with the same primary code as a unique
        // violation (SQLITE_CONSTRAINT); only the unique one means the name is taken.
        await using var db = await OpenAsync();
        await using (var c = await db.OpenConnectionAsync())
        {
            await c.ExecuteAsync("CREATE TRIGGER users_refuse BEFORE INSERT ON users BEGIN SELECT RAISE(ABORT, 'refused by policy'); END");
        }
        var store = new UserStore(db);
        var e = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => store.AddAsync("dave", "password"));
        Assert.Equal(19, e.SqliteErrorCode);
        Assert.Contains("refused by policy", e.Message, StringComparison.Ordinal);
        Assert.Empty(await store.ListAsync());
    }
}

[Collection("postgres")]
public sealed class PostgresUserStoreTests(PostgresFixture postgres) : UserStoreContract
{
    protected override Task<AnvilDatabase> OpenAsync() => AnvilDatabase.OpenAsync(postgres.NewDatabase(), []);
}

public class PasswordHasherTests
{
    [Fact]
    public void Verify_AcceptsADjangoHash()
    {
        // Made with Python's hashlib (as Django does): base64(pbkdf2_hmac("sha256", password, salt, 1000)).
        const string django = "pbkdf2_sha256$1000$Xq7RzT2mNp9LkVb3YwHs5e$e+CR/RIAEbsbXyt+8hD29MNuHgOfvRBTzc3ZpbIcojg=";
        Assert.True(PasswordHasher.Verify("correct horse ✓", django));
        Assert.False(PasswordHasher.Verify("correct horse", django));
    }

    [Theory]
    [InlineData("")]
    [InlineData("md5$1$salt$hash")]
    [InlineData("pbkdf2_sha256$notanumber$salt$aGFzaA==")]
    [InlineData("pbkdf2_sha256$1000$salt$")]
    [InlineData("pbkdf2_sha256$1000$salt$***")]
    public void Verify_MalformedHash_IsFalse(string encoded) => Assert.False(PasswordHasher.Verify("pw", encoded));

    [Fact]
    public void Hash_RoundTrips_WithTheConfiguredIterations()
    {
        var hash = PasswordHasher.Hash("pässwörd");
        Assert.StartsWith($"pbkdf2_sha256${PasswordHasher.Iterations}$", hash);
        Assert.True(PasswordHasher.Iterations >= 210_000);
        Assert.True(PasswordHasher.Verify("pässwörd", hash));
        Assert.False(PasswordHasher.Verify("passwörd", hash));
    }
}
