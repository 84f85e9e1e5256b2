using System.Net.Http.Headers;
using System.Text;
using Anvil.Records.Api;

namespace Anvil.Client;

/// <summary>Sends records API calls to a server over HTTP (keep-alive, Basic auth when credentials are given).</summary>
public sealed class HttpRecordsTransport : IRecordsTransport, IDisposable, IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsClient;

    /// <summary>A transport to <paramref name="serverUrl"/>, with Basic auth when both <paramref name="username"/> and <paramref name="password"/> are given; <paramref name="timeout"/> per call, default 30 s; <paramref name="httpClient"/> to use one of the caller's (not disposed here).</summary>
    public HttpRecordsTransport(string serverUrl, string? username = null, string? password = null,
        TimeSpan? timeout = null, HttpClient? httpClient = null)
    {
        ServerUrl = serverUrl.TrimEnd('/');
        _ownsClient = httpClient is null;
        _http = httpClient ?? new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        })
        {
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
        if (username is not null && password is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(username + ":" + password)));
        }
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("anvil-client", "1.0"));
    }

    /// <summary>The server's base URL, without credentials.</summary>
    public string ServerUrl { get; }

    /// <summary>Sends one call; the answer's status and body, whatever the status.</summary>
    public async Task<ApiResponse> SendAsync(ApiRequest request, CancellationToken ct = default)
    {
        var query = request.Query.Count == 0
            ? ""
            : "?" + string.Join('&', request.Query.Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value)));
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), ServerUrl + request.Path + query);
        if (!request.Body.IsEmpty)
        {
            message.Content = new ReadOnlyMemoryContent(request.Body);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        using var response = await _http.SendAsync(message, ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        return new ApiResponse((int)response.StatusCode, body);
    }

    /// <summary>Disposes the HTTP client, unless it was the caller's.</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _http.Dispose();
        }
    }

    /// <summary>Disposes the HTTP client, unless it was the caller's.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
