using Anvil.Galaxy.Servers;

namespace Anvil.Galaxy.Installing;

/// <summary>The collections of one collections path.</summary>
public sealed record CollectionsInPath(string Root, IReadOnlyList<InstalledCollection> Collections);

/// <summary>
/// <c>collection list</c>: the collections in every collections path: the <c>-p</c> paths first, then
/// COLLECTIONS_PATHS, then (as Ansible's own search does with <c>COLLECTIONS_SCAN_SYS_PATH</c>) the Python
/// package directories that hold an <c>ansible_collections/</c>, which is where Debian's ansible package puts
/// its collections.
/// </summary>
public static class CollectionLister
{
    /// <summary>Python's package directories that Ansible's Python would scan (those holding collections).</summary>
    public static IEnumerable<string> SystemPaths()
    {
        var candidates = new List<string> { "/usr/lib/python3/dist-packages" };
        foreach (var parent in new[] { "/usr/local/lib", "/usr/lib" })
        {
            if (Directory.Exists(parent))
            {
                candidates.AddRange(Directory.EnumerateDirectories(parent, "python3*").Order(StringComparer.Ordinal)
                    .SelectMany(p => new[] { Path.Combine(p, "dist-packages"), Path.Combine(p, "site-packages") }));
            }
        }
        return candidates.Distinct().Where(p => Directory.Exists(Path.Combine(p, InstalledCollections.CollectionsDirName)));
    }

    /// <summary>The search paths: <paramref name="extra"/> first, then the configured ones, each once.</summary>
    public static List<string> SearchPaths(AnsibleConfig config, IEnumerable<string> extra, bool includeSystem = true)
    {
        var scan = AnsibleConfig.ParseBool(config.Get("defaults", "collections_scan_sys_path", "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH"), true);
        var all = extra.Select(Path.GetFullPath).Concat(config.CollectionsPaths);
        if (includeSystem && scan)
        {
            all = all.Concat(SystemPaths());
        }
        return all.Select(p => p.TrimEnd('/')).Distinct().ToList();
    }

    /// <summary>Lists each path; <paramref name="warnings"/> gets paths that do not exist (except configured
    /// defaults) and collections asked for but not found.</summary>
    public static List<CollectionsInPath> List(IReadOnlyList<string> paths, IReadOnlyCollection<string> quietIfMissing, CollectionName? only,
        List<string> warnings, out bool anyPathUsable)
    {
        var result = new List<CollectionsInPath>();
        anyPathUsable = false;
        var found = false;
        foreach (var path in paths)
        {
            if (!Path.Exists(path))
            {
                if (!quietIfMissing.Contains(path))
                {
                    warnings.Add($"- the configured path {path} does not exist.");
                }
                continue;
            }
            if (!Directory.Exists(path))
            {
                warnings.Add($"- the configured path {path}, exists, but it is not a directory.");
                continue;
            }
            anyPathUsable = true;
            var root = InstalledCollections.CollectionsRoot(path);
            if (!Directory.Exists(root))
            {
                continue;
            }
            List<InstalledCollection> collections;
            if (only is { } name)
            {
                var dir = Path.Combine(root, name.Namespace, name.Name);
                if (!Directory.Exists(dir))
                {
                    continue;
                }
                found = true;
                collections = [InstalledCollections.Read(dir, warnings.Add)];
            }
            else
            {
                collections = InstalledCollections.Find(root, warnings.Add);
            }
            if (collections.Count > 0)
            {
                result.Add(new CollectionsInPath(root, collections.OrderBy(c => $"{c.Name}:{c.Version}", StringComparer.Ordinal).ToList()));
            }
        }
        if (only is { } wanted && !found)
        {
            warnings.Add($"- unable to find {wanted} in collection paths");
        }
        return result;
    }
}
