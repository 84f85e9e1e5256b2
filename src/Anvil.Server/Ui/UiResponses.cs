using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Anvil.Server.Ui;

/// <summary>
/// Wraps every UI response (everything outside the API, health checks and OpenAPI): the page is rendered into memory
/// and sent in one piece with <c>Server-Timing: app;dur=…</c> (the time the server spent on it, which the header can
/// only state once the page is complete) and a Content-Length; the live stream gets the header when it starts. UI
/// responses also carry a Content-Security-Policy that allows only the UI's own scripts and styles, a second line
/// of defence behind the escaping of every recorded string.
/// </summary>
internal sealed class UiResponses(RequestDelegate next)
{
    private const string Policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static bool IsUiPath(PathString path) =>
        !path.StartsWithSegments("/api", StringComparison.Ordinal) && !HealthEndpoints.IsHealthPath(path) &&
        !path.StartsWithSegments("/openapi", StringComparison.Ordinal);

    public async Task InvokeAsync(HttpContext context)
    {
        if (!IsUiPath(context.Request.Path))
        {
            await next(context);
            return;
        }
        var start = Stopwatch.GetTimestamp();
        var response = context.Response;
        response.Headers.ContentSecurityPolicy = Policy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "same-origin";
        if (context.Request.Path.StartsWithSegments(LiveEndpoint.Path, StringComparison.Ordinal))
        {
            response.OnStarting(() =>
            {
                response.Headers["Server-Timing"] = Timing(start);
                return Task.CompletedTask;
            });
            await next(context);
            return;
        }
        var original = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            response.Body = original;
        }
        response.Headers["Server-Timing"] = Timing(start);
        if (buffer.Length > 0 || response.StatusCode is not (StatusCodes.Status304NotModified or StatusCodes.Status204NoContent))
        {
            response.ContentLength = buffer.Length;
        }
        if (buffer.Length > 0 && !HttpMethods.IsHead(context.Request.Method))
        {
            await original.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
        }
    }

    private static string Timing(long start) =>
        "app;dur=" + Stopwatch.GetElapsedTime(start).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);
}
