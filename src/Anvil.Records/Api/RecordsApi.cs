using Anvil.Records.Storage;

namespace Anvil.Records.Api;

/// <summary>The ARA-compatible records API (<c>/api/</c>, <c>/api/v1/…</c>), independent of HTTP.</summary>
public sealed partial class RecordsApi(RecordsDatabase db, RecordsApiOptions? options = null) : IRecordsTransport
{
    public RecordsDatabase Database { get; } = db;
    public RecordsApiOptions Options { get; } = options ?? new RecordsApiOptions();

    public Task<ApiResponse> SendAsync(ApiRequest request, CancellationToken ct = default)
    {
        // Filled in by the API implementation (one file per resource under Api/).
        return Task.FromResult(ApiResponse.Json(404, "{\"detail\":\"Not found.\"}"u8.ToArray()));
    }
}
