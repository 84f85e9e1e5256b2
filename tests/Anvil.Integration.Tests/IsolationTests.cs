using Anvil.Runner;

namespace Anvil.Integration.Tests;

/// <summary>Directory isolation, the bubblewrap sandbox and container runs (with a stand-in engine: containers
/// cannot start on these machines).</summary>
[Trait("Category", "Integration")]
public class IsolationTests
{
    private const string ReadSecretPlay = """
        - hosts: localhost
          gather_facts: false
          tasks:
            - command: cat {{ secret_file }}
              register: read
              ignore_errors: true
            - debug:
                msg: "read rc={{ read.rc }} text={{ read.stdout }}"
        """;

    [Fact]
    public async Task Sandbox_AHiddenPathCannotBeReadByATask()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        var secretDir = Path.Combine(pdd.Path, "secrets");
        var secretFile = pdd.File("secrets/token.txt", "top-secret-token");
        pdd.File("project/read.yml", ReadSecretPlay);
        RunnerOptions Options(RunnerOptions o, params string[] hide) => o with
        {
            ExtraVars = new() { ["secret_file"] = secretFile },
            Settings = new RunnerSettings { ProcessIsolation = true, ProcessIsolationHidePaths = hide },
        };

        // The private data dir is bound into the sandbox, so without hiding the task reads the file...
        var open = await Fixtures.RunAnvilAsync(pdd.Path, "read.yml", ident: "open", configure: o => Options(o));
        Assert.Equal(RunStatus.Successful, open.Status);
        Assert.Contains("read rc=0 text=top-secret-token", open.Stdout);
        Assert.Equal("bwrap", Command(open.ArtifactDir)[0]);

        // ...and hidden, it finds an empty directory where the secrets were.
        var hidden = await Fixtures.RunAnvilAsync(pdd.Path, "read.yml", ident: "hidden", configure: o => Options(o, secretDir));
        Assert.Equal(RunStatus.Successful, hidden.Status);
        Assert.Contains("read rc=1 text=", hidden.Stdout);
        Assert.Contains("No such file or directory", hidden.Stdout);
        Assert.DoesNotContain("top-secret-token", hidden.Stdout);
        Assert.Equal("top-secret-token", File.ReadAllText(secretFile)); // untouched on the host
    }

    [Fact]
    public async Task DirectoryIsolation_RunsInACopyOfTheProject_AndRemovesIt()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var isolationBase = new TempDir();
        pdd.File("project/write.yml", """
            - hosts: localhost
              gather_facts: false
              tasks:
                - copy: {content: "made by the run", dest: "./made.txt"}
                - command: pwd
                  register: cwd
                - debug:
                    msg: "cwd={{ cwd.stdout }}"
            """);
        var before = Directory.GetFiles(Path.Combine(pdd.Path, "project"));
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "write.yml", configure: o => o with
        {
            Settings = new RunnerSettings { DirectoryIsolationBasePath = isolationBase.Path },
        });
        Assert.Equal(RunStatus.Successful, result.Status);
        Assert.Contains($"cwd={isolationBase.Path}/runner_di_", result.Stdout);
        Assert.Equal(before, Directory.GetFiles(Path.Combine(pdd.Path, "project")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(isolationBase.Path));
    }

    [Fact]
    public async Task Container_TheEngineGetsAnsibleRunnersCommandAndTheValuesThroughItsEnvironment()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var bin = new TempDir();
        pdd.File("env/envvars", "DEPLOY_TOKEN: token-in-the-environment\n");
        var log = Path.Combine(bin.Path, "engine.log");
        var engine = bin.File("podman", $"""
            #!/bin/sh
            printf '%s\n' "$@" > {log}
            printf 'DEPLOY_TOKEN=%s\nAWX_ISOLATED_DATA_DIR=%s\n' "$DEPLOY_TOKEN" "$AWX_ISOLATED_DATA_DIR" >> {log}
            echo "Error: initializing source docker://img: pinging container registry: no route to host" >&2
            exit 125
            """);
        File.SetUnixFileMode(engine, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var result = await Fixtures.RunAnvilAsync(pdd.Path, "ok.yml", ident: "job:1", configure: o => o with
        {
            Settings = new RunnerSettings
            {
                ProcessIsolation = true,
                ProcessIsolationExecutable = engine,
                ContainerImage = "registry.example/ee:1",
                ContainerOptions = ["--network=none"],
            },
        });

        var lines = File.ReadAllLines(log);
        Assert.Equal(["run", "--rm", "--interactive", "--workdir", "/runner/project", "-v", pdd.Path + "/:/runner/:Z"], lines.Take(7));
        Assert.Equal(["--quiet", "--name", "ansible_runner_job_1", "--network=none", "registry.example/ee:1",
                      "ansible-playbook", "-i", "/runner/inventory", "ok.yml",
                      "DEPLOY_TOKEN=token-in-the-environment", "AWX_ISOLATED_DATA_DIR=/runner/artifacts/job:1"], lines.TakeLast(11));
        Assert.Contains("DEPLOY_TOKEN", lines); // passed by name (--env DEPLOY_TOKEN)...
        Assert.Empty(Processes.FilesContaining(result.ArtifactDir, "token-in-the-environment")); // ...never by value

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(125, result.Rc);
        Assert.Contains("pinging container registry", result.Stdout);
        Assert.Contains(Processes.RunnerMessages(result.ArtifactDir), m => m.StartsWith(
            $"The container engine {engine} ended with rc 125 before Ansible started", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(result.ArtifactDir, "callback")), "the callback copy is removed");
    }

    [Fact]
    public async Task Container_MissingEngine_IsAClearError()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "ok.yml", configure: o => o with
        {
            Settings = new RunnerSettings { ProcessIsolation = true, ProcessIsolationExecutable = "/nonexistent/docker", ContainerImage = "img" },
        });
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(127, result.Rc);
        Assert.StartsWith("The container engine was not found: /nonexistent/docker.", Assert.Single(Processes.RunnerMessages(result.ArtifactDir)));
    }

    [Fact]
    public async Task Container_Cancel_AsksTheEngineToKillTheContainerByName()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var bin = new TempDir();
        var log = Path.Combine(bin.Path, "engine.log");
        var engine = bin.File("docker", $"""
            #!/bin/sh
            echo "$1 $2" >> {log}
            [ "$1" = kill ] && exit 0
            echo started
            exec sleep 60
            """);
        File.SetUnixFileMode(engine, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var job = AnsibleRunner.Start(new RunnerOptions
        {
            PrivateDataDir = pdd.Path,
            Playbook = "ok.yml",
            Ident = "c/1".Replace('/', '.'),
            Settings = new RunnerSettings { ProcessIsolation = true, ProcessIsolationExecutable = engine, ContainerImage = "img" },
        });
        await foreach (var e in job.Events())
        {
            if (e.Stdout == "started")
            {
                break;
            }
        }
        job.Cancel();
        var result = await job.Completion;
        Assert.Equal(RunStatus.Canceled, result.Status);
        Assert.Contains("kill ansible_runner_c_1", File.ReadAllLines(log));
    }

    private static string[] Command(string artifactDir)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(artifactDir, "command")));
        return doc.RootElement.GetProperty("command").EnumerateArray().Select(a => a.GetString()!).ToArray();
    }
}
