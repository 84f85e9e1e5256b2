using System.CommandLine;
using Anvil.Galaxy;
using Anvil.Galaxy.Installing;
using Anvil.Galaxy.Metadata;
using Anvil.Galaxy.Servers;
using Anvil.Data;

namespace Anvil.Cli.Commands.Collection;

/// <summary>The server options every networked collection command has, as ansible-galaxy's.</summary>
internal sealed class GalaxyServerOptions
{
    public Option<string?> Server { get; } = new("--server", "-s")
    {
        Description = "the Galaxy server: a name from ansible.cfg's [galaxy] server_list, or a URL (default: the configured servers)",
        HelpName = "SERVER",
    };

    public Option<string?> Token { get; } = new("--token", "--api-key")
    {
        Description = "API token for a --server URL (default: ~/.ansible/galaxy_token)",
        HelpName = "TOKEN",
    };

    public Option<bool> IgnoreCerts { get; } = new("--ignore-certs", "-c")
    {
        Description = "do not validate TLS certificates",
    };

    public Option<int> Timeout { get; } = new("--timeout")
    {
        Description = "seconds to wait for each server answer (default: 60)",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => 60,
    };

    public Option[] All => [Server, Token, IgnoreCerts, Timeout];

    public IReadOnlyList<GalaxyServerSettings> Resolve(ParseResult parse, AnsibleConfig config) =>
        GalaxyServerList.Resolve(config, parse.GetValue(Server), parse.GetValue(Token),
            parse.GetValue(IgnoreCerts) ? true : null, TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(Timeout))));
}

/// <summary>Helpers shared by the <c>anvil collection</c> commands.</summary>
internal static class CollectionCli
{
    /// <summary>Where artifacts from servers are cached: <c>$ANVIL_HOME/cache/collections</c>.</summary>
    public static string CacheDirectory => Path.Combine(AnvilDatabase.Home, "cache", "collections");

    /// <summary>Runs a command body; a <see cref="GalaxyException"/> becomes <c>anvil: error: …</c> lines (one per
    /// problem) and exit code 1.</summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<TextWriter, TextWriter, Task<int>> body)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            return await body(output, error);
        }
        catch (MetadataException e)
        {
            foreach (var p in e.Problems)
            {
                await error.WriteLineAsync($"anvil: error: {p}");
            }
            return AnvilCommandLine.InputError;
        }
        catch (GalaxyException e)
        {
            var lines = e.Message.Split('\n');
            await error.WriteLineAsync($"anvil: error: {lines[0].TrimEnd('\r')}");
            foreach (var line in lines.Skip(1))
            {
                await error.WriteLineAsync(line.TrimEnd('\r'));
            }
            return AnvilCommandLine.InputError;
        }
        catch (IOException e)
        {
            await error.WriteLineAsync($"anvil: error: {e.Message}");
            return AnvilCommandLine.InputError;
        }
        catch (UnauthorizedAccessException e)
        {
            await error.WriteLineAsync($"anvil: error: {e.Message}");
            return AnvilCommandLine.InputError;
        }
    }

    public static void Warn(TextWriter error, string message) => error.WriteLine($"anvil: warning: {message}");

    /// <summary>Positional arguments that take any number of values would swallow a mistyped option; refuse those.</summary>
    public static T NoOptions<T>(T argument)
        where T : Argument<string[]>
    {
        argument.Validators.Add(r =>
        {
            foreach (var token in r.Tokens.Where(t => t.Value.Length > 1 && t.Value[0] == '-'))
            {
                r.AddError($"Unrecognized command or argument '{token.Value}'.");
            }
        });
        return argument;
    }

    /// <summary>Requirements from positional arguments or <c>-r FILE</c> (not both, and one of them).</summary>
    public static List<Requirement> Requirements(IReadOnlyList<string> args, string? file, IReadOnlyList<GalaxyServerSettings> servers,
        bool validateCerts, TextWriter error)
    {
        if (args.Count > 0 && file is not null)
        {
            throw new GalaxyException("The positional collection_name arg and --requirements-file are mutually exclusive.");
        }
        if (args.Count == 0 && file is null)
        {
            throw new GalaxyException("You must specify a collection name or a requirements file.");
        }
        var parser = new RequirementParser(servers, Directory.GetCurrentDirectory(), validateCerts);
        if (file is not null)
        {
            var warnings = new List<string>();
            var list = parser.FromFile(file, warnings);
            warnings.ForEach(w => Warn(error, w));
            return list;
        }
        return args.Select(parser.FromArgument).ToList();
    }

    public static string Elapsed(System.Diagnostics.Stopwatch sw) =>
        sw.Elapsed.TotalSeconds < 10 ? $"{sw.Elapsed.TotalSeconds:0.00} s" : $"{sw.Elapsed.TotalSeconds:0.0} s";
}
