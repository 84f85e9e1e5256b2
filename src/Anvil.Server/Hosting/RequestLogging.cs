using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Anvil.Server.Hosting;

/// <summary>
/// One log line per request: method, path (with the query, values of password-like parameters masked), status and
/// elapsed milliseconds. Bodies and headers (Authorization above all) are never logged.
/// </summary>
internal sealed partial class RequestLogging(RequestDelegate next, ILogger<RequestLogging> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                LogRequest(logger, context.Request.Method, SafeTarget(context.Request), context.Response.StatusCode,
                    Math.Round(elapsed, 1));
            }
        }
    }

    /// <summary>The path and query as received, with the value of every sensitive-looking parameter replaced.</summary>
    internal static string SafeTarget(HttpRequest request)
    {
        var path = request.PathBase.Add(request.Path).ToString();
        var query = request.QueryString.Value;
        if (string.IsNullOrEmpty(query) || query == "?")
        {
            return path;
        }
        var sb = new StringBuilder(path.Length + query.Length).Append(path).Append('?');
        var first = true;
        foreach (var part in query.AsSpan(1).ToString().Split('&'))
        {
            if (!first)
            {
                sb.Append('&');
            }
            first = false;
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString((eq < 0 ? part : part[..eq]).Replace('+', ' '));
            sb.Append(eq >= 0 && Sensitive().IsMatch(name) ? part[..eq] + "=***" : part);
        }
        return sb.ToString();
    }

    [GeneratedRegex("pass|pwd|secret|token|api_?key|private_?key|auth|credential|session|signature", RegexOptions.IgnoreCase)]
    private static partial Regex Sensitive();

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {Path} {Status} {ElapsedMs} ms")]
    private static partial void LogRequest(ILogger logger, string method, string path, int status, double elapsedMs);
}
