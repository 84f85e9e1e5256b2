using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anvil.Yaml;

namespace Anvil.Runner.Inputs;

/// <summary>
/// Reads the mapping files of a private data dir (<c>env/envvars</c>, <c>env/extravars</c>, <c>env/settings</c>,
/// <c>env/passwords</c>): JSON first, then YAML, as ansible-runner does. Errors name the file and the line.
/// </summary>
public static class MappingFile
{
    /// <summary>Parses <paramref name="text"/> read from <paramref name="displayPath"/> into a JSON object. YAML is
    /// read by Anvil.Yaml exactly as PyYAML's safe loader reads it (<c>0777</c> is 511, <c>1e5</c> a string); a
    /// YAML float is held as a <see cref="double"/>, an integer as a <see cref="long"/> (or a JSON number when it is
    /// larger), a timestamp as the text Python's <c>str()</c> gives it.</summary>
    public static JsonObject Parse(string text, string displayPath)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text);
            // As ansible-runner (json.loads, then safe_load when the result is empty or false): a key given twice
            // is found here, and YAML reads the same text with the last value winning, as json.loads does.
            _ = (node as JsonObject)?.Count;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            node = ParseYaml(text, displayPath);
        }
        return node as JsonObject ?? throw new RunnerInputException(
            $"{displayPath}: expected a mapping of keys to values, found {Describe(node)}");
    }

    private static JsonNode? ParseYaml(string text, string displayPath)
    {
        Yaml11Node? root;
        try
        {
            root = Yaml11Document.Load(text);
        }
        catch (Yaml11Exception e)
        {
            var where = e.Line > 0 ? $":{e.Line}" + (e.Column > 0 ? $":{e.Column}" : "") : "";
            throw new RunnerInputException($"{displayPath}{where}: not valid YAML or JSON: {e.Message}", e);
        }
        return root is null ? new JsonObject() : ToJson(root);
    }

    private static JsonNode? ToJson(Yaml11Node node) => node switch
    {
        Yaml11MappingNode map => MapToJson(map),
        Yaml11SequenceNode seq => new JsonArray(seq.Items.Select(ToJson).ToArray()),
        Yaml11ScalarNode scalar => ScalarToJson(scalar.Scalar),
        _ => null,
    };

    private static JsonObject MapToJson(Yaml11MappingNode map)
    {
        var obj = new JsonObject();
        foreach (var (k, v) in map.Entries)
        {
            // ansible-runner keys the environment by str(key): a key 'yes' is "True", '0x10' is "16".
            obj[k.Scalar.PythonStr] = ToJson(v);
        }
        return obj;
    }

    private static JsonNode? ScalarToJson(Yaml11Scalar scalar) => scalar.Value switch
    {
        null => null,
        bool b => JsonValue.Create(b),
        BigInteger i when i >= long.MinValue && i <= long.MaxValue => JsonValue.Create((long)i),
        BigInteger i => JsonNode.Parse(i.ToString(CultureInfo.InvariantCulture)),
        double d => JsonValue.Create(d),
        _ => JsonValue.Create(scalar.PythonStr),
    };

    private static string Describe(JsonNode? node) => node switch
    {
        null => "nothing (null)",
        JsonArray => "a list",
        JsonValue v => $"a single value ({v.GetValueKind().ToString().ToLowerInvariant()})",
        _ => node.GetType().Name,
    };

    /// <summary>The value as ansible-runner turns it into an environment string: Python's <c>str()</c> of what
    /// json.loads or safe_load gave (<c>True</c>, <c>None</c>, <c>100000.0</c>, <c>[1, 'a']</c>).</summary>
    public static string AsString(JsonNode? value) => value switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => Repr(value),
    };

    /// <summary>A number's value as a double, however it was read (JSON text, YAML int or float).</summary>
    public static bool TryGetNumber(JsonNode? value, out double number)
    {
        number = 0;
        if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return false;
        }
        if (v.TryGetValue<JsonElement>(out var e))
        {
            return double.TryParse(e.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
        }
        if (v.TryGetValue<long>(out var l))
        {
            number = l;
            return true;
        }
        return v.TryGetValue(out number);
    }

    // Python's repr(), which str() of a list or dict applies to the items.
    private static string Repr(JsonNode? value) => value switch
    {
        null => "None",
        JsonObject o => "{" + string.Join(", ", o.Select(kv => PythonFormat.StringRepr(kv.Key) + ": " + Repr(kv.Value))) + "}",
        JsonArray a => "[" + string.Join(", ", a.Select(Repr)) + "]",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => PythonFormat.StringRepr(v.GetValue<string>()),
            JsonValueKind.True => "True",
            JsonValueKind.False => "False",
            JsonValueKind.Number => NumberStr(v),
            _ => "None",
        },
        _ => value.ToJsonString(),
    };

    private static string NumberStr(JsonValue v)
    {
        if (v.TryGetValue<JsonElement>(out var e))
        {
            // json.loads: an integer literal is an int (any size), anything with a point or exponent a float.
            var raw = e.GetRawText();
            return raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0
                ? BigInteger.Parse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)
                : PythonFormat.Float(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture));
        }
        if (v.TryGetValue<long>(out var l))
        {
            return l.ToString(CultureInfo.InvariantCulture);
        }
        return v.TryGetValue<double>(out var d) ? PythonFormat.Float(d) : v.ToJsonString();
    }
}
