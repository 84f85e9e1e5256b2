namespace Anvil.Runner.Execution;

/// <summary>A host path made visible inside a sandbox or container at <see cref="Target"/>.</summary>
public sealed record Mount(string Host, string Target, bool ReadOnly, string? Label = null);

/// <summary>
/// How Ansible sees the host's paths. Run locally, a path is itself. In a bubblewrap sandbox it is itself too, but
/// only what is bound into the sandbox exists, so every path the runner hands Ansible is bound. In a container the
/// private data dir is <c>/runner</c> (as ansible-runner mounts it) and anything else the run needs is mounted at
/// its own path.
/// </summary>
internal sealed class PathView
{
    private readonly List<Mount> _rules = [];
    private readonly List<Mount> _extra = [];
    private readonly bool _isolated;

    private PathView(bool isolated) => _isolated = isolated;

    public static PathView Local() => new(isolated: false);

    /// <summary>A sandbox: <paramref name="bound"/> are bound read-write at their own paths.</summary>
    public static PathView Sandbox(IEnumerable<string> bound)
    {
        var view = new PathView(isolated: true);
        foreach (var path in bound)
        {
            view.MapTree(path, path, readOnly: false);
        }
        return view;
    }

    /// <summary>A container with the private data dir at <c>/runner</c>.</summary>
    public static PathView Container(string privateDataDir)
    {
        var view = new PathView(isolated: true);
        view.MapTree(privateDataDir, "/runner", readOnly: false, label: "Z");
        return view;
    }

    public bool IsIsolated => _isolated;

    /// <summary>The trees mapped explicitly, then what <see cref="See"/> had to add, in that order.</summary>
    public IReadOnlyList<Mount> Mounts => [.. _rules, .. _extra];

    /// <summary>Makes <paramref name="host"/> appear at <paramref name="target"/>; later, deeper mappings win.</summary>
    public void MapTree(string host, string target, bool readOnly, string? label = null)
    {
        if (!_isolated)
        {
            return;
        }
        host = Trim(host);
        if (_rules.Any(r => r.Host == host))
        {
            return;
        }
        _rules.Add(new Mount(host, Trim(target), readOnly, label));
    }

    /// <summary>Where Ansible finds <paramref name="hostPath"/>. A path outside every mapped tree is mounted at its
    /// own location (only that file or directory, never its parent), read-only unless <paramref name="writable"/>.
    /// It must exist when the job starts.</summary>
    public string See(string hostPath, bool writable = false)
    {
        var full = Trim(Path.GetFullPath(hostPath));
        if (!_isolated)
        {
            return full;
        }
        // The deepest mapping that contains the path decides, as the deepest mount does.
        Mount? best = null;
        foreach (var rule in _rules.Concat(_extra))
        {
            if (IsWithin(full, rule.Host) && (best is null || rule.Host.Length > best.Host.Length))
            {
                best = rule;
            }
        }
        if (best is not null)
        {
            return best.Target + full[best.Host.Length..];
        }
        _extra.Add(new Mount(full, full, !writable));
        return full;
    }

    private static bool IsWithin(string path, string root) =>
        path == root || root == "/" || path.StartsWith(root + "/", StringComparison.Ordinal);

    private static string Trim(string path) => path.Length > 1 ? path.TrimEnd('/') : path;
}
