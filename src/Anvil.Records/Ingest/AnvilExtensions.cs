using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Anvil.Events;
using Anvil.Records.Api;
using Dapper;

namespace Anvil.Records.Ingest;

/// <summary>
/// Anvil's additions next to the ARA endpoints, under <c>/api/v1/anvil/</c>:
/// <c>POST ingest</c> (a batch of runner events, see <see cref="IngestBatch"/>) and
/// <c>GET playbooks/{id}/output</c> (the console text of a run recorded from the runner, event by event).
/// </summary>
public static class AnvilExtensions
{
    private const string Prefix = "/api/v1/anvil/";

    /// <summary>Answers a call under <c>/api/v1/anvil/</c> (the path must start with it); unknown paths get a 404.</summary>
    public static async Task<ApiResponse> SendAsync(RecordsApi api, ApiRequest request, CancellationToken ct)
    {
        var rest = request.Path[Prefix.Length..].TrimEnd('/');
        if (rest == "ingest")
        {
            return request.Method == "POST" ? await IngestAsync(api, request, ct).ConfigureAwait(false) : Replies.MethodNotAllowed(request.Method, "POST");
        }
        var parts = rest.Split('/');
        if (parts is ["playbooks", var id, "output"])
        {
            if (request.Method is not ("GET" or "HEAD"))
            {
                return Replies.MethodNotAllowed(request.Method, "GET, HEAD");
            }
            return long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                ? await OutputAsync(api, pid, ct).ConfigureAwait(false)
                : Replies.NotFound();
        }
        return Replies.NotFound();
    }

    private static async Task<ApiResponse> IngestAsync(RecordsApi api, ApiRequest request, CancellationToken ct)
    {
        IngestBatch? batch;
        try
        {
            batch = JsonSerializer.Deserialize(request.Body.Span, IngestJsonContext.Default.IngestBatch);
        }
        catch (InvalidJobEventException)
        {
            return FieldErrors.One("events", InvalidJobEventException.NeedsCounter).Response;
        }
        catch (JsonException e)
        {
            return Replies.Detail(400, "JSON parse error - " + e.Message);
        }
        if (batch?.Run is null || string.IsNullOrEmpty(batch.Run.Ident) || string.IsNullOrEmpty(batch.Run.Path))
        {
            return FieldErrors.One("run", "This field is required.").Response;
        }
        var result = await new EventIngestor(api.Database, api.Options.ServerVersion).IngestAsync(batch, ct).ConfigureAwait(false);
        return new ApiResponse(200, JsonSerializer.SerializeToUtf8Bytes(result, IngestJsonContext.Default.IngestResult));
    }

    private static async Task<ApiResponse> OutputAsync(RecordsApi api, long playbookId, CancellationToken ct)
    {
        await using var c = await api.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var exists = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM playbooks WHERE id = @playbookId", new { playbookId }).ConfigureAwait(false);
        if (exists == 0)
        {
            return Replies.NotFound();
        }
        var rows = await c.QueryAsync<(long Counter, string Event, string Stdout)>(
            "SELECT counter, event, stdout FROM run_events WHERE playbook_id = @playbookId ORDER BY counter", new { playbookId }).ConfigureAwait(false);
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("playbook", playbookId);
            w.WriteStartArray("events");
            foreach (var (counter, ev, stdout) in rows)
            {
                w.WriteStartObject();
                w.WriteNumber("counter", counter);
                w.WriteString("event", ev);
                w.WriteString("stdout", stdout);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return new ApiResponse(200, buffer.WrittenMemory);
    }
}
