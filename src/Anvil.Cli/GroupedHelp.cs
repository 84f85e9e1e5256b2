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

    public static void Apply(Command command, string usage, params (string Group, Option[] Options)[] groups)
    {
        var help = command.Options.OfType<HelpOption>().FirstOrDefault();
        if (help is not null)
        {
            var all = groups.Select(g => (g.Group, (IReadOnlyList<Option>)g.Options)).ToList();
            all.Add(("Other", [help]));
            help.Action = new GroupedHelp(usage, all);
        }
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
                w.WriteLine($"  {names + value,-34} {option.Description}");
            }
        }
        return 0;
    }
}
