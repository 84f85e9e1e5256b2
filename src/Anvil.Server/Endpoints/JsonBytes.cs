using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Anvil.Server;

/// <summary>A typed result for JSON that is already serialised (by the API core, <see cref="Registry.GalaxyJson"/> or
/// <see cref="JsonReply.Object"/>): written by <see cref="JsonReply"/>, headers and body in one write.</summary>
internal sealed class JsonBytes(int statusCode, ReadOnlyMemory<byte> body, string contentType = "application/json")
    : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public int StatusCode => statusCode;

    int? IStatusCodeHttpResult.StatusCode => statusCode;

    public string ContentType => contentType;

    public ReadOnlyMemory<byte> Body => body;

    /// <summary>Set when the answer comes before the request body was read: the connection must not be reused.</summary>
    public bool CloseConnection { get; init; }

    public static JsonBytes Ok(ReadOnlyMemory<byte> body) => new(StatusCodes.Status200OK, body);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (CloseConnection)
        {
            httpContext.Response.Headers.Connection = "close";
        }
        return JsonReply.WriteAsync(httpContext, statusCode, body, contentType);
    }
}
