using System.Security.Cryptography;
using Anvil.Registry.Importing;
using Anvil.Registry;
using Anvil.Server.Auth;
using Anvil.Server.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Anvil.Server.Registry;

/// <summary>
/// The collection registry's Galaxy v3 API, as ansible-galaxy 2.14 uses it (galaxy.md §7), under two API roots:
/// <c>/api/</c> (beside the records API, whose index also carries <c>available_versions</c>) and <c>/api/galaxy/</c>
/// (galaxy_ng's root: discovery there is always anonymous, whatever the records' login settings). Every link is
/// root-relative to the root the request came in on; <c>download_url</c> is absolute.
/// </summary>
internal static class GalaxyEndpoints
{
    /// <summary>The API roots the registry answers under.</summary>
    public static readonly string[] Roots = ["/api/", "/api/galaxy/"];

    /// <summary>The discovery document (v3 only: advertising v1 would make clients without <c>-s</c> publish here
    /// first, galaxy.md §11.6).</summary>
    public static readonly byte[] Discovery = "{\"available_versions\":{\"v3\":\"v3/\"},\"current_version\":\"v3\"}"u8.ToArray();

    private static readonly string[] Reads = [HttpMethods.Get, HttpMethods.Head];

    /// <summary>Endpoint metadata: the API root an endpoint was mapped under (its links are relative to it).</summary>
    private sealed record ApiRoot(string Path);

    /// <summary>One group per API root, all with Galaxy's error shape and the registry's read rule; discovery is
    /// anonymous (ansible-galaxy fails every command on a 401 there), publishing needs a user.</summary>
    public static IEndpointRouteBuilder MapGalaxy(this IEndpointRouteBuilder app)
    {
        foreach (var root in Roots)
        {
            var api = app.MapGroup(root.TrimEnd('/'))
                .WithMetadata(new ApiRoot(root), GalaxyErrorShape.Instance)
                .ExcludeFromDescription()
                .RequireAuthorization(AccessPolicies.RegistryRead);
            if (root == "/api/galaxy/")
            {
                api.MapMethods("/", Reads, GetDiscovery).AllowAnonymous();
            }
            var v3 = api.MapGroup("/v3");
            v3.MapMethods("/collections/", Reads, CollectionsAsync);
            v3.MapMethods("/collections/{ns}/{name}/", Reads, CollectionAsync);
            v3.MapMethods("/collections/{ns}/{name}/versions/", Reads, VersionsAsync);
            v3.MapMethods("/collections/{ns}/{name}/versions/{version}/", Reads, VersionAsync);
            v3.MapMethods("/namespaces/", Reads, NamespacesAsync);
            v3.MapMethods("/imports/collections/{id}/", Reads, ImportAsync);
            v3.MapPost("/artifacts/collections/", UploadAsync).RequireAuthorization(AccessPolicies.RegistryPublish);
            api.MapMethods("/" + GalaxyJson.DownloadPath + "{filename}", Reads, DownloadAsync);
            api.MapPost("/" + GalaxyJson.DownloadPath, UploadAsync).RequireAuthorization(AccessPolicies.RegistryPublish);
            (root == "/api/galaxy/" ? api : v3).Map("/{**rest}", NoSuchEndpoint);
        }
        return app;
    }

    private static JsonBytes GetDiscovery() => JsonBytes.Ok(Discovery);

    private static JsonBytes NoSuchEndpoint() =>
        GalaxyJson.Error(StatusCodes.Status404NotFound, "not_found", "No such registry endpoint.");

    private static string Root(HttpContext c) => c.GetEndpoint()!.Metadata.GetRequiredMetadata<ApiRoot>().Path;

    private static RegistryStore Store(HttpContext c) => c.RequestServices.GetRequiredService<RegistryStore>();

    private static RegistryOptions Options(HttpContext c) => c.RequestServices.GetRequiredService<IOptions<RegistryOptions>>().Value;

    private static string? User(HttpContext c) => c.UserName();

    private static string Origin(HttpContext c) => $"{c.Request.Scheme}://{c.Request.Host}{c.Request.PathBase}";

    private static (int Offset, int Limit) Paging(HttpContext c)
    {
        var o = Options(c);
        var q = c.Request.Query;
        var limit = int.TryParse(q["limit"], out var l) && l > 0 ? Math.Min(l, o.MaxPageSize) : Math.Min(o.PageSize, o.MaxPageSize);
        var offset = int.TryParse(q["offset"], out var f) && f > 0 ? f : 0;
        return (offset, limit);
    }

    private static JsonBytes NotFound(string what) => GalaxyJson.Error(StatusCodes.Status404NotFound, "not_found", what);

    private static async Task<JsonBytes> CollectionsAsync(HttpContext c, RegistryStore store)
    {
        var root = Root(c);
        var (offset, limit) = Paging(c);
        var ns = c.Request.Query["namespace"].FirstOrDefault();
        var q = c.Request.Query["q"].FirstOrDefault() ?? c.Request.Query["keywords"].FirstOrDefault();
        var page = await store.ListCollectionsAsync(ns, q, offset, limit, c.RequestAborted);
        var extra = (ns is null ? "" : $"namespace={Uri.EscapeDataString(ns)}&") + (q is null ? "" : $"q={Uri.EscapeDataString(q)}&");
        return JsonBytes.Ok(GalaxyJson.Write(w =>
        {
            w.WriteStartObject();
            GalaxyJson.Page(w, $"{root}v3/collections/", extra, page.Total, offset, limit);
            w.WriteStartArray("data");
            foreach (var item in page.Items)
            {
                GalaxyJson.Collection(w, root, item);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    private static async Task<JsonBytes> CollectionAsync(HttpContext c, string ns, string name)
    {
        var root = Root(c);
        var detail = await Store(c).GetCollectionAsync(ns, name, c.RequestAborted);
        if (detail is null)
        {
            return NotFound($"Collection {ns}.{name} not found.");
        }
        return JsonBytes.Ok(GalaxyJson.Write(w => GalaxyJson.Collection(w, root, detail.Collection)));
    }

    private static async Task<JsonBytes> VersionsAsync(HttpContext c, string ns, string name)
    {
        var root = Root(c);
        var (offset, limit) = Paging(c);
        var store = Store(c);
        var detail = await store.GetCollectionAsync(ns, name, c.RequestAborted);
        var page = detail is null ? null : await store.ListVersionsAsync(ns, name, offset, limit, c.RequestAborted);
        if (detail is null || page is null)
        {
            return NotFound($"Collection {ns}.{name} not found.");
        }
        return JsonBytes.Ok(GalaxyJson.Write(w =>
        {
            w.WriteStartObject();
            GalaxyJson.Page(w, $"{root}v3/collections/{ns}/{name}/versions/", "", page.Total, offset, limit);
            w.WriteStartArray("data");
            foreach (var v in page.Items)
            {
                GalaxyJson.VersionItem(w, root, detail.Collection, v, v.RequiresAnsible);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    private static async Task<JsonBytes> VersionAsync(HttpContext c, string ns, string name, string version)
    {
        var root = Root(c);
        var v = await Store(c).GetVersionAsync(ns, name, version, c.RequestAborted);
        if (v is null)
        {
            return NotFound($"Collection version {ns}.{name}:{version} not found.");
        }
        return JsonBytes.Ok(GalaxyJson.Write(w => GalaxyJson.VersionDetail(w, root, Origin(c), v)));
    }

    private static async Task<JsonBytes> NamespacesAsync(HttpContext c, RegistryStore store)
    {
        var root = Root(c);
        var all = await store.ListNamespacesAsync(c.RequestAborted);
        var (offset, limit) = Paging(c);
        return JsonBytes.Ok(GalaxyJson.Write(w =>
        {
            w.WriteStartObject();
            GalaxyJson.Page(w, $"{root}v3/namespaces/", "", all.Count, offset, limit);
            w.WriteStartArray("data");
            foreach (var n in all.Skip(offset).Take(limit))
            {
                w.WriteStartObject();
                w.WriteString("name", n.Name);
                w.WriteString("description", n.Description);
                w.WriteNumber("collection_count", n.CollectionCount);
                w.WriteStartArray("owners");
                n.Owners.ToList().ForEach(w.WriteStringValue);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    private static async Task<Results<ArtifactFile, JsonBytes>> DownloadAsync(HttpContext c, string filename)
    {
        var store = Store(c);
        var v = await store.GetVersionByFilenameAsync(filename, c.RequestAborted);
        if (v is null)
        {
            return NotFound($"Artifact {filename} not found.");
        }
        return new ArtifactFile(v, store.ArtifactPath(v));
    }

    /// <summary>An artifact: 200 with the file (headers only for HEAD), or 304 when the client has it already.</summary>
    private sealed class ArtifactFile(CollectionVersion version, string path) : IResult
    {
        public async Task ExecuteAsync(HttpContext c)
        {
            var etag = $"\"{version.Sha256}\"";
            var response = c.Response;
            response.Headers.ETag = etag;
            // A version never changes: any cache may keep it.
            response.Headers.CacheControl = "public, max-age=31536000, immutable";
            if (c.Request.Headers.IfNoneMatch.Any(h => h is not null && (h.Contains(etag, StringComparison.Ordinal) || h.Trim() == "*")))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/gzip";
            response.ContentLength = version.Size;
            response.Headers.ContentDisposition = $"attachment; filename=\"{version.Filename}\"";
            if (HttpMethods.IsHead(c.Request.Method))
            {
                return;
            }
            await response.SendFileAsync(path, c.RequestAborted);
        }
    }

    private static async Task<JsonBytes> ImportAsync(HttpContext c, string id)
    {
        var root = Root(c);
        var user = User(c);
        if (user is null)
        {
            return GalaxyJson.Error(StatusCodes.Status401Unauthorized, "not_authenticated", "Authentication credentials were not provided.");
        }
        var store = Store(c);
        var import = await store.GetImportAsync(id, c.RequestAborted);
        if (import is null || import.User != user && !await store.IsAdminAsync(user, c.RequestAborted))
        {
            return NotFound($"Import {id} not found.");
        }
        return JsonBytes.Ok(GalaxyJson.Write(w => GalaxyJson.Import(w, root, import)));
    }

    /// <summary>
    /// <c>POST …/v3/artifacts/collections/</c>: multipart with a <c>file</c> part (ansible-galaxy sends it base64-encoded
    /// with <c>Content-Transfer-Encoding: base64</c> and a quoted boundary; other clients send raw bytes) and a
    /// <c>sha256</c> part. What can be told from the file name (namespace, ownership, an existing version) is refused
    /// at once, before the body is read; the rest is the import's job, answered 202 with its task.
    /// </summary>
    private static async Task<JsonBytes> UploadAsync(HttpContext c, RegistryStore store)
    {
        var root = Root(c);
        var user = User(c);
        if (user is null)
        {
            return GalaxyJson.Error(StatusCodes.Status401Unauthorized, "not_authenticated", "Authentication credentials were not provided.");
        }
        var options = Options(c);
        if (c.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // base64 adds a third, and line breaks and headers a little more.
            limit.MaxRequestBodySize = options.MaxUploadBytes / 3 * 4 + options.MaxUploadBytes / 38 + (1 << 20);
        }
        if (!MediaTypeHeaderValue.TryParse(c.Request.ContentType, out var type) ||
            !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase) ||
            HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 } boundary)
        {
            return GalaxyJson.Error(StatusCodes.Status400BadRequest, "invalid", "Expected a multipart/form-data body with a 'file' part.");
        }
        var reader = new MultipartReader(boundary, c.Request.Body) { BodyLengthLimit = null };
        string? staged = null, sha = null, filename = null, expected = null;
        long size = 0;
        (string Namespace, string Name, string Version)? named = null;
        try
        {
            while (await reader.ReadNextSectionAsync(c.RequestAborted) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    continue;
                }
                var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                var body = section.Headers is { } h && h.TryGetValue("Content-Transfer-Encoding", out var cte) &&
                           cte.ToString().Trim().Equals("base64", StringComparison.OrdinalIgnoreCase)
                    ? new CryptoStream(section.Body, new FromBase64Transform(FromBase64TransformMode.IgnoreWhiteSpaces), CryptoStreamMode.Read)
                    : section.Body;
                if (field == "file" && staged is null)
                {
                    filename = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    filename = Path.GetFileName(filename ?? "");
                    named = CollectionRules.ParseFilename(filename);
                    if (named is null)
                    {
                        return Refuse(StatusCodes.Status400BadRequest, "invalid",
                            $"Invalid file name '{filename}': it must be NAMESPACE-NAME-VERSION.tar.gz with a semantic version (as 'collection build' names it).");
                    }
                    if (await CheckAsync(c, store, user, named.Value) is { } refusal)
                    {
                        return refusal;
                    }
                    var counted = new LimitedStream(body, options.MaxUploadBytes);
                    (staged, sha, size) = await CollectionImporter.StageAsync(counted, store.StagingPath, c.RequestAborted);
                }
                else if (field == "sha256")
                {
                    using var text = new StreamReader(body);
                    expected = (await text.ReadToEndAsync(c.RequestAborted)).Trim();
                }
                else
                {
                    await body.CopyToAsync(Stream.Null, c.RequestAborted);
                }
            }
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or UploadTooLargeException)
        {
            if (staged is not null)
            {
                CollectionImporter.TryDelete(staged);
            }
            return e is UploadTooLargeException
                ? Refuse(StatusCodes.Status413RequestEntityTooLarge, "too_large",
                    $"The artifact is larger than the registry accepts ({options.MaxUploadBytes:N0} bytes; setting Galaxy:MaxUploadBytes).")
                : Refuse(StatusCodes.Status400BadRequest, "invalid", $"Malformed upload: {e.Message}");
        }
        catch
        {
            if (staged is not null)
            {
                CollectionImporter.TryDelete(staged);
            }
            throw;
        }
        if (staged is null || named is null || filename is null || sha is null)
        {
            return GalaxyJson.Error(StatusCodes.Status400BadRequest, "invalid", "The upload has no 'file' part.");
        }
        if (!string.IsNullOrEmpty(expected) && !string.Equals(expected, sha, StringComparison.OrdinalIgnoreCase))
        {
            CollectionImporter.TryDelete(staged);
            return GalaxyJson.Error(StatusCodes.Status400BadRequest, "invalid",
                $"The expected sha256 checksum does not match: the client sent {expected}, the received {filename} hashes to {sha}.");
        }
        var import = await store.CreateImportAsync(user, filename, named.Value.Namespace, named.Value.Name, named.Value.Version, c.RequestAborted);
        await c.RequestServices.GetRequiredService<ImportQueue>().EnqueueAsync(
            new ImportJob(import.Id, user, filename, staged, sha, size, expected), c.RequestAborted);
        return new JsonBytes(StatusCodes.Status202Accepted,
            JsonReply.Object(("task", $"{root}v3/imports/collections/{import.Id}/")));
    }

    /// <summary>The refusals a file name allows before reading the artifact: unknown namespace, not an owner, an
    /// existing version. Null when the upload may go on.</summary>
    private static async Task<JsonBytes?> CheckAsync(HttpContext c, RegistryStore store, string user, (string Namespace, string Name, string Version) named)
    {
        bool allowed;
        try
        {
            allowed = await store.CanUploadAsync(user, named.Namespace, c.RequestAborted);
        }
        catch (RegistryException e) when (e.Error == RegistryError.NotFound)
        {
            return Refuse(StatusCodes.Status400BadRequest, "invalid",
                $"Namespace \"{named.Namespace}\" does not exist (an administrator creates it with: anvil galaxy namespace create {named.Namespace} --owner USER).");
        }
        if (!allowed)
        {
            return Refuse(StatusCodes.Status403Forbidden, "permission_denied",
                $"User '{user}' is not an owner of namespace \"{named.Namespace}\" and cannot upload to it.");
        }
        if (await store.GetVersionAsync(named.Namespace, named.Name, named.Version, c.RequestAborted) is not null)
        {
            return Refuse(StatusCodes.Status409Conflict, "conflict",
                $"{named.Namespace}.{named.Name} {named.Version} already exists and versions cannot be replaced.");
        }
        return null;
    }

    /// <summary>An error answered before the body was read to its end: the connection is not reused.</summary>
    private static JsonBytes Refuse(int status, string code, string detail) =>
        new(status, GalaxyJson.Error(status, code, detail).Body) { CloseConnection = true };

    private sealed class UploadTooLargeException() : Exception("upload too large");

    /// <summary>Counts what is read and stops past the limit.</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        private int Count(int n)
        {
            _read += n;
            return _read > limit ? throw new UploadTooLargeException() : n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
