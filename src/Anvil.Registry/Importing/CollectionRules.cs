using System.Text.RegularExpressions;
using Anvil.Galaxy;
using Anvil.Galaxy.Metadata;
using Anvil.Galaxy.Versioning;

namespace Anvil.Registry.Importing;

/// <summary>
/// The rules a Galaxy server applies to a collection's metadata on import (galaxy-importer's), on MANIFEST.json's
/// <c>collection_info</c>: the same rules <c>anvil collection build</c> applies to galaxy.yml (names, semantic version,
/// SPDX licenses, tags, dependency ranges, required readme, authors and repository), plus the role-name rule.
/// </summary>
public static partial class CollectionRules
{
    /// <summary>Every problem with <paramref name="info"/>; <paramref name="source"/> names the file in each (e.g.
    /// <c>MANIFEST.json</c>) and <paramref name="hasFile"/> tells whether a path exists in the collection.</summary>
    public static List<MetadataProblem> Check(CollectionInfo info, string source, Func<string, bool> hasFile)
    {
        var problems = new List<MetadataProblem>();
        void Problem(string field, string message) => problems.Add(new MetadataProblem(source, "collection_info." + field, message));

        foreach (var (field, value) in new[] { ("namespace", info.Namespace), ("name", info.Name) })
        {
            if (CollectionName.GalaxyRuleViolation(value) is { } why)
            {
                Problem(field, $"'{value}' {why}");
            }
        }
        if (MetadataRules.VersionViolation(info.Version) is { } versionProblem)
        {
            Problem("version", versionProblem);
        }
        if (string.IsNullOrEmpty(info.Readme))
        {
            Problem("readme", "missing (required)");
        }
        else if (!hasFile(Relative(info.Readme)))
        {
            Problem("readme", $"'{info.Readme}' does not exist in the collection");
        }
        if (info.Authors.Count == 0)
        {
            Problem("authors", "must name at least one author");
        }
        for (var i = 0; i < info.Authors.Count; i++)
        {
            if (info.Authors[i].Length > 64)
            {
                Problem($"authors[{i}]", "is longer than 64 characters");
            }
        }
        MetadataRules.Licenses(info.License, info.LicenseFile, f => hasFile(Relative(f)), Problem);
        MetadataRules.Tags(info.Tags, Problem);
        foreach (var (key, range) in info.Dependencies)
        {
            if (!CollectionName.TryParse(key, out var dep) ||
                (CollectionName.GalaxyRuleViolation(dep.Namespace) ?? CollectionName.GalaxyRuleViolation(dep.Name)) is not null)
            {
                Problem("dependencies", $"'{key}' is not a collection name (namespace.name, lower-case letters, digits and _)");
                continue;
            }
            if (dep.Namespace == info.Namespace && dep.Name == info.Name)
            {
                Problem($"dependencies.{key}", "a collection cannot depend on itself");
            }
            if (!VersionRange.TryParse(range, out _, out var error))
            {
                Problem($"dependencies.{key}", error);
            }
        }
        MetadataRules.Urls(info.Repository, info.Documentation, info.Homepage, info.Issues, Problem);
        return problems;
    }

    /// <summary>A path from galaxy.yml as FILES.json names it: <c>./LICENSE</c> is <c>LICENSE</c> (gluster.gluster
    /// 1.0.2, published on Galaxy, says <c>license_file: ./LICENSE</c>).</summary>
    private static string Relative(string path) =>
        string.Join('/', path.Split('/').Where(part => part is not ("" or ".")));

    /// <summary>Why <paramref name="role"/> (a directory below <c>roles/</c>) is not a valid collection role name,
    /// or null: galaxy-importer's content-name rule, lower-case letters, digits and <c>_</c>, not starting with a digit
    /// and without <c>__</c>. A leading underscore is allowed: published collections use it for internal roles
    /// (community.sops has <c>_install_age</c>).</summary>
    public static string? RoleNameViolation(string role) =>
        RoleRegex().IsMatch(role) && !role.Contains("__", StringComparison.Ordinal) ? null
        : "a role name must be lower-case letters, digits and _, must not start with a digit, and must not contain __";

    /// <summary>The parts of an upload's file name, <c>NAMESPACE-NAME-VERSION.tar.gz</c> (version strict SemVer),
    /// or null when it does not have that form.</summary>
    public static (string Namespace, string Name, string Version)? ParseFilename(string filename)
    {
        var m = FilenameRegex().Match(filename);
        return m.Success && SemVersion.TryParse(m.Groups["version"].Value, out _)
            ? (m.Groups["namespace"].Value, m.Groups["name"].Value, m.Groups["version"].Value)
            : null;
    }

    [GeneratedRegex(@"^[a-z_][a-z0-9_]*\z")]
    private static partial Regex RoleRegex();

    [GeneratedRegex(@"^(?<namespace>\w+)-(?<name>\w+)-(?<version>[0-9a-zA-Z.+-]+)\.tar\.gz\z")]
    private static partial Regex FilenameRegex();
}
