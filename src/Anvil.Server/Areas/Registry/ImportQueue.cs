using System.Threading.Channels;
using Anvil.Registry;
using Anvil.Registry.Importing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Anvil.Server.Registry;

/// <summary>
/// Runs imports one at a time in the background, so that a publish answers 202 at once and the client polls the
/// import, as with Galaxy. What an import does is <see cref="ImportProcessor"/>'s; this is the queue, the hosted
/// service and the log. At start, imports that a previous server left unfinished are marked failed.
/// </summary>
internal sealed partial class ImportQueue(IServiceProvider services, ILogger<ImportQueue> logger) : BackgroundService
{
    private readonly Channel<ImportJob> _jobs = Channel.CreateUnbounded<ImportJob>(new UnboundedChannelOptions { SingleReader = true });

    public ValueTask EnqueueAsync(ImportJob job, CancellationToken ct) => _jobs.Writer.WriteAsync(job, ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Resolved here, not in the constructor: the database opens when the host starts.
        var store = services.GetRequiredService<RegistryStore>();
        var imports = new ImportProcessor(store);
        var recovered = await imports.RecoverAsync(stoppingToken);
        if (recovered.StaleImports > 0)
        {
            LogStale(logger, recovered.StaleImports);
        }
        if (recovered.OrphanArtifacts > 0)
        {
            LogOrphans(logger, recovered.OrphanArtifacts, store.ArtifactsPath);
        }
        await foreach (var job in _jobs.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                var outcome = await imports.RunAsync(job, stoppingToken);
                if (outcome.Imported)
                {
                    LogImported(logger, outcome.Namespace!, outcome.Name!, outcome.Version!, job.User);
                }
                else
                {
                    LogRefused(logger, job.ImportId, job.Filename, job.User);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, job.ImportId, e);
                await imports.FailAsync(job);
            }
        }
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Imported {Namespace}.{Name} {Version} (uploaded by {User})")]
    private static partial void LogImported(ILogger logger, string @namespace, string name, string version, string user);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Import {ImportId} of {Filename} by {User} refused (see its log)")]
    private static partial void LogRefused(ILogger logger, string importId, string filename, string user);

    [LoggerMessage(EventId = 42, Level = LogLevel.Error, Message = "Import {ImportId} failed")]
    private static partial void LogFailed(ILogger logger, string importId, Exception exception);

    [LoggerMessage(EventId = 43, Level = LogLevel.Warning, Message = "Marked {Count} unfinished import(s) of a previous run as failed")]
    private static partial void LogStale(ILogger logger, int count);

    [LoggerMessage(EventId = 44, Level = LogLevel.Warning, Message = "Removed {Count} artifact file(s) under {Path} that no version points at (left by a server that stopped mid-import)")]
    private static partial void LogOrphans(ILogger logger, int count, string path);
}
