using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Anvil.Server.Ui;

/// <summary>
/// The UI's stylesheet and scripts, embedded in the assembly and served from <c>/static/{name}</c>. Pages link them
/// with a content hash (<c>?v=…</c>), so browsers may keep them forever and still never use a stale one.
/// </summary>
internal static class UiAssets
{
    private sealed record Asset(byte[] Body, string ContentType, string Hash);

    private static readonly Dictionary<string, Asset> All = Load();

    /// <summary>Every asset by file name (the static export copies them).</summary>
    public static IEnumerable<(string Name, byte[] Body)> Files => All.Select(a => (a.Key, a.Value.Body));

    public static string Url(string name) =>
        All.TryGetValue(name, out var a) ? $"/static/{name}?v={a.Hash}" : throw new ArgumentException($"no UI asset {name}", nameof(name));

    public static IEndpointRouteBuilder MapUiAssets(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/static/{name}", [HttpMethods.Get, HttpMethods.Head], Serve).ExcludeFromDescription().RequireAuthorization(Auth.AccessPolicies.Records);
        return app;
    }

    private static Task Serve(HttpContext context, string name)
    {
        var response = context.Response;
        if (!All.TryGetValue(name, out var asset))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        var etag = "\"" + asset.Hash + "\"";
        response.Headers.ETag = etag;
        // A hashed URL never changes content; the bare name is revalidated.
        response.Headers.CacheControl = context.Request.Query["v"] == asset.Hash
            ? "public, max-age=31536000, immutable"
            : "no-cache";
        if (context.Request.Headers.IfNoneMatch == etag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Body.Length;
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(asset.Body, context.RequestAborted).AsTask();
    }

    private static Dictionary<string, Asset> Load()
    {
        var assembly = typeof(UiAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("ui/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var body = copy.ToArray();
            var name = resource["ui/".Length..];
            var type = Path.GetExtension(name) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            assets[name] = new Asset(body, type, Convert.ToHexStringLower(SHA256.HashData(body))[..12]);
        }
        return assets;
    }
}
