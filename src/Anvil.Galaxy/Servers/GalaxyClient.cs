using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Anvil.Galaxy.Servers;

/// <summary>A signature a server holds for a collection version (pulp_ansible's shape, kept in GALAXY.yml).</summary>
public sealed record ServerSignature(string Signature, string? PubkeyFingerprint, string? SigningService, string? PulpCreated);

/// <summary>What a server says about one collection version (the keys ansible-galaxy reads).</summary>
public sealed record CollectionVersionInfo(
    string Namespace,
    string Name,
    string Version,
    string DownloadUrl,
    string? Sha256,
    IReadOnlyList<KeyValuePair<string, string>> Dependencies,
    string? Href,
    IReadOnlyList<ServerSignature> Signatures);

/// <summary>One line of an import's log.</summary>
public sealed record ImportLogLine(string Level, string Message);

/// <summary>An import as a server reports it: finished once <see cref="FinishedAt"/> is set, failed when
/// <see cref="State"/> is <c>failed</c> (ansible-galaxy's rule).</summary>
public sealed record ImportStatus(string Url, string State, string? FinishedAt, IReadOnlyList<ImportLogLine> Messages, string? ErrorCode,
    string? ErrorDescription)
{
    /// <summary>The import has ended (successfully or not).</summary>
    public bool Finished => !string.IsNullOrEmpty(FinishedAt);

    /// <summary>The import ended in failure.</summary>
    public bool Failed => State == "failed";
}

/// <summary>A server answered with an error status (<see cref="StatusCode"/>) or not at all (null).</summary>
public sealed class GalaxyApiException(string message, HttpStatusCode? statusCode = null, Exception? inner = null)
    : GalaxyException(message, inner ?? new InvalidOperationException(message))
{
    /// <summary>The HTTP status of the failed call; null when no response came.</summary>
    public HttpStatusCode? StatusCode { get; } = statusCode;
}

/// <summary>
/// A client of one Galaxy v3 server (galaxy_ng, pulp_ansible, Automation Hub, Anvil's registry …), talking as
/// ansible-galaxy 2.14 does: the API root is discovered from the configured URL (retrying at <c>URL/api</c>),
/// every URL ends in <c>/</c>, version lists are read page by page with <c>limit=100</c> following
/// <c>links.next</c> (root-relative or absolute), the Authorization header goes with every API request and API
/// redirects, but never with a download's redirect. 429, 502, 520 and timeouts are retried with jittered backoff.
/// Thread-safe; requests run in parallel.
/// </summary>
public sealed class GalaxyClient : IDisposable
{
    /// <summary>Items asked for per page of a listing.</summary>
    public const int PageSize = 100;
    private const int MaxRedirects = 10;
    private const int Retries = 6;

    private readonly Lazy<HttpClient> _http;
    private readonly bool _ownsHttp;
    private readonly Lazy<Task<(string Root, string V3)>> _discovery;
    private readonly SemaphoreSlim _bearerLock = new(1, 1);
    private string? _bearer;

    /// <summary>A client for one server; <paramref name="http"/> defaults to a client honouring the server's certificate and timeout settings.</summary>
    public GalaxyClient(GalaxyServerSettings settings, HttpClient? http = null)
    {
        Settings = settings;
        _ownsHttp = http is null;
        // Made on first use: an offline command or a fully cached one never pays for the HTTP stack.
        _http = new Lazy<HttpClient>(() => http ?? Create(settings));
        _discovery = new Lazy<Task<(string, string)>>(() => DiscoverCoreAsync(CancellationToken.None));
    }

    private static HttpClient Create(GalaxyServerSettings settings)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = 8,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (!settings.ValidateCerts)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The server this client talks to.</summary>
    public GalaxyServerSettings Settings { get; }

    /// <summary>Lets tests and tools wait between retries without sleeping.</summary>
    internal Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = Task.Delay;

    /// <summary><c>name (url)</c>, without credentials.</summary>
    public override string ToString() => Settings.ToString();

    /// <summary>The API root, e.g. <c>http://hub/api/</c> (discovered once).</summary>
    public async Task<string> GetApiRootAsync(CancellationToken ct = default) => (await _discovery.Value.WaitAsync(ct)).Root;

    /// <summary>ansible-galaxy's URL join: each part stripped of <c>/</c>, joined with <c>/</c>; a last part of
    /// <c>/</c> (or <c>/?query</c>) gives the trailing slash.</summary>
    public static string Join(params string[] parts) =>
        string.Join('/', parts.Where(p => p.Length > 0).Select(p => p.Trim('/')));

    /// <summary>The v3 URL listing a collection's versions, first page.</summary>
    public static string VersionsUrl(string root, string v3, CollectionName name) =>
        Join(root, v3, "collections", name.Namespace, name.Name, "versions", $"/?limit={PageSize}");

    /// <summary>The v3 URL of one version of a collection.</summary>
    public static string VersionUrl(string root, string v3, CollectionName name, string version) =>
        Join(root, v3, "collections", name.Namespace, name.Name, "versions", version, "/");

    /// <summary>The next page's URL from <c>links.next</c>: absolute as is, root-relative on the same host (what
    /// ansible-galaxy 2.14 expects), otherwise relative to the current URL.</summary>
    public static string NextPageUrl(string current, string next)
    {
        if (Uri.TryCreate(next, UriKind.Absolute, out var abs) && (abs.Scheme == Uri.UriSchemeHttp || abs.Scheme == Uri.UriSchemeHttps))
        {
            return abs.ToString();
        }
        return new Uri(new Uri(current), next).ToString();
    }

    private async Task<(string Root, string V3)> DiscoverCoreAsync(CancellationToken ct)
    {
        if (Settings.AssumeV3)
        {
            return (Settings.Url, "v3");
        }
        var url = Settings.Url.TrimEnd('/') == GalaxyServerList.PublicGalaxy ? GalaxyServerList.PublicGalaxy + "/api/" : Settings.Url;
        JsonDocument? doc = null;
        GalaxyException? first = null;
        try
        {
            doc = await GetJsonAsync(url, $"Error when finding available api versions from {Settings.Name} ({url})", ct);
            if (!doc.RootElement.TryGetProperty("available_versions", out _))
            {
                doc.Dispose();
                doc = null;
                first = new GalaxyApiException($"{url} is not a Galaxy API root (no 'available_versions')");
            }
        }
        catch (GalaxyException e)
        {
            first = e;
        }
        if (doc is null)
        {
            var trimmed = url.TrimEnd('/');
            if (trimmed.EndsWith("/api", StringComparison.Ordinal))
            {
                throw first!;
            }
            // ansible-galaxy retries at URL + /api (its join drops the final slash).
            url = Join(url, "/api/");
            try
            {
                doc = await GetJsonAsync(url, $"Error when finding available api versions from {Settings.Name} ({url})", ct);
            }
            catch (GalaxyApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                throw first!;
            }
            if (!doc.RootElement.TryGetProperty("available_versions", out _))
            {
                doc.Dispose();
                throw new GalaxyApiException($"Tried to find galaxy API root at {url} but no 'available_versions' are available on {Settings.Url}");
            }
        }
        using (doc)
        {
            var versions = doc.RootElement.GetProperty("available_versions");
            if (versions.ValueKind != JsonValueKind.Object || !versions.TryGetProperty("v3", out var v3) || v3.ValueKind != JsonValueKind.String)
            {
                var offered = versions.ValueKind == JsonValueKind.Object ? string.Join(", ", versions.EnumerateObject().Select(p => p.Name)) : "none";
                throw new GalaxyApiException($"Galaxy server {Settings.Name} ({url}) offers no v3 API (only {offered})");
            }
            return (url, v3.GetString()!);
        }
    }

    /// <summary>Every version of a collection on this server; empty when the server does not have it (404).</summary>
    public async Task<IReadOnlyList<string>> GetVersionsAsync(CollectionName name, CancellationToken ct = default)
    {
        var (root, v3) = await _discovery.Value.WaitAsync(ct);
        var url = VersionsUrl(root, v3, name);
        var context = $"Error when getting available collection versions for {name} from {Settings.Name} ({root})";
        var versions = new List<string>();
        var pages = 0;
        while (true)
        {
            JsonDocument doc;
            try
            {
                doc = await GetJsonAsync(url, context, ct);
            }
            catch (GalaxyApiException e) when (e.StatusCode == HttpStatusCode.NotFound && pages == 0)
            {
                return [];
            }
            using (doc)
            {
                var next = ParseVersionsPage(doc.RootElement, versions);
                if (string.IsNullOrEmpty(next))
                {
                    return versions;
                }
                if (++pages > 10_000)
                {
                    throw new GalaxyApiException($"{context}: more than 10,000 pages (the server's links.next loops?)");
                }
                url = NextPageUrl(url, next);
            }
        }
    }

    /// <summary>Adds the versions of one page (from <c>data</c>, else <c>results</c>); returns <c>links.next</c>
    /// (or <c>next</c>), or null on the last page.</summary>
    public static string? ParseVersionsPage(JsonElement page, List<string> into)
    {
        if (page.ValueKind != JsonValueKind.Object)
        {
            throw new GalaxyApiException("a version list that is not a JSON object");
        }
        var items = page.TryGetProperty("data", out var d) ? d : page.TryGetProperty("results", out var r) ? r : default;
        if (items.ValueKind != JsonValueKind.Array)
        {
            throw new GalaxyApiException("a version list without 'data'");
        }
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String)
            {
                into.Add(v.GetString()!);
            }
        }
        if (page.TryGetProperty("links", out var links) && links.ValueKind == JsonValueKind.Object &&
            links.TryGetProperty("next", out var n) && n.ValueKind == JsonValueKind.String)
        {
            return n.GetString();
        }
        return page.TryGetProperty("next", out var n2) && n2.ValueKind == JsonValueKind.String ? n2.GetString() : null;
    }

    /// <summary>The version detail: download URL, artifact sha256, dependencies, href and signatures.</summary>
    public async Task<CollectionVersionInfo> GetVersionAsync(CollectionName name, string version, CancellationToken ct = default)
    {
        var (root, v3) = await _discovery.Value.WaitAsync(ct);
        var url = VersionUrl(root, v3, name, version);
        using var doc = await GetJsonAsync(url, $"Error when getting collection version metadata for {name}:{version} from {Settings.Name} ({root})", ct);
        return ParseVersion(doc.RootElement, url);
    }

    /// <summary>Reads a version detail (the keys ansible-galaxy 2.14 requires, and signatures when present).</summary>
    public static CollectionVersionInfo ParseVersion(JsonElement e, string url)
    {
        string Need(JsonElement parent, string key, string path) =>
            parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()!
                : throw new GalaxyApiException($"{url}: the version detail has no '{path}'");
        var ns = Need(e.TryGetProperty("namespace", out var nsE) ? nsE : default, "name", "namespace.name");
        var name = Need(e.TryGetProperty("collection", out var cE) ? cE : default, "name", "collection.name");
        var version = Need(e, "version", "version");
        var download = Need(e, "download_url", "download_url");
        string? sha = e.TryGetProperty("artifact", out var art) && art.ValueKind == JsonValueKind.Object &&
                      art.TryGetProperty("sha256", out var s) && s.ValueKind == JsonValueKind.String
            ? s.GetString()
            : throw new GalaxyApiException($"{url}: the version detail has no 'artifact.sha256'");
        var deps = new List<KeyValuePair<string, string>>();
        if (!e.TryGetProperty("metadata", out var meta) || meta.ValueKind != JsonValueKind.Object ||
            !meta.TryGetProperty("dependencies", out var depsE))
        {
            throw new GalaxyApiException($"{url}: the version detail has no 'metadata.dependencies'");
        }
        if (depsE.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in depsE.EnumerateObject())
            {
                deps.Add(new(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()));
            }
        }
        var href = e.TryGetProperty("href", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null;
        var sigs = new List<ServerSignature>();
        if (e.TryGetProperty("signatures", out var sigsE) && sigsE.ValueKind == JsonValueKind.Array)
        {
            foreach (var sig in sigsE.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Object))
            {
                string? Str(string k) => sig.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                if (Str("signature") is { } text)
                {
                    sigs.Add(new ServerSignature(text, Str("pubkey_fingerprint"), Str("signing_service"), Str("pulp_created")));
                }
            }
        }
        if (!Uri.TryCreate(download, UriKind.Absolute, out _))
        {
            // Servers for newer clients may answer root-relative; resolve against the detail's URL.
            download = new Uri(new Uri(url), download).ToString();
        }
        return new CollectionVersionInfo(ns, name, version, download, sha, deps, href, sigs);
    }

    /// <summary>Downloads <paramref name="url"/> into <paramref name="destination"/>, hashing as it goes; returns
    /// the sha256. The Authorization header goes with the first request only (object stores behind a redirect
    /// refuse it).</summary>
    public async Task<string> DownloadAsync(string url, Stream destination, IProgress<long>? progress = null, CancellationToken ct = default)
    {
        var auth = await AuthorizationAsync(ct);
        return await WithRetriesAsync(async () =>
        {
            destination.SetLength(0);
            using var response = await SendAsync(url, auth, keepAuthOnRedirect: false, ct);
            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync(response, $"Failed to download collection tar from '{url}'");
            }
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = await body.ReadAsync(buffer, ct)) > 0)
            {
                sha.AppendData(buffer, 0, n);
                await destination.WriteAsync(buffer.AsMemory(0, n), ct);
                total += n;
                progress?.Report(total);
            }
            return Convert.ToHexStringLower(sha.GetHashAndReset());
        }, url, ct);
    }

    /// <summary>Uploads an artifact (<c>POST {root}v3/artifacts/collections/</c>, multipart with the file and its
    /// sha256, as ansible-galaxy) and returns the import task's URL. Needs credentials; never retried or redirected
    /// (an upload must not happen twice).</summary>
    public async Task<string> PublishAsync(string tarball, CancellationToken ct = default)
    {
        var (root, v3) = await _discovery.Value.WaitAsync(ct);
        var auth = await AuthorizationAsync(ct)
                   ?? throw new GalaxyException($"No access token or username set for {Settings.Name} ({Settings.Url}): publishing needs one (--token, or token/username in ansible.cfg)");
        var url = Join(root, v3, "artifacts", "collections", "/");
        var sha = Building.CollectionBuilder.Sha256File(tarball);
        using var content = new MultipartFormDataContent();
        await using var file = new FileStream(tarball, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var part = new StreamContent(file, 1 << 16);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(part, "file", Path.GetFileName(tarball));
        content.Add(new StringContent(sha), "sha256");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("anvil", "1.0"));
        request.Headers.TryAddWithoutValidation("Authorization", auth);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // An upload takes longer than an API answer: at least five minutes.
        timeout.CancelAfter(Settings.Timeout > TimeSpan.FromMinutes(5) ? Settings.Timeout : TimeSpan.FromMinutes(5));
        HttpResponseMessage response;
        try
        {
            response = await _http.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new GalaxyApiException($"Timed out publishing {Path.GetFileName(tarball)} to {Settings.Name} ({url})");
        }
        catch (HttpRequestException e)
        {
            throw new GalaxyApiException($"Error when publishing collection to {Settings.Name} ({root}): {e.Message}", null, e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync(response, $"Error when publishing collection to {Settings.Name} ({root})");
            }
            using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct));
            var task = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("task", out var t) &&
                       t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (string.IsNullOrEmpty(task) || ImportId(task) is null)
            {
                throw new GalaxyApiException($"Publishing the collection did not return valid task info. Cannot wait for task status. Returned task info: '{task}'");
            }
            return new Uri(new Uri(url), task).ToString();
        }
    }

    /// <summary>The import id in a task URL: its last non-empty path segment (what ansible-galaxy 2.14 uses).</summary>
    public static string? ImportId(string task)
    {
        var path = Uri.TryCreate(task, UriKind.Absolute, out var abs) ? abs.AbsolutePath : task.Split('?')[0];
        return path.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
    }

    /// <summary>An import's state, read at <c>{root}v3/imports/collections/{id}/</c>; null while the server does not
    /// know it yet (404).</summary>
    public async Task<ImportStatus?> GetImportAsync(string task, CancellationToken ct = default)
    {
        var (root, v3) = await _discovery.Value.WaitAsync(ct);
        var id = ImportId(task) ?? throw new GalaxyApiException($"'{task}' is not an import task URL");
        var url = Join(root, v3, "imports", "collections", id, "/");
        JsonDocument doc;
        try
        {
            doc = await GetJsonAsync(url, $"Error when getting import task results at {url}", ct);
        }
        catch (GalaxyApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        using (doc)
        {
            var e = doc.RootElement;
            string? Str(JsonElement o, string k) => o.ValueKind == JsonValueKind.Object && o.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var messages = new List<ImportLogLine>();
            if (e.TryGetProperty("messages", out var ms) && ms.ValueKind == JsonValueKind.Array)
            {
                messages.AddRange(ms.EnumerateArray().Select(m => new ImportLogLine(Str(m, "level") ?? "INFO", Str(m, "message") ?? "")));
            }
            var error = e.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.Object ? err : default;
            return new ImportStatus(url, Str(e, "state") ?? "waiting", Str(e, "finished_at"), messages,
                error.ValueKind == JsonValueKind.Object ? Str(error, "code") ?? "UNKNOWN" : null,
                error.ValueKind == JsonValueKind.Object ? Str(error, "description") ?? $"Unknown error, see {url} for more details" : null);
        }
    }

    private async Task<JsonDocument> GetJsonAsync(string url, string context, CancellationToken ct)
    {
        var auth = await AuthorizationAsync(ct);
        return await WithRetriesAsync(async () =>
        {
            using var response = await SendAsync(url, auth, keepAuthOnRedirect: true, ct);
            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync(response, context);
            }
            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            try
            {
                return JsonDocument.Parse(bytes);
            }
            catch (JsonException)
            {
                throw new GalaxyApiException($"Failed to parse Galaxy response from '{url}' as JSON");
            }
        }, url, ct);
    }

    private async Task<HttpResponseMessage> SendAsync(string url, string? auth, bool keepAuthOnRedirect, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Settings.Timeout);
        var current = new Uri(url);
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("anvil", "1.0"));
            if (auth is not null && (hop == 0 || keepAuthOnRedirect))
            {
                request.Headers.TryAddWithoutValidation("Authorization", auth);
            }
            HttpResponseMessage response;
            try
            {
                response = await _http.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            }
            catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new GalaxyApiException($"Timed out after {Settings.Timeout.TotalSeconds:0} s waiting for {current}", null, new TimeoutException(e.Message));
            }
            catch (HttpRequestException e)
            {
                throw new GalaxyApiException($"Unknown error when attempting to call Galaxy at '{current}': {e.Message}", null, e);
            }
            var status = (int)response.StatusCode;
            if (status is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
            {
                response.Dispose();
                if (hop >= MaxRedirects)
                {
                    throw new GalaxyApiException($"Too many redirects from {url}");
                }
                current = location.IsAbsoluteUri ? location : new Uri(current, location);
                continue;
            }
            return response;
        }
    }

    private static async Task<GalaxyApiException> ErrorAsync(HttpResponseMessage response, string context)
    {
        var code = (int)response.StatusCode;
        var detail = response.ReasonPhrase ?? "";
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync();
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                detail = string.Join(", ", errors.EnumerateArray().Select(e =>
                {
                    string? Str(string k) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                    return $"{Str("detail") ?? Str("title") ?? response.ReasonPhrase} Code: {Str("code") ?? "Unknown"}";
                }));
            }
            else if (doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
            {
                detail = m.GetString()!;
            }
            else if (doc.RootElement.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String)
            {
                detail = d.GetString()!; // Django REST framework's shape (e.g. a refused token)
            }
        }
        catch (JsonException)
        {
        }
        return new GalaxyApiException($"{context} (HTTP Code: {code}, Message: {detail}; {response.RequestMessage?.RequestUri})", response.StatusCode);
    }

    private async Task<T> WithRetriesAsync<T>(Func<Task<T>> attempt, string url, CancellationToken ct)
    {
        for (var retry = 0; ; retry++)
        {
            try
            {
                return await attempt();
            }
            catch (GalaxyApiException e) when (retry < Retries && IsTransient(e))
            {
                // Jittered exponential backoff as ansible-galaxy: random up to min(40 s, 2 s × 2^retry).
                var cap = Math.Min(40, 2 * Math.Pow(2, retry));
                await Delay(TimeSpan.FromSeconds(Random.Shared.NextDouble() * cap), ct);
            }
        }
    }

    private static bool IsTransient(GalaxyApiException e) =>
        e.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or (HttpStatusCode)520 ||
        e.InnerException is TimeoutException ||
        (e.InnerException is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse });

    /// <summary>The Authorization header value: Basic, Token, or a bearer token from <c>auth_url</c>.</summary>
    private async Task<string?> AuthorizationAsync(CancellationToken ct)
    {
        if (Settings.StaticAuthorization is { } header)
        {
            return header;
        }
        if (Settings.Token is null || Settings.AuthUrl is null)
        {
            return null;
        }
        await _bearerLock.WaitAsync(ct);
        try
        {
            if (_bearer is null)
            {
                using var form = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "refresh_token",
                    ["client_id"] = Settings.ClientId ?? "cloud-services",
                    ["refresh_token"] = Settings.Token,
                });
                using var response = await _http.Value.PostAsync(Settings.AuthUrl, form, ct);
                if (!response.IsSuccessStatusCode)
                {
                    throw await ErrorAsync(response, $"Failed to get an access token from {Settings.AuthUrl}");
                }
                using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct));
                _bearer = doc.RootElement.TryGetProperty("access_token", out var t) && t.ValueKind == JsonValueKind.String
                    ? "Bearer " + t.GetString()
                    : throw new GalaxyApiException($"{Settings.AuthUrl} gave no access_token");
            }
            return _bearer;
        }
        finally
        {
            _bearerLock.Release();
        }
    }

    /// <summary>Releases the HTTP client when this client created it.</summary>
    public void Dispose()
    {
        if (_ownsHttp && _http.IsValueCreated)
        {
            _http.Value.Dispose();
        }
        _bearerLock.Dispose();
    }
}
