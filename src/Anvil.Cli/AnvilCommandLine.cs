using System.CommandLine;
using Anvil.Cli.Commands;

namespace Anvil.Cli;

/// <summary>Builds the <c>anvil</c> command tree; one class per command under <c>Commands/</c>.</summary>
public static class AnvilCommandLine
{
    /// <summary>Exit code for bad input or usage (ansible-runner's own checks also exit 1).</summary>
    public const int InputError = 1;

    /// <summary>Exit code for an argument the parser rejected.</summary>
    public const int UsageError = 2;

    // The root's help names all three jobs and which commands do each: a newcomer reading `anvil --help` should not
    // conclude that Anvil only runs playbooks.
    private const string RootDescription = """
        Anvil: Ansible automation in three jobs that share one event model.
          Run      run Ansible and capture every event, as ansible-runner 2.x does:
                   run, start, stop, is-alive, adhoc, playbook, tools;
                   remotely: transmit, worker, process
          Record   store every run (SQLite or PostgreSQL) behind an ARA-compatible API and web UI:
                   server, records, db, user
          Package  build, install, verify and publish collections as ansible-galaxy does, and a private registry:
                   collection, galaxy, token
          Try it   demo (runs the demo playbook, records it and serves the UI)
        """;

    public static RootCommand Build()
    {
        var root = new RootCommand(RootDescription);
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(StartCommand.Create());
        root.Subcommands.Add(StopCommand.Create());
        root.Subcommands.Add(IsAliveCommand.Create());
        root.Subcommands.Add(TransmitCommand.Create());
        root.Subcommands.Add(WorkerCommand.Create());
        root.Subcommands.Add(ProcessCommand.Create());
        root.Subcommands.Add(PassThroughCommand.Adhoc());
        root.Subcommands.Add(PassThroughCommand.Playbook());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(ServerCommand.Create());
        root.Subcommands.Add(DbCommand.Create());
        root.Subcommands.Add(UserCommand.Create());
        root.Subcommands.Add(TokenCommand.Create());
        root.Subcommands.Add(GalaxyCommand.Create());
        root.Subcommands.Add(RecordsCommand.Create());
        root.Subcommands.Add(ToolsCommand.Create());
        root.Subcommands.Add(CollectionCommand.Create());
        GroupedHelp.Install(root);
        return root;
    }

    private static readonly AsyncLocal<TextReader?> CurrentInput = new();

    /// <summary>What a command reads as standard input (tests give their own).</summary>
    internal static TextReader Input => CurrentInput.Value ?? Console.In;

    public static async Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null,
        TextReader? input = null)
    {
        CurrentInput.Value = input;
        var root = Build();
        var (rest, verbosity) = Verbosity.Extract(args);
        // No response files: "@file" is Ansible's syntax (-e @vars.yml) and must reach it unchanged.
        var parse = root.Parse(rest, new ParserConfiguration { ResponseFileTokenReplacer = null });
        Verbosity.Set(verbosity);
        if (parse.Errors.Count > 0 && !GroupedHelp.IsHelp(parse.Action))
        {
            var err = error ?? Console.Error;
            foreach (var e in parse.Errors)
            {
                await err.WriteLineAsync($"anvil: error: {e.Message}");
            }
            await err.WriteLineAsync($"Try '{CommandPath(parse)} --help' for the options.");
            return UsageError;
        }
        var config = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
            // The run command handles Ctrl-C itself (it must write the final status before exiting).
            ProcessTerminationTimeout = null,
            // Failures a user can meet (a full disk, a permission, a file where a directory must be) end with one
            // line below, not the parser's "Unhandled exception" and a stack trace.
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return await parse.InvokeAsync(config);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await config.Error.WriteLineAsync("anvil: error: " +
                string.Join(' ', e.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)));
            return InputError;
        }
    }

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, r.Command is RootCommand ? "anvil" : r.Command.Name);
        }
        return string.Join(' ', names);
    }
}

/// <summary>ansible-runner counts <c>-v</c>, <c>-vv</c> … <c>-vvvvv</c>; the parser cannot count repeated flags,
/// so they are taken out before parsing and handed to the command afterwards.</summary>
internal static class Verbosity
{
    private static readonly AsyncLocal<int> Current = new();

    public static (string[] Remaining, int Count) Extract(string[] args)
    {
        var rest = new List<string>(args.Length);
        var count = 0;
        var afterDashDash = false;
        foreach (var a in args)
        {
            if (!afterDashDash && a.Length >= 2 && a[0] == '-' && a.AsSpan(1).IndexOfAnyExcept('v') < 0)
            {
                count += a.Length - 1;
                continue;
            }
            if (a == "--")
            {
                afterDashDash = true;
            }
            rest.Add(a);
        }
        return (rest.ToArray(), count);
    }

    public static void Set(int count) => Current.Value = count;

    public static int Get() => Current.Value;
}
