using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Anvil.Data;
using Dapper;

namespace Anvil.Data.Users;

/// <summary>An API token as listed: never its secret (the database does not have it).</summary>
public sealed record ApiToken(long Id, string User, string? Name, DateTimeOffset Created, DateTimeOffset? LastUsed, DateTimeOffset? Revoked)
{
    /// <summary>Whether the token was revoked: it no longer authenticates.</summary>
    public bool IsRevoked => Revoked is not null;
}

/// <summary>A token just made: <see cref="Secret"/> is shown this once and never stored.</summary>
public sealed record NewApiToken(ApiToken Token, string Secret);

/// <summary>Who a token belongs to.</summary>
public sealed record TokenOwner(long TokenId, string User, bool Admin);

/// <summary>
/// API tokens for <c>Authorization: Token …</c> (ansible-galaxy's <c>token</c> setting), table
/// <c>registry_tokens</c>. A token is 256 random bits; only its SHA-256 is stored, which is enough for a secret of
/// that entropy (a slow hash protects guessable passwords, not random keys) and keeps each check to one indexed
/// lookup.
/// </summary>
public sealed class TokenStore(AnvilDatabase db)
{
    /// <summary>Every token starts with this, so that it can be recognised in a file or a leak scanner.</summary>
    public const string Prefix = "anvil_";

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    // Last use is written at most this often per token: a check is a read, not a write per request.
    private static readonly long LastUseResolution = TimeSpan.FromMinutes(5).Ticks / 10;

    /// <summary>Makes a token for <paramref name="user"/>.</summary>
    /// <exception cref="UserStoreException">No such user.</exception>
    public async Task<NewApiToken> CreateAsync(string user, string? name = null, CancellationToken ct = default)
    {
        // 43 characters of 62 ≈ 256 bits.
        var secret = Prefix + RandomNumberGenerator.GetString(Alphabet, 43);
        var hash = Hash(secret);
        var now = db.NowMicros();
        var id = await db.WriteAsync(async (c, tx) =>
        {
            var userId = await c.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT id FROM users WHERE name = @user", new { user }, tx,
                cancellationToken: ct)).ConfigureAwait(false) ?? throw new UserStoreException($"user '{user}' does not exist");
            return await c.ExecuteScalarAsync<long>(new CommandDefinition(
                "INSERT INTO registry_tokens (created, user_id, name, token_sha256) VALUES (@now, @userId, @name, @hash) RETURNING id",
                new { now, userId, name, hash }, tx, cancellationToken: ct)).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        return new NewApiToken(new ApiToken(id, user, name, Clock.FromMicros(now), null, null), secret);
    }

    /// <summary>Tokens, by id: <paramref name="user"/>'s, or everyone's when null.</summary>
    public async Task<IReadOnlyList<ApiToken>> ListAsync(string? user = null, CancellationToken ct = default)
    {
        await using var c = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        var where = user is null ? "" : " WHERE u.name = @user";
        var rows = await c.QueryAsync<Row>(new CommandDefinition(
            "SELECT t.id AS Id, u.name AS UserName, t.name AS Name, t.created AS Created, t.last_used AS LastUsed, t.revoked AS Revoked " +
            $"FROM registry_tokens t JOIN users u ON u.id = t.user_id{where} ORDER BY t.id", new { user }, cancellationToken: ct)).ConfigureAwait(false);
        return rows.Select(r => r.ToToken()).ToList();
    }

    /// <summary>Revokes a token given by its id (digits) or by the token itself; false when there is no such token
    /// or it was already revoked.</summary>
    public async Task<bool> RevokeAsync(string idOrToken, CancellationToken ct = default)
    {
        var now = db.NowMicros();
        var byId = idOrToken.Length is > 0 and < 19 && idOrToken.All(char.IsAsciiDigit);
        var sql = byId
            ? "UPDATE registry_tokens SET revoked = @now WHERE id = @id AND revoked IS NULL"
            : "UPDATE registry_tokens SET revoked = @now WHERE token_sha256 = @hash AND revoked IS NULL";
        var args = byId
            ? (object)new { now, id = long.Parse(idOrToken, CultureInfo.InvariantCulture) }
            : new { now, hash = Hash(idOrToken) };
        return await db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(sql, args, tx, cancellationToken: ct)), ct)
            .ConfigureAwait(false) > 0;
    }

    /// <summary>The owner of a valid (existing, not revoked) token, or null.</summary>
    public async Task<TokenOwner?> AuthenticateAsync(string token, CancellationToken ct = default)
    {
        if (token.Length is 0 or > 200)
        {
            return null;
        }
        var hash = Hash(token);
        Row? row;
        await using (var c = await db.OpenConnectionAsync(ct).ConfigureAwait(false))
        {
            row = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
                "SELECT t.id AS Id, u.name AS UserName, u.is_admin AS Admin, t.last_used AS LastUsed, t.revoked AS Revoked, t.created AS Created " +
                "FROM registry_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_sha256 = @hash", new { hash }, cancellationToken: ct))
                .ConfigureAwait(false);
        }
        if (row is null || row.Revoked is not null)
        {
            return null;
        }
        var now = db.NowMicros();
        if (row.LastUsed is not { } last || now - last > LastUseResolution)
        {
            await db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
                "UPDATE registry_tokens SET last_used = @now WHERE id = @id", new { now, id = row.Id }, tx, cancellationToken: ct)), ct).ConfigureAwait(false);
        }
        return new TokenOwner(row.Id, row.UserName, Convert.ToBoolean(row.Admin, CultureInfo.InvariantCulture));
    }

    /// <summary>The stored form of a token: lower-case hex SHA-256 of its UTF-8 bytes.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private sealed class Row
    {
        public long Id { get; set; }

        public string UserName { get; set; } = "";

        public string? Name { get; set; }

        public object Admin { get; set; } = 0L;

        public long Created { get; set; }

        public long? LastUsed { get; set; }

        public long? Revoked { get; set; }

        public ApiToken ToToken() => new(Id, UserName, Name, Clock.FromMicros(Created),
            LastUsed is { } l ? Clock.FromMicros(l) : null, Revoked is { } r ? Clock.FromMicros(r) : null);
    }
}
