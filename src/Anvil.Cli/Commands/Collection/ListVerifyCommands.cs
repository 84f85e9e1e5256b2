using System.CommandLine;
using System.Text;
using System.Text.Json;
using Anvil.Galaxy;
using Anvil.Galaxy.Installing;
using Anvil.Galaxy.Metadata;
using Anvil.Galaxy.Servers;

namespace Anvil.Cli.Commands.Collection;

/// <summary><c>anvil collection list</c> and <c>verify</c>.</summary>
internal static class ListVerifyCommands
{
    private static Option<string[]> PathOption() => new("--collections-path", "-p")
    {
        Description = "more collections paths to search, before COLLECTIONS_PATHS (repeat, or separate with ':')",
        HelpName = "PATH",
        AllowMultipleArgumentsPerToken = false,
    };

    private static IEnumerable<string> Split(string[]? paths) =>
        (paths ?? []).SelectMany(p => p.Split(':', StringSplitOptions.RemoveEmptyEntries)).Select(p => AnsibleConfig.ExpandUser(p));

    public static Command List()
    {
        var name = new Argument<string?>("collection") { Description = "only this collection (NAMESPACE.NAME)", Arity = ArgumentArity.ZeroOrOne };
        var paths = PathOption();
        var format = new Option<string>("--format")
        {
            Description = "human (default), yaml or json",
            HelpName = "FORMAT",
            DefaultValueFactory = _ => "human",
        };
        format.AcceptOnlyFromAmong("human", "yaml", "json");
        var command = new Command("list", "Show the name and version of each collection installed in the collections paths.") { name, paths, format };
        GroupedHelp.Apply(command, "anvil collection list [NAMESPACE.NAME] [-p PATH] [--format human|yaml|json]", ("Options", [paths, format]));
        command.SetAction((parse, _) => CollectionCli.RunAsync(parse, async (output, error) =>
        {
            CollectionName? only = null;
            if (parse.GetValue(name) is { } n)
            {
                only = CollectionName.TryParse(n, out var parsed)
                    ? parsed
                    : throw new GalaxyException($"Invalid collection name '{n}', name must be in the format <namespace>.<collection>.");
            }
            var config = AnsibleConfig.Load();
            var search = CollectionLister.SearchPaths(config, Split(parse.GetValue(paths)));
            var warnings = new List<string>();
            var found = CollectionLister.List(search, config.CollectionsPaths.ToHashSet(), only, warnings, out var usable);
            foreach (var w in warnings.Where(_ => !(only is not null && found.Count > 0)))
            {
                CollectionCli.Warn(error, w);
            }
            if (!usable)
            {
                throw new GalaxyException("- None of the provided paths were usable. Please specify a valid path with --collections-path");
            }
            var fmt = parse.GetValue(format);
            if (fmt == "json")
            {
                await output.WriteLineAsync(Json(found));
            }
            else if (fmt == "yaml")
            {
                await output.WriteAsync(Yaml(found));
            }
            else
            {
                await output.WriteAsync(Human(found));
            }
            return 0;
        }));
        return command;
    }

    /// <summary>ansible-galaxy's table: <c># PATH</c>, then name and version columns.</summary>
    public static string Human(IReadOnlyList<CollectionsInPath> found)
    {
        var sb = new StringBuilder();
        foreach (var path in found)
        {
            var w1 = Math.Max(10, path.Collections.Max(c => c.Name.ToString().Length));
            var w2 = Math.Max(7, path.Collections.Max(c => c.Version.Length));
            sb.Append('\n').Append("# ").Append(path.Root).Append('\n');
            sb.Append("Collection".PadRight(w1)).Append(' ').Append("Version".PadRight(w2)).Append('\n');
            sb.Append(new string('-', w1)).Append(' ').Append(new string('-', w2)).Append('\n');
            foreach (var c in path.Collections)
            {
                sb.Append(c.Name.ToString().PadRight(w1)).Append(' ').Append(c.Version.PadRight(w2)).Append('\n');
            }
        }
        return sb.ToString();
    }

    public static string Json(IReadOnlyList<CollectionsInPath> found)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            foreach (var path in found)
            {
                w.WriteStartObject(path.Root);
                foreach (var c in path.Collections)
                {
                    w.WriteStartObject(c.Name.ToString());
                    w.WriteString("version", c.Version);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    public static string Yaml(IReadOnlyList<CollectionsInPath> found)
    {
        var sb = new StringBuilder();
        foreach (var path in found.OrderBy(p => p.Root, StringComparer.Ordinal))
        {
            sb.Append(Yaml11.Quote(path.Root)).Append(":\n");
            foreach (var c in path.Collections.OrderBy(c => c.Name.ToString(), StringComparer.Ordinal))
            {
                sb.Append("  ").Append(Yaml11.Quote(c.Name.ToString())).Append(":\n");
                sb.Append("    version: ").Append(Yaml11.Quote(c.Version)).Append('\n');
            }
        }
        return sb.Length == 0 ? "{}\n" : sb.ToString();
    }

    public static Command Verify()
    {
        var names = CollectionCli.NoOptions(new Argument<string[]>("collection") { Description = "installed collections (NAMESPACE.NAME)", Arity = ArgumentArity.ZeroOrMore });
        var requirements = new Option<string?>("--requirements-file", "-r") { Description = "a requirements.yml naming the collections", HelpName = "FILE" };
        var paths = PathOption();
        var offline = new Option<bool>("--offline") { Description = "check against the installed FILES.json only (no server)" };
        var ignoreErrors = new Option<bool>("--ignore-errors", "-i") { Description = "go on with the next collection after an error" };
        var servers = new GalaxyServerOptions();
        var command = new Command("verify", "Check installed collections file by file: against their own FILES.json (--offline), or against the server's artifact.")
        {
            names, requirements, paths, offline, ignoreErrors,
        };
        foreach (var o in servers.All)
        {
            command.Options.Add(o);
        }
        GroupedHelp.Apply(command, "anvil collection verify NAMESPACE.NAME... | -r FILE [-p PATH] [--offline] [options]",
            ("Options", [requirements, paths, offline, ignoreErrors]), ("Servers", servers.All));
        command.SetAction((parse, ct) => CollectionCli.RunAsync(parse, async (output, error) =>
        {
            var config = AnsibleConfig.Load();
            var settings = servers.Resolve(parse, config);
            var wanted = CollectionCli.Requirements(parse.GetValue(names) ?? [], parse.GetValue(requirements), settings,
                !parse.GetValue(servers.IgnoreCerts), error);
            var roots = CollectionLister.SearchPaths(config, Split(parse.GetValue(paths)))
                .Select(InstalledCollections.CollectionsRoot).ToList();
            var clients = parse.GetValue(offline) ? [] : settings.Select(s => new GalaxyClient(s)).ToList();
            using var store = new CollectionArtifactStore(CollectionCli.CacheDirectory, !parse.GetValue(servers.IgnoreCerts));
            var verifier = new CollectionVerifier(clients, store);
            var failed = false;
            try
            {
                foreach (var r in wanted)
                {
                    if (r.IsConcrete || r.Name is null)
                    {
                        throw new GalaxyException($"'{r.Type.ToString().ToLowerInvariant()}' type is not supported. The format namespace.name is expected.");
                    }
                    try
                    {
                        var result = await verifier.VerifyAsync(r.Name.Value, r.Version.Text, roots, parse.GetValue(offline), ct);
                        await Report(output, result, parse.GetValue(offline));
                        failed |= !result.Success;
                    }
                    catch (GalaxyException e) when (parse.GetValue(ignoreErrors))
                    {
                        CollectionCli.Warn(error, $"Failed to verify collection '{r}' but skipping due to --ignore-errors being set. Error: {e.Message}");
                    }
                }
            }
            finally
            {
                clients.ForEach(x => x.Dispose());
            }
            return failed ? AnvilCommandLine.InputError : 0;
        }));
        return command;
    }

    private static async Task Report(TextWriter output, VerifyResult result, bool offline)
    {
        await output.WriteLineAsync($"Verifying '{result.Name}:{result.Version}'.");
        await output.WriteLineAsync($"Installed collection found at '{result.Location}'");
        if (result.Error is not null)
        {
            await output.WriteLineAsync(result.Error);
            return;
        }
        await output.WriteLineAsync($"MANIFEST.json hash: {result.ManifestHash}");
        if (result.Modified.Count > 0)
        {
            await output.WriteLineAsync($"Collection {result.Name} contains modified content in the following files:");
            foreach (var m in result.Modified)
            {
                await output.WriteLineAsync($"    {m.Path}");
                if (Verbosity.Get() > 0)
                {
                    await output.WriteLineAsync($"    Expected: {m.Expected}");
                    await output.WriteLineAsync($"    Found: {m.Found}");
                }
            }
            return;
        }
        var what = offline ? "are internally consistent with its manifest" : "match the remote collection";
        await output.WriteLineAsync($"Successfully verified that checksums for '{result.Name}:{result.Version}' {what}.");
    }
}
