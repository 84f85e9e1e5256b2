namespace Anvil.Records.Api;

/// <summary>Ends a request early with a ready answer (validation errors, not found); thrown out of a write transaction
/// it also rolls the transaction back.</summary>
internal sealed class ApiException(ApiResponse response) : Exception("records API request refused")
{
    public ApiResponse Response { get; } = response;
}

/// <summary>Field errors in the order the fields are declared, as DRF reports them: <c>{"field":["message"]}</c>.</summary>
internal sealed class FieldErrors
{
    private readonly List<(string Field, List<string> Messages)> _errors = [];

    public bool Any => _errors.Count > 0;

    public bool Has(string field) => _errors.Exists(e => e.Field == field);

    /// <summary>Each field's messages as <c>field: message</c> lines, in order (for the web UI).</summary>
    public IEnumerable<string> Lines() => _errors.SelectMany(e => e.Messages.Select(m => $"{e.Field}: {m}"));

    public void Add(string field, string message)
    {
        var i = _errors.FindIndex(e => e.Field == field);
        if (i < 0)
        {
            _errors.Add((field, [message]));
        }
        else
        {
            _errors[i].Messages.Add(message);
        }
    }

    public ApiResponse ToResponse()
    {
        using var o = new JsonOut();
        o.W.WriteStartObject();
        foreach (var (field, messages) in _errors)
        {
            o.W.WritePropertyName(field);
            o.W.WriteStartArray();
            foreach (var m in messages)
            {
                o.Value(m);
            }
            o.W.WriteEndArray();
        }
        o.W.WriteEndObject();
        return o.Finish(400);
    }

    public void ThrowIfAny()
    {
        if (Any)
        {
            throw new ApiException(ToResponse());
        }
    }

    public static ApiException One(string field, string message)
    {
        var e = new FieldErrors();
        e.Add(field, message);
        return new ApiException(e.ToResponse());
    }

    /// <summary>Runs a write that a concurrent writer can make violate a unique constraint (the API checks first,
    /// but another connection can win the race): the violation becomes the same 400 the check gives.</summary>
    public static async Task<T> UniqueOr400<T>(Task<T> write, string field, string message)
    {
        try
        {
            return await write.ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException e) when (SqlSession.IsUniqueViolation(e))
        {
            throw One(field, message);
        }
    }
}

/// <summary>The fixed answers of the API.</summary>
internal static class Replies
{
    private static readonly byte[] NotFoundBody = "{\"detail\":\"Not found.\"}"u8.ToArray();

    public static ApiResponse NotFound() => new(404, NotFoundBody);

    public static ApiResponse NoContent() => new(204, ReadOnlyMemory<byte>.Empty);

    public static ApiResponse Detail(int status, string detail)
    {
        using var o = new JsonOut();
        o.W.WriteStartObject();
        o.String("detail", detail);
        o.W.WriteEndObject();
        return o.Finish(status);
    }

    public static ApiResponse MethodNotAllowed(string method, string allow) =>
        Detail(405, $"Method \"{method}\" not allowed.") with
        {
            Headers = new Dictionary<string, string> { ["Allow"] = allow },
        };

    public static ApiException NotFoundError() => new(NotFound());
}
