using System.Text.Json;

namespace Anvil.Runner;

/// <summary>The <c>playbook_on_stats</c> counts per host; <c>Dark</c> is the unreachable count, as Ansible names it.</summary>
public sealed record PlaybookStats(
    IReadOnlyDictionary<string, int> Ok,
    IReadOnlyDictionary<string, int> Changed,
    IReadOnlyDictionary<string, int> Dark,
    IReadOnlyDictionary<string, int> Failures,
    IReadOnlyDictionary<string, int> Ignored,
    IReadOnlyDictionary<string, int> Rescued,
    IReadOnlyDictionary<string, int> Skipped,
    IReadOnlyDictionary<string, int> Processed)
{
    /// <summary>Reads the <c>event_data</c> of a <c>playbook_on_stats</c> event; a missing count is empty.</summary>
    public static PlaybookStats FromEventData(JsonElement data) => new(
        Counts(data, "ok"), Counts(data, "changed"), Counts(data, "dark"), Counts(data, "failures"),
        Counts(data, "ignored"), Counts(data, "rescued"), Counts(data, "skipped"), Counts(data, "processed"));

    /// <summary>Every host that appears in any count.</summary>
    public IEnumerable<string> Hosts => new[] { Ok, Changed, Dark, Failures, Ignored, Rescued, Skipped, Processed }
        .SelectMany(d => d.Keys).Distinct().Order(StringComparer.Ordinal);

    private static Dictionary<string, int> Counts(JsonElement data, string name)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var map) &&
            map.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in map.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out var n))
                {
                    result[p.Name] = n;
                }
            }
        }
        return result;
    }
}
