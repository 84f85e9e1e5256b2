using Anvil.Records.Api;
using Microsoft.AspNetCore.Http;

namespace Anvil.Server;

/// <summary>A typed result for the records API core's answer, written as it is: status, headers and body (its
/// <c>Content-Type</c> header, when it has one, says what the body is: a run's console text is not JSON).</summary>
internal sealed class ApiResult(ApiResponse response) : IResult, IStatusCodeHttpResult
{
    public int StatusCode => response.Status;

    int? IStatusCodeHttpResult.StatusCode => response.Status;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var headers = httpContext.Response.Headers;
        var contentType = "application/json";
        foreach (var (name, value) in response.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = value;
            }
            else
            {
                headers[name] = value;
            }
        }
        if (response.Status == StatusCodes.Status204NoContent)
        {
            httpContext.Response.StatusCode = response.Status;
            return Task.CompletedTask;
        }
        return JsonReply.WriteAsync(httpContext, response.Status, response.Body, contentType);
    }
}
