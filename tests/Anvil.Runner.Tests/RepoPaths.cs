namespace Anvil.Runner.Tests;

internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Reference => Path.GetFullPath(Path.Combine(Root, "..", "shared", "reference"));

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

internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "anvil-test-" + Guid.NewGuid().ToString("N")[..12]);

    public string File(string relative, string content)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, content);
        return full;
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
