using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anvil.Runner.Inputs;

namespace Anvil.Runner;

/// <summary>Settings for the runner itself (<c>env/settings</c>, or <see cref="RunnerOptions.Settings"/>), with
/// ansible-runner's real defaults. The file's keys win over the options', one key at a time, as in
/// ansible-runner.</summary>
public sealed record RunnerSettings
{
    /// <summary>End the job when it printed nothing for this long. Default: no limit.</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>End the job after this much run time. Default: no limit.</summary>
    public TimeSpan? JobTimeout { get; init; }

    /// <summary>How long a prompt may wait for an answer from <c>env/passwords</c> (<c>pexpect_timeout</c>): when
    /// the job has been waiting at an unanswered prompt for this long it is ended (status <c>timeout</c>,
    /// <c>timeout_reason</c> <c>pexpect_timeout</c>) instead of hanging. Only runs with passwords have a terminal and
    /// so can prompt. Default: 5 seconds; null waits without limit.</summary>
    public TimeSpan? PexpectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Accepted for compatibility (<c>pexpect_use_poll</c>); the runner always uses poll(2).</summary>
    public bool PexpectUsePoll { get; init; } = true;

    /// <summary>Do not write the <c>stdout</c> and <c>stderr</c> artifacts. Default: false.</summary>
    public bool SuppressOutputFile { get; init; }

    /// <summary>Do not echo event text to the console (<c>suppress_ansible_output</c>, or <c>suppress_ansi_output</c>
    /// as ansible-runner's documentation spells it). Default: false (the <c>quiet</c> option sets it).</summary>
    public bool SuppressAnsibleOutput { get; init; }

    /// <summary>Fact cache directory, relative to the run's artifact directory. Default: <c>fact_cache</c>.</summary>
    public string FactCache { get; init; } = "fact_cache";

    /// <summary>Fact cache plugin. Default: <c>jsonfile</c>.</summary>
    public string FactCacheType { get; init; } = "jsonfile";

    /// <summary>Run Ansible isolated: in a bubblewrap sandbox, or in a container when the executable is a container
    /// engine or <see cref="ContainerImage"/> is set. Default: false.</summary>
    public bool ProcessIsolation { get; init; }

    /// <summary><c>bwrap</c> (or a path to it) for a sandbox, <c>podman</c> or <c>docker</c> for containers.
    /// Default: <c>podman</c> when <see cref="ContainerImage"/> is set, else <c>bwrap</c>.</summary>
    public string? ProcessIsolationExecutable { get; init; }

    /// <summary>Where a sandboxed run stages what it needs (the empty stand-ins of hidden paths). Default: the
    /// system temporary directory.</summary>
    public string? ProcessIsolationPath { get; init; }

    /// <summary>Paths a sandboxed run cannot see: each is covered with an empty directory or file.</summary>
    public IReadOnlyList<string> ProcessIsolationHidePaths { get; init; } = [];

    /// <summary>Paths a sandboxed run sees read-write, besides the private data dir.</summary>
    public IReadOnlyList<string> ProcessIsolationShowPaths { get; init; } = [];

    /// <summary>Paths a sandboxed run sees read-only.</summary>
    public IReadOnlyList<string> ProcessIsolationRoPaths { get; init; } = [];

    /// <summary>Copy the project directory into a new temporary directory under this path and run there, so runs
    /// of the same project cannot disturb each other. Default: none.</summary>
    public string? DirectoryIsolationBasePath { get; init; }

    /// <summary>Remove the copy made for <see cref="DirectoryIsolationBasePath"/> after the run. Default: true.</summary>
    public bool DirectoryIsolationCleanup { get; init; } = true;

    /// <summary>Container image to run Ansible in (needs <see cref="ProcessIsolation"/>).</summary>
    public string? ContainerImage { get; init; }

    /// <summary>Extra bind mounts, <c>host_path:container_path[:options]</c>.</summary>
    public IReadOnlyList<string> ContainerVolumeMounts { get; init; } = [];

    /// <summary>Extra options for the container engine's <c>run</c>, passed as they are.</summary>
    public IReadOnlyList<string> ContainerOptions { get; init; } = [];

    /// <summary>Measure CPU, memory and process count of the job per task in a cgroup v2. Default: false.</summary>
    public bool ResourceProfiling { get; init; }

    /// <summary>Parent cgroup of the job's cgroup, relative to the cgroup v2 root. Default: <c>ansible-runner</c>.</summary>
    public string ResourceProfilingBaseCgroup { get; init; } = "ansible-runner";

    /// <summary>Default: 0.25 s.</summary>
    public TimeSpan ResourceProfilingCpuPollInterval { get; init; } = TimeSpan.FromSeconds(0.25);

    /// <summary>Default: 0.25 s.</summary>
    public TimeSpan ResourceProfilingMemoryPollInterval { get; init; } = TimeSpan.FromSeconds(0.25);

    /// <summary>Default: 0.25 s.</summary>
    public TimeSpan ResourceProfilingPidPollInterval { get; init; } = TimeSpan.FromSeconds(0.25);

    /// <summary>Where the profiling files go. Default: <c>&lt;private data dir&gt;/profiling_data</c>.</summary>
    public string? ResourceProfilingResultsDir { get; init; }

    /// <summary>The settings of <paramref name="map"/> applied over <paramref name="baseline"/> (or the defaults);
    /// a key of the wrong type is an error naming <paramref name="displayPath"/> and the key.</summary>
    public static RunnerSettings FromMapping(JsonObject map, string displayPath, RunnerSettings? baseline = null)
    {
        var s = baseline ?? new RunnerSettings();
        foreach (var (key, value) in map)
        {
            var r = new Reader(value, displayPath, key);
            s = key switch
            {
                "idle_timeout" => s with { IdleTimeout = r.Seconds() },
                "job_timeout" => s with { JobTimeout = r.Seconds() },
                "pexpect_timeout" => s with { PexpectTimeout = r.Seconds() },
                "pexpect_use_poll" => s with { PexpectUsePoll = r.Bool() },
                "suppress_output_file" => s with { SuppressOutputFile = r.Bool() },
                "suppress_ansible_output" or "suppress_ansi_output" => s with { SuppressAnsibleOutput = r.Bool() },
                "fact_cache" => s with { FactCache = r.Text() },
                "fact_cache_type" => s with { FactCacheType = r.Text() },
                "process_isolation" => s with { ProcessIsolation = r.Bool() },
                "process_isolation_executable" => s with { ProcessIsolationExecutable = r.OptionalText() },
                "process_isolation_path" => s with { ProcessIsolationPath = r.OptionalText() },
                "process_isolation_hide_paths" => s with { ProcessIsolationHidePaths = r.Paths() },
                "process_isolation_show_paths" => s with { ProcessIsolationShowPaths = r.Paths() },
                "process_isolation_ro_paths" => s with { ProcessIsolationRoPaths = r.Paths() },
                "directory_isolation_base_path" => s with { DirectoryIsolationBasePath = r.OptionalText() },
                "directory_isolation_cleanup" => s with { DirectoryIsolationCleanup = r.Bool() },
                "container_image" => s with { ContainerImage = r.OptionalText() },
                "container_volume_mounts" => s with { ContainerVolumeMounts = r.Paths() },
                "container_options" => s with { ContainerOptions = r.Paths() },
                "resource_profiling" => s with { ResourceProfiling = r.Bool() },
                "resource_profiling_base_cgroup" => s with { ResourceProfilingBaseCgroup = r.Text() },
                "resource_profiling_cpu_poll_interval" => s with { ResourceProfilingCpuPollInterval = r.Interval() },
                "resource_profiling_memory_poll_interval" => s with { ResourceProfilingMemoryPollInterval = r.Interval() },
                "resource_profiling_pid_poll_interval" => s with { ResourceProfilingPidPollInterval = r.Interval() },
                "resource_profiling_results_dir" => s with { ResourceProfilingResultsDir = r.OptionalText() },
                _ => s, // Keys of other ansible-runner versions (subprocess_timeout, container_auth_data …) do nothing.
            };
        }
        return s;
    }

    /// <summary>The container engine when the run goes into a container, else null.</summary>
    public string? ContainerEngine =>
        ProcessIsolation && IsContainerEngine(ProcessIsolationExecutable ?? (ContainerImage is null ? "bwrap" : "podman"))
            ? ProcessIsolationExecutable ?? "podman"
            : null;

    /// <summary>The sandbox program when the run goes into a bubblewrap sandbox, else null.</summary>
    public string? SandboxExecutable =>
        ProcessIsolation && ContainerEngine is null ? ProcessIsolationExecutable ?? "bwrap" : null;

    internal static bool IsContainerEngine(string executable) => Path.GetFileName(executable) is "podman" or "docker";

    private readonly struct Reader(JsonNode? value, string path, string key)
    {
        public TimeSpan? Seconds()
        {
            if (value is null)
            {
                return null;
            }
            var d = Number();
            return d == 0 ? null : TimeSpan.FromSeconds(d);
        }

        public TimeSpan Interval()
        {
            var d = value is null ? 0 : Number();
            return d > 0 ? TimeSpan.FromSeconds(d) : throw Error("a number of seconds above 0");
        }

        private double Number() =>
            MappingFile.TryGetNumber(value, out var d) && d >= 0 && double.IsFinite(d) ? d : throw Error("a number of seconds");

        public bool Bool() => value switch
        {
            JsonValue jv when jv.GetValueKind() == JsonValueKind.True => true,
            JsonValue jv when jv.GetValueKind() == JsonValueKind.False => false,
            null => false,
            _ => throw Error("true or false"),
        };

        public string Text() =>
            value is JsonValue jv && jv.GetValueKind() == JsonValueKind.String && jv.GetValue<string>().Length > 0
                ? jv.GetValue<string>()
                : throw Error("a non-empty string");

        public string? OptionalText() => value is null ? null : Text();

        /// <summary>One string or a list of strings, as ansible-runner accepts for its path lists.</summary>
        public IReadOnlyList<string> Paths()
        {
            if (value is null)
            {
                return [];
            }
            if (value is JsonArray array)
            {
                var list = new List<string>(array.Count);
                foreach (var item in array)
                {
                    list.Add(item is JsonValue jv && jv.GetValueKind() == JsonValueKind.String
                        ? jv.GetValue<string>()
                        : throw Error("a string or a list of strings"));
                }
                return list;
            }
            return [Text()];
        }

        private RunnerInputException Error(string expected) =>
            new($"{path}: setting '{key}' must be {expected}, got {Show(value)}");

        // As JSON, which reads like the file; a YAML .inf or .nan has no JSON form and is shown as Python shows it.
        private static string Show(JsonNode? value)
        {
            try
            {
                return value?.ToJsonString() ?? "null";
            }
            catch (ArgumentException)
            {
                return MappingFile.AsString(value);
            }
        }
    }
}
