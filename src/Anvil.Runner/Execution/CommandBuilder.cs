using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Anvil.Runner.Inputs;

namespace Anvil.Runner.Execution;

/// <summary>Builds argv, environment and working directory from the options and the private data dir, in
/// ansible-runner's order: binary, cmdline, inventory, limit, extravars, verbosity, tags, forks, then the playbook
/// (for a role, one generated for it) or the module; or the caller's own arguments as they are. Then, as
/// ansible-runner does, the command is wrapped for a bubblewrap sandbox or a container, and every path Ansible is
/// given is the path it sees there.</summary>
public static class CommandBuilder
{
    /// <summary>What stands in for a secret in the command and environment shown (the <c>command</c> artifact,
    /// status changes, the worker's stream).</summary>
    public const string Redacted = "<redacted>";

    /// <summary>Where the container sees the private data dir, as in ansible-runner.</summary>
    public const string ContainerRoot = "/runner";

    /// <summary>Moves the job's shell into the cgroup named by $0, then becomes the job: everything Ansible starts
    /// is in the cgroup from its first instruction. A cgroup that cannot be joined only loses the profile.</summary>
    internal const string JoinCgroupScript = "{ echo $$ >\"$0\"; } 2>/dev/null; exec \"$@\"";

    /// <summary>Plans the run of <paramref name="options"/> on <paramref name="pdd"/> without starting anything.</summary>
    /// <param name="options">What to run and how.</param>
    /// <param name="pdd">The private data dir's inputs, already loaded.</param>
    /// <param name="callbackDirectory">Where <c>anvil_events.py</c> is (see <see cref="CallbackPlugin.EnsureExtracted"/>).</param>
    /// <exception cref="RunnerInputException">The options or inputs are contradictory or invalid.</exception>
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
        var b = new Builder(options, pdd, ident, callbackDirectory);
        return b.Build();
    }

    /// <summary>One plan being built: the inputs, and what the wrapping needs to know.</summary>
    private sealed class Builder
    {
        private readonly RunnerOptions _options;
        private readonly PrivateDataDir _pdd;
        private readonly string _ident;
        private readonly string _callbackDirectory;
        private readonly string _artifactRoot;
        private readonly string _artifactDir;
        private readonly string _projectDir;
        private readonly RunnerSettings _settings;
        private readonly Dictionary<string, string> _privateFiles = [];
        private string? _tempDir;
        private PathView _view = PathView.Local();

        public Builder(RunnerOptions options, PrivateDataDir pdd, string ident, string callbackDirectory)
        {
            _options = options;
            _pdd = pdd;
            _ident = ident;
            _callbackDirectory = callbackDirectory;
            _artifactRoot = Path.GetFullPath(options.ArtifactDir ?? Path.Combine(pdd.Root, "artifacts"));
            _artifactDir = Path.Combine(_artifactRoot, ident);
            _projectDir = Path.GetFullPath(options.ProjectDir ?? Path.Combine(pdd.Root, "project"));
            _settings = RunnerSettings.FromMapping(pdd.Settings, Path.Combine(pdd.EnvDir, "settings"), options.Settings);
        }

        private string SettingsFile => Path.Combine(_pdd.EnvDir, "settings");

        public JobPlan Build()
        {
            var isModule = !string.IsNullOrEmpty(_options.Module);
            var isRole = !string.IsNullOrEmpty(_options.Role);
            var isRaw = _options.Arguments is { Count: > 0 };
            if (isRaw)
            {
                CheckRawConflicts();
            }
            var workingDirectory = WorkingDirectory(_options);
            var passwords = Passwords();

            var directoryIsolation = isModule ? null : DirectoryIsolation(workingDirectory);
            var runProject = directoryIsolation?.Copy ?? _projectDir;
            var (engine, sandboxExecutable) = IsolationKind();
            SandboxPlan? sandbox = null;
            if (engine is not null)
            {
                _view = PathView.Container(_pdd.Root);
                MapIntoContainer(_artifactRoot, ContainerRoot + "/artifacts");
                MapIntoContainer(runProject, ContainerRoot + "/project");
            }
            else if (sandboxExecutable is not null)
            {
                _view = PathView.Sandbox([_pdd.Root]);
                sandbox = Sandbox(sandboxExecutable);
            }

            var argv = new List<string> { _options.Binary ?? (isModule ? "ansible" : "ansible-playbook") };
            string cwd;
            string? playbookPath = null;
            string? rolesPath = null;
            if (isRaw)
            {
                argv.AddRange(_options.Arguments!);
                AddVerbosity(argv);
                cwd = workingDirectory ?? (Directory.Exists(runProject) ? runProject : _pdd.Root);
            }
            else
            {
                AddGeneratedArguments(argv);
                if (isModule)
                {
                    argv.Add("-m");
                    argv.Add(_options.Module!);
                    if (!string.IsNullOrEmpty(_options.ModuleArgs))
                    {
                        argv.Add("-a");
                        argv.Add(_options.ModuleArgs);
                    }
                    argv.Add(string.IsNullOrEmpty(_options.HostPattern) ? "all" : _options.HostPattern);
                    cwd = _pdd.Root;
                }
                else if (isRole)
                {
                    rolesPath = RolesPath();
                    // As ansible-runner does, the play sits in the project directory, so roles next to it are found
                    // and playbook_dir means the same as in a playbook of the project; without a project it goes to
                    // a private temporary directory.
                    var hasProject = Directory.Exists(_projectDir);
                    var dir = hasProject ? runProject : TempDir();
                    playbookPath = Path.Combine(dir, "anvil-role-" + Guid.NewGuid().ToString("N") + ".json");
                    _privateFiles[playbookPath] = RolePlaybook(_options);
                    argv.Add(_view.See(playbookPath));
                    cwd = hasProject ? runProject : _pdd.Root;
                }
                else
                {
                    // Without a project directory ansible-runner runs in the private data dir, so the playbook is
                    // found there (a layout of its own test fixtures: the playbook beside env/ and inventory/). A
                    // --project-dir given by name must exist, though: a missing one is a mistake, not a layout.
                    var hasProject = Directory.Exists(_projectDir);
                    if (!hasProject && _options.ProjectDir is not null)
                    {
                        throw new RunnerInputException($"{_projectDir}: project directory not found (--project-dir)");
                    }
                    var runDir = hasProject ? runProject : _pdd.Root;
                    var source = Path.Combine(hasProject ? _projectDir : _pdd.Root, _options.Playbook!);
                    if (!File.Exists(source))
                    {
                        throw new RunnerInputException(hasProject
                            ? $"{source}: playbook not found"
                            : $"{source}: playbook not found (there is no project directory {_projectDir}, so the playbook is looked for in the private data dir)");
                    }
                    playbookPath = Path.Combine(runDir, _options.Playbook!);
                    // Ansible finds a relative playbook from its working directory: name it in full when that is
                    // elsewhere.
                    argv.Add(workingDirectory is null ? _options.Playbook! : _view.See(playbookPath));
                    cwd = runDir;
                }
                cwd = workingDirectory ?? cwd;
            }

            var seenCwd = _view.See(cwd, writable: true);
            var sshAgent = SshAgent();
            var (env, shown) = Environment(isModule || (isRaw && Path.GetFileName(argv[0]) == "ansible"), rolesPath,
                sshAgent, engine);

            IReadOnlyList<string> command = argv;
            var launchCwd = cwd;
            var launchEnv = env;
            ContainerPlan? container = null;
            if (sandbox is not null)
            {
                command = Isolation.SandboxCommand(sandbox, seenCwd, _view.Mounts, argv);
            }
            else if (engine is not null)
            {
                container = new ContainerPlan(engine, Isolation.ContainerName(_ident), _settings.ContainerImage!);
                var volumes = _settings.ContainerVolumeMounts
                    .Select(v => Isolation.CheckVolumeMount(v, "--container-volume-mount")).ToList();
                command = Isolation.ContainerCommand(container, seenCwd, passwords.Count > 0, _view.Mounts, volumes,
                    env.Keys.Order(StringComparer.Ordinal), _settings.ContainerOptions, argv);
                // The engine runs here, with the user's environment; the job's own values reach the container
                // through it (--env NAME).
                launchEnv = HostEnvironment();
                foreach (var (k, v) in env)
                {
                    launchEnv[k] = v;
                }
                launchCwd = _pdd.Root;
            }

            var profiling = Profiling(engine);
            if (profiling?.Cgroup is { } cgroup)
            {
                command = ["/bin/sh", "-c", JoinCgroupScript, Path.Combine(cgroup, "cgroup.procs"), .. command];
            }

            return new JobPlan
            {
                Ident = _ident,
                Command = command,
                AnsibleCommand = argv,
                RedactedCommand = RedactCommand(command),
                Cwd = launchCwd,
                Environment = launchEnv,
                RedactedEnvironment = shown,
                ArtifactDir = _artifactDir,
                ArtifactRoot = _artifactRoot,
                Settings = _settings,
                PlaybookPath = playbookPath is null ? null : Path.GetFullPath(playbookPath),
                PrivateFiles = _privateFiles,
                PrivateTempDir = _tempDir,
                Passwords = passwords,
                SshAgent = sshAgent,
                DirectoryIsolation = directoryIsolation,
                Sandbox = sandbox,
                Container = container,
                Profiling = profiling,
            };
        }

        private void CheckRawConflicts()
        {
            var conflicting = new (string Name, bool Set)[]
            {
                ("Inventory", _options.Inventory is { Count: > 0 }), ("Limit", _options.Limit is not null),
                ("Forks", _options.Forks is not null), ("Tags", _options.Tags is not null),
                ("SkipTags", _options.SkipTags is not null), ("ExtraVars", _options.ExtraVars is not null),
                ("Cmdline", _options.Cmdline is not null), ("HostPattern", _options.HostPattern is not null),
                ("ModuleArgs", _options.ModuleArgs is not null),
            }.FirstOrDefault(c => c.Set);
            if (conflicting.Name is { } name)
            {
                throw new RunnerInputException($"{name} cannot be used with Arguments: put it among the arguments");
            }
        }

        /// <summary>cmdline, inventory, limit, extravars, verbosity, tags, forks: ansible-runner's order.</summary>
        private void AddGeneratedArguments(List<string> argv)
        {
            var cmdline = _options.Cmdline ?? _pdd.Cmdline;
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
            foreach (var inv in ResolveInventories())
            {
                argv.Add("-i");
                argv.Add(inv);
            }
            if (!string.IsNullOrEmpty(_options.Limit))
            {
                argv.Add("--limit");
                argv.Add(_options.Limit);
            }
            if (_pdd.ExtraVarsFile is { } extraFile)
            {
                argv.Add("-e");
                argv.Add("@" + _view.See(extraFile));
            }
            else if (_pdd.ExtraVarsFromPipe is { } piped)
            {
                var file = Path.Combine(TempDir(), "extravars");
                _privateFiles[file] = piped;
                argv.Add("-e");
                argv.Add("@" + _view.See(file));
            }
            if (_options.ExtraVars is { Count: > 0 } extra)
            {
                argv.Add("-e");
                argv.Add(extra.ToJsonString());
            }
            AddVerbosity(argv);
            if (!string.IsNullOrEmpty(_options.Tags))
            {
                argv.Add("--tags");
                argv.Add(_options.Tags);
            }
            if (!string.IsNullOrEmpty(_options.SkipTags))
            {
                argv.Add("--skip-tags");
                argv.Add(_options.SkipTags);
            }
            if (_options.Forks is { } forks)
            {
                if (forks < 1)
                {
                    throw new RunnerInputException($"--forks must be at least 1, got {forks}");
                }
                argv.Add("--forks");
                argv.Add(forks.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        private void AddVerbosity(List<string> argv)
        {
            if (_options.Verbosity > 0)
            {
                argv.Add("-" + new string('v', Math.Min(_options.Verbosity, 5)));
            }
        }

        /// <summary>A private temporary directory for this run's own files, created when the run starts.</summary>
        private string TempDir()
        {
            if (_tempDir is null)
            {
                _tempDir = Path.Combine(Path.GetTempPath(), "anvil-" + _ident + "-" + Guid.NewGuid().ToString("N")[..8]);
                _view.See(_tempDir);
            }
            return _tempDir;
        }

        /// <summary>The prompts of <see cref="RunnerOptions.Passwords"/> with <c>env/passwords</c> over them (the
        /// file wins, as in ansible-runner); each pattern must compile.</summary>
        private List<PasswordPrompt> Passwords()
        {
            var merged = new List<PasswordPrompt>();
            foreach (var (pattern, answer) in _options.Passwords ?? new Dictionary<string, string>())
            {
                merged.Add(new PasswordPrompt(pattern, answer));
            }
            foreach (var prompt in _pdd.Passwords)
            {
                var at = merged.FindIndex(p => p.Pattern == prompt.Pattern);
                if (at >= 0)
                {
                    merged[at] = prompt;
                }
                else
                {
                    merged.Add(prompt);
                }
            }
            var file = Path.Combine(_pdd.EnvDir, "passwords");
            foreach (var prompt in merged)
            {
                var source = _pdd.Passwords.Contains(prompt) ? file : "Passwords";
                if (prompt.Pattern.Length == 0)
                {
                    throw new RunnerInputException($"{source}: an empty pattern would answer every line of output");
                }
                try
                {
                    _ = PromptPattern(prompt.Pattern);
                }
                catch (ArgumentException e)
                {
                    throw new RunnerInputException($"{source}: '{prompt.Pattern}' is not a valid regular expression: {e.Message}");
                }
            }
            return merged;
        }

        private DirectoryIsolationPlan? DirectoryIsolation(string? workingDirectory)
        {
            if (_settings.DirectoryIsolationBasePath is not { } basePath)
            {
                return null;
            }
            var full = Path.GetFullPath(basePath);
            if (!Directory.Exists(full))
            {
                throw new RunnerInputException($"{full}: directory isolation base path not found (--directory-isolation-base-path)");
            }
            if (workingDirectory is not null)
            {
                throw new RunnerInputException("directory isolation copies the project directory: it cannot be used with a working directory of your own");
            }
            if (!Directory.Exists(_projectDir))
            {
                return null; // Nothing to copy: the run works in the private data dir, as without isolation.
            }
            if (IsWithin(full, _projectDir))
            {
                throw new RunnerInputException($"{full}: the directory isolation base path cannot be inside the project directory {_projectDir}");
            }
            var copy = Path.Combine(full, "runner_di_" + Guid.NewGuid().ToString("N")[..12]);
            return new DirectoryIsolationPlan(_projectDir, copy, _settings.DirectoryIsolationCleanup);
        }

        private (string? Engine, string? Sandbox) IsolationKind()
        {
            var s = _settings;
            if (s.ContainerImage is not null && !s.ProcessIsolation)
            {
                throw new RunnerInputException("a container image needs process isolation: add --process-isolation (process_isolation: true)");
            }
            var engine = s.ContainerEngine;
            var sandbox = s.SandboxExecutable;
            if (engine is not null && s.ContainerImage is null)
            {
                throw new RunnerInputException($"process isolation with {engine} runs a container: give its image with --container-image (container_image)");
            }
            if (sandbox is not null && s.ContainerImage is not null)
            {
                throw new RunnerInputException($"--container-image cannot be used with {sandbox}: images run with --process-isolation-executable podman or docker");
            }
            if (engine is not null && s.ResourceProfiling)
            {
                throw new RunnerInputException("resource profiling cannot measure a container run: the engine puts the container in a cgroup of its own");
            }
            return (engine, sandbox);
        }

        private void MapIntoContainer(string host, string target)
        {
            if (!IsWithin(host, _pdd.Root))
            {
                _view.MapTree(host, target, readOnly: false, label: "Z");
            }
        }

        /// <summary>The sandbox's staging directory and hidden paths; show and read-only paths are bound.</summary>
        private SandboxPlan Sandbox(string executable)
        {
            var stagingBase = Path.GetFullPath(_settings.ProcessIsolationPath ?? Path.GetTempPath());
            if (!Directory.Exists(stagingBase))
            {
                throw new RunnerInputException($"{stagingBase}: process isolation path not found (--process-isolation-path)");
            }
            // As ansible-runner: paths that do not exist are left out (there is nothing to show or hide).
            foreach (var path in ExistingRealPaths(_settings.ProcessIsolationShowPaths))
            {
                _view.MapTree(path, path, readOnly: false);
            }
            foreach (var path in ExistingRealPaths(_settings.ProcessIsolationRoPaths))
            {
                _view.MapTree(path, path, readOnly: true);
            }
            var staging = Path.Combine(stagingBase, "anvil_pi_" + Guid.NewGuid().ToString("N")[..12]);
            var hidden = ExistingRealPaths(_settings.ProcessIsolationHidePaths)
                .Select((path, i) => new HiddenPath(path, Path.Combine(staging, "hidden-" + i), Directory.Exists(path)))
                .ToList();
            return new SandboxPlan(executable, staging, hidden);
        }

        private static IEnumerable<string> ExistingRealPaths(IEnumerable<string> paths) =>
            paths.Select(p => Native.RealPath(Path.GetFullPath(p))).OfType<string>().Distinct().Order(StringComparer.Ordinal);

        private SshAgentPlan? SshAgent()
        {
            if ((_options.SshKey ?? _pdd.SshKey) is not { } key)
            {
                return null;
            }
            // A short path: a unix socket's name is limited to 107 bytes.
            var dir = Path.Combine(Path.GetTempPath(), "anvil-ssh-" + Guid.NewGuid().ToString("N")[..12]);
            return new SshAgentPlan(key, dir, Path.Combine(dir, "agent.sock"));
        }

        private ProfilingPlan? Profiling(string? engine)
        {
            var s = _settings;
            if (!s.ResourceProfiling || engine is not null)
            {
                return null;
            }
            var results = Path.GetFullPath(s.ResourceProfilingResultsDir ?? Path.Combine(_pdd.Root, "profiling_data"));
            if (!Directory.Exists(Path.GetDirectoryName(results)))
            {
                throw new RunnerInputException($"{results}: the parent of the resource profiling results dir does not exist (--resource-profiling-results-dir)");
            }
            var baseCgroup = s.ResourceProfilingBaseCgroup.Trim('/');
            if (baseCgroup.Length == 0 || baseCgroup.Split('/').Any(p => p is "" or "." or ".."))
            {
                throw new RunnerInputException($"--resource-profiling-base-cgroup '{s.ResourceProfilingBaseCgroup}': expected a cgroup path below the root, such as ansible-runner");
            }
            var root = _options.CgroupRoot ?? Cgroups.FindV2Root();
            if (root is null)
            {
                return new ProfilingPlan(null, results, s.ResourceProfilingCpuPollInterval, s.ResourceProfilingMemoryPollInterval,
                    s.ResourceProfilingPidPollInterval, "no cgroup v2 hierarchy is mounted");
            }
            var cgroup = Path.Combine(root, baseCgroup, Isolation.ContainerName(_ident)["ansible_runner_".Length..]);
            return new ProfilingPlan(cgroup, results, s.ResourceProfilingCpuPollInterval, s.ResourceProfilingMemoryPollInterval,
                s.ResourceProfilingPidPollInterval, null);
        }

        /// <summary>The given roles paths, then the private data dir's <c>roles/</c>; each given one must exist.</summary>
        private string RolesPath()
        {
            var dirs = new List<string>();
            foreach (var entry in _options.RolesPath ?? [])
            {
                foreach (var part in entry.Split(':', StringSplitOptions.RemoveEmptyEntries))
                {
                    var full = Path.GetFullPath(part);
                    if (!Directory.Exists(full))
                    {
                        throw new RunnerInputException($"--roles-path: {full}: directory not found");
                    }
                    dirs.Add(_view.See(full));
                }
            }
            dirs.Add(_view.See(Path.Combine(_pdd.Root, "roles")));
            return string.Join(':', dirs);
        }

        private IEnumerable<string> ResolveInventories()
        {
            var inventoryDir = Path.Combine(_pdd.Root, "inventory");
            if (_options.Inventory is { Count: > 0 } given)
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
                    yield return _view.See(path);
                }
            }
            else if (Directory.Exists(inventoryDir) || File.Exists(inventoryDir))
            {
                yield return _view.See(inventoryDir);
            }
        }

        private Dictionary<string, string> HostEnvironment()
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (System.Collections.DictionaryEntry e in System.Environment.GetEnvironmentVariables())
            {
                env[(string)e.Key] = (string?)e.Value ?? "";
            }
            return env;
        }

        private (Dictionary<string, string> Env, Dictionary<string, string> Shown) Environment(bool isAdHoc,
            string? rolesPath, SshAgentPlan? sshAgent, string? engine)
        {
            // A container starts from an empty environment, as in ansible-runner: the host's means nothing there.
            var env = engine is null ? HostEnvironment() : new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in _pdd.EnvVars)
            {
                env[k] = v;
            }
            if (_options.EnvVars is { } extra)
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
            var callbackDir = CallbackDirectory(engine);
            set["ANSIBLE_CALLBACK_PLUGINS"] = env.TryGetValue("ANSIBLE_CALLBACK_PLUGINS", out var plugins) && plugins.Length > 0
                ? plugins + ":" + callbackDir
                : callbackDir;
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
            var artifactDir = _view.See(_artifactDir, writable: true);
            set["AWX_ISOLATED_DATA_DIR"] = artifactDir;
            if (_settings.FactCacheType == "jsonfile")
            {
                set["ANSIBLE_CACHE_PLUGIN"] = "jsonfile";
                set["ANSIBLE_CACHE_PLUGIN_CONNECTION"] = Path.Combine(artifactDir, _settings.FactCache);
            }
            set["RUNNER_OMIT_EVENTS"] = _options.OmitEventData ? "True" : "False";
            set["RUNNER_ONLY_FAILED_EVENTS"] = _options.OnlyFailedEventData ? "True" : "False";
            if (rolesPath is not null)
            {
                // Keep what the user's environment already searched, after the run's own directories.
                set["ANSIBLE_ROLES_PATH"] = env.TryGetValue("ANSIBLE_ROLES_PATH", out var inherited) && inherited.Length > 0
                    ? rolesPath + ":" + inherited
                    : rolesPath;
            }
            if (isAdHoc)
            {
                set["ANSIBLE_LOAD_CALLBACK_PLUGINS"] = "1";
                set["AD_HOC_COMMAND_ID"] = "1";
            }
            if (sshAgent is not null)
            {
                set["SSH_AUTH_SOCK"] = Path.Combine(_view.See(sshAgent.Directory, writable: true), Path.GetFileName(sshAgent.Socket));
            }
            if (engine is not null && Path.GetFileName(engine) == "podman")
            {
                // ansible-runner's work-around for podman's fuse-overlayfs, which rejects extended attributes.
                set["ANSIBLE_UNSAFE_WRITES"] = "1";
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

        /// <summary>Where Ansible loads the callback from: a container gets a copy in the artifact directory (as
        /// ansible-runner does), a sandbox sees the extracted directory read-only.</summary>
        private string CallbackDirectory(string? engine)
        {
            if (engine is null)
            {
                return _view.See(_callbackDirectory);
            }
            var copy = Path.Combine(_artifactDir, "callback");
            foreach (var file in Directory.EnumerateFiles(_callbackDirectory))
            {
                _privateFiles[Path.Combine(copy, Path.GetFileName(file))] = File.ReadAllText(file);
            }
            return _view.See(copy);
        }
    }

    /// <summary>How <c>env/passwords</c> patterns are compiled: multiline, as ansible-runner's <c>re.M</c>.</summary>
    internal static Regex PromptPattern(string pattern) =>
        new(pattern, RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static bool IsWithin(string path, string root)
    {
        path = path.TrimEnd('/');
        root = root.TrimEnd('/');
        return path == root || path.StartsWith(root + "/", StringComparison.Ordinal);
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
