using System.Globalization;

namespace Anvil.Data;

/// <summary>Times as stored: integer microseconds since the Unix epoch, UTC; and their ARA text forms. The current
/// time always comes from a <see cref="TimeProvider"/> (an <see cref="AnvilDatabase"/> carries one as
/// <see cref="AnvilDatabase.Time"/>), so that tests can run on a fake clock.</summary>
public static class Clock
{
    private const long TicksPerMicro = TimeSpan.TicksPerMillisecond / 1000;

    /// <summary>The current time of <paramref name="time"/> in microseconds since the epoch.</summary>
    public static long NowMicros(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return ToMicros(time.GetUtcNow());
    }

    /// <summary><paramref name="t"/> in microseconds since the epoch (sub-microsecond ticks are dropped).</summary>
    public static long ToMicros(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TicksPerMicro;

    /// <summary>The UTC time of a stored value; the inverse of <see cref="ToMicros"/>.</summary>
    public static DateTimeOffset FromMicros(long micros) =>
        new(DateTimeOffset.UnixEpoch.UtcTicks + micros * TicksPerMicro, TimeSpan.Zero);

    /// <summary>ARA's datetime form: <c>2026-11-21T22:45:23.308493Z</c>, without the fraction when it is zero.</summary>
    public static string Format(long micros)
    {
        var t = FromMicros(micros);
        return t.ToString(micros % 1_000_000 == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'",
            CultureInfo.InvariantCulture);
    }

    /// <summary>ARA's duration form: <c>00:00:05.887741</c>, <c>00:00:01</c>, <c>1 02:03:04.000005</c>.</summary>
    public static string FormatDuration(long micros)
    {
        var d = TimeSpan.FromTicks(micros * TicksPerMicro);
        var sign = d < TimeSpan.Zero ? "-" : "";
        d = d.Duration();
        var days = d.Days > 0 ? d.Days.ToString(CultureInfo.InvariantCulture) + " " : "";
        var frac = micros % 1_000_000 == 0 ? "" : "." + (Math.Abs(micros) % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        return $"{sign}{days}{d.Hours:D2}:{d.Minutes:D2}:{d.Seconds:D2}{frac}";
    }

    /// <summary>Parses an ISO 8601 datetime as ARA accepts it (offset, <c>Z</c>, or naive = UTC); null when invalid.
    /// A date without a time is invalid, as in ARA.</summary>
    public static long? Parse(string text)
    {
        if (text.Length < 11 || !text.Contains('T', StringComparison.Ordinal) && !text.Contains(' ', StringComparison.Ordinal))
        {
            return null;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? ToMicros(t)
            : null;
    }
}
