using System.Text.Json;
using System.Text.Json.Nodes;
using Anvil.Runner.Inputs;

namespace Anvil.Runner.Streaming;

/// <summary>A kwargs mapping the worker cannot run: the message is the stream's <c>job_explanation</c>.</summary>
public sealed class JobKwargsException(string message) : Exception(message);

/// <summary>
/// The <c>{"kwargs": …}</c> line of a job stream: the run options of ansible-runner's <c>run()</c> except the
/// private data dir. Transmit writes the 2.3.1 command line's key set (so its worker accepts every key); the worker
/// accepts every keyword ansible-runner 2.3.1's <c>run()</c> accepts and refuses any other one, as ansible-runner
/// does (with a traceback, where Anvil writes one error line).
/// </summary>
public static class JobKwargs
{
    /// <summary>The keywords of ansible-runner 2.3.1's <c>RunnerConfig</c> and <c>BaseConfig</c>, plus the ones
    /// <c>run()</c> takes itself.</summary>
    public static readonly IReadOnlySet<string> Accepted = new HashSet<string>(StringComparer.Ordinal)
    {
        "playbook", "inventory", "roles_path", "limit", "module", "module_args", "verbosity", "host_pattern", "binary",
        "extravars", "suppress_output_file", "suppress_ansible_output", "process_isolation_path",
        "process_isolation_hide_paths", "process_isolation_show_paths", "process_isolation_ro_paths", "tags",
        "skip_tags", "directory_isolation_base_path", "forks", "cmdline", "omit_event_data", "only_failed_event_data",
        "host_cwd", "envvars", "passwords", "settings", "project_dir", "artifact_dir", "fact_cache_type", "fact_cache",
        "process_isolation", "process_isolation_executable", "container_image", "container_volume_mounts",
        "container_options", "container_workdir", "container_auth_data", "ident", "rotate_artifacts", "timeout",
        "ssh_key", "quiet", "json_mode", "check_job_event_data", "suppress_env_files",
        "debug", "logfile", "ignore_logging", "role", "role_vars", "role_skip_facts", "hosts",
    };

    /// <summary>The kwargs ansible-runner 2.3.1's <c>transmit</c> sends for <paramref name="o"/>, in its order.
    /// Paths under the private data dir become relative to it (the playbook to the project directory), so the
    /// worker re-roots them in its own copy.</summary>
    public static JsonObject FromOptions(RunnerOptions o)
    {
        if (o.Role is not null)
        {
            throw new RunnerInputException("-r cannot be transmitted: give the role's play as a playbook (-p)");
        }
        if (o.Arguments is not null || o.Passwords is not null || o.SshKey is not null)
        {
            throw new RunnerInputException("raw arguments, passwords and ssh keys cannot be transmitted as options: " +
                                           "put them in the private data dir's env/ (env/cmdline, env/passwords, env/ssh_key)");
        }
        if (o.Inventory is { Count: > 1 })
        {
            throw new RunnerInputException("only one --inventory can be transmitted (ansible-runner's worker takes one path)");
        }
        var pdd = Path.GetFullPath(o.PrivateDataDir);
        var project = Path.Combine(pdd, "project");
        var s = o.Settings;
        var kwargs = new JsonObject
        {
            ["ident"] = o.Ident,
            ["binary"] = o.Binary,
            ["playbook"] = o.Playbook is null ? null : RelativeIfUnder(o.Playbook, project),
            ["module"] = o.Module,
            ["module_args"] = o.ModuleArgs,
            ["host_pattern"] = o.HostPattern,
            ["verbosity"] = o.Verbosity > 0 ? o.Verbosity : null,
            ["quiet"] = o.Output is null,
            ["rotate_artifacts"] = o.RotateArtifacts,
            ["json_mode"] = o.JsonMode,
            ["omit_event_data"] = o.OmitEventData,
            ["only_failed_event_data"] = o.OnlyFailedEventData,
            ["inventory"] = o.Inventory is [var inv] ? InventoryRelativeToPdd(inv, pdd) : null,
            ["forks"] = o.Forks,
            ["project_dir"] = o.ProjectDir,
            ["artifact_dir"] = o.ArtifactDir,
            ["roles_path"] = o.RolesPath is { Count: > 0 } rp ? new JsonArray(rp.Select(p => (JsonNode?)p).ToArray()) : null,
            ["process_isolation"] = s is { ProcessIsolation: true } ? true : null,
            ["process_isolation_executable"] = s?.ProcessIsolationExecutable,
            ["process_isolation_path"] = s?.ProcessIsolationPath,
            ["process_isolation_hide_paths"] = List(s?.ProcessIsolationHidePaths),
            ["process_isolation_show_paths"] = List(s?.ProcessIsolationShowPaths),
            ["process_isolation_ro_paths"] = List(s?.ProcessIsolationRoPaths),
            // 2.3.1 always sends its default image; Anvil sends none unless one was given (2.3.1's worker ignores
            // the image without process_isolation).
            ["container_image"] = s?.ContainerImage,
            ["container_volume_mounts"] = List(s?.ContainerVolumeMounts),
            ["container_options"] = List(s?.ContainerOptions),
            ["directory_isolation_base_path"] = s?.DirectoryIsolationBasePath,
            ["cmdline"] = o.Cmdline,
            ["limit"] = o.Limit,
            ["suppress_env_files"] = false,
        };
        // Keywords of run() the command line does not have: sent only when set, as the Python interface does.
        if (o.Tags is not null)
        {
            kwargs["tags"] = o.Tags;
        }
        if (o.SkipTags is not null)
        {
            kwargs["skip_tags"] = o.SkipTags;
        }
        if (o.ExtraVars is not null)
        {
            kwargs["extravars"] = o.ExtraVars.DeepClone();
        }
        if (o.EnvVars is not null)
        {
            var env = new JsonObject();
            foreach (var (k, v) in o.EnvVars)
            {
                env[k] = v;
            }
            kwargs["envvars"] = env;
        }
        return kwargs;
    }

    private static JsonArray? List(IReadOnlyList<string>? items) =>
        items is { Count: > 0 } ? new JsonArray(items.Select(p => (JsonNode?)p).ToArray()) : null;

    private static string RelativeIfUnder(string path, string dir)
    {
        var full = Path.GetFullPath(path, dir);
        return full.StartsWith(dir + "/", StringComparison.Ordinal) ? Path.GetRelativePath(dir, full) : path;
    }

    private static string InventoryRelativeToPdd(string inventory, string pdd)
    {
        var full = Path.GetFullPath(inventory, Path.Combine(pdd, "inventory"));
        return full.StartsWith(pdd + "/", StringComparison.Ordinal) ? Path.GetRelativePath(pdd, full) : inventory;
    }

    /// <summary>The run options for <paramref name="kwargs"/> in the worker's private data dir
    /// <paramref name="pdd"/>. Inventory and <c>ANSIBLE_ROLES_PATH</c> are re-rooted there as ansible-runner's
    /// worker does.</summary>
    public static RunnerOptions ToOptions(JsonObject kwargs, string pdd)
    {
        foreach (var (key, _) in kwargs)
        {
            if (!Accepted.Contains(key))
            {
                throw new JobKwargsException($"Unknown key '{key}' in the job's kwargs: the worker (ansible-runner 2.3.1's " +
                                             "run() keywords) does not take it.");
            }
        }
        var o = new RunnerOptions { PrivateDataDir = pdd };
        RunnerSettings? settings = null;
        RunnerSettings S() => settings ??= new RunnerSettings();
        foreach (var (key, value) in kwargs)
        {
            if (value is null)
            {
                continue;
            }
            o = key switch
            {
                "ident" => o with { Ident = Text(key, value) },
                "binary" => o with { Binary = Text(key, value) },
                "playbook" => o with { Playbook = Text(key, value) },
                "module" => o with { Module = Text(key, value) },
                "module_args" => o with { ModuleArgs = Text(key, value) },
                "host_pattern" or "hosts" => o with { HostPattern = Text(key, value) },
                "verbosity" => o with { Verbosity = Int(key, value) },
                "rotate_artifacts" => o with { RotateArtifacts = Int(key, value) },
                "json_mode" => o with { JsonMode = Bool(key, value) },
                "omit_event_data" => o with { OmitEventData = Bool(key, value) },
                "only_failed_event_data" => o with { OnlyFailedEventData = Bool(key, value) },
                "inventory" => o with { Inventory = Strings(key, value).Select(i => Path.Combine(pdd, i)).ToList() },
                "forks" => o with { Forks = Int(key, value) },
                "project_dir" => o with { ProjectDir = Text(key, value) },
                "artifact_dir" => o with { ArtifactDir = Text(key, value) },
                "roles_path" => o with { RolesPath = Strings(key, value) },
                "cmdline" => o with { Cmdline = Text(key, value) },
                "limit" => o with { Limit = Text(key, value) },
                "tags" => o with { Tags = Text(key, value) },
                "skip_tags" => o with { SkipTags = Text(key, value) },
                "extravars" => o with { ExtraVars = Mapping(key, value) },
                "envvars" => o with { EnvVars = EnvVars(key, value, pdd) },
                "passwords" => o with { Passwords = Mapping(key, value).ToDictionary(p => p.Key, p => p.Value?.ToString() ?? "") },
                "ssh_key" => o with { SshKey = new Secret(Text(key, value)) },
                "role" => o with { Role = Text(key, value) },
                "role_vars" => o with { RoleVars = Mapping(key, value) },
                "role_skip_facts" => o with { RoleSkipFacts = Bool(key, value) },
                _ => o,
            };
            settings = key switch
            {
                "settings" => RunnerSettings.FromMapping(Mapping(key, value), "kwargs settings", S()),
                "timeout" => S() with { JobTimeout = TimeSpan.FromSeconds(Int(key, value)) },
                "process_isolation" => S() with { ProcessIsolation = Bool(key, value) },
                "process_isolation_executable" => S() with { ProcessIsolationExecutable = Text(key, value) },
                "process_isolation_path" => S() with { ProcessIsolationPath = Text(key, value) },
                "process_isolation_hide_paths" => S() with { ProcessIsolationHidePaths = Strings(key, value) },
                "process_isolation_show_paths" => S() with { ProcessIsolationShowPaths = Strings(key, value) },
                "process_isolation_ro_paths" => S() with { ProcessIsolationRoPaths = Strings(key, value) },
                "directory_isolation_base_path" => S() with { DirectoryIsolationBasePath = Text(key, value) },
                "container_image" => S() with { ContainerImage = Text(key, value) },
                "container_volume_mounts" => S() with { ContainerVolumeMounts = Strings(key, value) },
                "container_options" => S() with { ContainerOptions = Strings(key, value) },
                "fact_cache" => S() with { FactCache = Text(key, value) },
                "fact_cache_type" => S() with { FactCacheType = Text(key, value) },
                _ => settings,
            };
        }
        if (settings is { ProcessIsolation: false, ContainerImage: not null } &&
            kwargs["process_isolation"]?.GetValueKind() != JsonValueKind.True)
        {
            // ansible-runner 2.3.1's transmit always sends its default image; without process isolation it is unused.
            settings = settings with { ContainerImage = null };
        }
        return settings is null ? o : o with { Settings = settings };
    }

    private static Dictionary<string, string> EnvVars(string key, JsonNode value, string pdd)
    {
        var env = Mapping(key, value).ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : p.Value?.ToJsonString() ?? "");
        if (env.TryGetValue("ANSIBLE_ROLES_PATH", out var roles))
        {
            env["ANSIBLE_ROLES_PATH"] = Path.Combine(pdd, "roles", roles); // ansible-runner's worker does the same
        }
        return env;
    }

    private static string Text(string key, JsonNode value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : value is JsonValue n && n.GetValueKind() == JsonValueKind.Number
                ? n.ToJsonString()
                : throw new JobKwargsException($"kwargs key '{key}' must be a string, got {value.ToJsonString()}");

    private static int Int(string key, JsonNode value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i)
            ? i
            : throw new JobKwargsException($"kwargs key '{key}' must be an integer, got {value.ToJsonString()}");

    private static bool Bool(string key, JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new JobKwargsException($"kwargs key '{key}' must be true or false, got {value.ToJsonString()}"),
    };

    private static JsonObject Mapping(string key, JsonNode value) =>
        value as JsonObject ?? throw new JobKwargsException($"kwargs key '{key}' must be a mapping, got {value.ToJsonString()}");

    private static List<string> Strings(string key, JsonNode value) => value switch
    {
        JsonArray a => a.Select(x => x is null ? throw new JobKwargsException($"kwargs key '{key}' holds a null")
            : Text(key, x)).ToList(),
        _ => [Text(key, value)],
    };
}
