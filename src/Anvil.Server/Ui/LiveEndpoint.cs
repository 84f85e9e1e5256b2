using System.Globalization;
using System.Text;
using Anvil.Records.Views;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Anvil.Server.Ui;

/// <summary>
/// <c>GET /ui/live?playbook=ID&amp;v=VERSION</c> (a playbook's page) or <c>/ui/live?list=1&amp;v=VERSION</c> (the
/// playbook list): Server-Sent Events telling an open page that what it shows changed (<c>event: change</c>), and for
/// a playbook, when its run is over (<c>event: done</c>). The page then fetches itself again and swaps its live parts.
/// <para>
/// Each stream checks every <see cref="UiOptions.LiveInterval"/>. On SQLite it first reads the database's change stamp,
/// which costs nothing and tells whether anyone committed anything; only then does it ask the view's version (a few
/// point lookups). On PostgreSQL it asks the version every time. <c>v</c> is the version the page was rendered
/// with, so a change between rendering and connecting is not missed.
/// </para>
/// </summary>
internal static class LiveEndpoint
{
    public const string Path = "/ui/live";

    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapLive(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, HandleAsync).ExcludeFromDescription().RequireAuthorization(Auth.AccessPolicies.Records);
        return app;
    }

    private static async Task HandleAsync(HttpContext context, RecordsViews views, IOptions<UiOptions> options,
        IHostApplicationLifetime lifetime, TimeProvider time)
    {
        var query = context.Request.Query;
        long? playbook = long.TryParse(query["playbook"], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
        if (playbook is null && query["list"].Count == 0)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        string? last = query["v"].Count > 0 ? query["v"].ToString() : null;
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no"; // a proxy must pass events on as they come
        // A server shutting down ends the streams instead of waiting for browsers to hang up.
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var ct = cts.Token;
        try
        {
            await WriteAsync(response, "retry: 3000\n\n", ct);
            long? stamp = null;
            var quiet = time.GetUtcNow();
            var interval = options.Value.LiveInterval;
            while (!ct.IsCancellationRequested)
            {
                var now = views.Database.ChangeStamp();
                if (now is null || now != stamp)
                {
                    stamp = now;
                    var version = playbook is { } p
                        ? await views.PlaybookVersionAsync(p, ct)
                        : await views.ListVersionAsync(ct);
                    if (version != last)
                    {
                        await WriteAsync(response, $"event: change\ndata: {Escape(version)}\n\n", ct);
                        last = version;
                        quiet = time.GetUtcNow();
                    }
                    // The first word of a playbook's version is its status: once it stops running, nothing more comes.
                    if (playbook is not null && (version is null || !version.StartsWith("running ", StringComparison.Ordinal)))
                    {
                        await WriteAsync(response, "event: done\ndata: \n\n", ct);
                        return;
                    }
                }
                if (time.GetUtcNow() - quiet > KeepAlive)
                {
                    await WriteAsync(response, ": keep-alive\n\n", ct); // also how a closed browser tab is noticed
                    quiet = time.GetUtcNow();
                }
                await Task.Delay(interval, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The page was closed or the server is stopping.
        }
    }

    private static string Escape(string? version) => (version ?? "gone").Replace('\n', ' ').Replace('\r', ' ');

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken ct)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        await response.Body.FlushAsync(ct);
    }
}
