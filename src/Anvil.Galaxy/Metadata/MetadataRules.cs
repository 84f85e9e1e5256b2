using Anvil.Galaxy.Versioning;

namespace Anvil.Galaxy.Metadata;

/// <summary>
/// The metadata rules a Galaxy server applies, written once for the two places that apply them: the build, on
/// galaxy.yml (<see cref="GalaxyYmlReader"/>, which adds YAML typing and line numbers), and the registry's import, on
/// MANIFEST.json (<c>Anvil.Registry.Importing.CollectionRules</c>, which the registry's import calls). Each rule reports through <c>problem(field, message)</c>.
/// </summary>
public static class MetadataRules
{
    /// <summary>Why <paramref name="version"/> is not a version a collection may have, or null.</summary>
    public static string? VersionViolation(string version) =>
        !SemVersion.TryParse(version, out _) ? $"'{version}' is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.0.0)"
        : version.Length > 128 ? "is longer than 128 characters"
        : null;

    /// <summary>SPDX identifiers (current, not deprecated; a wrong case gets a suggestion), exactly one of
    /// <c>license</c> and <c>license_file</c>, and the file present when <paramref name="fileExists"/> can tell.</summary>
    public static void Licenses(IReadOnlyList<string> license, string? licenseFile, Func<string, bool>? fileExists, Action<string, string> problem)
    {
        for (var i = 0; i < license.Count; i++)
        {
            var id = license[i];
            if (SpdxLicenses.Deprecated.Contains(id))
            {
                problem($"license[{i}]", $"'{id}' is a deprecated SPDX identifier (e.g. GPL-3.0 is now GPL-3.0-only or GPL-3.0-or-later)");
            }
            else if (!SpdxLicenses.Current.Contains(id))
            {
                var hint = SpdxLicenses.Current.FirstOrDefault(x => string.Equals(x, id, StringComparison.OrdinalIgnoreCase));
                problem($"license[{i}]", $"'{id}' is not an SPDX license identifier{(hint is null ? "" : $" (did you mean '{hint}'?)")}");
            }
        }
        var hasFile = !string.IsNullOrEmpty(licenseFile);
        if (license.Count > 0 && hasFile)
        {
            problem("license_file", "'license' and 'license_file' are mutually exclusive");
        }
        else if (license.Count == 0 && !hasFile)
        {
            problem("license", "missing (give SPDX identifiers in 'license', or a file in 'license_file')");
        }
        if (hasFile && fileExists is not null && !fileExists(licenseFile!))
        {
            problem("license_file", $"'{licenseFile}' does not exist in the collection");
        }
    }

    /// <summary>At most 20 tags, each following the name rule.</summary>
    public static void Tags(IReadOnlyList<string> tags, Action<string, string> problem)
    {
        if (tags.Count > 20)
        {
            problem("tags", $"{tags.Count} tags, at most 20 are allowed");
        }
        for (var i = 0; i < tags.Count; i++)
        {
            if (CollectionName.GalaxyRuleViolation(tags[i]) is { } why)
            {
                problem($"tags[{i}]", $"'{tags[i]}' {why}");
            }
        }
    }

    /// <summary>The four URLs at most 2,000 characters each, and <c>repository</c> present (servers require it).</summary>
    public static void Urls(string? repository, string? documentation, string? homepage, string? issues, Action<string, string> problem)
    {
        foreach (var (field, url) in new[] { ("repository", repository), ("documentation", documentation), ("homepage", homepage), ("issues", issues) })
        {
            if (url is { Length: > 2000 })
            {
                problem(field, "is longer than 2000 characters");
            }
        }
        if (string.IsNullOrEmpty(repository))
        {
            problem("repository", "missing (Galaxy servers require the URL of the source repository)");
        }
    }
}
