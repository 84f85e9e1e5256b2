using System.Globalization;
using System.Text.RegularExpressions;

namespace Anvil.AraCompat.Tests.Harness;

/// <summary>One host's line of the PLAY RECAP.</summary>
internal sealed record HostRecap(int Ok, int Changed, int Unreachable, int Failed, int Skipped, int Rescued, int Ignored);

/// <summary>Reads the PLAY RECAP that ansible-playbook's default callback prints at the end.</summary>
internal static partial class PlayRecap
{
    public static IReadOnlyDictionary<string, HostRecap> Parse(string stdout)
    {
        var recap = new Dictionary<string, HostRecap>();
        var start = stdout.LastIndexOf("PLAY RECAP", StringComparison.Ordinal);
        if (start < 0)
        {
            return recap;
        }
        foreach (Match m in Line().Matches(stdout[start..]))
        {
            int N(string g) => int.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
            recap[m.Groups["host"].Value] = new HostRecap(N("ok"), N("changed"), N("unreachable"), N("failed"),
                N("skipped"), N("rescued"), N("ignored"));
        }
        return recap;
    }

    [GeneratedRegex(@"^(?<host>\S+)\s+:\s+ok=(?<ok>\d+)\s+changed=(?<changed>\d+)\s+unreachable=(?<unreachable>\d+)\s+failed=(?<failed>\d+)\s+skipped=(?<skipped>\d+)\s+rescued=(?<rescued>\d+)\s+ignored=(?<ignored>\d+)",
        RegexOptions.Multiline)]
    private static partial Regex Line();
}
