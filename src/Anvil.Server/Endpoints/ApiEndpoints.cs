using Anvil.Records.Api;
using Anvil.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Anvil.Server;

/// <summary>Maps every request below <c>/api</c> (any method) onto the transport-independent API core: the HTTP
/// request becomes an <see cref="ApiRequest"/>, the <see cref="ApiResponse"/> is written back as it is.</summary>
internal static class ApiEndpoints
{
    private static readonly byte[] TooLarge = "{\"detail\":\"Request body too large.\"}"u8.ToArray();

    public static IEndpointRouteBuilder MapRecordsApi(this IEndpointRouteBuilder app)
    {
        // Described by RecordsOpenApi instead: one catch-all says nothing about the resources behind it.
        var api = app.MapGroup("/api").ExcludeFromDescription();
        api.Map("", HandleAsync).RequireAuthorization(AccessPolicies.ApiIndex);
        api.Map("/{**rest}", HandleAsync).RequireAuthorization(AccessPolicies.Records);
        return app;
    }

    private static async Task<Results<ApiResult, JsonBytes>> HandleAsync(HttpContext context, IRecordsTransport transport)
    {
        var services = context.RequestServices;
        var limit = services.GetRequiredService<IOptions<RecordsServerOptions>>().Value.MaxRequestBodyBytes;
        var body = await ReadBodyAsync(context.Request, limit, context.RequestAborted);
        if (body is null)
        {
            // The rest of the body is not read; the connection must not be reused for the next request.
            return new JsonBytes(StatusCodes.Status413RequestEntityTooLarge, TooLarge) { CloseConnection = true };
        }
        var request = context.Request;
        var query = new List<KeyValuePair<string, string>>(request.Query.Count);
        foreach (var (name, values) in request.Query)
        {
            foreach (var value in values)
            {
                query.Add(new(name, value ?? ""));
            }
        }
        var apiRequest = new ApiRequest(
            request.Method.ToUpperInvariant(),
            request.Path.Value ?? "/",
            query,
            body.Value,
            $"{request.Scheme}://{request.Host}{request.PathBase}",
            context.UserName());
        var response = await transport.SendAsync(apiRequest, context.RequestAborted);
        if (apiRequest.Path is "/api" or "/api/" && apiRequest.Method is "GET" or "HEAD")
        {
            response = WithGalaxyDiscovery(response);
        }
        return new ApiResult(response);
    }

    /// <summary>The API index is also the collection registry's discovery document (ansible-galaxy pointed at
    /// <c>http://host/</c> or <c>http://host/api/</c> looks for <c>available_versions</c> there): ARA's keys stay,
    /// Galaxy's are added.</summary>
    private static ApiResponse WithGalaxyDiscovery(ApiResponse response)
    {
        if (response.Status != StatusCodes.Status200OK)
        {
            return response;
        }
        System.Text.Json.JsonDocument doc;
        try
        {
            doc = System.Text.Json.JsonDocument.Parse(response.Body);
        }
        catch (System.Text.Json.JsonException)
        {
            return response;
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object || doc.RootElement.TryGetProperty("available_versions", out _))
            {
                return response;
            }
            var body = Registry.GalaxyJson.Write(w =>
            {
                w.WriteStartObject();
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    p.WriteTo(w);
                }
                w.WriteStartObject("available_versions");
                w.WriteString("v3", "v3/");
                w.WriteEndObject();
                w.WriteString("current_version", "v3");
                w.WriteEndObject();
            });
            return response with { Body = body };
        }
    }

    /// <summary>The whole body, or null when it is larger than <paramref name="limit"/> bytes (declared or sent).</summary>
    internal static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        limit = Math.Min(limit, Array.MaxLength - 1);
        if (request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return ReadOnlyMemory<byte>.Empty; // no Content-Length and not chunked: the usual GET
        }
        try
        {
            if (request.ContentLength is { } declared)
            {
                if (declared > limit)
                {
                    return null;
                }
                if (declared == 0)
                {
                    return ReadOnlyMemory<byte>.Empty;
                }
                var exact = new byte[declared];
                var n = await request.Body.ReadAtLeastAsync(exact, exact.Length, throwOnEndOfStream: false, ct);
                return exact.AsMemory(0, n);
            }
            // Chunked (or no) body: grow as it comes, never beyond one byte past the limit.
            var buffer = Array.Empty<byte>();
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        return null;
                    }
                    Array.Resize(ref buffer, (int)Math.Min(Math.Max(buffer.Length * 2L, 4096), limit + 1));
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0)
                {
                    return buffer.AsMemory(0, length);
                }
                length += read;
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413RequestEntityTooLarge)
        {
            return null; // Kestrel's own limit
        }
    }

}
