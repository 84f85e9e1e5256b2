namespace Anvil.AraCompat.Tests.Harness;

/// <summary>What one run of tests/fixtures/ara/concurrent.yml records (observed with ARA 1.5.8's callback and server).</summary>
internal static class Concurrent
{
    public const int Tasks = 5, Hosts = 3, ResultsPerRun = 15;

    public static readonly Dictionary<string, HostRecap> Recap = new()
    {
        ["h1"] = new(Ok: 5, Changed: 1, Unreachable: 0, Failed: 0, Skipped: 0, Rescued: 0, Ignored: 0),
        ["h2"] = new(Ok: 5, Changed: 1, Unreachable: 0, Failed: 0, Skipped: 0, Rescued: 0, Ignored: 0),
        ["h3"] = new(Ok: 4, Changed: 1, Unreachable: 0, Failed: 0, Skipped: 1, Rescued: 0, Ignored: 0),
    };
}
