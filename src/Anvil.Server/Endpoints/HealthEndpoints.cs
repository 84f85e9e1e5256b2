using Anvil.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Anvil.Server;

/// <summary><c>GET /healthz</c> (Anvil's) and <c>/healthcheck/</c> (ARA's): 200 when the database answers a
/// <c>SELECT 1</c>, 503 otherwise. Always anonymous.</summary>
internal static class HealthEndpoints
{
    public const string Path = "/healthz";

    // A database that takes longer than this to answer is reported down rather than hanging the prober.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static bool IsHealthPath(PathString path) =>
        path.Equals(Path, StringComparison.Ordinal) || path.StartsWithSegments("/healthcheck", StringComparison.Ordinal);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/").AllowAnonymous();
        health.MapMethods(Path, [HttpMethods.Get, HttpMethods.Head], Healthz)
            .WithName("healthz")
            .WithTags("health")
            .WithSummary("Liveness and database check")
            .WithDescription("200 {\"status\":\"ok\",\"database\":…} when the database answers, 503 {\"status\":\"unavailable\",…} otherwise. Never needs a login.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .Produces(StatusCodes.Status503ServiceUnavailable, contentType: "application/json");
        // ARA (django-health-check) answers {"DatabaseBackend": "working"}; monitors written for ARA read that key.
        // Routing ignores a trailing slash: this serves /healthcheck/ and /healthcheck.
        health.MapMethods("/healthcheck/", [HttpMethods.Get, HttpMethods.Head], HealthCheck).ExcludeFromDescription();
        return app;
    }

    private static async Task<JsonBytes> Healthz(AnvilDatabase db, CancellationToken aborted)
    {
        var ok = await PingAsync(db, aborted);
        return new JsonBytes(ok ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable,
            JsonReply.Object(("status", ok ? "ok" : "unavailable"), ("database", db.Description)));
    }

    private static async Task<JsonBytes> HealthCheck(AnvilDatabase db, CancellationToken aborted)
    {
        var ok = await PingAsync(db, aborted);
        return new JsonBytes(ok ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable,
            JsonReply.Object(("DatabaseBackend", ok ? "working" : "unavailable")));
    }

    private static async Task<bool> PingAsync(AnvilDatabase db, CancellationToken aborted)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        cts.CancelAfter(Timeout);
        try
        {
            await using var c = await db.OpenConnectionAsync(cts.Token);
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT 1";
            return Convert.ToInt64(await cmd.ExecuteScalarAsync(cts.Token), System.Globalization.CultureInfo.InvariantCulture) == 1;
        }
        catch (Exception e) when (e is not OperationCanceledException || !aborted.IsCancellationRequested)
        {
            // Any failure to reach the database (refused, timed out, file gone) means "unavailable".
            return false;
        }
    }
}
