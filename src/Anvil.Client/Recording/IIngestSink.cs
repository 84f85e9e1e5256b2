using Anvil.Records.Ingest;
using Anvil.Data;

namespace Anvil.Client.Recording;

/// <summary>Where a recorder's batches go: the local database, or a server over HTTP (Anvil.Client).</summary>
public interface IIngestSink
{
    /// <summary>A human-readable target, without credentials (for messages).</summary>
    string Target { get; }

    /// <summary>Stores a batch; throws when the target cannot be reached or refuses it.</summary>
    Task<IngestResult> SendAsync(IngestBatch batch, CancellationToken ct = default);
}

/// <summary>Batches go straight into a database through <see cref="EventIngestor"/>.</summary>
public sealed class LocalIngestSink(AnvilDatabase db) : IIngestSink
{
    private readonly EventIngestor _ingestor = new(db);

    /// <inheritdoc/>
    public string Target => db.Description;

    /// <inheritdoc/>
    public Task<IngestResult> SendAsync(IngestBatch batch, CancellationToken ct = default) => _ingestor.IngestAsync(batch, ct);
}
