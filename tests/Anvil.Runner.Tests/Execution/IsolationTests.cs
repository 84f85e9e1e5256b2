using System.Text.Json.Nodes;
using Anvil.Runner.Execution;
using Anvil.Runner.Inputs;

namespace Anvil.Runner.Tests.Execution;

/// <summary>The command lines of sandboxed and containerized runs, checked against ansible-runner's
/// wrap_args_for_sandbox and wrap_args_for_containerization (config/_base.py, config/runner.py).</summary>
public class IsolationTests
{
    private static TempDir Pdd()
    {
        var tmp = new TempDir();
        tmp.File("project/site.yml", "- hosts: all\n  tasks: []\n");
        tmp.File("inventory/hosts", "localhost\n");
        tmp.File("env/extravars", "a: 1\n");
        tmp.File("env/envvars", "SECRET_TOKEN: hunter2\n");
        tmp.File(".callback/anvil_events.py", "# the callback\n");
        return tmp;
    }

    private static JobPlan Plan(TempDir tmp, RunnerSettings settings, Func<RunnerOptions, RunnerOptions>? more = null)
    {
        var options = new RunnerOptions { PrivateDataDir = tmp.Path, Playbook = "site.yml", Ident = "run 1", Settings = settings };
        options = more?.Invoke(options) ?? options;
        return CommandBuilder.Build(options, PrivateDataDir.Load(tmp.Path), Path.Combine(tmp.Path, ".callback"));
    }

    private static IEnumerable<(string Flag, string Host, string Target)> Binds(IReadOnlyList<string> argv)
    {
        for (var i = 0; i < argv.Count - 2; i++)
        {
            if (argv[i] is "--bind" or "--ro-bind")
            {
                yield return (argv[i], argv[i + 1], argv[i + 2]);
            }
        }
    }

    [Fact]
    public void Container_IsAnsibleRunnersCommandLine_WithTheEnvironmentPassedByName()
    {
        using var tmp = Pdd();
        var plan = Plan(tmp, new RunnerSettings
        {
            ProcessIsolation = true,
            ContainerImage = "quay.io/ansible/creator-ee:v1",
            ContainerVolumeMounts = [tmp.Path + "/project:/mnt/project:ro"],
            ContainerOptions = ["--network=none"],
        });
        var env = plan.RedactedEnvironment.Keys.Order(StringComparer.Ordinal).SelectMany(k => new[] { "--env", k });
        Assert.Equal(
            ["podman", "run", "--rm", "--interactive", "--workdir", "/runner/project",
             "-v", tmp.Path + "/:/runner/:Z", "-v", tmp.Path + "/project:/mnt/project:ro", .. env, "--quiet",
             "--name", "ansible_runner_run_1", "--network=none", "quay.io/ansible/creator-ee:v1",
             "ansible-playbook", "-i", "/runner/inventory", "-e", "@/runner/env/extravars", "site.yml"],
            plan.Command);
        Assert.Equal(new ContainerPlan("podman", "ansible_runner_run_1", "quay.io/ansible/creator-ee:v1"), plan.Container);

        // Inside, the environment starts empty (no host PATH) and paths are the container's.
        Assert.False(plan.RedactedEnvironment.ContainsKey("PATH"));
        Assert.Equal("/runner/artifacts/run 1", plan.RedactedEnvironment["AWX_ISOLATED_DATA_DIR"]);
        Assert.Equal("/runner/artifacts/run 1/fact_cache", plan.RedactedEnvironment["ANSIBLE_CACHE_PLUGIN_CONNECTION"]);
        Assert.Equal("/runner/artifacts/run 1/callback", plan.RedactedEnvironment["ANSIBLE_CALLBACK_PLUGINS"]);
        Assert.Equal("1", plan.RedactedEnvironment["ANSIBLE_UNSAFE_WRITES"]);
        // Values travel in the engine's environment, never on its command line.
        Assert.Equal("hunter2", plan.Environment["SECRET_TOKEN"]);
        Assert.DoesNotContain(plan.Command, a => a.Contains("hunter2"));
        Assert.Equal(System.Environment.GetEnvironmentVariable("PATH"), plan.Environment["PATH"]);
        Assert.Equal(tmp.Path, plan.Cwd);
        Assert.Contains(Path.Combine(plan.ArtifactDir, "callback", "anvil_events.py"), plan.PrivateFiles.Keys);
    }

    [Fact]
    public void Container_Docker_RunsAsTheUserWithoutQuiet_AndATerminalWhenPrompting()
    {
        using var tmp = Pdd();
        var plan = Plan(tmp, new RunnerSettings { ProcessIsolation = true, ProcessIsolationExecutable = "docker", ContainerImage = "img" },
            o => o with { Passwords = new Dictionary<string, string> { ["^SSH password:"] = "pw" } });
        Assert.Equal(["docker", "run", "--rm", "--tty", "--interactive"], plan.Command.Take(5));
        Assert.Contains(plan.Command, a => a.StartsWith("--user=", StringComparison.Ordinal));
        Assert.DoesNotContain("--quiet", plan.Command);
        Assert.DoesNotContain("ANSIBLE_UNSAFE_WRITES", plan.RedactedEnvironment.Keys);
        Assert.True(plan.UsesTerminal);
    }

    [Theory]
    [InlineData("ansible_runner_abc-DEF_9", "abc-DEF_9")]
    [InlineData("ansible_runner_a_b_c_d", "a.b c/d")]
    public void ContainerName_ReplacesWhatEnginesRefuse(string expected, string ident) =>
        Assert.Equal(expected, Isolation.ContainerName(ident));

    [Theory]
    [InlineData("nocolon", "expected HOST_PATH:CONTAINER_PATH")]
    [InlineData("/nonexistent/dir:/x", "/nonexistent/dir not found")]
    [InlineData("/usr:/x", "mounting /usr into a container is refused")]
    [InlineData("/tmp:relative", "the container path must be absolute")]
    public void Container_BadVolumeMount_IsAnErrorNamingIt(string spec, string expected)
    {
        using var tmp = Pdd();
        var e = Assert.Throws<RunnerInputException>(() =>
            Plan(tmp, new RunnerSettings { ProcessIsolation = true, ContainerImage = "img", ContainerVolumeMounts = [spec] }));
        Assert.Contains($"--container-volume-mount '{spec}'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData(false, null, "img", "a container image needs process isolation")]
    [InlineData(true, "podman", null, "give its image with --container-image")]
    [InlineData(true, "bwrap", "img", "--container-image cannot be used with bwrap")]
    public void Isolation_OptionsThatDoNotGoTogether_AreErrors(bool isolation, string? executable, string? image, string expected)
    {
        using var tmp = Pdd();
        var e = Assert.Throws<RunnerInputException>(() => Plan(tmp, new RunnerSettings
        { ProcessIsolation = isolation, ProcessIsolationExecutable = executable, ContainerImage = image }));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Sandbox_BindsWhatTheRunNeeds_AndCoversHiddenPathsLast()
    {
        using var tmp = Pdd();
        using var outside = new TempDir();
        var hidden = Directory.CreateDirectory(Path.Combine(tmp.Path, "project", "private")).FullName;
        var shown = Directory.CreateDirectory(Path.Combine(outside.Path, "shown")).FullName;
        var ro = outside.File("ro.txt", "x");
        var callback = Directory.CreateDirectory(Path.Combine(outside.Path, "cb")).FullName;
        var options = new RunnerOptions
        {
            PrivateDataDir = tmp.Path,
            Playbook = "site.yml",
            Ident = "s",
            Settings = new RunnerSettings
            {
                ProcessIsolation = true,
                ProcessIsolationPath = outside.Path,
                ProcessIsolationHidePaths = [hidden, "/nonexistent/hidden"],
                ProcessIsolationShowPaths = [shown],
                ProcessIsolationRoPaths = [ro],
            },
        };
        var plan = CommandBuilder.Build(options, PrivateDataDir.Load(tmp.Path), callback);
        var argv = plan.Command;

        Assert.Equal(["bwrap", "--die-with-parent", "--unshare-pid", "--dev-bind", "/dev", "/dev", "--proc", "/proc", "--dir", "/tmp"], argv.Take(10));
        Assert.Equal(["--chdir", Path.Combine(tmp.Path, "project"), "ansible-playbook", "-i", Path.Combine(tmp.Path, "inventory"),
                      "-e", "@" + Path.Combine(tmp.Path, "env", "extravars"), "site.yml"], argv.TakeLast(8));
        var binds = Binds(argv).ToList();
        Assert.Contains(("--ro-bind", "/usr", "/usr"), binds);
        Assert.Contains(("--bind", tmp.Path, tmp.Path), binds);
        Assert.Contains(("--bind", shown, shown), binds);
        Assert.Contains(("--ro-bind", ro, ro), binds);
        Assert.Contains(("--ro-bind", callback, callback), binds);

        var sandbox = plan.Sandbox!;
        var stand = Assert.Single(sandbox.Hidden); // a path that does not exist has nothing to hide
        Assert.Equal(hidden, stand.Path);
        Assert.True(stand.IsDirectory);
        Assert.StartsWith(Path.Combine(outside.Path, "anvil_pi_"), sandbox.StagingDirectory);
        // The stand-in comes after the private data dir's bind, which would otherwise uncover the hidden path.
        Assert.Equal(("--ro-bind", stand.StandIn, hidden), binds[^1]);
    }

    [Fact]
    public void DirectoryIsolation_RunsInACopyUnderTheBasePath()
    {
        using var tmp = Pdd();
        using var baseDir = new TempDir();
        var plan = Plan(tmp, new RunnerSettings { DirectoryIsolationBasePath = baseDir.Path }, o => o with { Playbook = null, Role = "web" });
        var copy = plan.DirectoryIsolation!.Copy;
        Assert.Equal(Path.Combine(tmp.Path, "project"), plan.DirectoryIsolation.Source);
        Assert.StartsWith(Path.Combine(baseDir.Path, "runner_di_"), copy);
        Assert.True(plan.DirectoryIsolation.Cleanup);
        Assert.Equal(copy, plan.Cwd);
        // The play written for the role goes into the copy, not into the project.
        Assert.Equal(copy, Path.GetDirectoryName(Assert.Single(plan.PrivateFiles).Key));
        Assert.False(Directory.Exists(copy)); // made when the run starts

        var e = Assert.Throws<RunnerInputException>(() => Plan(tmp, new RunnerSettings { DirectoryIsolationBasePath = "/nonexistent/base" }));
        Assert.Equal("/nonexistent/base: directory isolation base path not found (--directory-isolation-base-path)", e.Message);
        e = Assert.Throws<RunnerInputException>(() => Plan(tmp, new RunnerSettings { DirectoryIsolationBasePath = Path.Combine(tmp.Path, "project") }));
        Assert.Contains("cannot be inside the project directory", e.Message);
    }

    [Fact]
    public void ResourceProfiling_WrapsTheJobInAShellThatJoinsTheCgroup()
    {
        using var tmp = Pdd();
        var plan = Plan(tmp, new RunnerSettings { ResourceProfiling = true, ResourceProfilingBaseCgroup = "/team/runner/" },
            o => o with { CgroupRoot = "/sys/fs/cgroup" });
        Assert.Equal(["/bin/sh", "-c", CommandBuilder.JoinCgroupScript, "/sys/fs/cgroup/team/runner/run_1/cgroup.procs", "ansible-playbook"],
            plan.Command.Take(5));
        Assert.Equal(Path.Combine(tmp.Path, "profiling_data"), plan.Profiling!.ResultsDir);
        Assert.Equal(TimeSpan.FromSeconds(0.25), plan.Profiling.CpuInterval);
        Assert.Equal("ansible-playbook", plan.AnsibleCommand[0]);

        var e = Assert.Throws<RunnerInputException>(() => Plan(tmp, new RunnerSettings { ResourceProfiling = true, ResourceProfilingBaseCgroup = "../up" }));
        Assert.Contains("--resource-profiling-base-cgroup '../up'", e.Message);
    }

    [Fact]
    public void SshKey_GivesAnsibleTheAgentsSocket_AndThePlanNeverPrintsTheKey()
    {
        using var tmp = Pdd();
        tmp.File("env/ssh_key", "-----BEGIN OPENSSH PRIVATE KEY-----\nkeymaterial\n-----END OPENSSH PRIVATE KEY-----\n");
        var plan = Plan(tmp, new RunnerSettings());
        var agent = plan.SshAgent!;
        Assert.Equal(agent.Socket, plan.Environment["SSH_AUTH_SOCK"]);
        Assert.Equal(agent.Socket, plan.RedactedEnvironment["SSH_AUTH_SOCK"]);
        Assert.StartsWith(Path.GetTempPath(), agent.Directory);
        Assert.True(agent.Socket.Length < 100, "a unix socket path is limited to 107 bytes");
        Assert.DoesNotContain("keymaterial", plan.ToString());
        Assert.Contains("keymaterial", agent.Key.Reveal());
    }

    [Fact]
    public void Passwords_FileWinsOverOptions_AndABadPatternIsAnErrorNamingTheFile()
    {
        using var tmp = Pdd();
        tmp.File("env/passwords", "\"^SSH password:\": from-file\n\"^Vault password:\": vault\n");
        var plan = Plan(tmp, new RunnerSettings(), o => o with
        {
            Passwords = new Dictionary<string, string> { ["^BECOME password:"] = "become", ["^SSH password:"] = "from-options" },
        });
        Assert.Equal(["^BECOME password:", "^SSH password:", "^Vault password:"], plan.Passwords.Select(p => p.Pattern));
        Assert.Equal("from-file", plan.Passwords[1].Response.Reveal());
        Assert.DoesNotContain("from-file", plan.ToString());

        tmp.File("env/passwords", "\"^SSH (password:\": x\n");
        var e = Assert.Throws<RunnerInputException>(() => Plan(tmp, new RunnerSettings()));
        Assert.StartsWith(Path.Combine(tmp.Path, "env", "passwords") + ": '^SSH (password:' is not a valid regular expression", e.Message);
    }

    [Fact]
    public void PythonFloat_WritesWhatJsonDumpsWrites()
    {
        Assert.Equal("36.0", ResourceProfiler.PythonFloat(36));
        Assert.Equal("97.12799768097156", ResourceProfiler.PythonFloat(97.12799768097156));
        Assert.Equal("1.5e-07", ResourceProfiler.PythonFloat(1.5e-7));
    }

    [Fact]
    public void Settings_FileKeysWinOneByOne_AndListsTakeAStringOrAList()
    {
        var given = new RunnerSettings { JobTimeout = TimeSpan.FromSeconds(9), ProcessIsolation = true, ContainerImage = "img" };
        var s = RunnerSettings.FromMapping(MappingFile.Parse(
            "process_isolation_executable: docker\nprocess_isolation_hide_paths: /a\nprocess_isolation_show_paths: [/b, /c]\n" +
            "suppress_ansi_output: true\npexpect_timeout: 0\nresource_profiling_cpu_poll_interval: 0.5\n", "f"), "f", given);
        Assert.Equal(TimeSpan.FromSeconds(9), s.JobTimeout);
        Assert.Equal("docker", s.ContainerEngine);
        Assert.Null(s.SandboxExecutable);
        Assert.Equal(["/a"], s.ProcessIsolationHidePaths);
        Assert.Equal(["/b", "/c"], s.ProcessIsolationShowPaths);
        Assert.True(s.SuppressAnsibleOutput);
        Assert.Null(s.PexpectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(0.5), s.ResourceProfilingCpuPollInterval);
        Assert.Equal("bwrap", (new RunnerSettings { ProcessIsolation = true }).SandboxExecutable);
        Assert.Equal("podman", (new RunnerSettings { ProcessIsolation = true, ContainerImage = "i" }).ContainerEngine);

        var e = Assert.Throws<RunnerInputException>(() =>
            RunnerSettings.FromMapping(MappingFile.Parse("process_isolation_ro_paths: [1]\n", "f"), "/p/env/settings"));
        Assert.Equal("/p/env/settings: setting 'process_isolation_ro_paths' must be a string or a list of strings, got [1]", e.Message);
    }
}
