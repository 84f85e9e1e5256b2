using System.CommandLine;
using System.Runtime.InteropServices;
using Anvil.Runner;
using Anvil.Runner.Inputs;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil start PRIVATE_DATA_DIR -p PLAYBOOK</c>: ansible-runner's <c>start</c>. The run goes on in a
/// detached <c>anvil</c> process (its own session, so closing the terminal does not end it) whose pid is in
/// <c>PRIVATE_DATA_DIR/pid</c> while it runs; its messages go to <c>PRIVATE_DATA_DIR/daemon.log</c>.</summary>
internal static class StartCommand
{
    /// <summary>How long <c>start</c> waits for the background runner to have checked its inputs and written its
    /// pid before it returns anyway.</summary>
    private static readonly TimeSpan StartupWait = TimeSpan.FromSeconds(60);

    public static Command Create()
    {
        var set = new RunOptionSet();
        // Given by start to the process it spawns: the full private data dir path, which also marks that process.
        var detached = new Option<string?>("--detached") { Hidden = true };
        var command = new Command("start", "Run in the background, detached; 'anvil is-alive' and 'anvil stop' " +
                                           "find the run through PRIVATE_DATA_DIR/pid.");
        set.AddTo(command, "anvil start PRIVATE_DATA_DIR (-p PLAYBOOK | -m MODULE | -r ROLE) [options]");
        command.Options.Add(detached);
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            RunnerOptions options;
            try
            {
                options = set.Read(parse);
            }
            catch (RunnerInputException e)
            {
                return RunCommand.Fail(error, e.Message);
            }
            if (parse.GetValue(detached) is { } pdd)
            {
                return await RunDetachedAsync(options, pdd, set, parse, ct);
            }
            return await SpawnAsync(options, parse, parse.InvocationConfiguration.Output, error, ct);
        });
        return command;
    }

    /// <summary>In the background process: claims the pid file once the inputs are good, runs, removes it.</summary>
    private static async Task<int> RunDetachedAsync(RunnerOptions options, string pdd, RunOptionSet set,
        ParseResult parse, CancellationToken ct)
    {
        // 'anvil stop' may signal as soon as the pid file exists, before the job has started: cancel it then too.
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancel.Cancel(); });
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => c.Cancel = true);
        return await RunCommand.RunAsync(options with { Output = null }, parse.InvocationConfiguration.Error, cancel.Token,
            record: set.Recording(parse), beforeStart: plan => BackgroundRun.Claim(pdd, plan.Ident));
    }

    /// <summary>In the foreground: starts the background process and waits until it runs (or failed).</summary>
    private static async Task<int> SpawnAsync(RunnerOptions options, ParseResult parse, TextWriter output,
        TextWriter error, CancellationToken ct)
    {
        var pdd = Path.GetFullPath(options.PrivateDataDir);
        if (!Directory.Exists(pdd))
        {
            return RunCommand.Fail(error, $"{pdd}: private data dir not found");
        }
        if (BackgroundRun.LivePid(pdd) is { } running)
        {
            return RunCommand.Fail(error, $"{pdd}: a run from this private data dir is already going (pid {running}); " +
                                          $"'anvil stop {pdd}' ends it");
        }
        var ident = options.Ident ?? Guid.NewGuid().ToString();
        var (program, argv) = SelfInvocation.Anvil();
        argv.Add("start");
        argv.AddRange(SelfInvocation.TokensAfterCommand(parse).Select(t => t.Value));
        if (Verbosity.Get() > 0)
        {
            argv.Add("-" + new string('v', Verbosity.Get()));
        }
        if (options.Ident is null)
        {
            argv.AddRange(["--ident", ident]);
        }
        argv.AddRange(["--detached", pdd]);

        var log = Path.Combine(pdd, BackgroundRun.LogFileName);
        var logLength = File.Exists(log) ? new FileInfo(log).Length : 0;
        var pid = BackgroundRun.Spawn(program, argv, Environment.CurrentDirectory, log);
        var artifacts = Path.Combine(Path.GetFullPath(options.ArtifactDir ?? Path.Combine(pdd, "artifacts")), ident);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (BackgroundRun.LivePid(pdd) == pid)
            {
                if (options.Output is not null)
                {
                    await output.WriteLineAsync($"Started in the background (pid {pid}); artifacts in {artifacts}");
                }
                return 0;
            }
            if (BackgroundRun.TryGetExitCode(pid) is { } rc)
            {
                // Ended before it was seen running: bad input (its message is in the log), or a run that was short.
                var said = NewLogText(log, logLength).Trim();
                if (rc != 0 && said.Length > 0)
                {
                    await error.WriteLineAsync(said);
                }
                return rc < 0 ? 128 - rc : rc;
            }
            if (waited.Elapsed > StartupWait)
            {
                await error.WriteLineAsync($"anvil: warning: the background run (pid {pid}) has not started yet; see {log}");
                return 0;
            }
            await Task.Delay(50, ct);
        }
    }

    private static string NewLogText(string log, long from)
    {
        try
        {
            using var f = File.OpenRead(log);
            f.Seek(Math.Min(from, f.Length), SeekOrigin.Begin);
            return new StreamReader(f).ReadToEnd();
        }
        catch (IOException)
        {
            return "";
        }
    }
}
