using System.Text.RegularExpressions;
using Anvil.Galaxy.Metadata;

namespace Anvil.Galaxy.Building;

/// <summary>How a path of the source tree goes into the artifact.</summary>
public enum SourceKind
{
    /// <summary>A directory: a <c>dir</c> entry and a directory member.</summary>
    Directory,

    /// <summary>A symlink to a directory inside the collection: a <c>dir</c> entry and a symlink member.</summary>
    DirectoryLink,

    /// <summary>A file, or a symlink to a file outside the collection (its content is stored).</summary>
    File,

    /// <summary>A symlink to a file inside the collection: a <c>file</c> entry (the target's checksum) and a
    /// symlink member.</summary>
    FileLink,
}

/// <summary>One path of a collection source tree chosen for the artifact.</summary>
/// <param name="Name">Relative, with <c>/</c>.</param>
/// <param name="Kind">How it goes into the artifact.</param>
/// <param name="ContentPath">Where the bytes are read (the resolved target for links and outside links).</param>
/// <param name="LinkTarget">For links, the target relative to the link's directory.</param>
/// <param name="Executable">Whether the owner may execute it (the member gets 0755, else 0644).</param>
public sealed record SourceItem(string Name, SourceKind Kind, string ContentPath, string? LinkTarget, bool Executable)
{
    /// <summary>A directory, or a link to one (archived as a directory).</summary>
    public bool IsDirectory => Kind is SourceKind.Directory or SourceKind.DirectoryLink;

    /// <summary>The content's size (files).</summary>
    public long Size { get; init; }
}

/// <summary>A source tree walked before its galaxy.yml is read (so the two overlap), with only the fixed ignore
/// rules applied; <see cref="SourceTree.Collect"/> applies the rest.</summary>
public sealed class WalkedTree
{
    internal WalkedTree(string root, List<WalkedEntry> entries)
    {
        Root = root;
        Entries = entries;
    }

    internal string Root { get; }

    internal List<WalkedEntry> Entries { get; }
}

/// <summary>A path met by the walk: an item, or a problem or warning that counts only if no pattern drops it.</summary>
internal sealed record WalkedEntry(string Rel, bool IsDirectory, SourceItem? Item, string? Problem, string? Warning);

/// <summary>
/// Chooses the files of a build as ansible-galaxy 2.14 does: by walking the tree with its ignore rules, or with
/// MANIFEST.in directives when galaxy.yml has <c>manifest:</c>. Unlike ansible-galaxy the walk is sorted (by code
/// point), so the result does not depend on the file system's directory order, and a dangling symlink, a FIFO or
/// a device is an error rather than a hang or a half-built artifact.
/// </summary>
public static class SourceTree
{
    private static readonly HashSet<string> IgnoredDirectoryNames = ["CVS", ".bzr", ".hg", ".git", ".svn", "__pycache__", ".tox"];

    /// <summary>The entries, in FILES.json order (without <c>.</c>). <paramref name="warn"/> receives the paths
    /// skipped with a warning (symlinked directories outside the collection).</summary>
    public static List<SourceItem> Collect(string collectionDir, GalaxyYml meta, Action<string>? warn = null, WalkedTree? walked = null)
    {
        if (meta.Manifest is { } control)
        {
            var root = Posix.RealPath(collectionDir) ?? throw new GalaxyException($"{collectionDir}: not found");
            return CollectDirectives(root, meta.Info.Namespace, meta.Info.Name, control);
        }
        return Filter(walked ?? Walk(collectionDir), meta.Info.Namespace, meta.Info.Name, meta.BuildIgnore, warn);
    }

    // The rules that do not depend on galaxy.yml.
    private static readonly Regex[] FixedPatterns =
        new[] { "MANIFEST.json", "FILES.json", "galaxy.yml", "galaxy.yaml", ".git", "*.pyc", "*.retry", "tests/output" }.Select(Glob.FnMatch).ToArray();

    /// <summary>Walk mode, first half: every path except MANIFEST.json, FILES.json, galaxy.yml/.yaml, .git,
    /// *.pyc, *.retry, tests/output and version-control and cache directories at any depth (which never depend on
    /// galaxy.yml).</summary>
    public static WalkedTree Walk(string collectionDir)
    {
        var root = Posix.RealPath(collectionDir) ?? throw new GalaxyException($"{collectionDir}: not found");
        var entries = new List<WalkedEntry>();
        WalkDirectory(root, "", root, entries);
        return new WalkedTree(root, entries);
    }

    /// <summary>Walk mode, second half: earlier builds (NS-NAME-*.tar.gz) and what build_ignore lists (fnmatch
    /// patterns on the relative path, where * also matches /) go too, a directory with all that is below it.</summary>
    private static List<SourceItem> Filter(WalkedTree walked, string ns, string name, IReadOnlyList<string> buildIgnore, Action<string>? warn)
    {
        var patterns = new[] { $"{ns}-{name}-*.tar.gz" }.Concat(buildIgnore).Select(Glob.FnMatch).ToArray();
        var items = new List<SourceItem>(walked.Entries.Count);
        string? dropped = null;
        foreach (var e in walked.Entries)
        {
            if (dropped is not null && e.Rel.StartsWith(dropped, StringComparison.Ordinal))
            {
                continue;
            }
            if (patterns.Any(p => p.IsMatch(e.Rel)))
            {
                dropped = e.IsDirectory ? e.Rel + "/" : dropped;
                continue;
            }
            if (e.Problem is not null)
            {
                throw new GalaxyException(e.Problem);
            }
            if (e.Warning is not null)
            {
                warn?.Invoke(e.Warning);
            }
            if (e.Item is not null)
            {
                items.Add(e.Item);
            }
        }
        return items;
    }

    private static void WalkDirectory(string dir, string relDir, string root, List<WalkedEntry> entries)
    {
        var names = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).OfType<string>().ToList();
        names.Sort(CodePointComparer.Instance);
        foreach (var entry in names)
        {
            var full = Path.Combine(dir, entry);
            var rel = relDir.Length == 0 ? entry : relDir + "/" + entry;
            var type = Posix.TypeOf(full, follow: false, out var executable, out var size);
            var isLink = type == PosixFileType.Symlink;
            var targetType = isLink ? Posix.TypeOf(full, follow: true, out _) : type;
            if (targetType == PosixFileType.Directory)
            {
                if (IgnoredDirectoryNames.Contains(entry) || FixedPatterns.Any(p => p.IsMatch(rel)))
                {
                    continue;
                }
                if (isLink)
                {
                    var target = Posix.RealPath(full)!;
                    entries.Add(Posix.IsWithin(target, root)
                        ? new WalkedEntry(rel, true, new SourceItem(rel, SourceKind.DirectoryLink, target, Path.GetRelativePath(dir, target), false), null, null)
                        : new WalkedEntry(rel, true, null, null, $"Skipping '{full}' as it is a symbolic link to a directory outside the collection"));
                    continue;
                }
                entries.Add(new WalkedEntry(rel, true, new SourceItem(rel, SourceKind.Directory, full, null, false), null, null));
                WalkDirectory(full, rel, root, entries);
                continue;
            }
            if (FixedPatterns.Any(p => p.IsMatch(rel)))
            {
                continue;
            }
            try
            {
                entries.Add(new WalkedEntry(rel, false, isLink ? FileItem(full, rel, dir, root, true, targetType) : RegularItem(full, rel, targetType, executable, size), null, null));
            }
            catch (GalaxyException e)
            {
                entries.Add(new WalkedEntry(rel, false, null, e.Message, null));
            }
        }
    }

    private static SourceItem RegularItem(string full, string rel, PosixFileType type, bool executable, long size) =>
        type == PosixFileType.Regular
            ? new SourceItem(rel, SourceKind.File, full, null, executable) { Size = size }
            : throw new GalaxyException($"{full}: not a regular file (a FIFO, socket or device cannot go into a collection); remove it or add it to build_ignore");

    private static SourceItem FileItem(string full, string rel, string dir, string root, bool isLink, PosixFileType targetType)
    {
        if (targetType == PosixFileType.Missing)
        {
            throw new GalaxyException($"{full}: a symbolic link to nothing ({File.ResolveLinkTarget(full, false)?.FullName ?? "?"}); remove it or add it to build_ignore");
        }
        if (targetType != PosixFileType.Regular)
        {
            throw new GalaxyException($"{full}: not a regular file (a FIFO, socket or device cannot go into a collection); remove it or add it to build_ignore");
        }
        if (!isLink)
        {
            Posix.TypeOf(full, follow: false, out var exec, out var length);
            return new SourceItem(rel, SourceKind.File, full, null, exec) { Size = length };
        }
        var target = Posix.RealPath(full)!;
        Posix.TypeOf(target, follow: false, out var executable, out var size);
        return Posix.IsWithin(target, root)
            ? new SourceItem(rel, SourceKind.FileLink, target, Path.GetRelativePath(dir, target), executable) { Size = size }
            : new SourceItem(rel, SourceKind.File, target, null, executable) { Size = size };
    }

    private static List<SourceItem> CollectDirectives(string root, string ns, string name, ManifestControl control)
    {
        var m = new ManifestDirectives(root);
        foreach (var directive in ManifestDirectives.WithDefaults(control, ns, name))
        {
            m.Process(directive);
        }
        var items = new List<SourceItem>();
        foreach (var abs in m.Sorted())
        {
            if (abs == root)
            {
                // distlib lists the root among the directories; ansible-galaxy writes it as a second "." entry.
                items.Add(new SourceItem(".", SourceKind.Directory, root, null, false));
                continue;
            }
            var rel = abs[(root.Length + 1)..];
            var type = Posix.TypeOf(abs, follow: false, out _);
            var isLink = type == PosixFileType.Symlink;
            var targetType = isLink ? Posix.TypeOf(abs, follow: true, out _) : type;
            var dir = Path.GetDirectoryName(abs)!;
            if (targetType == PosixFileType.Directory)
            {
                var target = isLink ? Posix.RealPath(abs)! : abs;
                items.Add(isLink && Posix.IsWithin(target, root)
                    ? new SourceItem(rel, SourceKind.DirectoryLink, target, Path.GetRelativePath(dir, target), false)
                    : new SourceItem(rel, SourceKind.Directory, target, null, false));
                continue;
            }
            items.Add(FileItem(abs, rel, dir, root, isLink, targetType));
        }
        return items;
    }
}

/// <summary>Orders strings by Unicode code point, as Python sorts them.</summary>
internal sealed class CodePointComparer : IComparer<string>
{
    public static CodePointComparer Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }
        var n = Math.Min(x.Length, y.Length);
        for (var i = 0; i < n; i++)
        {
            var a = x[i];
            var b = y[i];
            if (a == b)
            {
                continue;
            }
            // Surrogates (code points above U+FFFF) sort after every other UTF-16 unit in code point order.
            var sa = char.IsSurrogate(a);
            var sb = char.IsSurrogate(b);
            if (sa != sb)
            {
                return sa ? 1 : -1;
            }
            return a.CompareTo(b);
        }
        return x.Length.CompareTo(y.Length);
    }
}

/// <summary>
/// MANIFEST.in directives (include, exclude, recursive-include, recursive-exclude, global-include, global-exclude,
/// graft, prune) with the meaning distlib gives them, which is what ansible-galaxy's <c>manifest:</c> mode uses:
/// patterns are matched against absolute paths, <c>*</c> and <c>?</c> do not cross <c>/</c>, and only files are
/// selected; the directories above them are added afterwards.
/// </summary>
internal sealed class ManifestDirectives
{
    private static readonly string[] Actions =
        ["include", "exclude", "global-include", "global-exclude", "recursive-include", "recursive-exclude", "graft", "prune"];

    // The plugin types ansible-core 2.14 documents, whose YAML docs a build keeps by default (modules and
    // module_utils have their own lines).
    private static readonly string[] DocumentablePluginTypes =
        ["become", "cache", "callback", "cliconf", "connection", "filter", "httpapi", "inventory", "lookup", "netconf", "shell", "strategy", "test", "vars"];

    private readonly string _base;
    private List<string>? _all;
    private readonly HashSet<string> _files = new(StringComparer.Ordinal);

    public ManifestDirectives(string root) => _base = root;

    /// <summary>ansible-galaxy's directive list: the defaults (unless omitted), the user's, then the fixed excludes.</summary>
    public static IEnumerable<string> WithDefaults(ManifestControl control, string ns, string name)
    {
        if (control.OmitDefaultDirectives)
        {
            return control.Directives;
        }
        var list = new List<string>
        {
            "include meta/*.yml",
            "include *.txt *.md *.rst COPYING LICENSE",
            "recursive-include tests **",
            "recursive-include docs **.rst **.yml **.yaml **.json **.j2 **.txt",
            "recursive-include roles **.yml **.yaml **.json **.j2",
            "recursive-include playbooks **.yml **.yaml **.json",
            "recursive-include changelogs **.yml **.yaml",
            "recursive-include plugins */**.py",
        };
        list.AddRange(DocumentablePluginTypes.Select(t => $"recursive-include plugins/{t} **.yml **.yaml"));
        list.Add("recursive-include plugins/modules **.ps1 **.yml **.yaml");
        list.Add("recursive-include plugins/module_utils **.ps1 **.psm1 **.cs");
        list.AddRange(control.Directives);
        list.Add($"exclude galaxy.yml galaxy.yaml MANIFEST.json FILES.json {ns}-{name}-*.tar.gz");
        list.Add("recursive-exclude tests/output **");
        list.Add("global-exclude /.* /__pycache__");
        return list;
    }

    /// <summary>Why the directive is malformed, or null.</summary>
    public static string? Validate(string directive)
    {
        var words = directive.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return "an empty directive";
        }
        var action = words.Length == 1 && !Actions.Contains(words[0]) ? "include" : words[0];
        var args = words.Length == 1 && !Actions.Contains(words[0]) ? 1 : words.Length - 1;
        return action switch
        {
            "include" or "exclude" or "global-include" or "global-exclude" when args < 1 => $"'{action}' expects <pattern1> <pattern2> ...",
            "recursive-include" or "recursive-exclude" when args < 2 => $"'{action}' expects <dir> <pattern1> <pattern2> ...",
            "graft" or "prune" when args != 1 => $"'{action}' expects a single <dir_pattern>",
            _ when !Actions.Contains(action) => $"unknown action '{action}' (one of {string.Join(", ", Actions)})",
            _ => null,
        };
    }

    public void Process(string directive)
    {
        if (Validate(directive) is { } why)
        {
            throw new GalaxyException($"invalid manifest directive '{directive}': {why}");
        }
        var words = directive.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToList();
        if (words.Count == 1 && !Actions.Contains(words[0]))
        {
            words.Insert(0, "include");
        }
        var action = words[0];
        switch (action)
        {
            case "include":
                words.Skip(1).ToList().ForEach(p => Include(Translate(p, anchor: true, prefix: null)));
                break;
            case "exclude":
                words.Skip(1).ToList().ForEach(p => Exclude(Translate(p, anchor: true, prefix: null)));
                break;
            case "global-include":
                words.Skip(1).ToList().ForEach(p => Include(Translate(p, anchor: false, prefix: null)));
                break;
            case "global-exclude":
                words.Skip(1).ToList().ForEach(p => Exclude(Translate(p, anchor: false, prefix: null)));
                break;
            case "recursive-include":
                words.Skip(2).ToList().ForEach(p => Include(Translate(p, anchor: true, prefix: words[1])));
                break;
            case "recursive-exclude":
                words.Skip(2).ToList().ForEach(p => Exclude(Translate(p, anchor: true, prefix: words[1])));
                break;
            case "graft":
                Include(Translate(null, anchor: true, prefix: words[1]));
                break;
            case "prune":
                Exclude(Translate(null, anchor: true, prefix: words[1]));
                break;
        }
    }

    private Regex Translate(string? pattern, bool anchor, string? prefix)
    {
        var body = pattern is null ? "" : Glob.DistlibBody(pattern);
        var baseRe = Regex.Escape(_base + "/");
        string re;
        if (prefix is not null)
        {
            re = baseRe + Glob.DistlibBody(prefix) + "/" + ".*" + body;
        }
        else
        {
            re = anchor ? baseRe + body : body;
        }
        // distlib searches (it does not anchor the start); the base path in front anchors in practice.
        return new Regex("(?s:" + re + ")\\z", RegexOptions.CultureInvariant);
    }

    private void Include(Regex re)
    {
        _all ??= FindAll();
        foreach (var f in _all.Where(f => re.IsMatch(f)))
        {
            _files.Add(f);
        }
    }

    private void Exclude(Regex re) => _files.RemoveWhere(re.IsMatch);

    // Every file under the base. Symlinked directories are followed, as distlib does, except into a directory
    // already on the way down (distlib would loop forever).
    private List<string> FindAll()
    {
        var all = new List<string>();
        var stack = new Stack<(string Dir, string[] Ancestors)>();
        stack.Push((_base, [Posix.RealPath(_base) ?? _base]));
        while (stack.Count > 0)
        {
            var (dir, ancestors) = stack.Pop();
            foreach (var full in Directory.EnumerateFileSystemEntries(dir))
            {
                var type = Posix.TypeOf(full, follow: true, out _);
                if (type == PosixFileType.Directory)
                {
                    var real = Posix.RealPath(full) ?? full;
                    if (!ancestors.Contains(real))
                    {
                        stack.Push((full, [.. ancestors, real]));
                    }
                }
                else if (type == PosixFileType.Regular ||
                         (type == PosixFileType.Missing && Posix.TypeOf(full, follow: false, out _) == PosixFileType.Symlink))
                {
                    all.Add(full);
                }
            }
        }
        return all;
    }

    /// <summary>The chosen files and every directory above them up to the base, sorted by (directory, name).</summary>
    public List<string> Sorted()
    {
        var result = new HashSet<string>(_files, StringComparer.Ordinal);
        foreach (var f in _files)
        {
            for (var d = Path.GetDirectoryName(f)!; ; d = Path.GetDirectoryName(d)!)
            {
                if (!result.Add(d) || d == _base)
                {
                    break;
                }
            }
        }
        var keyed = result.Select(p => (Dir: Path.GetDirectoryName(p) ?? "", Name: Path.GetFileName(p), Path: p)).ToList();
        keyed.Sort((a, b) =>
        {
            var c = CodePointComparer.Instance.Compare(a.Dir, b.Dir);
            return c != 0 ? c : CodePointComparer.Instance.Compare(a.Name, b.Name);
        });
        return keyed.Select(k => k.Path).ToList();
    }
}
