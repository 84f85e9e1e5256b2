using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Anvil.Cli;

/// <summary>Help text with options in named groups, as ansible-runner's <c>--help</c> shows them.</summary>
internal sealed class GroupedHelp : SynchronousCommandLineAction
{
    private readonly string _usage;
    private readonly IReadOnlyList<(string Group, IReadOnlyList<Option> Options)> _groups;

    private GroupedHelp(string usage, IReadOnlyList<(string, IReadOnlyList<Option>)> groups)
    {
        _usage = usage;
        _groups = groups;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Command, GroupedHelp> Registered = new();

    /// <summary>Gives <paramref name="command"/> grouped help; takes effect once <see cref="Install"/> has run on
    /// the root command.</summary>
    public static void Apply(Command command, string usage, params (string Group, Option[] Options)[] groups)
    {
        var all = groups.Select(g => (g.Group, (IReadOnlyList<Option>)g.Options)).ToList();
        Registered.AddOrUpdate(command, new GroupedHelp(usage, all));
    }

    /// <summary>Routes the root's (recursive) help option to grouped help where a command has it.</summary>
    public static void Install(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().First();
        var fallback = help.Action!;
        help.Action = new Dispatch(fallback);
    }

    public static bool IsHelp(CommandLineAction? action) => action is Dispatch or HelpAction;

    private sealed class Dispatch(CommandLineAction fallback) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult) =>
            Registered.TryGetValue(parseResult.CommandResult.Command, out var grouped)
                ? grouped.Invoke(parseResult)
                : fallback is SynchronousCommandLineAction sync ? sync.Invoke(parseResult) : 0;
    }

    public override int Invoke(ParseResult parseResult)
    {
        var command = parseResult.CommandResult.Command;
        var w = parseResult.InvocationConfiguration.Output;
        w.WriteLine($"Usage: {_usage}");
        w.WriteLine();
        w.WriteLine(command.Description);
        foreach (var argument in command.Arguments)
        {
            w.WriteLine();
            w.WriteLine($"  {argument.Name.ToUpperInvariant(),-34} {argument.Description}");
        }
        foreach (var (group, options) in _groups)
        {
            w.WriteLine();
            w.WriteLine($"{group}:");
            foreach (var option in options)
            {
                var names = string.Join(", ", new[] { option.Name }.Concat(option.Aliases)
                    .OrderBy(n => n.StartsWith("--", StringComparison.Ordinal) ? 1 : 0));
                var value = option.ValueType == typeof(bool) || option.Arity.MaximumNumberOfValues == 0
                    ? ""
                    : " " + (option.HelpName ?? option.Name.TrimStart('-').ToUpperInvariant());
                var left = names + value;
                // A name too long for the column gets its description on the next line, aligned with the others.
                w.WriteLine(left.Length < 34 ? $"  {left,-34} {option.Description}" : $"  {left}\n  {"",-34} {option.Description}");
            }
        }
        w.WriteLine();
        w.WriteLine("Other:");
        w.WriteLine($"  {"-h, --help",-34} Show this help");
        return 0;
    }
}
