using System.CommandLine;
using System.CommandLine.Parsing;

namespace Anvil.Cli.Commands;

/// <summary>What a command needs to start <c>anvil</c> again with the arguments it was given.</summary>
internal static class SelfInvocation
{
    /// <summary>The tokens after the command's own name, as typed (options the parser knows may be split at
    /// <c>=</c>; the meaning is the same).</summary>
    public static List<Token> TokensAfterCommand(ParseResult parse)
    {
        var tokens = parse.Tokens.ToList();
        var at = tokens.IndexOf(parse.CommandResult.IdentifierToken);
        return tokens.Skip(at + 1).ToList();
    }

    /// <summary>The program and leading arguments that start this same <c>anvil</c>: its own executable, the
    /// apphost next to the assembly (when this process is a test host), or <c>dotnet anvil.dll</c>.</summary>
    public static (string Program, List<string> Argv) Anvil()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileName(self) == "anvil")
        {
            return (self, [self]);
        }
        var apphost = Path.Combine(AppContext.BaseDirectory, "anvil");
        if (File.Exists(apphost))
        {
            return (apphost, [apphost]);
        }
        var dotnet = Runner.Execution.ExecutableSearch.Find("dotnet") ?? "dotnet";
        return (dotnet, [dotnet, Path.Combine(AppContext.BaseDirectory, "anvil.dll")]);
    }
}
