using System.Text.Json;
using System.Text.Json.Nodes;

namespace Anvil.Runner.Interface;

/// <summary>The documentation <c>ansible-doc --json</c> gives for the plugins asked for; names it did not know are
/// in <see cref="NotFound"/> (Ansible only warns about them).</summary>
public sealed record PluginDocs(IReadOnlyList<PluginDoc> Plugins, IReadOnlyList<string> NotFound);

/// <summary>One plugin's documentation. The common fields are typed; <see cref="Doc"/> keeps everything
/// Ansible gave, for the rest.</summary>
public sealed record PluginDoc
{
    /// <summary>The name as asked (e.g. <c>ping</c> or <c>ansible.builtin.ping</c>).</summary>
    public required string Name { get; init; }
    /// <summary>The collection it comes from (e.g. <c>ansible.builtin</c>), when stated.</summary>
    public string? Collection { get; init; }
    /// <summary>One line on what it does.</summary>
    public string? ShortDescription { get; init; }
    /// <summary>The description, one paragraph per item.</summary>
    public IReadOnlyList<string> Description { get; init; } = [];
    /// <summary>The authors as listed.</summary>
    public IReadOnlyList<string> Authors { get; init; } = [];
    /// <summary>The version that introduced it, when stated.</summary>
    public string? VersionAdded { get; init; }

    /// <summary>The plugin's file.</summary>
    public string? Filename { get; init; }
    /// <summary>Its options by name.</summary>
    public IReadOnlyDictionary<string, PluginOption> Options { get; init; } = new Dictionary<string, PluginOption>();

    /// <summary>The EXAMPLES block (YAML text).</summary>
    public string? Examples { get; init; }

    /// <summary>The RETURN block: each returned key with its description, type and sample.</summary>
    public JsonObject? Returns { get; init; }
    /// <summary>The plugin's metadata block, as given (often null in current Ansible).</summary>
    public JsonNode? Metadata { get; init; }
    /// <summary>Everything <c>ansible-doc --json</c> gave for this plugin.</summary>
    public required JsonObject Doc { get; init; }

    internal static PluginDoc From(string name, JsonObject entry)
    {
        var doc = entry["doc"] as JsonObject ?? [];
        return new PluginDoc
        {
            Name = name,
            Collection = Json.Text(doc["collection"]),
            ShortDescription = Json.Text(doc["short_description"]),
            Description = Json.Lines(doc["description"]),
            Authors = Json.Lines(doc["author"]),
            VersionAdded = Json.Text(doc["version_added"]),
            Filename = Json.Text(doc["filename"]),
            Options = PluginOption.Map(doc["options"] as JsonObject),
            Examples = Json.Text(entry["examples"]),
            Returns = entry["return"] as JsonObject,
            Metadata = entry["metadata"]?.DeepClone(),
            Doc = (JsonObject)doc.DeepClone(),
        };
    }
}

/// <summary>One option of a plugin.</summary>
public sealed record PluginOption
{
    /// <summary>The option's name.</summary>
    public required string Name { get; init; }
    /// <summary>The description, one paragraph per item.</summary>
    public IReadOnlyList<string> Description { get; init; } = [];

    /// <summary>Ansible's type name (<c>str</c>, <c>bool</c>, <c>list</c>, <c>raw</c> …); null when not stated.</summary>
    public string? Type { get; init; }
    /// <summary>True when the option must be given.</summary>
    public bool Required { get; init; }
    /// <summary>The default value; null when there is none.</summary>
    public JsonNode? Default { get; init; }

    /// <summary>Allowed values, when the option restricts them.</summary>
    public IReadOnlyList<JsonNode?> Choices { get; init; } = [];

    /// <summary>Type of the items of a list option.</summary>
    public string? Elements { get; init; }
    /// <summary>Other names the option accepts.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];
    /// <summary>Options of a dict (or list of dicts) option, by name.</summary>
    public IReadOnlyDictionary<string, PluginOption> Suboptions { get; init; } = new Dictionary<string, PluginOption>();

    internal static IReadOnlyDictionary<string, PluginOption> Map(JsonObject? options)
    {
        var map = new Dictionary<string, PluginOption>(StringComparer.Ordinal);
        foreach (var (name, node) in options ?? [])
        {
            if (node is not JsonObject o)
            {
                continue;
            }
            map[name] = new PluginOption
            {
                Name = name,
                Description = Json.Lines(o["description"]),
                Type = Json.Text(o["type"]),
                Required = o["required"] is JsonValue r && r.GetValueKind() == JsonValueKind.True,
                Default = o["default"]?.DeepClone(),
                // Newer Ansible documents choices as a mapping of value to description.
                Choices = o["choices"] switch
                {
                    JsonArray a => a.Select(c => c?.DeepClone()).ToList(),
                    JsonObject m => m.Select(kv => (JsonNode?)JsonValue.Create(kv.Key)).ToList(),
                    _ => [],
                },
                Elements = Json.Text(o["elements"]),
                Aliases = Json.Lines(o["aliases"]),
                Suboptions = Map(o["suboptions"] as JsonObject),
            };
        }
        return map;
    }
}

/// <summary>An installed plugin as <c>ansible-doc --list</c> shows it.</summary>
public sealed record PluginSummary(string Name, string ShortDescription);

/// <summary>An installed plugin and its file, as <c>ansible-doc --list_files</c> shows it.</summary>
public sealed record PluginFile(string Name, string Path);

/// <summary>Small readers for the loosely typed documentation JSON.</summary>
internal static class Json
{
    public static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v => v.ToJsonString(),
        _ => node.ToJsonString(),
    };

    /// <summary>A string or a list of strings, as a list (documentation allows both).</summary>
    public static IReadOnlyList<string> Lines(JsonNode? node) => node switch
    {
        null => [],
        JsonArray a => a.Select(Text).OfType<string>().ToList(),
        _ => Text(node) is { } s ? [s] : [],
    };
}
