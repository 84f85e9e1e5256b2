using System.Data.Common;
using System.Text.RegularExpressions;
using Anvil.Data;
using Dapper;

namespace Anvil.Data.Users;

/// <summary>A user of the Anvil server, as listed (never with its password hash).</summary>
public sealed record UserInfo(string Name, bool Admin, DateTimeOffset Created);

/// <summary>A user operation refused for a reason the caller can fix; the message says which.</summary>
public sealed class UserStoreException(string message) : Exception(message);

/// <summary>
/// The server's users (table <c>users</c>), for HTTP Basic authentication. Works on SQLite and PostgreSQL.
/// Passwords are stored only as PBKDF2 hashes (<see cref="PasswordHasher"/>).
/// </summary>
public sealed partial class UserStore(AnvilDatabase db)
{
    /// <summary>Longest accepted password: PBKDF2 hashes the whole text on every check.</summary>
    public const int MaxPasswordLength = 1024;

    private long _version;

    /// <summary>Changes each time this instance adds or removes a user or changes a password, so that caches of verified credentials
    /// can tell that they are stale.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Adds a user; throws <see cref="UserStoreException"/> if the name is taken or invalid, or the
    /// password is empty.</summary>
    public async Task<UserInfo> AddAsync(string name, string password, bool admin = false, CancellationToken ct = default)
    {
        if (ValidateName(name) is { } problem)
        {
            throw new UserStoreException(problem);
        }
        CheckPassword(password);
        // Hash outside the write transaction: it takes about a tenth of a second and SQLite writers queue.
        var hash = PasswordHasher.Hash(password);
        var now = db.NowMicros();
        try
        {
            await db.WriteAsync(async (c, tx) =>
            {
                var exists = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM users WHERE name = @name",
                    new { name }, tx).ConfigureAwait(false);
                if (exists > 0)
                {
                    throw new UserStoreException($"user '{name}' already exists");
                }
                return await c.ExecuteAsync(
                    "INSERT INTO users (created, updated, name, password_hash, is_admin) VALUES (@now, @now, @name, @hash, @admin)",
                    new { now, name, hash, admin }, tx).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
        }
        catch (DbException e) when (SqlSession.IsUniqueViolation(e))
        {
            // Another process added the same name between the check and the insert. Only a unique violation means
            // that: SQLite reports NOT NULL, CHECK and foreign-key failures with the same primary code, and those
            // must surface as what they are.
            throw new UserStoreException($"user '{name}' already exists");
        }
        Interlocked.Increment(ref _version);
        return new UserInfo(name, admin, Clock.FromMicros(now));
    }

    /// <summary>All users, by name.</summary>
    public async Task<IReadOnlyList<UserInfo>> ListAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        var rows = await c.QueryAsync<(string Name, object Admin, long Created)>(
            new CommandDefinition("SELECT name, is_admin, created FROM users ORDER BY name", cancellationToken: ct))
            .ConfigureAwait(false);
        // is_admin is INTEGER on SQLite and BOOLEAN on PostgreSQL.
        return rows.Select(r => new UserInfo(r.Name, Convert.ToBoolean(r.Admin, System.Globalization.CultureInfo.InvariantCulture),
            Clock.FromMicros(r.Created))).ToList();
    }

    /// <summary>Replaces a user's password; false if there is no user of that name. Throws
    /// <see cref="UserStoreException"/> for an empty or overlong password.</summary>
    public async Task<bool> SetPasswordAsync(string name, string password, CancellationToken ct = default)
    {
        CheckPassword(password);
        var hash = PasswordHasher.Hash(password);
        var now = db.NowMicros();
        var changed = await db.WriteAsync((c, tx) =>
            c.ExecuteAsync("UPDATE users SET password_hash = @hash, updated = @now WHERE name = @name",
                new { name, hash, now }, tx), ct).ConfigureAwait(false);
        if (changed > 0)
        {
            Interlocked.Increment(ref _version);
        }
        return changed > 0;
    }

    private static void CheckPassword(string password)
    {
        if (string.IsNullOrEmpty(password))
        {
            throw new UserStoreException("the password must not be empty");
        }
        if (password.Length > MaxPasswordLength)
        {
            throw new UserStoreException($"the password is longer than {MaxPasswordLength} characters");
        }
    }

    /// <summary>Removes a user; false if there was none of that name.</summary>
    public async Task<bool> RemoveAsync(string name, CancellationToken ct = default)
    {
        var removed = await db.WriteAsync((c, tx) =>
            c.ExecuteAsync("DELETE FROM users WHERE name = @name", new { name }, tx), ct).ConfigureAwait(false);
        if (removed > 0)
        {
            Interlocked.Increment(ref _version);
        }
        return removed > 0;
    }

    /// <summary>True when the user exists and the password is theirs. Costs one PBKDF2 computation (about 0.1 s)
    /// whether or not the user exists; callers on a hot path cache the answer.</summary>
    public async Task<bool> VerifyAsync(string name, string password, CancellationToken ct = default)
    {
        string? hash = null;
        if (name.Length > 0 && password.Length <= MaxPasswordLength)
        {
            await using var c = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
            hash = await c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
                "SELECT password_hash FROM users WHERE name = @name", new { name }, cancellationToken: ct)).ConfigureAwait(false);
        }
        if (hash is null)
        {
            PasswordHasher.SpendVerificationTime(password.Length <= MaxPasswordLength ? password : "");
            return false;
        }
        return PasswordHasher.Verify(password, hash);
    }

    /// <summary>Why <paramref name="name"/> cannot be a user name, or null when it can. The rule is Django's
    /// (letters, digits and <c>@ . + - _</c>, at most 150 characters), which also keeps out the colon that HTTP
    /// Basic authentication uses as separator.</summary>
    public static string? ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "the user name must not be empty";
        }
        if (name.Length > 150 || !NamePattern().IsMatch(name))
        {
            return $"invalid user name '{name}': use at most 150 letters, digits and @ . + - _";
        }
        return null;
    }

    [GeneratedRegex(@"^[\w.@+-]+$")]
    private static partial Regex NamePattern();
}
