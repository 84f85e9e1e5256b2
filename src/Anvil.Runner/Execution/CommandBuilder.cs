using System.Text.Json.Nodes;
using Anvil.Runner.Inputs;

namespace Anvil.Runner.Execution;

/// <summary>Builds argv, environment and working directory from the options and the private data dir, in
/// ansible-runner's order: binary, cmdline, inventory, limit, extravars, verbosity, tags, forks, then the playbook
/// (for a role, one generated for it) or the module; or the caller's own arguments as they are.</summary>
public static class CommandBuilder
{
    public const string Redacted = "<redacted>";

    public static JobPlan Build(RunnerOptions options, PrivateDataDir pdd, string callbackDirectory)
    {
        var modes = new[]
        {
            ("-p", !string.IsNullOrEmpty(options.Playbook)),
            ("-m", !string.IsNullOrEmpty(options.Module)),
            ("-r", !string.IsNullOrEmpty(options.Role)),
            ("Arguments", options.Arguments is { Count: > 0 }),
        }.Where(m => m.Item2).Select(m => m.Item1).ToList();
        if (modes.Count == 0)
        {
            throw new RunnerInputException("no playbook given: use -p PLAYBOOK (or -m MODULE, -r ROLE)");
        }
        if (modes.Count > 1)
        {
            throw new RunnerInputException($"{string.Join(" and ", modes)} cannot be used together");
        }

        var ident = string.IsNullOrEmpty(options.Ident) ? Guid.NewGuid().ToString() : options.Ident;
        if (ident.Contains('/') || ident is "." or "..")
        {
            throw new RunnerInputException($"ident '{ident}' cannot be used as a directory name");
        }
        var artifactRoot = Path.GetFullPath(options.ArtifactDir ?? Path.Combine(pdd.Root, "artifacts"));
        var artifactDir = Path.Combine(artifactRoot, ident);
        var projectDir = Path.GetFullPath(options.ProjectDir ?? Path.Combine(pdd.Root, "project"));

        var settings = RunnerSettings.FromMapping(pdd.Settings, Path.Combine(pdd.EnvDir, "settings"));
        if (options.Settings is { } given && pdd.Settings.Count == 0)
        {
            settings = given;
        }

        if (options.Arguments is { Count: > 0 } raw)
        {
            return BuildRaw(options, pdd, raw, ident, artifactRoot, artifactDir, projectDir, settings, callbackDirectory);
        }

        var isModule = !string.IsNullOrEmpty(options.Module);
        var argv = new List<string> { options.Binary ?? (isModule ? "ansible" : "ansible-playbook") };

        var cmdline = options.Cmdline ?? pdd.Cmdline;
        if (!string.IsNullOrWhiteSpace(cmdline))
        {
            try
            {
                argv.AddRange(ShellWords.Split(cmdline));
            }
            catch (FormatException e)
            {
                throw new RunnerInputException($"--cmdline: {e.Message}");
            }
        }

        foreach (var inv in ResolveInventories(options, pdd))
        {
            argv.Add("-i");
            argv.Add(inv);
        }
        if (!string.IsNullOrEmpty(options.Limit))
        {
            argv.Add("--limit");
            argv.Add(options.Limit);
        }

        var privateFiles = new Dictionary<string, string>();
        string? tempDir = null;
        if (pdd.ExtraVarsFile is { } extraFile)
        {
            argv.Add("-e");
            argv.Add("@" + extraFile);
        }
        else if (pdd.ExtraVarsFromPipe is { } piped)
        {
            tempDir = NewTempDir(ident);
            var file = Path.Combine(tempDir, "extravars");
            privateFiles[file] = piped;
            argv.Add("-e");
            argv.Add("@" + file);
        }
        if (options.ExtraVars is { Count: > 0 } extra)
        {
            argv.Add("-e");
            argv.Add(extra.ToJsonString());
        }

        if (options.Verbosity > 0)
        {
            argv.Add("-" + new string('v', Math.Min(options.Verbosity, 5)));
        }
        if (!string.IsNullOrEmpty(options.Tags))
        {
            argv.Add("--tags");
            argv.Add(options.Tags);
        }
        if (!string.IsNullOrEmpty(options.SkipTags))
        {
            argv.Add("--skip-tags");
            argv.Add(options.SkipTags);
        }
        if (options.Forks is { } forks)
        {
            if (forks < 1)
            {
                throw new RunnerInputException($"--forks must be at least 1, got {forks}");
            }
            argv.Add("--forks");
            argv.Add(forks.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        string cwd;
        string? playbookPath = null;
        string? rolesPath = null;
        if (isModule)
        {
            argv.Add("-m");
            argv.Add(options.Module!);
            if (!string.IsNullOrEmpty(options.ModuleArgs))
            {
                argv.Add("-a");
                argv.Add(options.ModuleArgs);
            }
            argv.Add(string.IsNullOrEmpty(options.HostPattern) ? "all" : options.HostPattern);
            cwd = pdd.Root;
        }
        else if (!string.IsNullOrEmpty(options.Role))
        {
            rolesPath = RolesPath(options, pdd);
            // As ansible-runner does, the play sits in the project directory, so roles next to it are found and
            // playbook_dir means the same as in a playbook of the project; without a project it goes to a private
            // temporary directory.
            var hasProject = Directory.Exists(projectDir);
            if (!hasProject)
            {
                tempDir ??= NewTempDir(ident);
            }
            playbookPath = Path.Combine(hasProject ? projectDir : tempDir!, "anvil-role-" + Guid.NewGuid().ToString("N") + ".json");
            privateFiles[playbookPath] = RolePlaybook(options);
            argv.Add(playbookPath);
            cwd = hasProject ? projectDir : pdd.Root;
        }
        else
        {
            if (!Directory.Exists(projectDir))
            {
                throw new RunnerInputException($"{projectDir}: project directory not found");
            }
            playbookPath = Path.Combine(projectDir, options.Playbook!);
            if (!File.Exists(playbookPath))
            {
                throw new RunnerInputException($"{playbookPath}: playbook not found");
            }
            // Ansible finds a relative playbook from its working directory: name it in full when that is elsewhere.
            argv.Add(options.WorkingDirectory is null ? options.Playbook! : Path.GetFullPath(playbookPath));
            cwd = projectDir;
        }
        cwd = WorkingDirectory(options) ?? cwd;

        var (env, shown) = BuildEnvironment(options, pdd, settings, artifactDir, callbackDirectory, isModule, rolesPath);
        return new JobPlan
        {
            Ident = ident,
            Command = argv,
            RedactedCommand = RedactCommand(argv),
            Cwd = cwd,
            Environment = env,
            RedactedEnvironment = shown,
            ArtifactDir = artifactDir,
            ArtifactRoot = artifactRoot,
            Settings = settings,
            PlaybookPath = playbookPath is null ? null : Path.GetFullPath(playbookPath),
            PrivateFiles = privateFiles,
            PrivateTempDir = tempDir,
        };
    }

    /// <summary>Raw arguments: the program and exactly what the caller typed, plus the verbosity.</summary>
    private static JobPlan BuildRaw(RunnerOptions options, PrivateDataDir pdd, IReadOnlyList<string> raw, string ident,
        string artifactRoot, string artifactDir, string projectDir, RunnerSettings settings, string callbackDirectory)
    {
        var conflicting = new (string Name, bool Set)[]
        {
            ("Inventory", options.Inventory is { Count: > 0 }), ("Limit", options.Limit is not null),
            ("Forks", options.Forks is not null), ("Tags", options.Tags is not null),
            ("SkipTags", options.SkipTags is not null), ("ExtraVars", options.ExtraVars is not null),
            ("Cmdline", options.Cmdline is not null), ("HostPattern", options.HostPattern is not null),
            ("ModuleArgs", options.ModuleArgs is not null),
        }.FirstOrDefault(c => c.Set);
        if (conflicting.Name is { } name)
        {
            throw new RunnerInputException($"{name} cannot be used with Arguments: put it among the arguments");
        }
        var argv = new List<string> { options.Binary ?? "ansible-playbook" };
        argv.AddRange(raw);
        if (options.Verbosity > 0)
        {
            argv.Add("-" + new string('v', Math.Min(options.Verbosity, 5)));
        }
        var cwd = WorkingDirectory(options) ?? (Directory.Exists(projectDir) ? projectDir : pdd.Root);
        var isAdHoc = Path.GetFileName(argv[0]) == "ansible";
        var (env, shown) = BuildEnvironment(options, pdd, settings, artifactDir, callbackDirectory, isAdHoc, rolesPath: null);
        return new JobPlan
        {
            Ident = ident,
            Command = argv,
            RedactedCommand = RedactCommand(argv),
            Cwd = cwd,
            Environment = env,
            RedactedEnvironment = shown,
            ArtifactDir = artifactDir,
            ArtifactRoot = artifactRoot,
            Settings = settings,
        };
    }

    private static string? WorkingDirectory(RunnerOptions options)
    {
        if (options.WorkingDirectory is not { } dir)
        {
            return null;
        }
        var full = Path.GetFullPath(dir);
        return Directory.Exists(full)
            ? full
            : throw new RunnerInputException($"{full}: working directory not found");
    }

    private static string NewTempDir(string ident) =>
        Path.Combine(Path.GetTempPath(), "anvil-" + ident + "-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The given roles paths, then the private data dir's <c>roles/</c>; each given one must exist.</summary>
    private static string RolesPath(RunnerOptions options, PrivateDataDir pdd)
    {
        var dirs = new List<string>();
        foreach (var entry in options.RolesPath ?? [])
        {
            foreach (var part in entry.Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var full = Path.GetFullPath(part);
                if (!Directory.Exists(full))
                {
                    throw new RunnerInputException($"--roles-path: {full}: directory not found");
                }
                dirs.Add(full);
            }
        }
        dirs.Add(Path.Combine(pdd.Root, "roles"));
        return string.Join(':', dirs);
    }

    /// <summary>ansible-runner's generated play: the role on the host pattern, facts gathered unless skipped.</summary>
    internal static string RolePlaybook(RunnerOptions options)
    {
        var role = new JsonObject { ["name"] = options.Role };
        if (options.RoleVars is { Count: > 0 } vars)
        {
            role["vars"] = vars.DeepClone();
        }
        var play = new JsonObject
        {
            ["hosts"] = string.IsNullOrEmpty(options.HostPattern) ? "all" : options.HostPattern,
            ["gather_facts"] = !options.RoleSkipFacts,
            ["roles"] = new JsonArray(role),
        };
        return new JsonArray(play).ToJsonString();
    }

    private static IEnumerable<string> ResolveInventories(RunnerOptions options, PrivateDataDir pdd)
    {
        var inventoryDir = Path.Combine(pdd.Root, "inventory");
        if (options.Inventory is { Count: > 0 } given)
        {
            foreach (var inv in given)
            {
                // A comma means an inline host list ("host1,host2,"), which Ansible takes as it is.
                if (inv.Contains(','))
                {
                    yield return inv;
                    continue;
                }
                var path = Path.IsPathRooted(inv) ? inv : Path.Combine(inventoryDir, inv);
                if (!File.Exists(path) && !Directory.Exists(path))
                {
                    throw new RunnerInputException($"{path}: inventory not found (--inventory takes a path, absolute " +
                                                   "or relative to the private data dir's inventory/)");
                }
                yield return path;
            }
        }
        else if (Directory.Exists(inventoryDir) || File.Exists(inventoryDir))
        {
            yield return inventoryDir;
        }
    }

    private static (Dictionary<string, string> Env, Dictionary<string, string> Shown) BuildEnvironment(
        RunnerOptions options, PrivateDataDir pdd, RunnerSettings settings, string artifactDir,
        string callbackDirectory, bool isModule, string? rolesPath)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in System.Environment.GetEnvironmentVariables())
        {
            env[(string)e.Key] = (string?)e.Value ?? "";
        }
        foreach (var (k, v) in pdd.EnvVars)
        {
            env[k] = v;
        }
        if (options.EnvVars is { } extra)
        {
            foreach (var (k, v) in extra)
            {
                env[k] = v;
            }
        }

        var set = new Dictionary<string, string>(StringComparer.Ordinal);
        if (env.TryGetValue("ANSIBLE_STDOUT_CALLBACK", out var original) && original != "anvil_events")
        {
            set["ORIGINAL_STDOUT_CALLBACK"] = original;
        }
        set["ANSIBLE_STDOUT_CALLBACK"] = "anvil_events";
        set["ANSIBLE_CALLBACK_PLUGINS"] = env.TryGetValue("ANSIBLE_CALLBACK_PLUGINS", out var plugins) && plugins.Length > 0
            ? plugins + ":" + callbackDirectory
            : callbackDirectory;
        set["ANVIL_EVENTS"] = "1";
        set["ANSIBLE_RETRY_FILES_ENABLED"] = "False";
        if (!env.ContainsKey("ANSIBLE_HOST_KEY_CHECKING"))
        {
            set["ANSIBLE_HOST_KEY_CHECKING"] = "False";
        }
        // Ansible colours only a terminal; the runner reads a pipe but keeps what a terminal would have shown.
        if (!env.ContainsKey("ANSIBLE_FORCE_COLOR") && !env.ContainsKey("ANSIBLE_NOCOLOR") && !env.ContainsKey("NO_COLOR"))
        {
            set["ANSIBLE_FORCE_COLOR"] = "True";
        }
        set["AWX_ISOLATED_DATA_DIR"] = artifactDir;
        if (settings.FactCacheType == "jsonfile")
        {
            set["ANSIBLE_CACHE_PLUGIN"] = "jsonfile";
            set["ANSIBLE_CACHE_PLUGIN_CONNECTION"] = Path.Combine(artifactDir, settings.FactCache);
        }
        set["RUNNER_OMIT_EVENTS"] = options.OmitEventData ? "True" : "False";
        set["RUNNER_ONLY_FAILED_EVENTS"] = options.OnlyFailedEventData ? "True" : "False";
        if (rolesPath is not null)
        {
            // Keep what the user's environment already searched, after the run's own directories.
            set["ANSIBLE_ROLES_PATH"] = env.TryGetValue("ANSIBLE_ROLES_PATH", out var inherited) && inherited.Length > 0
                ? rolesPath + ":" + inherited
                : rolesPath;
        }
        if (isModule)
        {
            set["ANSIBLE_LOAD_CALLBACK_PLUGINS"] = "1";
            set["AD_HOC_COMMAND_ID"] = "1";
        }
        foreach (var (k, v) in set)
        {
            env[k] = v;
        }

        var shown = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in env.Keys.Order(StringComparer.Ordinal))
        {
            shown[key] = set.TryGetValue(key, out var v) ? v : Redacted;
        }
        return (env, shown);
    }

    private static List<string> RedactCommand(IReadOnlyList<string> argv)
    {
        var result = new List<string>(argv.Count);
        for (var i = 0; i < argv.Count; i++)
        {
            var a = argv[i];
            result.Add(a);
            if (a is "-e" or "--extra-vars" && i + 1 < argv.Count && !argv[i + 1].StartsWith('@'))
            {
                result.Add(Redacted);
                i++;
            }
            else if (a.StartsWith("--extra-vars=", StringComparison.Ordinal) && !a.Contains("=@"))
            {
                result[^1] = "--extra-vars=" + Redacted;
            }
        }
        return result;
    }
}
