using System.Text.Json;

namespace Anvil.Server.Registry;

/// <summary>A dependency of a collection version: <c>namespace.name</c> and the version range it accepts.</summary>
public sealed record CollectionDependency(string Name, string Range);

/// <summary>A content item (a module, a role, another plugin) as the import listed it.</summary>
public sealed record ContentEntry(string Name, string Type);

/// <summary>What a version page shows of MANIFEST.json's <c>collection_info</c>, read leniently: a field of an
/// unexpected type is left out rather than failing the page (older uploads, other tools' manifests).</summary>
public sealed record CollectionMetadata(
    IReadOnlyList<string> Authors,
    IReadOnlyList<string> License,
    string? LicenseFile,
    IReadOnlyList<string> Tags,
    IReadOnlyList<CollectionDependency> Dependencies,
    string? Repository,
    string? Documentation,
    string? Homepage,
    string? Issues)
{
    public static CollectionMetadata Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var m = doc.RootElement;
        if (m.ValueKind != JsonValueKind.Object)
        {
            return new([], [], null, [], [], null, null, null, null);
        }
        var dependencies = new List<CollectionDependency>();
        if (m.TryGetProperty("dependencies", out var deps) && deps.ValueKind == JsonValueKind.Object)
        {
            foreach (var d in deps.EnumerateObject())
            {
                dependencies.Add(new CollectionDependency(d.Name, d.Value.ValueKind == JsonValueKind.String ? d.Value.GetString()! : d.Value.GetRawText()));
            }
        }
        return new(Strings(m, "authors"), Strings(m, "license"), Text(m, "license_file"), Strings(m, "tags"),
            dependencies.OrderBy(d => d.Name, StringComparer.Ordinal).ToList(),
            Text(m, "repository"), Text(m, "documentation"), Text(m, "homepage"), Text(m, "issues"));
    }

    /// <summary>The import's content list (<c>[{"name", "content_type"}]</c>), by type then name.</summary>
    public static IReadOnlyList<ContentEntry> ParseContents(string json)
    {
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            return [];
        }
        return doc.RootElement.EnumerateArray()
            .Where(e => e.ValueKind == JsonValueKind.Object)
            .Select(e => new ContentEntry(Text(e, "name") ?? "", Text(e, "content_type") ?? ""))
            .Where(c => c.Name.Length > 0)
            .OrderBy(c => c.Type, StringComparer.Ordinal).ThenBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A URL worth a link: absolute http or https (anything else is shown as text).</summary>
    public static bool IsWebUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    private static string? Text(JsonElement m, string name) =>
        m.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    /// <summary>A list of strings, or one string (<c>license</c> may be either).</summary>
    private static IReadOnlyList<string> Strings(JsonElement m, string name) =>
        !m.TryGetProperty(name, out var v) ? []
        : v.ValueKind == JsonValueKind.String ? [v.GetString()!]
        : v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
        : [];
}
