using System.Text.Json;
using System.Text.Json.Nodes;
using Anvil.Runner.Inputs;

namespace Anvil.Runner;

/// <summary>Settings for the runner itself (<c>env/settings</c>), with ansible-runner's real defaults.</summary>
public sealed record RunnerSettings
{
    /// <summary>End the job when it printed nothing for this long. Default: no limit.</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>End the job after this much run time. Default: no limit.</summary>
    public TimeSpan? JobTimeout { get; init; }

    /// <summary>Do not write the <c>stdout</c> and <c>stderr</c> artifacts. Default: false.</summary>
    public bool SuppressOutputFile { get; init; }

    /// <summary>Do not echo event text to the console. Default: false (the <c>quiet</c> option sets it).</summary>
    public bool SuppressAnsibleOutput { get; init; }

    /// <summary>Fact cache directory, relative to the run's artifact directory. Default: <c>fact_cache</c>.</summary>
    public string FactCache { get; init; } = "fact_cache";

    /// <summary>Fact cache plugin. Default: <c>jsonfile</c>.</summary>
    public string FactCacheType { get; init; } = "jsonfile";

    public static RunnerSettings FromMapping(JsonObject map, string displayPath)
    {
        var s = new RunnerSettings();
        foreach (var (key, value) in map)
        {
            s = key switch
            {
                "idle_timeout" => s with { IdleTimeout = Seconds(value, displayPath, key) },
                "job_timeout" => s with { JobTimeout = Seconds(value, displayPath, key) },
                "suppress_output_file" => s with { SuppressOutputFile = Bool(value, displayPath, key) },
                "suppress_ansible_output" => s with { SuppressAnsibleOutput = Bool(value, displayPath, key) },
                "fact_cache" => s with { FactCache = Text(value, displayPath, key) },
                "fact_cache_type" => s with { FactCacheType = Text(value, displayPath, key) },
                _ => s, // Other ansible-runner settings (pexpect_*, isolation, containers) are read where they apply.
            };
        }
        return s;
    }

    private static TimeSpan? Seconds(JsonNode? v, string path, string key)
    {
        if (v is null)
        {
            return null;
        }
        if (v is JsonValue jv && jv.GetValueKind() == JsonValueKind.Number && double.Parse(jv.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) is var d && d >= 0)
        {
            return d == 0 ? null : TimeSpan.FromSeconds(d);
        }
        throw new RunnerInputException($"{path}: setting '{key}' must be a number of seconds, got {v.ToJsonString()}");
    }

    private static bool Bool(JsonNode? v, string path, string key) => v switch
    {
        JsonValue jv when jv.GetValueKind() == JsonValueKind.True => true,
        JsonValue jv when jv.GetValueKind() == JsonValueKind.False => false,
        null => false,
        _ => throw new RunnerInputException($"{path}: setting '{key}' must be true or false, got {v.ToJsonString()}"),
    };

    private static string Text(JsonNode? v, string path, string key) =>
        v is JsonValue jv && jv.GetValueKind() == JsonValueKind.String
            ? jv.GetValue<string>()
            : throw new RunnerInputException($"{path}: setting '{key}' must be a string");
}
