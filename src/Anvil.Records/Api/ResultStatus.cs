namespace Anvil.Records.Api;

/// <summary>
/// The status a result is shown with, computed on read from what is stored (ARA's rule): a changed <c>ok</c> is
/// <c>changed</c>, a <c>failed</c> with <c>ignore_errors</c> is <c>ignored</c>. The API and the web UI both use this,
/// so a result never reads differently in the two.
/// </summary>
public static class ResultStatus
{
    /// <summary>Every shown status, in the order the UI offers them as filters.</summary>
    public static IReadOnlyList<string> Shown { get; } = ["ok", "changed", "failed", "ignored", "skipped", "unreachable", "unknown"];

    /// <summary>The statuses a result is stored with (ARA's model choices): what the API's <c>status</c> filter and
    /// writes accept.</summary>
    public static IReadOnlyList<string> Stored { get; } = ["ok", "failed", "skipped", "unreachable", "unknown"];

    /// <summary>The statuses that are failures (the UI's "what failed"), unless ignored.</summary>
    public static IReadOnlyList<string> Failures { get; } = ["failed", "unreachable"];

    /// <summary>The shown status of a stored one.</summary>
    public static string Of(string stored, bool changed, bool ignoreErrors) => stored switch
    {
        "ok" when changed => "changed",
        "failed" when ignoreErrors => "ignored",
        _ => stored,
    };

    /// <summary>The stored status and the flag values that a shown status stands for (null flag: any value).</summary>
    public static (string Stored, bool? Changed, bool? IgnoreErrors)? StoredOf(string shown) => shown switch
    {
        "ok" => ("ok", false, null),
        "changed" => ("ok", true, null),
        "failed" => ("failed", null, false),
        "ignored" => ("failed", null, true),
        _ when Stored.Contains(shown) => (shown, null, null),
        _ => null,
    };

    /// <summary>A SQL condition on table alias <paramref name="a"/> matching any of <paramref name="shown"/>; the
    /// stored statuses come first as an IN list so that an index on (playbook, status) can serve it.</summary>
    internal static string Condition(ListQuery q, string a, IEnumerable<string> shown)
    {
        var stored = new SortedSet<string>(StringComparer.Ordinal);
        var alternatives = new List<string>();
        foreach (var s in shown.Distinct(StringComparer.Ordinal))
        {
            if (StoredOf(s) is not { } x)
            {
                continue;
            }
            stored.Add(x.Stored);
            var parts = new List<string> { $"{a}.status = {q.Param(x.Stored)}" };
            if (x.Changed is { } changed)
            {
                parts.Add($"{a}.changed = {q.Param(changed)}");
            }
            if (x.IgnoreErrors is { } ignore)
            {
                parts.Add($"{a}.ignore_errors = {q.Param(ignore)}");
            }
            alternatives.Add("(" + string.Join(" AND ", parts) + ")");
        }
        if (stored.Count == 0)
        {
            return "1 = 0";
        }
        return $"{a}.status IN ({string.Join(", ", stored.Select(s => q.Param(s)))}) AND ({string.Join(" OR ", alternatives)})";
    }
}
