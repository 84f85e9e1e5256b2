using System.Globalization;

namespace Anvil.Runner.Events;

/// <summary>Timestamps in ansible-runner 2.3.1's style: naive UTC ISO 8601 with microseconds.</summary>
public static class Timestamps
{
    /// <summary>Now, e.g. <c>2024-05-01T12:34:56.123456</c> (UTC, no offset).</summary>
    public static string NowNaiveUtc() => NowNaiveUtc(TimeProvider.System);

    /// <summary>Now by <paramref name="time"/>, in the same format.</summary>
    public static string NowNaiveUtc(TimeProvider time) =>
        time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
}
