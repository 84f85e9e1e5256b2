using System.CommandLine;
using System.Diagnostics;
using Anvil.Galaxy;
using Anvil.Galaxy.Servers;

namespace Anvil.Cli.Commands.Collection;

/// <summary><c>anvil collection publish</c>: uploads an artifact to a Galaxy v3 server (Anvil's registry, galaxy_ng,
/// Automation Hub) and, unless <c>--no-wait</c>, waits for its import and prints the import log, as ansible-galaxy
/// does.</summary>
internal static class PublishCommand
{
    /// <summary>Exit code when the server refused the collection or its import failed.</summary>
    public const int Refused = 1;

    public static Command Publish()
    {
        var tarball = new Argument<string>("tarball") { Description = "the artifact to publish (NAMESPACE-NAME-VERSION.tar.gz, from 'collection build')" };
        var servers = new GalaxyServerOptions();
        var noWait = new Option<bool>("--no-wait") { Description = "do not wait for the import: print where to see it and exit" };
        var importTimeout = new Option<int>("--import-timeout")
        {
            Description = "seconds to wait for the import (default: 0, wait as long as it takes)",
            HelpName = "SECONDS",
            DefaultValueFactory = _ => 0,
        };
        var command = new Command("publish", "Publish a collection artifact to a Galaxy server and wait for its import.")
        {
            tarball, noWait, importTimeout,
        };
        foreach (var o in servers.All)
        {
            command.Options.Add(o);
        }
        GroupedHelp.Apply(command, "anvil collection publish TARBALL [-s SERVER] [--token TOKEN] [--no-wait] [--import-timeout SECONDS]",
            ("Import", [noWait, importTimeout]),
            ("Servers", servers.All));
        command.SetAction((parse, ct) => CollectionCli.RunAsync(parse, async (output, error) =>
        {
            var path = parse.GetValue(tarball)!;
            if (!File.Exists(path))
            {
                throw new GalaxyException($"{path}: no such file (build the collection first: anvil collection build)");
            }
            if (parse.GetValue(importTimeout) < 0)
            {
                throw new GalaxyException("--import-timeout: must be 0 (no limit) or a number of seconds");
            }
            var config = AnsibleConfig.Load();
            // As ansible-galaxy: -s names the server, else the first configured one.
            var server = servers.Resolve(parse, config)[0];
            using var client = new GalaxyClient(server);
            var sw = Stopwatch.StartNew();
            var task = await client.PublishAsync(path, ct);
            var root = await client.GetApiRootAsync(ct);
            if (parse.GetValue(noWait))
            {
                await output.WriteLineAsync($"Collection has been pushed to the Galaxy server {server.Name} {root}, not waiting until import has " +
                                            $"completed due to --no-wait being set. Import task results can be found at {task}");
                return 0;
            }
            await output.WriteLineAsync($"Collection has been published to the Galaxy server {server.Name} {root}");
            await output.WriteLineAsync($"Waiting until Galaxy import task {task} has completed");
            var timeout = parse.GetValue(importTimeout);
            var deadline = timeout > 0 ? TimeProvider.System.GetUtcNow().AddSeconds(timeout) : DateTimeOffset.MaxValue;
            var wait = TimeSpan.FromMilliseconds(50);
            ImportStatus? status;
            while (true)
            {
                status = await client.GetImportAsync(task, ct);
                if (status is { Finished: true })
                {
                    break;
                }
                if (TimeProvider.System.GetUtcNow() >= deadline)
                {
                    throw new GalaxyException($"Timeout while waiting for the Galaxy import process to finish, check progress at '{task}'");
                }
                await Task.Delay(wait, ct);
                // An import of a typical collection takes a tenth of a second on Anvil's server: poll briskly first (a
                // poll is one small GET), then back off as ansible-galaxy does for servers that take minutes.
                wait = TimeSpan.FromSeconds(Math.Min(30, wait.TotalSeconds * 1.5));
            }
            foreach (var m in status.Messages)
            {
                var line = $"{m.Level}: {m.Message}";
                if (m.Level.Equals("ERROR", StringComparison.OrdinalIgnoreCase) || m.Level.Equals("WARNING", StringComparison.OrdinalIgnoreCase))
                {
                    await error.WriteLineAsync(line);
                }
                else
                {
                    await output.WriteLineAsync(line);
                }
            }
            if (status.Failed)
            {
                throw new GalaxyException($"Galaxy import process failed: {status.ErrorDescription} (Code: {status.ErrorCode})");
            }
            await output.WriteLineAsync($"Collection has been successfully published and imported to the Galaxy server {server.Name} {root} " +
                                        $"in {CollectionCli.Elapsed(sw)}");
            return 0;
        }));
        return command;
    }
}
