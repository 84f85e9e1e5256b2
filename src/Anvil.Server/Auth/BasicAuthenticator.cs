using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Anvil.Data.Users;
using Microsoft.Extensions.Options;

namespace Anvil.Server.Auth;

/// <summary>What an <c>Authorization</c> header amounted to.</summary>
internal enum AuthOutcome
{
    /// <summary>No credentials (no header, or a scheme other than Basic and Token).</summary>
    Anonymous,

    /// <summary>Valid Basic credentials or API token.</summary>
    Authenticated,

    /// <summary>Credentials that are malformed or wrong (or a revoked token): the request gets 401 whatever it asks for, as
    /// Django REST framework does.</summary>
    Failed,
}

internal readonly record struct AuthResult(AuthOutcome Outcome, string? User = null, string? Error = null);

/// <summary>
/// HTTP Basic authentication against the <see cref="UserStore"/>, and <c>Authorization: Token …</c> against the
/// registry's API tokens (<see cref="TokenStore"/>). A PBKDF2 check costs about a tenth of a second,
/// and ARA's callback sends several requests per task (ARA hashes on every one: issue #283 doubled playbook times),
/// so verified credentials are remembered for a short while, keyed by an HMAC of <c>user:password</c> under a
/// per-process random key (the cache never holds a password or a plain hash of one). Any add or remove in the
/// store empties it.
/// </summary>
internal sealed class BasicAuthenticator(UserStore users, TokenStore tokens, IOptions<RecordsServerOptions> options, TimeProvider time)
{
    private const int MaxEntries = 10_000;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);
    private long _verifications;

    private sealed record Entry(Lazy<Task<bool>> Check, long Expires, long Version);

    /// <summary>How many times a password was actually checked against its hash (for tests and diagnostics).</summary>
    public long Verifications => Interlocked.Read(ref _verifications);

    public async ValueTask<AuthResult> AuthenticateAsync(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return new(AuthOutcome.Anonymous);
        }
        var parts = authorization.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts[0].Equals("Token", StringComparison.OrdinalIgnoreCase))
        {
            // ansible-galaxy's "token" setting: an API token of the registry (one indexed lookup of its SHA-256).
            if (parts.Length != 2)
            {
                return new(AuthOutcome.Failed, Error: "Invalid token header. A token must be one word without spaces.");
            }
            var owner = await tokens.AuthenticateAsync(parts[1], CancellationToken.None).ConfigureAwait(false);
            return owner is null
                ? new(AuthOutcome.Failed, Error: "Invalid token.")
                : new(AuthOutcome.Authenticated, owner.User);
        }
        if (!parts[0].Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            // Other schemes (Bearer) are not Anvil's: the request stays anonymous.
            return new(AuthOutcome.Anonymous);
        }
        if (parts.Length == 1)
        {
            return new(AuthOutcome.Failed, Error: "Invalid basic header. No credentials provided.");
        }
        if (parts.Length > 2)
        {
            return new(AuthOutcome.Failed, Error: "Invalid basic header. Credentials string should not contain spaces.");
        }
        var decoded = Decode(parts[1]);
        var colon = decoded?.IndexOf(':') ?? -1;
        if (decoded is null || colon < 0)
        {
            return new(AuthOutcome.Failed, Error: "Invalid basic header. Credentials not correctly base64 encoded.");
        }
        var user = decoded[..colon];
        var password = decoded[(colon + 1)..];
        return await IsValidAsync(user, password).ConfigureAwait(false)
            ? new(AuthOutcome.Authenticated, user)
            : new(AuthOutcome.Failed, Error: "Invalid username/password.");
    }

    private async Task<bool> IsValidAsync(string user, string password)
    {
        var key = CacheKey(user, password);
        var now = time.GetTimestamp();
        var version = users.Version;
        if (_cache.Count >= MaxEntries)
        {
            _cache.Clear(); // bounded memory; the price is one re-check per client
        }
        var entry = _cache.AddOrUpdate(key,
            _ => NewEntry(user, password, now, version),
            (_, old) => old.Version == version && now < old.Expires ? old : NewEntry(user, password, now, version));
        bool valid;
        try
        {
            // Concurrent requests with the same credentials share one check.
            valid = await entry.Check.Value.ConfigureAwait(false);
        }
        catch
        {
            _cache.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            throw;
        }
        if (!valid)
        {
            // Only successes are remembered: a user added by another process must be able to log in at once.
            _cache.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        }
        return valid;
    }

    private Entry NewEntry(string user, string password, long now, long version)
    {
        var duration = options.Value.CredentialCacheDuration;
        var expires = now + (long)(duration.TotalSeconds * time.TimestampFrequency);
        return new Entry(new Lazy<Task<bool>>(() =>
        {
            Interlocked.Increment(ref _verifications);
            // Not tied to one request's cancellation: other requests may be waiting for the same answer.
            return users.VerifyAsync(user, password, CancellationToken.None);
        }), expires, version);
    }

    private string CacheKey(string user, string password)
    {
        var text = Encoding.UTF8.GetBytes(user + ":" + password);
        try
        {
            return Convert.ToBase64String(HMACSHA256.HashData(_key, text));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(text);
        }
    }

    private static string? Decode(string base64)
    {
        var bytes = new byte[(base64.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(base64, bytes, out var written))
        {
            return null;
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, written);
        }
        catch (DecoderFallbackException)
        {
            // Clients that are not UTF-8 send Latin-1 (RFC 7617 leaves the charset open).
            return Encoding.Latin1.GetString(bytes, 0, written);
        }
    }
}
