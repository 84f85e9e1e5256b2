namespace Anvil.Tests.Shared;

/// <summary>Where things are in the repository, found from the test assembly's location.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Recorded answers and outputs of the reference tools (ARA, ansible-galaxy, ansible-runner), copied into
    /// the repository so that a clone alone runs the tests; <c>tests/fixtures/reference/README.md</c> says what made each.</summary>
    public static string Samples => Path.Combine(Root, "tests", "fixtures", "reference");
    public static string FixturePdd => Path.Combine(Root, "tests", "fixtures", "pdd");
    public static string DemoPdd => Path.Combine(Root, "examples", "demo");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Anvil.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("repository root (Anvil.slnx) not found");
    }
}
