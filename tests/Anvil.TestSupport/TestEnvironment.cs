namespace Anvil.Tests.Shared;

/// <summary>Keeps every test run away from the user's own records: ANVIL_HOME points at a fresh directory.</summary>
/// <remarks>A module initializer runs once per assembly, and this library's would run only when one of its types is
/// first touched: so each test assembly has its own one-line <c>[ModuleInitializer]</c> that calls
/// <see cref="Isolate"/> before any of its tests runs.</remarks>
public static class TestEnvironment
{
    /// <summary>The test run's ANVIL_HOME (fresh, below the system's temporary directory).</summary>
    public static string AnvilHome { get; } =
        Path.Combine(Path.GetTempPath(), "anvil-test-home-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Points ANVIL_HOME at <see cref="AnvilHome"/> and clears the variables that would send records
    /// elsewhere. Idempotent.</summary>
    public static void Isolate()
    {
        Directory.CreateDirectory(AnvilHome);
        Environment.SetEnvironmentVariable("ANVIL_HOME", AnvilHome);
        Environment.SetEnvironmentVariable("ANVIL_DATABASE", null);
        Environment.SetEnvironmentVariable("ANVIL_RECORD_TO", null);
    }
}
