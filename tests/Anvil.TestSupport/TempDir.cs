namespace Anvil.Tests.Shared;

/// <summary>A temporary directory, optionally a copy of a tree (without its <c>artifacts/</c>), removed on dispose.</summary>
public sealed class TempDir : IDisposable
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
