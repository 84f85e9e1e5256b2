using System.CommandLine;
using Anvil.Runner;
using Spectre.Console;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil demo</c>: installs what is missing, runs <c>examples/demo</c> through the runner and shows the
/// recap and where the artifacts are.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "do not echo Ansible's output" };
        var noServe = new Option<bool>("--no-serve") { Description = "record the run but do not start the server" };
        var urls = new Option<string?>("--urls") { Description = $"where the server listens (default: {Anvil.Server.AnvilServer.DefaultUrl})", HelpName = "URLS" };
        var command = new Command("demo", "Run the demo playbook (examples/demo) through the runner, record it, and serve the records.")
        {
            quiet, noServe, urls,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (!await Prerequisites.EnsureAsync(output, error, ct,
                    ("ansible-playbook", "ansible-core", "the demo runs a real Ansible playbook")))
            {
                return AnvilCommandLine.InputError;
            }
            var demo = FindDemo();
            if (demo is null)
            {
                await error.WriteLineAsync("anvil: error: examples/demo not found; run ./anvil demo from the Anvil checkout");
                return AnvilCommandLine.InputError;
            }
            var options = new RunnerOptions
            {
                PrivateDataDir = demo,
                Playbook = "site.yml",
                Ident = "demo-" + TimeProvider.System.GetUtcNow().ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture),
                RotateArtifacts = 5,
                Output = parse.GetValue(quiet) ? null : output,
            };
            var rc = await RunCommand.RunAsync(options, error, ct, result =>
            {
                PrintRecap(result, output);
                return Task.CompletedTask;
            }, new Recording.RecordingTarget(null, null));
            if (rc != 0 || parse.GetValue(noServe))
            {
                return rc;
            }
            await output.WriteLineAsync();
            await output.WriteLineAsync("The run is recorded; open the records in a browser or with the API:");
            return await ServerCommand.ServeAsync(new Anvil.Server.ServerStartOptions { Urls = parse.GetValue(urls) }, output, error, ct);
        });
        return command;
    }

    internal static string? FindDemo()
    {
        var roots = new[] { Environment.GetEnvironmentVariable("ANVIL_ROOT"), Directory.GetCurrentDirectory(), AppContext.BaseDirectory };
        foreach (var start in roots.Where(r => !string.IsNullOrEmpty(r)))
        {
            for (var dir = new DirectoryInfo(start!); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "examples", "demo");
                if (File.Exists(Path.Combine(candidate, "project", "site.yml")))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static void PrintRecap(RunResult result, TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        var table = new Table().Title($"Run {result.Ident}: [bold]{result.Status}[/] (rc {result.Rc})");
        foreach (var column in new[] { "host", "ok", "changed", "unreach.", "failed", "skipped", "rescued", "ignored" })
        {
            table.AddColumn(column);
        }
        if (result.Stats is { } s)
        {
            foreach (var host in s.Hosts)
            {
                table.AddRow(Markup.Escape(host), N(s.Ok, host), N(s.Changed, host), N(s.Dark, host),
                    N(s.Failures, host), N(s.Skipped, host), N(s.Rescued, host), N(s.Ignored, host));
            }
        }
        console.WriteLine();
        console.Write(table);
        console.WriteLine($"{result.EventCount} events; artifacts in {result.ArtifactDir}");
    }

    private static string N(IReadOnlyDictionary<string, int> counts, string host) =>
        counts.TryGetValue(host, out var n) ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "0";
}
