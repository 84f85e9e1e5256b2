using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anvil.Client;
using Anvil.Records.Ingest;
using Anvil.Client.Recording;
using Anvil.Data;
using Anvil.Server;
using Anvil.Runner;
using Anvil.Runner.Execution;

namespace Anvil.Cli.Recording;

/// <summary>Where <c>anvil run</c> records: the embedded database by default, a server with <c>--record-to</c>.</summary>
internal sealed record RecordingTarget(string? ServerUrl, string? Database)
{
    /// <summary>Credentials for a server come from the environment, never from the command line.</summary>
    public const string UserVariable = "ANVIL_USERNAME";
    public const string PasswordVariable = "ANVIL_PASSWORD";
}

/// <summary>Wires a <see cref="RunRecorder"/> to a run and reports how the recording ended.</summary>
internal sealed class RunRecording : IAsyncDisposable
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(
        double.TryParse(Environment.GetEnvironmentVariable("ANVIL_RECORD_WAIT"), System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 30);

    private readonly IIngestSink _sink;
    private readonly IAsyncDisposable? _owned;
    private readonly RunRecorder _recorder;

    private RunRecording(IIngestSink sink, IAsyncDisposable? owned, RunRecorder recorder)
    {
        _sink = sink;
        _owned = owned;
        _recorder = recorder;
    }

    public static async Task<RunRecording> StartAsync(RecordingTarget target, RunnerOptions options, JobPlan plan, CancellationToken ct)
    {
        IIngestSink sink;
        IAsyncDisposable? owned;
        if (target.ServerUrl is { } url)
        {
            var transport = new HttpRecordsTransport(url, Environment.GetEnvironmentVariable(RecordingTarget.UserVariable),
                Environment.GetEnvironmentVariable(RecordingTarget.PasswordVariable));
            sink = new HttpIngestSink(transport);
            owned = transport;
        }
        else
        {
            var db = await AnvilDatabase.OpenAsync(target.Database, AnvilSchema.All, ct: ct);
            sink = new LocalIngestSink(db);
            owned = db;
        }
        var recorderOptions = new RecorderOptions();
        // Runs an earlier process could not deliver go first, so the records stay in order.
        using (var replay = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            replay.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await RunRecorder.ReplayLeftoversAsync(sink, recorderOptions.SpoolDirectory, replay.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
            }
        }
        return new RunRecording(sink, owned, new RunRecorder(sink, Describe(options, plan), recorderOptions));
    }

    public void Add(Anvil.Events.JobEvent e) => _recorder.Add(e);

    public async Task ReportAsync(RunResult result, TextWriter error, bool quiet)
    {
        var outcome = await _recorder.CompleteAsync(result.Status, MaxWait);
        if (outcome.Complete)
        {
            if (quiet)
            {
                return;
            }
            await error.WriteLineAsync($"Recorded as playbook {outcome.PlaybookId} in {outcome.Target}");
        }
        else
        {
            await error.WriteLineAsync(
                $"anvil: warning: recording to {outcome.Target} is not complete ({outcome.LastError ?? "no answer"}); " +
                $"the rest waits in {outcome.SpoolPath} and is sent by the next recorded run");
        }
    }

    internal static RunInfo Describe(RunnerOptions options, JobPlan plan)
    {
        var path = options.Module is { } module
            ? $"Ad-Hoc: {module}: {options.ModuleArgs}".TrimEnd(' ', ':')
            : plan.PlaybookPath ?? DescribeArguments(plan);
        var arguments = new JsonObject
        {
            ["command"] = new JsonArray(plan.RedactedCommand.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
            ["cwd"] = plan.Cwd,
            ["ident"] = plan.Ident,
            ["limit"] = options.Limit,
            ["forks"] = options.Forks,
            ["verbosity"] = options.Verbosity,
        };
        return new RunInfo
        {
            Ident = plan.Ident,
            Path = path,
            Controller = Environment.MachineName,
            User = Environment.UserName,
            ClientVersion = "anvil " + (typeof(RunRecording).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev"),
            Arguments = JsonDocument.Parse(arguments.ToJsonString()).RootElement.Clone(),
        };
    }

    /// <summary>For arguments as typed: the ad-hoc module, or the first argument naming an existing playbook file,
    /// or else the command itself.</summary>
    private static string DescribeArguments(JobPlan plan)
    {
        var argv = plan.RedactedCommand;
        if (Path.GetFileName(argv[0]) == "ansible")
        {
            string? module = null, args = null;
            for (var i = 1; i + 1 < argv.Count; i++)
            {
                if (argv[i] is "-m" or "--module-name")
                {
                    module = argv[i + 1];
                }
                else if (argv[i] is "-a" or "--args")
                {
                    args = argv[i + 1];
                }
            }
            return $"Ad-Hoc: {module ?? "command"}: {args}".TrimEnd(' ', ':');
        }
        return argv.Skip(1).Where(a => !a.StartsWith('-') && (a.EndsWith(".yml", StringComparison.Ordinal) ||
                                                               a.EndsWith(".yaml", StringComparison.Ordinal)))
                   .Select(a => Path.GetFullPath(Path.Combine(plan.Cwd, a)))
                   .FirstOrDefault(File.Exists)
               ?? string.Join(' ', argv);
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned is not null)
        {
            await _owned.DisposeAsync();
        }
    }
}
