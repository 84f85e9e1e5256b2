namespace Anvil.Records.Api;

/// <summary>
/// One call to the records API, independent of HTTP: the server turns an HTTP request into this, the offline
/// client builds it directly, so both go through the same code.
/// </summary>
/// <param name="Method">GET, POST, PUT, PATCH, DELETE, OPTIONS or HEAD.</param>
/// <param name="Path">The path below the API root, e.g. <c>/api/v1/playbooks/1</c>.</param>
/// <param name="Query">Query parameters; a name may repeat (<c>status=failed&amp;status=completed</c>).</param>
/// <param name="Body">The JSON body, empty when there is none.</param>
/// <param name="BaseUrl">Scheme, host and base path, used for absolute links (<c>next</c>, <c>previous</c>),
/// e.g. <c>http://127.0.0.1:8080</c>.</param>
/// <param name="User">The authenticated user name, or null for an anonymous call.</param>
public sealed record ApiRequest(
    string Method,
    string Path,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    ReadOnlyMemory<byte> Body,
    string BaseUrl,
    string? User = null)
{
    /// <summary>A <c>GET</c> of <paramref name="pathAndQuery"/> (which may carry a query string), without a body.</summary>
    public static ApiRequest Get(string pathAndQuery, string baseUrl = "http://localhost") =>
        Create("GET", pathAndQuery, default, baseUrl);

    /// <summary>Builds a request from a path that may carry a query string.</summary>
    public static ApiRequest Create(string method, string pathAndQuery, ReadOnlyMemory<byte> body,
        string baseUrl = "http://localhost", string? user = null)
    {
        var q = pathAndQuery.IndexOf('?');
        var path = q < 0 ? pathAndQuery : pathAndQuery[..q];
        var query = new List<KeyValuePair<string, string>>();
        if (q >= 0)
        {
            foreach (var part in pathAndQuery[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = part.IndexOf('=');
                var key = Uri.UnescapeDataString((eq < 0 ? part : part[..eq]).Replace('+', ' '));
                var value = eq < 0 ? "" : Uri.UnescapeDataString(part[(eq + 1)..].Replace('+', ' '));
                query.Add(new(key, value));
            }
        }
        return new ApiRequest(method.ToUpperInvariant(), path, query, body, baseUrl.TrimEnd('/'), user);
    }

    /// <summary>All values of a query parameter, in order.</summary>
    public IEnumerable<string> Values(string name) => Query.Where(kv => kv.Key == name).Select(kv => kv.Value);

    /// <summary>The last value of a query parameter (as Django's QueryDict does), or null.</summary>
    public string? Value(string name) => Query.LastOrDefault(kv => kv.Key == name).Value;
}

/// <summary>The answer: an HTTP status code and a JSON body (empty for 204).</summary>
public sealed record ApiResponse(int Status, ReadOnlyMemory<byte> Body)
{
    /// <summary>Extra response headers (e.g. <c>Allow</c> on a 405), by name; empty by default.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>A response with <paramref name="status"/> and a UTF-8 JSON <paramref name="body"/>.</summary>
    public static ApiResponse Json(int status, ReadOnlyMemory<byte> body) => new(status, body);
}

/// <summary>Something that answers records API calls: the API itself on a local database, or a remote server.</summary>
public interface IRecordsTransport
{
    /// <summary>Answers one call; API errors come back as responses (4xx with ARA's JSON error body), not exceptions.</summary>
    Task<ApiResponse> SendAsync(ApiRequest request, CancellationToken ct = default);
}
