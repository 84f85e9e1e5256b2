using System.Text.Json;
using Anvil.Records.Api;
using Anvil.Records.Ingest;

namespace Anvil.Client.Recording;

/// <summary>Sends a recorder's batches to a server's <c>POST /api/v1/anvil/ingest</c>.</summary>
public sealed class HttpIngestSink(HttpRecordsTransport transport) : IIngestSink
{
    /// <inheritdoc/>
    public string Target => transport.ServerUrl;

    /// <inheritdoc/>
    public async Task<IngestResult> SendAsync(IngestBatch batch, CancellationToken ct = default)
    {
        var body = IngestSerialization.Serialize(batch);
        var response = await transport.SendAsync(new ApiRequest("POST", "/api/v1/anvil/ingest", [], body, transport.ServerUrl), ct)
            .ConfigureAwait(false);
        if (response.Status != 200)
        {
            throw new RecordsApiException(response.Status, "POST", "/api/v1/anvil/ingest",
                System.Text.Encoding.UTF8.GetString(response.Body.Span));
        }
        return IngestSerialization.DeserializeResult(response.Body.Span);
    }
}
