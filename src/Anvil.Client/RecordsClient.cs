using System.Text.Json;
using System.Text.Json.Nodes;
using Anvil.Records.Api;
using Anvil.Data;
using Anvil.Records.Storage;

namespace Anvil.Client;

/// <summary>A records API call answered with an error status; <see cref="Body"/> is the server's JSON.</summary>
public sealed class RecordsApiException(int status, string method, string path, string body)
    : Exception($"{method} {path} failed with {status}: {body}")
{
    /// <summary>The HTTP status of the answer (400, 404 …).</summary>
    public int Status { get; } = status;
    /// <summary>The answer's body: the server's JSON error.</summary>
    public string Body { get; } = body;
}

/// <summary>
/// The records API from C#, the same with or without a server: <see cref="Http"/> talks to an Anvil (or ARA)
/// server, <see cref="Offline"/> runs the API in this process on a local database through the very code the server
/// uses. Paths are the API's (<c>/api/v1/playbooks</c>); results are JSON.
/// </summary>
/// <example>
/// <code>
/// await using var client = await RecordsClient.Offline();
/// var failed = await client.GetAsync("/api/v1/playbooks", ("status", "failed"));
/// </code>
/// </example>
public sealed class RecordsClient : IAsyncDisposable
{
    private readonly IRecordsTransport _transport;
    private readonly IAsyncDisposable? _owned;
    private readonly string _baseUrl;

    /// <summary>A client over <paramref name="transport"/>; <paramref name="baseUrl"/> is where the API lives (default <c>http://localhost</c>), and <paramref name="owned"/>, if any, is disposed with the client.</summary>
    public RecordsClient(IRecordsTransport transport, string baseUrl = "http://localhost", IAsyncDisposable? owned = null)
    {
        _transport = transport;
        _baseUrl = baseUrl;
        _owned = owned;
    }

    /// <summary>What the calls go through: HTTP, or the API in this process.</summary>
    public IRecordsTransport Transport => _transport;

    /// <summary>A client for the server at <paramref name="serverUrl"/>.</summary>
    public static RecordsClient Http(string serverUrl, string? username = null, string? password = null, TimeSpan? timeout = null)
    {
        var transport = new HttpRecordsTransport(serverUrl, username, password, timeout);
        return new RecordsClient(transport, transport.ServerUrl, transport);
    }

    /// <summary>A client on a local database (default: the embedded SQLite file), with no server.</summary>
    public static async Task<RecordsClient> Offline(string? database = null, CancellationToken ct = default)
    {
        var db = await AnvilDatabase.OpenAsync(database, [RecordsSchema.Migrations], ct: ct).ConfigureAwait(false);
        return new RecordsClient(new RecordsApi(db), "http://localhost", db);
    }

    /// <summary><c>GET</c> <paramref name="path"/> with the query parameters; throws <see cref="RecordsApiException"/> on an error status.</summary>
    public Task<JsonElement> GetAsync(string path, params (string Name, string Value)[] query) =>
        SendAsync("GET", path, query, null);

    /// <summary><c>POST</c> <paramref name="body"/> (serialised as JSON) to <paramref name="path"/>: creates an item.</summary>
    public Task<JsonElement> PostAsync(string path, object body) => SendAsync("POST", path, [], body);

    /// <summary><c>PATCH</c>: changes the fields of <paramref name="body"/> on the item at <paramref name="path"/>.</summary>
    public Task<JsonElement> PatchAsync(string path, object body) => SendAsync("PATCH", path, [], body);

    /// <summary><c>PUT</c>: replaces the item at <paramref name="path"/>.</summary>
    public Task<JsonElement> PutAsync(string path, object body) => SendAsync("PUT", path, [], body);

    /// <summary><c>DELETE</c>: removes the item at <paramref name="path"/>.</summary>
    public Task<JsonElement> DeleteAsync(string path) => SendAsync("DELETE", path, [], null);

    /// <summary>Every item of a list endpoint, following <c>next</c> pages.</summary>
    public async IAsyncEnumerable<JsonElement> ListAllAsync(string path, params (string Name, string Value)[] query)
    {
        var offset = 0;
        while (true)
        {
            var page = await GetAsync(path, [.. query, ("offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture))]).ConfigureAwait(false);
            var results = page.GetProperty("results");
            foreach (var item in results.EnumerateArray())
            {
                yield return item;
            }
            offset += results.GetArrayLength();
            if (page.GetProperty("next").ValueKind == JsonValueKind.Null || results.GetArrayLength() == 0)
            {
                yield break;
            }
        }
    }

    /// <summary>Any call: <paramref name="body"/> as for <see cref="PostAsync"/>; an error status throws
    /// <see cref="RecordsApiException"/>; an empty answer (204) is <c>default</c>.</summary>
    public async Task<JsonElement> SendAsync(string method, string path, IEnumerable<(string Name, string Value)> query,
        object? body, CancellationToken ct = default)
    {
        var bytes = body switch
        {
            null => ReadOnlyMemory<byte>.Empty,
            JsonNode node => System.Text.Encoding.UTF8.GetBytes(node.ToJsonString()),
            JsonElement el => System.Text.Encoding.UTF8.GetBytes(el.GetRawText()),
            string s => System.Text.Encoding.UTF8.GetBytes(s),
            _ => throw new ArgumentException("body must be a JsonNode, a JsonElement or a JSON string", nameof(body)),
        };
        var request = new ApiRequest(method, path, query.Select(q => new KeyValuePair<string, string>(q.Name, q.Value)).ToList(), bytes, _baseUrl);
        var response = await _transport.SendAsync(request, ct).ConfigureAwait(false);
        if (response.Status >= 400)
        {
            throw new RecordsApiException(response.Status, method, path, System.Text.Encoding.UTF8.GetString(response.Body.Span));
        }
        if (response.Body.IsEmpty)
        {
            return default;
        }
        using var doc = JsonDocument.Parse(response.Body);
        return doc.RootElement.Clone();
    }

    /// <summary>Closes the transport or database the client owns.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_owned is not null)
        {
            await _owned.DisposeAsync().ConfigureAwait(false);
        }
    }
}
