using System.Text.Json.Nodes;

namespace Anvil.Runner.Interface;

/// <summary>A setting Ansible knows (<c>ansible-config list</c>): where it can be set and its default.</summary>
public sealed record ConfigDefinition
{
    /// <summary>The setting's key, e.g. <c>DEFAULT_FORKS</c>.</summary>
    public required string Key { get; init; }

    /// <summary>Its human name, e.g. <c>Number of task forks</c>.</summary>
    public string? Title { get; init; }
    /// <summary>The description, one paragraph per item.</summary>
    public IReadOnlyList<string> Description { get; init; } = [];
    /// <summary>Ansible's type name (<c>integer</c>, <c>boolean</c>, <c>path</c> …); null when not stated.</summary>
    public string? Type { get; init; }
    /// <summary>The default value, as Ansible gives it; null when there is none.</summary>
    public JsonNode? Default { get; init; }

    /// <summary>Environment variables that set it.</summary>
    public IReadOnlyList<string> EnvVars { get; init; } = [];

    /// <summary>Where it goes in <c>ansible.cfg</c>.</summary>
    public IReadOnlyList<ConfigIniKey> Ini { get; init; } = [];
    /// <summary>The ansible-core version that introduced it, when known.</summary>
    public string? VersionAdded { get; init; }

    /// <summary>Everything Ansible said about it.</summary>
    public required JsonObject Raw { get; init; }

    internal static IReadOnlyList<ConfigDefinition> ListFrom(JsonObject root) =>
        root.Where(kv => kv.Value is JsonObject).Select(kv =>
        {
            var o = (JsonObject)kv.Value!;
            return new ConfigDefinition
            {
                Key = kv.Key,
                Title = Json.Text(o["name"]),
                Description = Json.Lines(o["description"]),
                Type = Json.Text(o["type"]),
                Default = o["default"]?.DeepClone(),
                EnvVars = (o["env"] as JsonArray ?? []).Select(e => Json.Text(e?["name"])).OfType<string>().ToList(),
                Ini = (o["ini"] as JsonArray ?? [])
                    .Select(i => new ConfigIniKey(Json.Text(i?["section"]) ?? "", Json.Text(i?["key"]) ?? "")).ToList(),
                VersionAdded = Json.Text(o["version_added"]),
                Raw = (JsonObject)o.DeepClone(),
            };
        }).ToList();
}

/// <summary>A place in <c>ansible.cfg</c>: <c>[Section]</c> and <c>key</c>.</summary>
/// <param name="Section">The INI section, e.g. <c>defaults</c>.</param>
/// <param name="Key">The key in it, e.g. <c>forks</c>.</param>
public sealed record ConfigIniKey(string Section, string Key);

/// <summary>A setting's value in effect (<c>ansible-config dump</c>) and where it came from: <c>default</c>,
/// <c>env: ANSIBLE_FORKS</c>, or the configuration file's path.</summary>
public sealed record ConfigSetting(string Name, JsonNode? Value, string Origin)
{
    /// <summary>True when nothing overrides Ansible's default.</summary>
    public bool IsDefault => Origin == "default";

    internal static IReadOnlyList<ConfigSetting> ListFrom(JsonArray items) =>
        items.OfType<JsonObject>()
            .Select(o => new ConfigSetting(Json.Text(o["name"]) ?? "", o["value"]?.DeepClone(), Json.Text(o["origin"]) ?? ""))
            .ToList();
}
