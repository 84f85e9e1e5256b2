using System.CommandLine;
using System.CommandLine.Parsing;
using Anvil.Cli.Recording;
using Anvil.Data;
using Anvil.Runner;

namespace Anvil.Cli.Commands;

/// <summary>
/// <c>anvil adhoc …</c> and <c>anvil playbook …</c>: the arguments of <c>ansible</c> and <c>ansible-playbook</c> as a
/// person types them, run from the current directory through the runner, so events, artifacts and records are kept.
/// The runner's private data dir is <c>$ANVIL_HOME/runs</c>; the artifacts go to
/// <c>$ANVIL_HOME/runs/artifacts/&lt;ident&gt;</c> (or <c>--artifact-dir</c>), never into the user's project.
/// </summary>
internal static class PassThroughCommand
{
    public static Command Adhoc() => Create("adhoc", "ansible",
        "Run 'ansible' with these arguments through the runner (events, artifacts and records kept).",
        "anvil adhoc [anvil options] PATTERN -m MODULE [-a ARGS] [ansible options]");

    public static Command Playbook() => Create("playbook", "ansible-playbook",
        "Run 'ansible-playbook' with these arguments through the runner (events, artifacts and records kept).",
        "anvil playbook [anvil options] [ansible-playbook options] PLAYBOOK…");

    /// <summary>The private data dir of these runs: it holds nothing but their artifacts (and, if the user wants
    /// runner settings such as <c>job_timeout</c> for all of them, <c>env/settings</c>).</summary>
    public static string RunsDirectory => Path.Combine(AnvilDatabase.Home, "runs");

    private static Command Create(string name, string program, string description, string usage)
    {
        // Long names only, none of which ansible or ansible-playbook uses: everything else is theirs.
        var ident = new Option<string?>("--ident") { Description = "run identifier, the artifact directory's name (default: a new UUID)", HelpName = "IDENT" };
        var artifactDir = new Option<string?>("--artifact-dir")
        { Description = "artifacts root (default: $ANVIL_HOME/runs/artifacts)", HelpName = "DIR" };
        var rotate = new Option<int>("--rotate-artifacts") { Description = "keep only the newest N artifact directories (0: keep all)", HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "print each event as a JSON line instead of Ansible's text" };
        var quiet = new Option<bool>("--quiet") { Description = "print nothing; the artifacts are still written" };
        var noRecord = new Option<bool>("--no-record") { Description = "do not record the run" };
        var recordTo = new Option<string?>("--record-to") { Description = "record to this Anvil server instead of the local database", HelpName = "URL" };
        var database = new Option<string?>("--database") { Description = "local records database (default: ANVIL_DATABASE, else $ANVIL_HOME/anvil.db)", HelpName = "CONN" };
        var rest = new Argument<string[]>("arguments")
        {
            Arity = ArgumentArity.ZeroOrMore,
            Description = $"everything else goes to {program} unchanged (-v… included)",
        };
        var ours = new Option[] { ident, artifactDir, rotate, json, quiet, noRecord, recordTo, database };
        var command = new Command(name, description) { TreatUnmatchedTokensAsErrors = false };
        foreach (var o in ours)
        {
            command.Options.Add(o);
        }
        command.Arguments.Add(rest);
        GroupedHelp.Apply(command, usage, ("Anvil options (all other arguments go to " + program + ")", ours));

        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var arguments = AnsibleArguments(SelfInvocation.TokensAfterCommand(parse), ours);
            if (arguments.Count == 0)
            {
                return RunCommand.Fail(error, $"give the arguments of {program}, e.g. 'anvil {name} " +
                                              (name == "adhoc" ? "localhost -m ping'" : "-i inventory site.yml'"));
            }
            Directory.CreateDirectory(RunsDirectory);
            var options = new RunnerOptions
            {
                PrivateDataDir = RunsDirectory,
                Binary = program,
                Arguments = arguments,
                WorkingDirectory = Environment.CurrentDirectory,
                Ident = parse.GetValue(ident),
                ArtifactDir = parse.GetValue(artifactDir),
                RotateArtifacts = parse.GetValue(rotate),
                JsonMode = parse.GetValue(json),
                Output = parse.GetValue(quiet) ? null : parse.InvocationConfiguration.Output,
                Verbosity = Verbosity.Get(),
            };
            var record = parse.GetValue(noRecord)
                ? null
                : new RecordingTarget(parse.GetValue(recordTo) ?? RunOptionSet.EnvOrNull("ANVIL_RECORD_TO"), parse.GetValue(database));
            return await RunCommand.RunAsync(options, error, ct, record: record, after: async result =>
            {
                if (options.Output is not null)
                {
                    await error.WriteLineAsync($"Artifacts in {result.ArtifactDir}");
                }
            });
        });
        return command;
    }

    /// <summary>The tokens that are not Anvil's own options, in the order typed. After <c>--</c> everything is
    /// Ansible's, <c>--</c> included.</summary>
    private static List<string> AnsibleArguments(List<Token> tokens, Option[] ours)
    {
        var result = new List<string>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Type == TokenType.DoubleDash)
            {
                result.AddRange(tokens.Skip(i).Select(x => x.Value));
                break;
            }
            if (t.Type == TokenType.Option && ours.FirstOrDefault(o => o.Name == t.Value) is { } option)
            {
                if (option.ValueType != typeof(bool))
                {
                    i++;
                }
                continue;
            }
            result.Add(t.Value);
        }
        return result;
    }
}
