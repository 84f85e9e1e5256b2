using System.Text.Json;
using System.Threading.Channels;
using Anvil.Galaxy.Importing;
using Anvil.Records.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Anvil.Server.Galaxy;

/// <summary>An accepted upload waiting for its import: the staged file with its own hash and size, and what the
/// client declared.</summary>
internal sealed record ImportJob(string ImportId, string User, string Filename, string StagedPath, string Sha256, long Size,
    string? ExpectedSha256);

/// <summary>
/// Runs imports one at a time in the background (checking an artifact is CPU-bound: one at a time leaves a core
/// to the readers), so that a publish answers 202 at once and the client polls the import, as with Galaxy. An
/// import that fails leaves nothing but its log: the staged file is removed and no version row is written. At
/// start, imports that a previous server left unfinished are marked failed.
/// </summary>
internal sealed partial class ImportQueue(IServiceProvider services, ILogger<ImportQueue> logger) : BackgroundService
{
    private readonly Channel<ImportJob> _jobs = Channel.CreateUnbounded<ImportJob>(new UnboundedChannelOptions { SingleReader = true });

    public ValueTask EnqueueAsync(ImportJob job, CancellationToken ct) => _jobs.Writer.WriteAsync(job, ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Resolved here, not in the constructor: the database opens when the host starts.
        var store = services.GetRequiredService<RegistryStore>();
        var stale = await store.FailUnfinishedImportsAsync(stoppingToken);
        if (stale > 0)
        {
            LogStale(logger, stale);
        }
        var orphans = await store.RemoveOrphanArtifactsAsync(TimeSpan.FromMinutes(10), stoppingToken);
        if (orphans > 0)
        {
            LogOrphans(logger, orphans, store.ArtifactsPath);
        }
        await foreach (var job in _jobs.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await RunAsync(store, job, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, job.ImportId, e);
                CollectionImporter.TryDelete(job.StagedPath);
                await store.UpdateImportAsync(job.ImportId, ImportState.Failed,
                    [new ImportMessage(ImportMessage.Error, "Internal error during the import (see the server log).", DateTimeOffset.UtcNow)],
                    "InternalError", "internal error during the import", CancellationToken.None);
            }
        }
    }

    private async Task RunAsync(RegistryStore store, ImportJob job, CancellationToken ct)
    {
        var started = new ImportMessage(ImportMessage.Info, $"Import of {job.Filename} by {job.User} started", DateTimeOffset.UtcNow);
        await store.UpdateImportAsync(job.ImportId, ImportState.Running, [started], ct: ct);
        var result = await Task.Run(() => CollectionImporter.Check(job.StagedPath, job.Filename, job.ExpectedSha256, job.Sha256,
            job.Size, new ImportOptions(), ct), ct);
        var log = result.Log.Select(l => new ImportMessage(l.Level, l.Message, l.Time)).Prepend(started).ToList();
        if (!result.Succeeded)
        {
            CollectionImporter.TryDelete(job.StagedPath);
            await store.UpdateImportAsync(job.ImportId, ImportState.Failed, log, result.ErrorCode, result.ErrorDescription, ct);
            LogRefused(logger, job.ImportId, job.Filename, job.User);
            return;
        }
        var info = result.Info!;
        var version = new NewVersion
        {
            Namespace = info.Namespace,
            Name = info.Name,
            Version = info.Version,
            Sha256 = result.Sha256,
            Size = result.Size,
            MetadataJson = MetadataJson(info),
            ContentsJson = JsonSerializer.Serialize(result.Contents.Select(c => new Dictionary<string, string>
            {
                ["name"] = c.Name,
                ["content_type"] = c.ContentType,
            })),
            Description = info.Description,
            RequiresAnsible = result.RequiresAnsible,
            Readme = result.Readme,
            Uploader = job.User,
            ImportId = job.ImportId,
        };
        try
        {
            await store.AddVersionAsync(version, job.StagedPath, ct);
        }
        catch (RegistryException e)
        {
            CollectionImporter.TryDelete(job.StagedPath);
            log.Add(new ImportMessage(ImportMessage.Error, e.Message, DateTimeOffset.UtcNow));
            await store.UpdateImportAsync(job.ImportId, ImportState.Failed, log, "ImporterError", e.Message, ct);
            LogRefused(logger, job.ImportId, job.Filename, job.User);
            return;
        }
        log.Add(new ImportMessage(ImportMessage.Info, $"{info.Namespace}.{info.Name} {info.Version} is available", DateTimeOffset.UtcNow));
        await store.UpdateImportAsync(job.ImportId, ImportState.Completed, log, ct: ct);
        LogImported(logger, info.Namespace, info.Name, info.Version, job.User);
    }

    /// <summary>MANIFEST.json's <c>collection_info</c> as a JSON object, dependencies as a mapping.</summary>
    internal static string MetadataJson(Anvil.Galaxy.Metadata.CollectionInfo i)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("namespace", i.Namespace);
            w.WriteString("name", i.Name);
            w.WriteString("version", i.Version);
            Strings(w, "authors", i.Authors);
            w.WriteString("readme", i.Readme);
            Strings(w, "tags", i.Tags);
            w.WriteString("description", i.Description);
            Strings(w, "license", i.License);
            w.WriteString("license_file", i.LicenseFile);
            w.WriteStartObject("dependencies");
            foreach (var (k, v) in i.Dependencies)
            {
                w.WriteString(k, v);
            }
            w.WriteEndObject();
            w.WriteString("repository", i.Repository);
            w.WriteString("documentation", i.Documentation);
            w.WriteString("homepage", i.Homepage);
            w.WriteString("issues", i.Issues);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Strings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }
        w.WriteEndArray();
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
