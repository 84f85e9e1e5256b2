using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Anvil.Runner.Inputs;

/// <summary>
/// Reads the mapping files of a private data dir (<c>env/envvars</c>, <c>env/extravars</c>, <c>env/settings</c>,
/// <c>env/passwords</c>): JSON first, then YAML, as ansible-runner does. Errors name the file and the line.
/// </summary>
public static class MappingFile
{
    /// <summary>Parses <paramref name="text"/> read from <paramref name="displayPath"/> into a JSON object.</summary>
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
        }
        catch (JsonException)
        {
            node = ParseYaml(text, displayPath);
        }
        return node as JsonObject ?? throw new RunnerInputException(
            $"{displayPath}: expected a mapping of keys to values, found {Describe(node)}");
    }

    private static JsonNode? ParseYaml(string text, string displayPath)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            var message = e.InnerException is YamlException inner ? inner.Message : e.Message;
            throw new RunnerInputException(
                $"{displayPath}:{e.Start.Line}:{e.Start.Column}: not valid YAML or JSON: {OneLine(message)}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner fails this way on some malformed input; locate it by how far parsing got.
            var line = LastGoodLine(text);
            throw new RunnerInputException($"{displayPath}:{line}: not valid YAML or JSON: unexpected content after line {line}", e);
        }
        if (stream.Documents.Count == 0)
        {
            return new JsonObject();
        }
        if (stream.Documents.Count > 1)
        {
            throw new RunnerInputException($"{displayPath}: expected one YAML document, found {stream.Documents.Count}");
        }
        return ToJson(stream.Documents[0].RootNode);
    }

    private static long LastGoodLine(string text)
    {
        var parser = new Parser(new StringReader(text));
        long line = 1;
        try
        {
            while (parser.MoveNext())
            {
                line = parser.Current?.End.Line ?? line;
            }
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
        }
        return line;
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => MapToJson(map),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => ScalarToJson(scalar),
        _ => null,
    };

    private static JsonObject MapToJson(YamlMappingNode map)
    {
        var obj = new JsonObject();
        foreach (var (k, v) in map.Children)
        {
            var key = k is YamlScalarNode s ? s.Value ?? "" : k.ToString();
            obj[key] = ToJson(v);
        }
        return obj;
    }

    private static JsonNode? ScalarToJson(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(value);
        }
        // Plain scalars follow YAML 1.1 core types, as PyYAML's safe loader resolves them.
        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF":
                return JsonValue.Create(false);
        }
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }
        if (value.Any(char.IsDigit) &&
            double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return JsonValue.Create(d);
        }
        return JsonValue.Create(value);
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "nothing (null)",
        JsonArray => "a list",
        JsonValue v => $"a single value ({v.GetValueKind().ToString().ToLowerInvariant()})",
        _ => node.GetType().Name,
    };

    private static string OneLine(string s) => string.Join(' ', s.Split('\n', StringSplitOptions.RemoveEmptyEntries
        | StringSplitOptions.TrimEntries));

    /// <summary>The value as a plain string, the way ansible-runner stringifies environment values.</summary>
    public static string AsString(JsonNode? value) => value switch
    {
        null => "None",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.True => "True",
        JsonValue v when v.GetValueKind() == JsonValueKind.False => "False",
        _ => value.ToJsonString(),
    };
}
