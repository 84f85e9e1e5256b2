using System.CommandLine;
using System.Diagnostics;
using Anvil.Galaxy.Building;

namespace Anvil.Cli.Commands.Collection;

/// <summary><c>anvil collection init</c> and <c>build</c>.</summary>
internal static class InitBuildCommands
{
    public static Command Init()
    {
        var name = new Argument<string>("name") { Description = "the collection to create, NAMESPACE.NAME" };
        var initPath = new Option<string>("--init-path")
        {
            Description = "where NAMESPACE/NAME/ is created (default: the working directory)",
            HelpName = "PATH",
            DefaultValueFactory = _ => ".",
        };
        var skeleton = new Option<string?>("--collection-skeleton")
        {
            Description = "a skeleton directory to copy instead of the default one ({{ variable }} in .j2 files)",
            HelpName = "DIR",
        };
        var force = new Option<bool>("--force", "-f") { Description = "empty an existing NAMESPACE/NAME/ first" };
        var command = new Command("init", "Create a new collection with ansible-galaxy's skeleton (galaxy.yml, README.md, meta/runtime.yml, plugins/, roles/, docs/).")
        {
            name, initPath, skeleton, force,
        };
        GroupedHelp.Apply(command, "anvil collection init NAMESPACE.NAME [--init-path PATH] [--force]", ("Options", [initPath, skeleton, force]));
        command.SetAction((parse, _) => CollectionCli.RunAsync(parse, async (output, _) =>
        {
            var dir = CollectionSkeleton.Create(parse.GetValue(name)!, parse.GetValue(initPath)!, parse.GetValue(force), parse.GetValue(skeleton));
            await output.WriteLineAsync($"- Collection {parse.GetValue(name)} was created successfully in {dir}");
            return 0;
        }));
        return command;
    }

    public static Command Build()
    {
        var dirs = CollectionCli.NoOptions(new Argument<string[]>("collection")
        {
            Description = "collection source directories (with galaxy.yml; default: the working directory)",
            Arity = ArgumentArity.ZeroOrMore,
        });
        var outputPath = new Option<string>("--output-path")
        {
            Description = "where the NAMESPACE-NAME-VERSION.tar.gz goes (default: the working directory)",
            HelpName = "PATH",
            DefaultValueFactory = _ => ".",
        };
        var force = new Option<bool>("--force", "-f") { Description = "replace an existing artifact" };
        var command = new Command("build", "Check galaxy.yml and build the collection artifact, reproducibly (the same tree gives the same bytes).")
        {
            dirs, outputPath, force,
        };
        GroupedHelp.Apply(command, "anvil collection build [DIR...] [--output-path PATH] [--force]", ("Options", [outputPath, force]));
        command.SetAction((parse, ct) => CollectionCli.RunAsync(parse, async (output, error) =>
        {
            var sources = parse.GetValue(dirs) is { Length: > 0 } given ? given : ["."];
            foreach (var source in sources)
            {
                var sw = Stopwatch.StartNew();
                var result = await Task.Run(() => CollectionBuilder.Build(source, parse.GetValue(outputPath)!, parse.GetValue(force), ct), ct);
                foreach (var w in result.Content.Warnings)
                {
                    CollectionCli.Warn(error, w);
                }
                var files = result.Content.Files.Files.Count(f => !f.IsDir);
                await output.WriteLineAsync($"Created collection for {result.Content.Info.Namespace}.{result.Content.Info.Name} at {result.ArtifactPath}" +
                                            (Verbosity.Get() > 0 ? $" ({files} files, {new FileInfo(result.ArtifactPath).Length:N0} bytes, {CollectionCli.Elapsed(sw)})" : ""));
            }
            return 0;
        }));
        return command;
    }
}
