using System.Runtime.CompilerServices;

namespace Anvil.Tests.Shared;

/// <summary>Keeps every test run away from the user's own records: ANVIL_HOME points at a fresh directory.</summary>
internal static class TestEnvironment
{
    public static string AnvilHome { get; } =
        Path.Combine(Path.GetTempPath(), "anvil-test-home-" + Guid.NewGuid().ToString("N")[..12]);

#pragma warning disable CA2255 // A module initializer is the one place that runs before any test in the assembly.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Isolate()
    {
        Directory.CreateDirectory(AnvilHome);
        Environment.SetEnvironmentVariable("ANVIL_HOME", AnvilHome);
        Environment.SetEnvironmentVariable("ANVIL_DATABASE", null);
        Environment.SetEnvironmentVariable("ANVIL_RECORD_TO", null);
    }
}

/// <summary>Where things are in the repository, found from the test assembly's location.</summary>
internal static class RepoPaths
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

/// <summary>Loopback ports for servers the tests start.</summary>
internal static class Ports
{
    /// <summary>A TCP port on 127.0.0.1 that nothing listens on right now.</summary>
    public static int Free()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}

/// <summary>A temporary directory, optionally a copy of a tree (without its <c>artifacts/</c>), removed on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir(string? copyFrom = null)
    {
        Directory.CreateDirectory(Path);
        if (copyFrom is not null)
        {
            CopyTree(copyFrom, Path);
        }
    }

    public string Path { get; } =
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), "anvil-test-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Writes a file below the directory, creating folders; returns its full path.</summary>
    public string File(string relative, string content)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, content);
        return full;
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var dir in Directory.EnumerateDirectories(from))
        {
            if (System.IO.Path.GetFileName(dir) != "artifacts")
            {
                CopyTree(dir, System.IO.Path.Combine(to, System.IO.Path.GetFileName(dir)));
            }
        }
        foreach (var file in Directory.EnumerateFiles(from))
        {
            System.IO.File.Copy(file, System.IO.Path.Combine(to, System.IO.Path.GetFileName(file)));
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
