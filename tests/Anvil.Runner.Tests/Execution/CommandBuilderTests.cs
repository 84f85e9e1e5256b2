using System.Text.Json.Nodes;
using Anvil.Runner.Execution;
using Anvil.Runner.Inputs;

namespace Anvil.Runner.Tests.Execution;

public class CommandBuilderTests
{
    private static (TempDir Dir, PrivateDataDir Pdd) Pdd(string? extravars = "a: 1\n", string? cmdline = null)
    {
        var tmp = new TempDir();
        tmp.File("project/site.yml", "- hosts: all\n  tasks: []\n");
        tmp.File("inventory/hosts", "localhost\n");
        if (extravars is not null)
        {
            tmp.File("env/extravars", extravars);
        }
        if (cmdline is not null)
        {
            tmp.File("env/cmdline", cmdline);
        }
        tmp.File("env/envvars", "SECRET_TOKEN: hunter2\n");
        return (tmp, PrivateDataDir.Load(tmp.Path));
    }

    [Fact]
    public void Build_Playbook_FollowsAnsibleRunnersArgumentOrder()
    {
        var (tmp, pdd) = Pdd(cmdline: "--diff");
        using var _ = tmp;
        var plan = CommandBuilder.Build(new RunnerOptions
        {
            PrivateDataDir = tmp.Path,
            Playbook = "site.yml",
            Limit = "web",
            Verbosity = 3,
            Forks = 4,
            Ident = "x",
            ExtraVars = new JsonObject { ["b"] = 2 },
            Tags = "t",
        }, pdd, "/cb");
        Assert.Equal(
            ["ansible-playbook", "--diff", "-i", Path.Combine(tmp.Path, "inventory"), "--limit", "web",
             "-e", "@" + Path.Combine(tmp.Path, "env", "extravars"), "-e", "{\"b\":2}", "-vvv", "--tags", "t",
             "--forks", "4", "site.yml"],
            plan.Command);
        Assert.Equal(Path.Combine(tmp.Path, "project"), plan.Cwd);
        Assert.Equal(Path.Combine(tmp.Path, "artifacts", "x"), plan.ArtifactDir);
    }

    [Fact]
    public void Build_Module_RunsAnsibleFromThePrivateDataDir()
    {
        var (tmp, pdd) = Pdd(extravars: null);
        using var _ = tmp;
        var plan = CommandBuilder.Build(new RunnerOptions
        { PrivateDataDir = tmp.Path, Module = "ping", ModuleArgs = "data=x", HostPattern = "localhost" }, pdd, "/cb");
        Assert.Equal(["ansible", "-i", Path.Combine(tmp.Path, "inventory"), "-m", "ping", "-a", "data=x", "localhost"], plan.Command);
        Assert.Equal(tmp.Path, plan.Cwd);
        Assert.Equal("1", plan.Environment["ANSIBLE_LOAD_CALLBACK_PLUGINS"]);
    }

    [Fact]
    public void Build_Environment_WiresTheCallbackAndKeepsUserValuesOutOfTheArtifact()
    {
        var (tmp, pdd) = Pdd();
        using var _ = tmp;
        var plan = CommandBuilder.Build(new RunnerOptions
        {
            PrivateDataDir = tmp.Path,
            Playbook = "site.yml",
            ExtraVars = new JsonObject { ["password"] = "s3cret" },
        }, pdd, "/cb");
        Assert.Equal("anvil_events", plan.Environment["ANSIBLE_STDOUT_CALLBACK"]);
        Assert.EndsWith("/cb", plan.Environment["ANSIBLE_CALLBACK_PLUGINS"]);
        Assert.Equal("1", plan.Environment["ANVIL_EVENTS"]);
        Assert.Equal(Path.Combine(plan.ArtifactDir, "fact_cache"), plan.Environment["ANSIBLE_CACHE_PLUGIN_CONNECTION"]);
        Assert.Equal("hunter2", plan.Environment["SECRET_TOKEN"]);
        Assert.Equal(CommandBuilder.Redacted, plan.RedactedEnvironment["SECRET_TOKEN"]);
        Assert.Equal(CommandBuilder.Redacted, plan.RedactedEnvironment["PATH"]);
        Assert.Equal("anvil_events", plan.RedactedEnvironment["ANSIBLE_STDOUT_CALLBACK"]);
        Assert.DoesNotContain(plan.RedactedCommand, a => a.Contains("s3cret"));
        Assert.Contains(plan.Command, a => a.Contains("s3cret"));
    }

    [Fact]
    public void Build_ExistingStdoutCallback_BecomesTheBase()
    {
        var (tmp, pdd) = Pdd();
        using var _ = tmp;
        var plan = CommandBuilder.Build(new RunnerOptions
        {
            PrivateDataDir = tmp.Path,
            Playbook = "site.yml",
            EnvVars = new Dictionary<string, string> { ["ANSIBLE_STDOUT_CALLBACK"] = "yaml" },
        }, pdd, "/cb");
        Assert.Equal("yaml", plan.Environment["ORIGINAL_STDOUT_CALLBACK"]);
        Assert.Equal("anvil_events", plan.Environment["ANSIBLE_STDOUT_CALLBACK"]);
    }

    [Theory]
    [InlineData(null, null, "no playbook given")]
    [InlineData("missing.yml", null, "playbook not found")]
    [InlineData("site.yml", "nope", "inventory not found")]
    public void Build_BadInput_ThrowsWithAClearMessage(string? playbook, string? inventory, string expected)
    {
        var (tmp, pdd) = Pdd();
        using var _ = tmp;
        var e = Assert.Throws<RunnerInputException>(() => CommandBuilder.Build(new RunnerOptions
        {
            PrivateDataDir = tmp.Path,
            Playbook = playbook,
            Inventory = inventory is null ? null : [inventory],
        }, pdd, "/cb"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Build_PipedExtravars_GoThroughAPrivateFileOutsideThePrivateDataDir()
    {
        var tmp = new TempDir();
        using var _ = tmp;
        tmp.File("project/site.yml", "- hosts: all\n");
        var pdd = PrivateDataDir.Load(tmp.Path) with { ExtraVarsFromPipe = "x: 1\n" };
        var plan = CommandBuilder.Build(new RunnerOptions { PrivateDataDir = tmp.Path, Playbook = "site.yml", Ident = "i" }, pdd, "/cb");
        var file = Assert.Single(plan.PrivateFiles);
        Assert.Equal("x: 1\n", file.Value);
        Assert.Contains("@" + file.Key, plan.Command);
        Assert.StartsWith(plan.PrivateTempDir!, file.Key);
    }

    [Fact]
    public void Build_Role_WritesAPlayIntoTheProjectWhenTheRunStarts()
    {
        var (tmp, pdd) = Pdd(extravars: null);
        using var _ = tmp;
        var roles = Directory.CreateDirectory(Path.Combine(tmp.Path, "shared-roles")).FullName;
        var plan = CommandBuilder.Build(new RunnerOptions
        {
            PrivateDataDir = tmp.Path,
            Role = "web",
            HostPattern = "db",
            RolesPath = [roles],
            RoleSkipFacts = true,
            RoleVars = new JsonObject { ["port"] = 8080 },
        }, pdd, "/cb");

        var playbook = plan.Command[^1];
        Assert.Equal(["ansible-playbook", "-i", Path.Combine(tmp.Path, "inventory"), playbook], plan.Command);
        Assert.Equal(Path.Combine(tmp.Path, "project"), Path.GetDirectoryName(playbook));
        Assert.Equal(playbook, plan.PlaybookPath);
        Assert.Equal(Path.Combine(tmp.Path, "project"), plan.Cwd);
        // Planning writes nothing: the play is a private file of the run, written when it starts.
        Assert.False(File.Exists(playbook));
        Assert.Equal("""[{"hosts":"db","gather_facts":false,"roles":[{"name":"web","vars":{"port":8080}}]}]""",
            plan.PrivateFiles[playbook]);
        Assert.Equal(roles + ":" + Path.Combine(tmp.Path, "roles"), plan.Environment["ANSIBLE_ROLES_PATH"]);
        Assert.Equal(plan.Environment["ANSIBLE_ROLES_PATH"], plan.RedactedEnvironment["ANSIBLE_ROLES_PATH"]);
    }

    [Fact]
    public void Build_RoleWithoutProject_UsesAPrivateTempDirAndGathersFactsOnAll()
    {
        var tmp = new TempDir();
        using var _ = tmp;
        var plan = CommandBuilder.Build(new RunnerOptions { PrivateDataDir = tmp.Path, Role = "web", Ident = "i" },
            PrivateDataDir.Load(tmp.Path), "/cb");
        var playbook = Assert.Single(plan.PrivateFiles).Key;
        Assert.StartsWith(plan.PrivateTempDir!, playbook);
        Assert.Equal("""[{"hosts":"all","gather_facts":true,"roles":[{"name":"web"}]}]""", plan.PrivateFiles[playbook]);
        Assert.Equal(tmp.Path, plan.Cwd);
    }

    [Fact]
    public void Build_Arguments_RunsTheProgramWithExactlyThose()
    {
        var (tmp, pdd) = Pdd(cmdline: "--diff");
        using var _ = tmp;
        var cwd = Directory.CreateDirectory(Path.Combine(tmp.Path, "elsewhere")).FullName;
        var plan = CommandBuilder.Build(new RunnerOptions
        {
            PrivateDataDir = tmp.Path,
            Arguments = ["-i", "hosts.ini", "site.yml", "-e", "token=s3cret"],
            WorkingDirectory = cwd,
            Verbosity = 2,
        }, pdd, "/cb");
        // Nothing from the private data dir's inventory, extravars or cmdline: only what was typed.
        Assert.Equal(["ansible-playbook", "-i", "hosts.ini", "site.yml", "-e", "token=s3cret", "-vv"], plan.Command);
        Assert.Equal(["ansible-playbook", "-i", "hosts.ini", "site.yml", "-e", CommandBuilder.Redacted, "-vv"], plan.RedactedCommand);
        Assert.Equal(cwd, plan.Cwd);
        Assert.Null(plan.PlaybookPath);
        Assert.False(plan.Environment.ContainsKey("AD_HOC_COMMAND_ID"));

        var adhoc = CommandBuilder.Build(new RunnerOptions
        { PrivateDataDir = tmp.Path, Binary = "ansible", Arguments = ["localhost", "-m", "ping"] }, pdd, "/cb");
        Assert.Equal(["ansible", "localhost", "-m", "ping"], adhoc.Command);
        Assert.Equal("1", adhoc.Environment["AD_HOC_COMMAND_ID"]);
        Assert.Equal(Path.Combine(tmp.Path, "project"), adhoc.Cwd);
    }

    [Theory]
    [InlineData("site.yml", null, null, "-p and -r cannot be used together")]
    [InlineData(null, "ping", "web", "-m and -r cannot be used together")]
    public void Build_TwoModes_Throw(string? playbook, string? module, string? role, string expected)
    {
        var (tmp, pdd) = Pdd();
        using var _ = tmp;
        var e = Assert.Throws<RunnerInputException>(() => CommandBuilder.Build(new RunnerOptions
        {
            PrivateDataDir = tmp.Path,
            Playbook = playbook,
            Module = module,
            Role = role ?? "web",
        }, pdd, "/cb"));
        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public void Build_ArgumentsWithGeneratedOptions_Throws()
    {
        var (tmp, pdd) = Pdd();
        using var _ = tmp;
        var e = Assert.Throws<RunnerInputException>(() => CommandBuilder.Build(new RunnerOptions
        { PrivateDataDir = tmp.Path, Arguments = ["site.yml"], Limit = "web" }, pdd, "/cb"));
        Assert.Equal("Limit cannot be used with Arguments: put it among the arguments", e.Message);
        e = Assert.Throws<RunnerInputException>(() => CommandBuilder.Build(new RunnerOptions
        { PrivateDataDir = tmp.Path, Role = "web", RolesPath = ["/nonexistent/roles"] }, pdd, "/cb"));
        Assert.Equal("--roles-path: /nonexistent/roles: directory not found", e.Message);
    }

    [Fact]
    public void Build_PlaybookWithAnotherWorkingDirectory_NamesThePlaybookInFull()
    {
        var (tmp, pdd) = Pdd(extravars: null);
        using var _ = tmp;
        var plan = CommandBuilder.Build(new RunnerOptions { PrivateDataDir = tmp.Path, Playbook = "site.yml", WorkingDirectory = "/" }, pdd, "/cb");
        Assert.Equal("/", plan.Cwd);
        Assert.Equal(Path.Combine(tmp.Path, "project", "site.yml"), plan.Command[^1]);
        var e = Assert.Throws<RunnerInputException>(() => CommandBuilder.Build(new RunnerOptions
        { PrivateDataDir = tmp.Path, Playbook = "site.yml", WorkingDirectory = "/nonexistent/cwd" }, pdd, "/cb"));
        Assert.Equal("/nonexistent/cwd: working directory not found", e.Message);
    }
}
