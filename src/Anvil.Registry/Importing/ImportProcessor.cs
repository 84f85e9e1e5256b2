using System.Text.Json;
using Anvil.Galaxy.Metadata;

namespace Anvil.Registry.Importing;

/// <summary>An accepted upload waiting for its import: the staged file with its own hash and size, and what the
/// client declared.</summary>
public sealed record ImportJob(string ImportId, string User, string Filename, string StagedPath, string Sha256, long Size,
    string? ExpectedSha256);

/// <summary>How an import ended: <see cref="Imported"/> with the version it added, or refused (see its log).</summary>
public sealed record ImportOutcome(bool Imported, string? Namespace = null, string? Name = null, string? Version = null);

/// <summary>What a server start found: imports a previous server left unfinished (now failed), and artifact files
/// no version points at (now removed).</summary>
public readonly record struct ImportRecovery(int StaleImports, int OrphanArtifacts);

/// <summary>
/// Runs one import from staged file to published version: the checks (<see cref="CollectionImporter"/>), then the
/// version row with its artifact moved into place, writing the import's state and log as it goes. An import that
/// fails leaves nothing but its log: the staged file is removed and no version row is written. The server's queue
/// calls it one job at a time (checking an artifact is CPU-bound: one at a time leaves a core to the readers).
/// </summary>
public sealed class ImportProcessor(RegistryStore store)
{
    /// <summary>The registry it imports into.</summary>
    public RegistryStore Store => store;

    /// <summary>Cleans up after a server that stopped mid-import; run once before the first job.</summary>
    public async Task<ImportRecovery> RecoverAsync(CancellationToken ct)
    {
        var stale = await store.FailUnfinishedImportsAsync(ct).ConfigureAwait(false);
        var orphans = await store.RemoveOrphanArtifactsAsync(TimeSpan.FromMinutes(10), ct).ConfigureAwait(false);
        return new ImportRecovery(stale, orphans);
    }

    /// <summary>Checks and, when it passes, publishes <paramref name="job"/>.</summary>
    public async Task<ImportOutcome> RunAsync(ImportJob job, CancellationToken ct)
    {
        var started = new ImportMessage(ImportMessage.Info, $"Import of {job.Filename} by {job.User} started", store.Database.Time.GetUtcNow());
        await store.UpdateImportAsync(job.ImportId, ImportState.Running, [started], ct: ct).ConfigureAwait(false);
        var result = await Task.Run(() => CollectionImporter.Check(job.StagedPath, job.Filename, job.ExpectedSha256, job.Sha256,
            job.Size, new ImportOptions { Time = store.Database.Time }, ct), ct).ConfigureAwait(false);
        var log = result.Log.Prepend(started).ToList();
        if (!result.Succeeded)
        {
            CollectionImporter.TryDelete(job.StagedPath);
            await store.UpdateImportAsync(job.ImportId, ImportState.Failed, log, result.ErrorCode, result.ErrorDescription, ct)
                .ConfigureAwait(false);
            return new ImportOutcome(false);
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
            await store.AddVersionAsync(version, job.StagedPath, ct).ConfigureAwait(false);
        }
        catch (RegistryException e)
        {
            CollectionImporter.TryDelete(job.StagedPath);
            log.Add(new ImportMessage(ImportMessage.Error, e.Message, store.Database.Time.GetUtcNow()));
            await store.UpdateImportAsync(job.ImportId, ImportState.Failed, log, "ImporterError", e.Message, ct).ConfigureAwait(false);
            return new ImportOutcome(false);
        }
        log.Add(new ImportMessage(ImportMessage.Info, $"{info.Namespace}.{info.Name} {info.Version} is available", store.Database.Time.GetUtcNow()));
        await store.UpdateImportAsync(job.ImportId, ImportState.Completed, log, ct: ct).ConfigureAwait(false);
        return new ImportOutcome(true, info.Namespace, info.Name, info.Version);
    }

    /// <summary>Marks <paramref name="job"/> failed after an unexpected error (whose details belong in the server
    /// log, not in the import's), removing its staged file.</summary>
    public Task FailAsync(ImportJob job)
    {
        CollectionImporter.TryDelete(job.StagedPath);
        return store.UpdateImportAsync(job.ImportId, ImportState.Failed,
            [new ImportMessage(ImportMessage.Error, "Internal error during the import (see the server log).", store.Database.Time.GetUtcNow())],
            "InternalError", "internal error during the import", CancellationToken.None);
    }

    /// <summary>MANIFEST.json's <c>collection_info</c> as a JSON object, dependencies as a mapping.</summary>
    internal static string MetadataJson(CollectionInfo i)
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
}
