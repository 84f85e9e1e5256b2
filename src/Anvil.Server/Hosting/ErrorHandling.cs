using System.Data.Common;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Anvil.Server.Hosting;

/// <summary>Turns exceptions into JSON answers: 503 when the database cannot be reached, the request's own status
/// for a malformed request, 500 otherwise (logged). The exception text never goes to the client.</summary>
internal sealed partial class ErrorHandling(RequestDelegate next, ILogger<ErrorHandling> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            switch (e)
            {
                case BadHttpRequestException bad:
                    await JsonReply.DetailAsync(context, bad.StatusCode, "Bad request.");
                    break;
                case DbException or SocketException or TimeoutException:
                    LogDatabaseError(logger, context.Request.Method, context.Request.Path, e);
                    await JsonReply.DetailAsync(context, StatusCodes.Status503ServiceUnavailable,
                        "The records database is unavailable.");
                    break;
                default:
                    LogServerError(logger, context.Request.Method, context.Request.Path, e);
                    await JsonReply.DetailAsync(context, StatusCodes.Status500InternalServerError, "Internal server error.");
                    break;
            }
        }
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Method} {Path}: records database unavailable")]
    private static partial void LogDatabaseError(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogServerError(ILogger logger, string method, string path, Exception exception);
}
