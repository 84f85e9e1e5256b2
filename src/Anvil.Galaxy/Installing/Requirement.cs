using Anvil.Galaxy.Metadata;
using Anvil.Galaxy.Servers;
using Anvil.Galaxy.Versioning;

namespace Anvil.Galaxy.Installing;

/// <summary>Where a requirement is satisfied from (<c>type:</c> in requirements.yml).</summary>
public enum RequirementType
{
    /// <summary>By name from Galaxy servers.</summary>
    Galaxy,

    /// <summary>A local tarball.</summary>
    File,

    /// <summary>A tarball at an http(s) URL.</summary>
    Url,

    /// <summary>A collection directory: a source tree with galaxy.yml, or an installed one with MANIFEST.json.</summary>
    Dir,

    /// <summary>A directory whose subdirectories are collections.</summary>
    Subdirs,

    /// <summary>A Git repository.</summary>
    Git,
}

/// <summary>A requested collection: a name and version range from a server, or a concrete artifact.</summary>
/// <param name="Name">The collection; null until a concrete artifact has been read.</param>
/// <param name="Version">The acceptable versions.</param>
/// <param name="Type">Where it comes from.</param>
/// <param name="Location">The path or URL of a concrete artifact.</param>
/// <param name="Server">For <see cref="RequirementType.Galaxy"/>: the server named by <c>source:</c>, else null (all servers).</param>
public sealed record Requirement(
    CollectionName? Name,
    VersionRange Version,
    RequirementType Type,
    string? Location = null,
    GalaxyServerSettings? Server = null)
{
    /// <summary>Points at one artifact (file, URL, directory, git) rather than a version range on a Galaxy server.</summary>
    public bool IsConcrete => Type is not RequirementType.Galaxy;

    /// <summary><c>name:version</c>, or the kind and location of a concrete requirement, for messages.</summary>
    public override string ToString() =>
        Name is { } n ? $"{n}:{Version}" : $"{Type.ToString().ToLowerInvariant()} collection from {Location}";

    /// <summary>A dependency as a collection lists it: <c>ns.name</c> and a range (or a path, which ansible-galaxy
    /// also accepts).</summary>
    public static Requirement Dependency(string name, string range, string source)
    {
        if (!CollectionName.TryParse(name, out var n))
        {
            throw new GalaxyException($"{source}: dependency '{name}' is not a collection name (namespace.name)");
        }
        return VersionRange.TryParse(range, out var r, out var error)
            ? new Requirement(n, r, RequirementType.Galaxy)
            : throw new GalaxyException($"{source}: dependency {name}: {error}");
    }
}

/// <summary>Reads requirements as ansible-galaxy does: command-line arguments and requirements.yml.</summary>
public sealed class RequirementParser(IReadOnlyList<GalaxyServerSettings> servers, string workingDirectory, bool validateCerts = true)
{
    /// <summary>One command-line argument: <c>ns.name</c>, <c>ns.name:RANGE</c>, a tarball, a directory, a URL or
    /// a <c>git+</c> URL.</summary>
    public Requirement FromArgument(string argument)
    {
        if (IsConcretePointer(argument))
        {
            return FromEntry(argument, null, null, null, null, "the command line");
        }
        var colon = argument.IndexOf(':');
        var name = colon < 0 ? argument : argument[..colon];
        var version = colon < 0 ? null : argument[(colon + 1)..];
        return FromEntry(name, version is { Length: > 0 } ? version : null, null, null, null, "the command line");
    }

    /// <summary>The <c>collections:</c> of a requirements file (a <c>roles:</c> list is allowed and ignored).</summary>
    public List<Requirement> FromFile(string path, List<string>? warnings = null)
    {
        var full = Path.GetFullPath(Path.Combine(workingDirectory, path));
        if (!File.Exists(full))
        {
            throw new GalaxyException($"The requirements file '{full}' does not exist.");
        }
        YamlValue? root;
        try
        {
            root = Yaml11.Load(File.ReadAllText(full));
        }
        catch (YamlSyntaxException e)
        {
            throw new GalaxyException($"{full}:{e.Line}: {e.Message}");
        }
        if (root is null or YamlScalar { IsNull: true })
        {
            throw new GalaxyException($"{full}: no requirements found");
        }
        if (root is YamlSequence)
        {
            throw new GalaxyException($"{full}: a list is the old roles-only format; put collections under a 'collections:' key");
        }
        if (root is not YamlMapping map)
        {
            throw new GalaxyException($"{full}: must be a mapping with 'collections' (and/or 'roles')");
        }
        var extra = map.Entries.Where(e => e.Key.Text is not ("roles" or "collections")).Select(e => e.Key.Text).ToList();
        if (extra.Count > 0)
        {
            throw new GalaxyException($"{full}: only 'roles' and 'collections' are allowed at the top, found: {string.Join(", ", extra)}");
        }
        if (map["roles"] is YamlSequence { Items.Count: > 0 })
        {
            warnings?.Add($"{full}: 'roles' are not installed by 'anvil collection' (use ansible-galaxy role install)");
        }
        var result = new List<Requirement>();
        if (map["collections"] is not YamlSequence list)
        {
            return map["collections"] is null or YamlScalar { IsNull: true }
                ? result
                : throw new GalaxyException($"{full}: 'collections' must be a list");
        }
        var baseDir = Path.GetDirectoryName(full)!;
        var parser = new RequirementParser(servers, baseDir, validateCerts);
        for (var i = 0; i < list.Items.Count; i++)
        {
            var where = $"{full}:{list.Items[i].Line}: collections[{i}]";
            switch (list.Items[i])
            {
                case YamlScalar { Kind: YamlScalarKind.String } s:
                    result.Add(parser.FromEntry(s.Text, null, null, null, null, where));
                    break;
                case YamlMapping m:
                    string? Field(string key) => m[key] switch
                    {
                        null or YamlScalar { IsNull: true } => null,
                        YamlScalar s => s.Text,
                        var other => throw new GalaxyException($"{where}: '{key}' must be a single value (line {other.Line})"),
                    };
                    var unknown = m.Entries.Select(e => e.Key.Text).Where(k => k is not ("name" or "version" or "type" or "source" or "signatures")).ToList();
                    if (unknown.Count > 0)
                    {
                        warnings?.Add($"{where}: unknown keys ignored: {string.Join(", ", unknown)}");
                    }
                    if (m["signatures"] is not null)
                    {
                        warnings?.Add($"{where}: 'signatures' are not checked by Anvil (no GnuPG verification)");
                    }
                    result.Add(parser.FromEntry(Field("name"), Field("version"), Field("type"), Field("source"), m["version"] as YamlScalar, where));
                    break;
                default:
                    throw new GalaxyException($"{where}: must be a collection name or a mapping with 'name'");
            }
        }
        return result;
    }

    private Requirement FromEntry(string? name, string? version, string? type, string? source, YamlScalar? versionNode, string where)
    {
        if (versionNode is { Kind: not YamlScalarKind.String and not YamlScalarKind.Null })
        {
            throw new GalaxyException($"{where}: version {versionNode.Text} is read as a number; quote it (e.g. '{versionNode.Text}')");
        }
        RequirementType kind;
        string? location = null;
        if (type is null)
        {
            if (name is not null && CollectionName.TryParse(name, out _))
            {
                kind = RequirementType.Galaxy;
            }
            else if (name is not null && IsConcretePointer(name))
            {
                location = name;
                name = null;
                kind = Infer(location, where);
            }
            else
            {
                var tip = name is not null && Directory.Exists(Resolve(name))
                    ? $" '{name}' is a directory but neither a collection (no galaxy.yml or MANIFEST.json) nor a directory of collections."
                    : name is not null ? $" Could not find {name}." : "";
                throw new GalaxyException($"{where}: '{name}' is neither a collection name (namespace.name, letters, digits and _) nor a tarball, directory or URL.{tip}");
            }
        }
        else
        {
            kind = type switch
            {
                "galaxy" => RequirementType.Galaxy,
                "file" => RequirementType.File,
                "url" => RequirementType.Url,
                "dir" => RequirementType.Dir,
                "subdirs" => RequirementType.Subdirs,
                "git" => RequirementType.Git,
                _ => throw new GalaxyException($"{where}: type '{type}' must be one of file, galaxy, git, dir, subdirs, or url"),
            };
            if (kind != RequirementType.Galaxy)
            {
                location = source ?? name;
                name = source is null ? null : name;
            }
        }
        if (!VersionRange.TryParse(version ?? "*", out var range, out var error))
        {
            throw new GalaxyException($"{where}: version: {error}");
        }
        if (kind == RequirementType.Galaxy)
        {
            if (name is null)
            {
                throw new GalaxyException($"{where}: a requirement from a Galaxy server needs 'name'");
            }
            if (!CollectionName.TryParse(name, out var fqcn))
            {
                throw new GalaxyException($"{where}: '{name}' is not a collection name (namespace.name)");
            }
            GalaxyServerSettings? server = null;
            if (source is not null)
            {
                server = servers.FirstOrDefault(s => s.Name == source || s.Url == source)
                         ?? (source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                             ? GalaxyServerList.AdHoc($"explicit_requirement_{name}", source, null, validateCerts, null)
                             : throw new GalaxyException($"{where}: source '{source}' is neither a configured server name nor an http(s) URL"));
            }
            return new Requirement(fqcn, range, kind, null, server);
        }
        if (location is null)
        {
            throw new GalaxyException($"{where}: type {type} needs 'name' or 'source' with the path or URL");
        }
        CollectionName? known = name is not null && CollectionName.TryParse(name, out var given) ? given : null;
        var resolved = kind is RequirementType.Url or RequirementType.Git ? location : Resolve(location);
        if (kind is RequirementType.File && !File.Exists(resolved))
        {
            throw new GalaxyException($"{where}: the file '{resolved}' does not exist");
        }
        if (kind is RequirementType.Dir or RequirementType.Subdirs && !Directory.Exists(resolved))
        {
            throw new GalaxyException($"{where}: the directory '{resolved}' does not exist");
        }
        if (kind == RequirementType.Dir && File.Exists(Path.Combine(resolved, ManifestJson.ManifestFileName)) &&
            File.Exists(Path.Combine(resolved, GalaxyYmlReader.FileName)) && type is null)
        {
            throw new GalaxyException($"{where}: '{resolved}' has both a MANIFEST.json and a galaxy.yml; it must be either an installed collection or a source tree");
        }
        return new Requirement(known, range, kind, resolved);
    }

    private string Resolve(string path) => Path.GetFullPath(Path.Combine(workingDirectory, AnsibleConfig.ExpandUser(path)));

    private RequirementType Infer(string pointer, string where)
    {
        if (pointer.StartsWith("git+", StringComparison.Ordinal) || pointer.StartsWith("git@", StringComparison.Ordinal))
        {
            return RequirementType.Git;
        }
        if (IsHttp(pointer))
        {
            return RequirementType.Url;
        }
        var path = Resolve(pointer);
        if (File.Exists(path))
        {
            return RequirementType.File;
        }
        if (IsCollectionDir(path))
        {
            return RequirementType.Dir;
        }
        if (SubCollections(path).Any())
        {
            return RequirementType.Subdirs;
        }
        throw new GalaxyException($"{where}: cannot tell what '{pointer}' is");
    }

    private bool IsConcretePointer(string s) =>
        s.StartsWith("git+", StringComparison.Ordinal) || s.StartsWith("git@", StringComparison.Ordinal) || IsHttp(s) ||
        File.Exists(Resolve(s)) || IsCollectionDir(Resolve(s)) || SubCollections(Resolve(s)).Any();

    private static bool IsHttp(string s) =>
        s.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || s.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>A directory that holds a collection: a MANIFEST.json (built) or a galaxy.yml (source).</summary>
    public static bool IsCollectionDir(string path) =>
        File.Exists(Path.Combine(path, ManifestJson.ManifestFileName)) || File.Exists(Path.Combine(path, GalaxyYmlReader.FileName));

    /// <summary>The collection directories directly below <paramref name="path"/>, sorted.</summary>
    public static IEnumerable<string> SubCollections(string path) =>
        Directory.Exists(path)
            ? Directory.EnumerateDirectories(path).Where(IsCollectionDir).Order(StringComparer.Ordinal)
            : [];
}
