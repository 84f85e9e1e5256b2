using System.Globalization;

namespace Anvil.Runner.Events;

/// <summary>Timestamps in ansible-runner 2.3.1's style: naive UTC ISO 8601 with microseconds.</summary>
public static class Timestamps
{
    public static string NowNaiveUtc() => NowNaiveUtc(TimeProvider.System);

    public static string NowNaiveUtc(TimeProvider time) =>
        time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
}
