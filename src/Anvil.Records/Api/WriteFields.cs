using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Anvil.Records.Storage;

namespace Anvil.Records.Api;

/// <summary>POST creates, PUT replaces (required fields must be present), PATCH changes only what is sent.</summary>
internal enum WriteMode
{
    Create,
    Replace,
    Patch,
}

internal enum FieldKind
{
    /// <summary>A string, trimmed (DRF CharField); numbers are accepted and turned into text.</summary>
    String,

    /// <summary>File text: a string kept exactly as sent.</summary>
    Text,
    Integer,
    Boolean,
    DateTime,
    Duration,
    Choice,

    /// <summary>Any JSON value, stored as normalised text.</summary>
    Json,
    Uuid,

    /// <summary>The id of a row in <see cref="FieldSpec.Table"/>.</summary>
    Reference,

    /// <summary>A list of label names (get-or-created).</summary>
    LabelNames,

    /// <summary>A list of host ids.</summary>
    HostIds,
}

/// <summary>One writable field of a resource, with DRF's rules for it.</summary>
internal sealed record FieldSpec(string Name, FieldKind Kind)
{
    public bool Required { get; init; }
    public bool AllowNull { get; init; }
    public bool AllowBlank { get; init; }
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>For <see cref="FieldKind.Reference"/>: the table the id points into (a constant, never input).</summary>
    public string? Table { get; init; }

    /// <summary>The serializer default (stored JSON text) used when the field is absent from a POST or PUT.</summary>
    public string? Default { get; init; }

    /// <summary>Whether the value is part of a unique index (label, host, file and record keys). ARA caps such
    /// fields at 255 characters; Anvil allows <see cref="WriteFields.MaxKeyLength"/>, within what a PostgreSQL
    /// index entry can hold.</summary>
    public bool Indexed { get; init; }
}

/// <summary>The body of a write request, parsed once.</summary>
internal sealed class RequestBody : IDisposable
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 512 };
    private readonly JsonDocument? _document;

    private RequestBody(JsonDocument? document) => _document = document;

    /// <summary>The JSON object sent, or null for an empty body (read as <c>{}</c>, as DRF does).</summary>
    public JsonElement? Root => _document?.RootElement;

    public static RequestBody Parse(ApiRequest request)
    {
        var span = request.Body.Span;
        if (span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return new RequestBody(null);
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(request.Body, Options);
        }
        catch (JsonException e)
        {
            // The parser's message names a character and a position only, never the content around it.
            throw new ApiException(Replies.Detail(400, "JSON parse error - " + e.Message));
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = WriteFields.PythonType(document.RootElement);
            document.Dispose();
            throw FieldErrors.One("non_field_errors",
                kind == "NoneType" ? "No data provided" : $"Invalid data. Expected a dictionary, but got {kind}.");
        }
        return new RequestBody(document);
    }

    public void Dispose() => _document?.Dispose();
}

/// <summary>
/// Validates a write body against a resource's fields the way DRF's serializers do: every field is checked and all
/// errors are answered together, in field order, each naming its field; nothing reaches the database unless the
/// whole body is valid. Values come back typed: string, long, int, bool, long microseconds, stored JSON text, string
/// lists (labels) and long lists (hosts).
/// </summary>
internal static partial class WriteFields
{
    public const string Required = "This field is required.";
    public const string NotNull = "This field may not be null.";
    public const string NotBlank = "This field may not be blank.";
    public const string NullCharacters = "Null characters are not allowed.";

    /// <summary>Longest indexed value, in characters and in UTF-8 bytes (a B-tree entry holds about 2.7 kB).</summary>
    public const int MaxKeyLength = 1024;
    public const int MaxKeyBytes = 2048;

    private static readonly HashSet<string> TrueStrings = ["t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1"];
    private static readonly HashSet<string> FalseStrings = ["f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0"];

    /// <summary>The validated value of <paramref name="name"/> when the body had it, else <paramref name="current"/>
    /// (a PATCH leaves out what it does not change).</summary>
    public static T Pick<T>(this Dictionary<string, object?> values, string name, T current) =>
        values.TryGetValue(name, out var value) ? (T)value! : current;

    public static async Task<Dictionary<string, object?>> ValidateAsync(JsonElement? body, IReadOnlyList<FieldSpec> fields,
        WriteMode mode, Db db, CancellationToken ct)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        var errors = new FieldErrors();
        foreach (var f in fields)
        {
            if (body is not { } b || !b.TryGetProperty(f.Name, out var v))
            {
                if (mode == WriteMode.Patch)
                {
                    continue;
                }
                if (f.Required)
                {
                    errors.Add(f.Name, Required);
                }
                else if (f.Default is not null)
                {
                    values[f.Name] = f.Default;
                }
                continue;
            }
            if (v.ValueKind == JsonValueKind.Null)
            {
                if (f.AllowNull)
                {
                    values[f.Name] = null;
                }
                else
                {
                    errors.Add(f.Name, NotNull);
                }
                continue;
            }
            var (value, error) = f.Kind != FieldKind.Json && !StringsAreValid(v)
                ? (null, "Not a valid string.")
                : await ParseAsync(f, v, db, ct).ConfigureAwait(false);
            if (error is not null)
            {
                errors.Add(f.Name, error);
            }
            else
            {
                values[f.Name] = value;
            }
        }
        errors.ThrowIfAny();
        return values;
    }

    private static async Task<(object?, string?)> ParseAsync(FieldSpec f, JsonElement v, Db db, CancellationToken ct) =>
        f.Kind switch
        {
            FieldKind.String => ParseString(f, v),
            FieldKind.Text => ParseText(v),
            FieldKind.Integer => ParseInteger(v),
            FieldKind.Boolean => ParseBoolean(v),
            FieldKind.DateTime => ParseDateTime(v),
            FieldKind.Duration => ParseDuration(v),
            FieldKind.Choice => ParseChoice(f, v),
            FieldKind.Json => (JsonText.Normalize(v), null),
            FieldKind.Uuid => ParseUuid(v),
            FieldKind.Reference => await ParseReferenceAsync(f, v, db, ct).ConfigureAwait(false),
            FieldKind.LabelNames => ParseLabelNames(v),
            FieldKind.HostIds => await ParseHostIdsAsync(v, db, ct).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(f), "unknown field kind"),
        };

    private static string? TooLong(string s) =>
        s.Length > MaxKeyLength ? $"Ensure this field has no more than {MaxKeyLength} characters."
        : System.Text.Encoding.UTF8.GetByteCount(s) > MaxKeyBytes ? $"Ensure this field has no more than {MaxKeyBytes} bytes."
        : null;

    /// <summary>False when a string (or a string item of a list) escapes a lone surrogate: valid JSON that cannot
    /// become a .NET string.</summary>
    private static bool StringsAreValid(JsonElement v)
    {
        try
        {
            if (v.ValueKind == JsonValueKind.String)
            {
                _ = v.GetString();
            }
            else if (v.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in v.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String)
                    {
                        _ = item.GetString();
                    }
                }
            }
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Python's name for the type of a JSON value, as DRF's messages use it.</summary>
    public static string PythonType(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Object => "dict",
        JsonValueKind.Array => "list",
        JsonValueKind.String => "str",
        JsonValueKind.Number => v.TryGetInt64(out _) ? "int" : "float",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "NoneType",
    };

    private static (object?, string?) ParseString(FieldSpec f, JsonElement v)
    {
        string s;
        if (v.ValueKind == JsonValueKind.String)
        {
            s = v.GetString()!.Trim();
        }
        else if (v.ValueKind == JsonValueKind.Number)
        {
            s = v.GetRawText();
        }
        else
        {
            return (null, "Not a valid string.");
        }
        if (s.Contains('\0', StringComparison.Ordinal))
        {
            return (null, NullCharacters);
        }
        if (f.Indexed && TooLong(s) is { } tooLong)
        {
            return (null, tooLong);
        }
        return s.Length == 0 && !f.AllowBlank ? (null, NotBlank) : (s, null);
    }

    private static (object?, string?) ParseText(JsonElement v) => v.ValueKind != JsonValueKind.String
        ? (null, "Not a valid string.")
        : v.GetString() is { } s && s.Contains('\0', StringComparison.Ordinal) ? (null, NullCharacters) : (v.GetString(), null);

    private static (object?, string?) ParseInteger(JsonElement v)
    {
        const string invalid = "A valid integer is required.";
        decimal d;
        if (v.ValueKind == JsonValueKind.Number)
        {
            if (!v.TryGetDecimal(out d))
            {
                // Beyond decimal's range: a whole number, but far outside an integer column's.
                if (!v.TryGetDouble(out var big) || !double.IsFinite(big) || Math.Floor(big) != big)
                {
                    return (null, invalid);
                }
                d = big > 0 ? decimal.MaxValue : decimal.MinValue;
            }
        }
        else if (v.ValueKind == JsonValueKind.String)
        {
            // DRF strips a trailing ".0" and surrounding blanks, then needs an integer.
            var s = TrailingZeroFraction().Replace(v.GetString()!, "").Trim();
            if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            {
                return (null, invalid);
            }
            d = l;
        }
        else
        {
            return (null, invalid);
        }
        if (d != decimal.Truncate(d))
        {
            return (null, invalid);
        }
        if (d > int.MaxValue)
        {
            return (null, $"Ensure this value is less than or equal to {int.MaxValue}.");
        }
        if (d < int.MinValue)
        {
            return (null, $"Ensure this value is greater than or equal to {int.MinValue}.");
        }
        return ((int)d, null);
    }

    private static (object?, string?) ParseBoolean(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.True => (true, null),
        JsonValueKind.False => (false, null),
        JsonValueKind.Number when v.TryGetDecimal(out var d) && d == 1 => (true, null),
        JsonValueKind.Number when v.TryGetDecimal(out var d) && d == 0 => (false, null),
        JsonValueKind.String when TrueStrings.Contains(v.GetString()!) => (true, null),
        JsonValueKind.String when FalseStrings.Contains(v.GetString()!) => (false, null),
        _ => (null, "Must be a valid boolean."),
    };

    private static (object?, string?) ParseDateTime(JsonElement v) =>
        v.ValueKind == JsonValueKind.String && Clock.Parse(v.GetString()!) is { } micros
            ? (micros, null)
            : (null, "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].");

    /// <summary>Durations are accepted (as ARA accepts them) but not stored: the API computes them from the times.</summary>
    private static (object?, string?) ParseDuration(JsonElement v)
    {
        var s = v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!,
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        };
        return s is not null && (StandardDuration().IsMatch(s) || IsoDuration().IsMatch(s) || PostgresDuration().IsMatch(s))
            ? (s, null)
            : (null, "Duration has wrong format. Use one of these formats instead: [DD] [HH:[MM:]]ss[.uuuuuu].");
    }

    private static (object?, string?) ParseChoice(FieldSpec f, JsonElement v)
    {
        var s = v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!,
            JsonValueKind.True => "True",
            JsonValueKind.False => "False",
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        };
        if (s is not null && f.Choices.Contains(s))
        {
            return (s, null);
        }
        return (null, $"\"{s ?? v.GetRawText()}\" is not a valid choice.");
    }

    private static (object?, string?) ParseUuid(JsonElement v)
    {
        string? parsed = null;
        if (v.ValueKind == JsonValueKind.String)
        {
            parsed = JsonText.ParseUuid(v.GetString()!);
        }
        else if (v.ValueKind == JsonValueKind.Number && v.TryGetUInt64(out var n))
        {
            parsed = n.ToString("x32", CultureInfo.InvariantCulture);
        }
        return parsed is null ? (null, "Must be a valid UUID.") : (parsed, null);
    }

    private static async Task<(object?, string?)> ParseReferenceAsync(FieldSpec f, JsonElement v, Db db, CancellationToken ct)
    {
        long id;
        string shown;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out id))
        {
            shown = id.ToString(CultureInfo.InvariantCulture);
        }
        else if (v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString()!.Trim(), NumberStyles.AllowLeadingSign,
                     CultureInfo.InvariantCulture, out id))
        {
            shown = v.GetString()!;
        }
        else
        {
            return (null, $"Incorrect type. Expected pk value, received {PythonType(v)}.");
        }
        return await db.ExistsAsync(f.Table!, id, ct).ConfigureAwait(false)
            ? (id, null)
            : (null, $"Invalid pk \"{shown}\" - object does not exist.");
    }

    private static (object?, string?) ParseLabelNames(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Array)
        {
            return (null, $"Expected a list of items but got type \"{PythonType(v)}\".");
        }
        var names = new List<string>();
        foreach (var item in v.EnumerateArray())
        {
            switch (item.ValueKind)
            {
                case JsonValueKind.String when !item.GetString()!.Contains('\0', StringComparison.Ordinal):
                    if (TooLong(item.GetString()!) is { } tooLong)
                    {
                        return (null, tooLong);
                    }
                    names.Add(item.GetString()!);
                    break;
                case JsonValueKind.Number:
                    names.Add(item.GetRawText());
                    break;
                case JsonValueKind.Null:
                    return (null, NotNull);
                default:
                    return (null, "Invalid value.");
            }
        }
        return (names, null);
    }

    private static async Task<(object?, string?)> ParseHostIdsAsync(JsonElement v, Db db, CancellationToken ct)
    {
        if (v.ValueKind != JsonValueKind.Array)
        {
            return (null, $"Expected a list of items but got type \"{PythonType(v)}\".");
        }
        var ids = new List<long>();
        foreach (var item in v.EnumerateArray())
        {
            long id;
            if (item.ValueKind == JsonValueKind.Null)
            {
                return (null, NotNull);
            }
            if (!(item.ValueKind == JsonValueKind.Number && item.TryGetInt64(out id)) &&
                !(item.ValueKind == JsonValueKind.String && long.TryParse(item.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out id)))
            {
                return (null, "Invalid value.");
            }
            if (!await db.ExistsAsync("hosts", id, ct).ConfigureAwait(false))
            {
                return (null, $"Object with id={(item.ValueKind == JsonValueKind.String ? item.GetString() : item.GetRawText())} does not exist.");
            }
            if (!ids.Contains(id))
            {
                ids.Add(id);
            }
        }
        return (ids, null);
    }

    [GeneratedRegex(@"\.0*\s*$")]
    private static partial Regex TrailingZeroFraction();

    // Django's parse_duration formats: "[-][DD ]HH:MM:SS[.ffffff]" (and shorter), ISO 8601 and PostgreSQL's.
    [GeneratedRegex(@"^(?:[-+]?\d+ (?:days?, )?)?(?:[-+]?\d+:)??(?:[-+]?\d+:)?[-+]?\d+(?:[\.,]\d{1,6}\d*)?$")]
    private static partial Regex StandardDuration();

    [GeneratedRegex(@"^[-+]?P(?:\d+(?:[\.,]\d+)?D)?(?:T(?:\d+(?:[\.,]\d+)?H)?(?:\d+(?:[\.,]\d+)?M)?(?:\d+(?:[\.,]\d+)?S)?)?$")]
    private static partial Regex IsoDuration();

    [GeneratedRegex(@"^(?:[-+]?\d+ days? ?)?(?:[-+])?(?:\d+):(?:\d\d):(?:\d\d)(?:\.\d{1,6})?$")]
    private static partial Regex PostgresDuration();
}
