using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Anvil.Server;

/// <summary>Writes JSON answers the way the API core does: <c>application/json</c>, a Content-Length and the body
/// in a single write, so that Kestrel sends headers and body in one packet (no Nagle or delayed-ACK stall on the
/// ARA callback's many small keep-alive requests).</summary>
internal static class JsonReply
{
    public static Task WriteAsync(HttpContext context, int status, ReadOnlyMemory<byte> body,
        string contentType = "application/json")
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        return body.IsEmpty || HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary><c>{"detail":"…"}</c>, DRF's error shape.</summary>
    public static Task DetailAsync(HttpContext context, int status, string detail) =>
        WriteAsync(context, status, Object(("detail", detail)));

    /// <summary>A flat JSON object of string values, in the given order.</summary>
    public static byte[] Object(params (string Name, string Value)[] members)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (name, value) in members)
            {
                w.WriteString(name, value);
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
