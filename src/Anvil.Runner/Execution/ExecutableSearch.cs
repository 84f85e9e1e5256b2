namespace Anvil.Runner.Execution;

/// <summary>Finds programs the way a shell does, on a given PATH.</summary>
public static class ExecutableSearch
{
    /// <summary>Finds <paramref name="file"/> on the PATH given in <paramref name="environment"/> (or takes it as
    /// a path when it contains a slash). Returns null when there is no executable file of that name.</summary>
    public static string? Find(string file, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (file.Contains('/'))
        {
            return IsExecutable(file) ? Path.GetFullPath(file) : null;
        }
        var path = (environment is not null ? environment.GetValueOrDefault("PATH") : Environment.GetEnvironmentVariable("PATH"))
                   ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, file);
            if (IsExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static bool IsExecutable(string path)
    {
        try
        {
            return File.Exists(path) &&
                   (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
