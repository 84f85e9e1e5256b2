using System.Text.Json;
using System.Text.Json.Serialization;
using Anvil.Events;

namespace Anvil.Records.Ingest;

/// <summary>
/// A slice of one run's job events, in counter order, as the runner's recorder sends it to be stored
/// (<c>POST /api/v1/anvil/ingest</c>, or directly to <see cref="EventIngestor"/> for the local database).
/// Sending the same batch twice stores it once.
/// </summary>
public sealed record IngestBatch
{
    /// <summary>The run the events belong to; sent with every batch so any batch can create the playbook.</summary>
    public required RunInfo Run { get; init; }

    /// <summary>The job events; on the wire each is exactly its <c>job_events/*.json</c> file, with Anvil's meta as
    /// <c>"anvil"</c> (see <see cref="JobEventJsonConverter"/>), as when this list held raw JSON elements.</summary>
    public required IReadOnlyList<JobEvent> Events { get; init; }

    /// <summary>Contents of files referenced by these events and not sent before (playbook, task files), by absolute path.</summary>
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();

    /// <summary>Set on the last batch of a run: the runner's final status (<c>successful</c>, <c>failed</c>,
    /// <c>timeout</c>, <c>canceled</c>).</summary>
    public string? FinalStatus { get; init; }
}

/// <summary>What the runner knows about a run that Ansible's events do not carry.</summary>
public sealed record RunInfo
{
    /// <summary>The runner ident; identifies the playbook record across batches.</summary>
    public required string Ident { get; init; }

    /// <summary>Absolute path of the playbook (or <c>Ad-Hoc: module: args</c>).</summary>
    public required string Path { get; init; }

    /// <summary>ansible-core version (ARA's <c>ansible_version</c>). Default: <c>unknown</c>.</summary>
    public string AnsibleVersion { get; init; } = "unknown";
    /// <summary>Python version of the controller (ARA's <c>python_version</c>); null when unknown.</summary>
    public string? PythonVersion { get; init; }
    /// <summary>Version of the recording client (ARA's <c>client_version</c>); null when unknown.</summary>
    public string? ClientVersion { get; init; }
    /// <summary>Host name of the machine that ran the playbook (ARA's <c>controller</c>).</summary>
    public string? Controller { get; init; }
    /// <summary>The user who ran it (ARA's <c>user</c>).</summary>
    public string? User { get; init; }

    /// <summary>The command line as a mapping (ARA's <c>arguments</c>), secrets already redacted.</summary>
    public JsonElement? Arguments { get; init; }

    /// <summary>Label names to attach to the playbook (ARA's <c>labels</c>).</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IngestBatch))]
[JsonSerializable(typeof(IngestResult))]
internal sealed partial class IngestJsonContext : JsonSerializerContext;

/// <summary>The answer to a batch: the playbook's id, and how many of the events were new.</summary>
public sealed record IngestResult(long PlaybookId, int Stored, int Duplicates);

/// <summary>The wire format of ingestion (snake_case JSON, source-generated).</summary>
public static class IngestSerialization
{
    /// <summary>A batch as the ingest endpoint and the spool files expect it, UTF-8 JSON.</summary>
    public static byte[] Serialize(IngestBatch batch) => JsonSerializer.SerializeToUtf8Bytes(batch, IngestJsonContext.Default.IngestBatch);

    /// <summary>A batch as <see cref="Serialize"/> wrote it (the recorder's spool files).</summary>
    public static IngestBatch DeserializeBatch(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, IngestJsonContext.Default.IngestBatch)
        ?? throw new JsonException("empty ingestion batch");

    /// <summary>The ingest endpoint's answer; throws <see cref="JsonException"/> when the body is empty or malformed.</summary>
    public static IngestResult DeserializeResult(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, IngestJsonContext.Default.IngestResult)
        ?? throw new JsonException("empty ingestion result");
}
