using System.Reflection;
using Anvil.Galaxy.Building;
using Anvil.Galaxy.Versioning;

namespace Anvil.Galaxy.Metadata;

/// <summary>
/// Reads a collection's galaxy.yml into <see cref="GalaxyYml"/>, applying ansible-galaxy's defaults (a scalar where a
/// list is expected becomes a one-item list, a missing list is empty) and checking every field. For a build the
/// checks are those a Galaxy server applies on import (names, semantic version, SPDX licenses, tags, dependency
/// ranges, required repository), so that a problem shows before publishing; all problems are reported together,
/// one per field.
/// </summary>
public static class GalaxyYmlReader
{
    /// <summary>The metadata file of a collection's source tree.</summary>
    public const string FileName = "galaxy.yml";

    private static readonly string[] Required = ["namespace", "name", "version", "readme", "authors"];

    private static readonly HashSet<string> Known =
    [
        "namespace", "name", "version", "readme", "authors", "description", "license", "license_file", "tags",
        "dependencies", "repository", "documentation", "homepage", "issues", "build_ignore", "manifest",
    ];

    /// <summary>Loads <c>DIR/galaxy.yml</c>. With <paramref name="forBuild"/> false (installing from a source tree)
    /// only what ansible-galaxy itself needs is checked, and an empty version reads as <c>*</c>.</summary>
    /// <exception cref="MetadataException">The file is missing, not YAML, or has problems.</exception>
    public static GalaxyYml Load(string collectionDir, bool forBuild = true)
    {
        var path = Path.Combine(collectionDir, FileName);
        if (!File.Exists(path))
        {
            throw new MetadataException(new MetadataProblem(path, "", "not found (a collection source tree needs a galaxy.yml)"));
        }
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new MetadataException(new MetadataProblem(path, "", e.Message));
        }
        return Parse(text, path, collectionDir, forBuild);
    }

    /// <summary>Parses galaxy.yml text; <paramref name="path"/> names the file in messages and
    /// <paramref name="collectionDir"/> is where readme and license files are looked for (null: not looked for).</summary>
    public static GalaxyYml Parse(string text, string path, string? collectionDir, bool forBuild = true)
    {
        YamlValue? root;
        try
        {
            root = Yaml11.Load(text);
        }
        catch (YamlSyntaxException e)
        {
            throw new MetadataException(new MetadataProblem(path, "", e.Message, e.Line));
        }
        if (root is not YamlMapping map)
        {
            throw new MetadataException(new MetadataProblem(path, "", "must be a mapping of keys to values", root?.Line ?? 0));
        }
        var c = new Checker(path, map);
        var warnings = new List<string>();
        foreach (var key in Required.Where(k => !map.Contains(k)))
        {
            c.Problem(key, "missing (required)");
        }
        foreach (var (key, value) in map.Entries.Where(e => !Known.Contains(e.Key.Text)))
        {
            warnings.Add($"{path}:{key.Line}: unknown key '{key.Text}' (ignored)");
        }

        var ns = c.String("namespace", required: true) ?? "";
        var name = c.String("name", required: true) ?? "";
        foreach (var (field, value) in new[] { ("namespace", ns), ("name", name) })
        {
            if (value.Length == 0 || !map.Contains(field))
            {
                continue;
            }
            if (forBuild)
            {
                if (CollectionName.GalaxyRuleViolation(value) is { } why)
                {
                    c.Problem(field, $"'{value}' {why}");
                }
            }
            else if (!CollectionName.TryParse($"{value}.x", out _))
            {
                c.Problem(field, $"'{value}' must be letters, digits and _, not starting with a digit");
            }
        }

        var version = Version(c, map, forBuild);
        var readme = c.String("readme", required: true);
        if (forBuild && readme is { Length: > 0 } && collectionDir is not null && !File.Exists(Path.Combine(collectionDir, readme)))
        {
            c.Problem("readme", $"'{readme}' does not exist in the collection");
        }
        var authors = c.StringList("authors");
        if (forBuild && map.Contains("authors") && authors.Count == 0)
        {
            c.Problem("authors", "must name at least one author");
        }
        var description = c.String("description");
        var license = c.StringList("license");
        var licenseFile = c.String("license_file");
        if (forBuild)
        {
            MetadataRules.Licenses(license, licenseFile, collectionDir is null ? null : f => File.Exists(Path.Combine(collectionDir, f)),
                (field, message) => c.Problem(field, message));
        }
        var tags = c.StringList("tags");
        if (forBuild)
        {
            MetadataRules.Tags(tags, (field, message) => c.Problem(field, message));
        }
        var dependencies = Dependencies(c, map, ns, name, forBuild);
        var urls = new[] { "repository", "documentation", "homepage", "issues" }.ToDictionary(key => key, key => c.String(key));
        if (forBuild)
        {
            MetadataRules.Urls(urls["repository"], urls["documentation"], urls["homepage"], urls["issues"], (field, message) => c.Problem(field, message));
        }
        var buildIgnore = c.StringList("build_ignore");
        var manifest = Manifest(c, map);
        if (manifest is not null && buildIgnore.Count > 0)
        {
            c.Problem("manifest", "'build_ignore' and 'manifest' are mutually exclusive");
        }
        if (c.Problems.Count > 0)
        {
            throw new MetadataException(c.Problems);
        }
        var info = new CollectionInfo
        {
            Namespace = ns,
            Name = name,
            Version = version,
            Authors = authors,
            Readme = readme,
            Tags = tags,
            Description = description,
            License = license,
            // ansible-galaxy writes an empty license_file as null.
            LicenseFile = string.IsNullOrEmpty(licenseFile) ? null : licenseFile,
            Dependencies = dependencies,
            Repository = urls["repository"],
            Documentation = urls["documentation"],
            Homepage = urls["homepage"],
            Issues = urls["issues"],
        };
        return new GalaxyYml(path, info, buildIgnore, manifest, warnings);
    }

    private static string Version(Checker c, YamlMapping map, bool forBuild)
    {
        var node = map["version"];
        if (node is YamlScalar { Kind: YamlScalarKind.Int or YamlScalarKind.Float } number)
        {
            c.Problem("version", $"{number.Text} is read as a number, not a version; write a semantic version such as '{number.Text}{(number.Text.Count(ch => ch == '.') == 1 ? ".0" : ".0.0")}'", number.Line);
            return "*";
        }
        var version = c.String("version");
        if (string.IsNullOrEmpty(version))
        {
            if (forBuild && map.Contains("version"))
            {
                c.Problem("version", "empty (a build needs a semantic version such as 1.0.0)");
            }
            // ansible-galaxy reads a missing or empty version of a source tree as '*'.
            return "*";
        }
        if (MetadataRules.VersionViolation(version) is { } why)
        {
            c.Problem("version", why);
        }
        return version;
    }

    private static List<KeyValuePair<string, string>> Dependencies(Checker c, YamlMapping map, string ns, string name, bool forBuild)
    {
        var result = new List<KeyValuePair<string, string>>();
        var node = map["dependencies"];
        if (node is null or YamlScalar { IsNull: true })
        {
            return result;
        }
        if (node is not YamlMapping deps)
        {
            c.Problem("dependencies", "must be a mapping of namespace.name to a version range", node.Line);
            return result;
        }
        foreach (var (keyNode, valueNode) in deps.Entries)
        {
            var key = keyNode.Text;
            var field = $"dependencies.{key}";
            if (!CollectionName.TryParse(key, out var dep))
            {
                c.Problem("dependencies", $"'{key}' is not a collection name (namespace.name)", keyNode.Line);
                continue;
            }
            if (forBuild && (CollectionName.GalaxyRuleViolation(dep.Namespace) ?? CollectionName.GalaxyRuleViolation(dep.Name)) is { } why)
            {
                c.Problem("dependencies", $"'{key}': {why}", keyNode.Line);
            }
            if (dep.Namespace == ns && dep.Name == name)
            {
                c.Problem(field, "a collection cannot depend on itself", keyNode.Line);
            }
            if (valueNode is not YamlScalar { Kind: YamlScalarKind.String } value)
            {
                var shown = valueNode is YamlScalar s ? s.Display : "a list or mapping";
                c.Problem(field, $"{shown} is not a version range; quote it, e.g. '>=1.0.0'", valueNode.Line);
                continue;
            }
            if (!VersionRange.TryParse(value.Text, out _, out var error))
            {
                c.Problem(field, error, value.Line);
                continue;
            }
            result.Add(new(key, value.Text));
        }
        return result;
    }

    private static ManifestControl? Manifest(Checker c, YamlMapping map)
    {
        if (!map.Contains("manifest"))
        {
            return null;
        }
        var node = map["manifest"]!;
        if (node is YamlScalar { IsNull: true })
        {
            return new ManifestControl([], false);
        }
        if (node is not YamlMapping m)
        {
            c.Problem("manifest", "must be a mapping with 'directives' and 'omit_default_directives'", node.Line);
            return null;
        }
        foreach (var (key, _) in m.Entries.Where(e => e.Key.Text is not ("directives" or "omit_default_directives")))
        {
            c.Problem($"manifest.{key.Text}", "unknown key (only 'directives' and 'omit_default_directives')", key.Line);
        }
        var directives = new List<string>();
        var dnode = m["directives"];
        if (dnode is YamlSequence seq)
        {
            for (var i = 0; i < seq.Items.Count; i++)
            {
                if (seq.Items[i] is YamlScalar { Kind: YamlScalarKind.String } d)
                {
                    if (ManifestDirectives.Validate(d.Text) is { } why)
                    {
                        c.Problem($"manifest.directives[{i}]", why, d.Line);
                    }
                    directives.Add(d.Text);
                }
                else
                {
                    c.Problem($"manifest.directives[{i}]", "must be a string such as 'recursive-include docs *.md'", seq.Items[i].Line);
                }
            }
        }
        else if (dnode is not null and not YamlScalar { IsNull: true })
        {
            c.Problem("manifest.directives", "must be a list of MANIFEST.in directives", dnode.Line);
        }
        var omit = false;
        var onode = m["omit_default_directives"];
        if (onode is YamlScalar { Kind: YamlScalarKind.Bool } b)
        {
            omit = b.Text is "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON";
        }
        else if (onode is not null and not YamlScalar { IsNull: true })
        {
            c.Problem("manifest.omit_default_directives", "must be true or false", onode.Line);
        }
        if (omit && directives.Count == 0)
        {
            c.Problem("manifest.omit_default_directives",
                "true without 'directives' would produce an empty collection artifact", onode?.Line ?? 0);
        }
        return new ManifestControl(directives, omit);
    }

    /// <summary>Reads fields with one message per wrong type.</summary>
    private sealed class Checker(string path, YamlMapping map)
    {
        public List<MetadataProblem> Problems { get; } = [];

        public void Problem(string field, string message, int line = 0)
        {
            if (line == 0)
            {
                line = map.Entries.LastOrDefault(e => e.Key.Text == field.Split('.', '[')[0]).Key?.Line ?? 0;
            }
            Problems.Add(new MetadataProblem(path, field, message, line));
        }

        public string? String(string key, bool required = false)
        {
            var node = map[key];
            switch (node)
            {
                case null or YamlScalar { IsNull: true }:
                    if (required && node is not null)
                    {
                        Problem(key, "empty (required)");
                    }
                    return null;
                case YamlScalar { Kind: YamlScalarKind.String } s:
                    if (required && s.Text.Length == 0)
                    {
                        Problem(key, "empty (required)");
                    }
                    return s.Text;
                case YamlScalar s:
                    Problem(key, $"{s.Display} is read as a {s.Kind.ToString().ToLowerInvariant()}, not text; quote it", s.Line);
                    return s.Text;
                default:
                    Problem(key, "must be a single value, not a list or mapping", node.Line);
                    return null;
            }
        }

        public List<string> StringList(string key)
        {
            var node = map[key];
            switch (node)
            {
                case null or YamlScalar { IsNull: true }:
                    return [];
                case YamlScalar { Kind: YamlScalarKind.String } s:
                    return [s.Text];
                case YamlScalar s:
                    Problem(key, $"{s.Display} is read as a {s.Kind.ToString().ToLowerInvariant()}, not text; quote it", s.Line);
                    return [];
                case YamlSequence seq:
                    var list = new List<string>();
                    for (var i = 0; i < seq.Items.Count; i++)
                    {
                        if (seq.Items[i] is YamlScalar { Kind: YamlScalarKind.String } item)
                        {
                            list.Add(item.Text);
                        }
                        else
                        {
                            var shown = seq.Items[i] is YamlScalar sc ? sc.Display : "a list or mapping";
                            Problem($"{key}[{i}]", $"{shown} is not text; quote it", seq.Items[i].Line);
                        }
                    }
                    return list;
                default:
                    Problem(key, "must be a list", node.Line);
                    return [];
            }
        }
    }
}

/// <summary>The SPDX license list (SPDX identifiers are CC0 data, from the spdx-license-ids package), embedded.</summary>
public static class SpdxLicenses
{
    /// <summary>Current SPDX license identifiers (the list ansible-galaxy accepts in <c>license</c>).</summary>
    public static IReadOnlySet<string> Current { get; } = Load("spdx-license-ids.json");

    /// <summary>Deprecated SPDX identifiers (accepted with a warning).</summary>
    public static IReadOnlySet<string> Deprecated { get; } = Load("spdx-deprecated-ids.json");

    // The files are JSON arrays of plain identifiers: every quoted string is one (no escapes occur in SPDX ids).
    // Read by hand: a build should not pay for a JSON serializer's start-up to check one license.
    private static HashSet<string> Load(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Anvil.Galaxy.Resources." + resource)
                           ?? throw new InvalidOperationException($"missing resource {resource}");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var set = new HashSet<string>(StringComparer.Ordinal);
        for (var i = text.IndexOf('"'); i >= 0; i = text.IndexOf('"', i + 1))
        {
            var end = text.IndexOf('"', i + 1);
            set.Add(text[(i + 1)..end]);
            i = end;
        }
        return set;
    }
}
