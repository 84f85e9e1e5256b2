namespace Anvil.Runner.Execution;

/// <summary>Where the cgroup v2 hierarchy is.</summary>
internal static class Cgroups
{
    /// <summary>The mount point of the cgroup v2 hierarchy (<c>/sys/fs/cgroup</c>, or <c>/sys/fs/cgroup/unified</c>
    /// on hybrid systems), or null when none is mounted.</summary>
    public static string? FindV2Root()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/proc/self/mountinfo");
        }
        catch (IOException)
        {
            return null;
        }
        foreach (var line in lines)
        {
            // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL…] - FSTYPE SOURCE SUPEROPTIONS
            var dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0)
            {
                continue;
            }
            var after = line[(dash + 3)..].Split(' ');
            var before = line[..dash].Split(' ');
            if (after.Length > 0 && after[0] == "cgroup2" && before.Length > 4)
            {
                return Unescape(before[4]);
            }
        }
        return null;
    }

    /// <summary>mountinfo writes space, tab, newline and backslash as three octal digits after a backslash.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\'))
        {
            return field;
        }
        var sb = new System.Text.StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length)
            {
                sb.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }
        return sb.ToString();
    }
}
