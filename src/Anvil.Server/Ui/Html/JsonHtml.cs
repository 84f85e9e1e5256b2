using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Html;

namespace Anvil.Server.Ui.Html;

/// <summary>
/// JSON as readable, collapsible HTML without a script: objects and arrays are <c>&lt;details&gt;</c> (open near the
/// top, closed deeper down or when long), strings that span lines are shown as blocks of text, scalars are coloured by
/// type. Everything is escaped; text that is not JSON is shown as text.
/// </summary>
internal static class JsonHtml
{
    /// <summary>One top-level field: its key (text) and its value's markup.</summary>
    public sealed record JsonField(string Key, string Html)
    {
        /// <summary>The value as HTML for a page.</summary>
        public IHtmlContent Content => RenderedHtml.From(Html);
    }

    private const int OpenDepth = 2;
    private const int OpenItems = 40;

    /// <summary>Keys that repeat another key line by line; shown closed.</summary>
    private static readonly HashSet<string> Redundant = new(StringComparer.Ordinal) { "stdout_lines", "stderr_lines" };

    /// <summary>A JSON document as HTML for a page.</summary>
    public static IHtmlContent Content(string json) => RenderedHtml.From(Render(json));

    /// <summary>The markup of <see cref="Content"/>.</summary>
    public static string Render(string json)
    {
        var sb = new StringBuilder(json.Length * 2 + 64);
        try
        {
            using var doc = JsonDocument.Parse(json);
            Value(sb, doc.RootElement, 0, open: true);
        }
        catch (JsonException)
        {
            sb.Append("<pre class=\"j-pre\">");
            Fmt.Escape(sb, json);
            sb.Append("</pre>");
        }
        return sb.ToString();
    }

    /// <summary>The top-level fields of an object as (key, HTML of the value) pairs, the <paramref name="first"/> keys
    /// (those a person looks for) ahead of the rest, which keep their order. Not an object: one row named
    /// <c>value</c>.</summary>
    public static IReadOnlyList<JsonField> Fields(string json, IReadOnlyList<string> first)
    {
        var rows = new List<JsonField>();
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                var sb = new StringBuilder();
                Value(sb, doc.RootElement, 0, open: true);
                rows.Add(new("value", sb.ToString()));
                return rows;
            }
            var properties = doc.RootElement.EnumerateObject().ToList();
            var ordered = properties.Where(p => first.Contains(p.Name))
                .OrderBy(p => first.ToList().IndexOf(p.Name))
                .Concat(properties.Where(p => !first.Contains(p.Name)));
            foreach (var p in ordered)
            {
                var sb = new StringBuilder();
                Value(sb, p.Value, 1, open: !Redundant.Contains(p.Name));
                rows.Add(new(p.Name, sb.ToString()));
            }
        }
        catch (JsonException)
        {
            rows.Add(new("value", "<pre class=\"j-pre\">" + Fmt.Escape(json) + "</pre>"));
        }
        return rows;
    }

    private static void Value(StringBuilder sb, JsonElement e, int depth, bool open)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                Container(sb, e, depth, open, '{', '}', e.EnumerateObject().Count());
                break;
            case JsonValueKind.Array:
                Container(sb, e, depth, open, '[', ']', e.GetArrayLength());
                break;
            case JsonValueKind.String:
                var s = e.GetString() ?? "";
                sb.Append(s.Contains('\n', StringComparison.Ordinal) ? "<pre class=\"j-pre\">" : "<span class=\"j-s\">");
                if (s.Contains('\x1b', StringComparison.Ordinal))
                {
                    AnsiHtml.Write(sb, s); // command output with colours, as the console shows it
                }
                else
                {
                    Fmt.Escape(sb, s);
                }
                sb.Append(s.Contains('\n', StringComparison.Ordinal) ? "</pre>" : "</span>");
                break;
            case JsonValueKind.Number:
                sb.Append("<span class=\"j-n\">").Append(Fmt.Escape(e.GetRawText())).Append("</span>");
                break;
            case JsonValueKind.True:
            case JsonValueKind.False:
                sb.Append("<span class=\"j-b\">").Append(e.ValueKind == JsonValueKind.True ? "true" : "false").Append("</span>");
                break;
            default:
                sb.Append("<span class=\"j-z\">null</span>");
                break;
        }
    }

    private static void Container(StringBuilder sb, JsonElement e, int depth, bool open, char start, char end, int count)
    {
        if (count == 0)
        {
            sb.Append("<span class=\"j-z\">").Append(start).Append(end).Append("</span>");
            return;
        }
        var isOpen = open && depth < OpenDepth && count <= OpenItems;
        sb.Append(isOpen ? "<details class=\"j\" open>" : "<details class=\"j\">");
        sb.Append("<summary>").Append(start).Append(' ')
            .Append(count.ToString(CultureInfo.InvariantCulture))
            .Append(e.ValueKind == JsonValueKind.Object ? (count == 1 ? " key " : " keys ") : (count == 1 ? " item " : " items "))
            .Append(end).Append("</summary><ul class=\"j-c\">");
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
            {
                sb.Append("<li><span class=\"j-k\">");
                Fmt.Escape(sb, p.Name);
                sb.Append("</span>: ");
                Value(sb, p.Value, depth + 1, open: !Redundant.Contains(p.Name));
                sb.Append("</li>");
            }
        }
        else
        {
            var i = 0;
            foreach (var item in e.EnumerateArray())
            {
                sb.Append("<li><span class=\"j-i\">").Append(i++.ToString(CultureInfo.InvariantCulture)).Append("</span> ");
                Value(sb, item, depth + 1, open: true);
                sb.Append("</li>");
            }
        }
        sb.Append("</ul></details>");
    }

    /// <summary>
    /// Facts flattened to (path, value) rows for a searchable table: nested objects become dotted paths
    /// (<c>ansible_default_ipv4.address</c>), arrays of objects indexed paths; arrays of scalars stay one row.
    /// Values are plain text (strings unquoted, the rest as compact JSON).
    /// </summary>
    public static IReadOnlyList<(string Path, string Value)> Flatten(string json)
    {
        var rows = new List<(string, string)>();
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || doc.RootElement.EnumerateObject().Any())
            {
                Flatten(rows, "", doc.RootElement);
            }
        }
        catch (JsonException)
        {
            rows.Add(("", json));
        }
        return rows;
    }

    private static void Flatten(List<(string, string)> rows, string path, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object when e.EnumerateObject().Any():
                foreach (var p in e.EnumerateObject())
                {
                    Flatten(rows, path.Length == 0 ? p.Name : path + "." + p.Name, p.Value);
                }
                break;
            case JsonValueKind.Array when e.EnumerateArray().Any(x => x.ValueKind is JsonValueKind.Object or JsonValueKind.Array):
                var i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    Flatten(rows, $"{path}[{i++}]", item);
                }
                break;
            case JsonValueKind.String:
                rows.Add((path, e.GetString() ?? ""));
                break;
            default:
                rows.Add((path, e.GetRawText()));
                break;
        }
    }
}
