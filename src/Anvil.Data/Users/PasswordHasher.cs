using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Anvil.Data.Users;

/// <summary>
/// Password hashes in the <c>pbkdf2_sha256$iterations$salt$hash</c> form (PBKDF2-HMAC-SHA256, base64 hash over the
/// UTF-8 salt text). It is the layout Django uses, so hashes from an ARA server's user table verify here too.
/// </summary>
public static class PasswordHasher
{
    /// <summary>Iterations for new hashes: OWASP's 2023 minimum for PBKDF2-HMAC-SHA256.</summary>
    public const int Iterations = 210_000;

    private const string Algorithm = "pbkdf2_sha256";
    private const int HashBytes = 32;
    private const string SaltAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>Hashes <paramref name="password"/> with a fresh random salt (22 characters, about 131 bits).</summary>
    public static string Hash(string password, int iterations = Iterations)
    {
        var salt = RandomNumberGenerator.GetString(SaltAlphabet, 22);
        var hash = Derive(password, salt, iterations);
        return string.Create(CultureInfo.InvariantCulture, $"{Algorithm}${iterations}${salt}${Convert.ToBase64String(hash)}");
    }

    /// <summary>True when <paramref name="password"/> matches <paramref name="encoded"/>; false for any other
    /// input, including a malformed or foreign hash.</summary>
    public static bool Verify(string password, string encoded)
    {
        var parts = encoded.Split('$');
        if (parts.Length != 4 || parts[0] != Algorithm ||
            !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 1)
        {
            return false;
        }
        byte[] expected;
        try
        {
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }
        if (expected.Length < 16)
        {
            return false; // an empty or truncated hash must never match
        }
        var actual = Derive(password, parts[2], iterations, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Spends the time of one verification without a stored hash, so that an unknown user name cannot be
    /// told apart from a wrong password by timing.</summary>
    public static void SpendVerificationTime(string password) => Derive(password, "anvil-no-such-user", Iterations);

    private static byte[] Derive(string password, string salt, int iterations, int length = HashBytes) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(salt), iterations,
            HashAlgorithmName.SHA256, length);
}
