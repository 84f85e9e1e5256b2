using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace Anvil.Cli.Commands.Records;

/// <summary>How a table cell is shown; only the table format uses it (the other formats keep the API's values).</summary>
internal enum CellKind
{
    Text,
    Number,
    Time,
    Duration,
    Status,
    Path,
    List,
    Json,
}

/// <summary>A column of a list, or a field of a detail: its name (the key in JSON and YAML, the header in CSV and
/// tables), how to take its value from an API object, and how a table shows it. <c>Resolves</c> names the resource
/// whose id the value is (<c>playbooks</c>, <c>plays</c>, …): <c>--resolve</c> replaces the id by that object's name.</summary>
internal sealed record Column(string Name, Func<JsonElement, JsonElement> Value, CellKind Kind = CellKind.Text,
    bool LongOnly = false, string? Resolves = null)
{
    /// <summary>The API field the column shows (dotted for a nested one); list columns must name a field of their
    /// resource's descriptor (<see cref="ListSpec.CheckColumns"/>).</summary>
    public string? Field { get; init; }
}

/// <summary>A list or detail to print: the columns, one row of values per object, and a line said after a table.</summary>
internal sealed record Listing(IReadOnlyList<Column> Columns, IReadOnlyList<JsonElement[]> Rows, string? Footer = null);

/// <summary>Prints records as a table (Spectre.Console), JSON, CSV (RFC 4180) or YAML.</summary>
internal static partial class RecordsOutput
{
    public const string Table = "table";
    public const string Json = "json";
    public const string Csv = "csv";
    public const string Yaml = "yaml";

    private const int PathWidth = 48;

    public static Option<string> FormatOption()
    {
        var format = new Option<string>("--format", "-f")
        {
            Description = "output format: table, json, csv or yaml (default: table)",
            HelpName = "FORMAT",
            DefaultValueFactory = _ => Table,
        };
        format.AcceptOnlyFromAmong(Table, Json, Csv, Yaml);
        return format;
    }

    /// <summary>A value for a computed cell (a resolved name, a count, a list of names).</summary>
    public static JsonElement Value<T>(T value) => JsonSerializer.SerializeToElement(value);

    /// <summary>A JSON object from key/value pairs, in order.</summary>
    public static JsonElement Object(IEnumerable<(string Key, JsonElement Value)> pairs)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            foreach (var (key, value) in pairs)
            {
                w.WritePropertyName(key);
                WriteValue(w, value);
            }
            w.WriteEndObject();
        }
        using var doc = JsonDocument.Parse(stream.ToArray());
        return doc.RootElement.Clone();
    }

    /// <summary>Rows: a JSON array of objects, a CSV header and lines, a YAML sequence, or a table.</summary>
    public static void WriteList(TextWriter output, string format, Listing listing, bool longMode)
    {
        switch (format)
        {
            case Json:
                WriteJson(output, w =>
                {
                    w.WriteStartArray();
                    foreach (var row in listing.Rows)
                    {
                        WriteObject(w, listing.Columns, row);
                    }
                    w.WriteEndArray();
                });
                break;
            case Csv:
                WriteCsv(output, listing.Columns, listing.Rows);
                break;
            case Yaml:
                WriteYaml(output, listing.Rows.Select(r => ToYaml(listing.Columns, r)).ToList());
                break;
            default:
                var console = Console(output);
                if (listing.Rows.Count > 0)
                {
                    var table = new Spectre.Console.Table();
                    for (var i = 0; i < listing.Columns.Count; i++)
                    {
                        // Numbers line up on the right; a column of ids that --resolve turned into names does not.
                        var column = new TableColumn(listing.Columns[i].Name);
                        var numeric = listing.Rows.All(r => r[i].ValueKind is JsonValueKind.Number or JsonValueKind.Null or JsonValueKind.Undefined);
                        table.AddColumn(numeric ? column.RightAligned() : column);
                    }
                    foreach (var row in listing.Rows)
                    {
                        table.AddRow(listing.Columns.Select((c, i) => Cell(c.Kind, row[i], longMode)).ToArray());
                    }
                    console.Write(table);
                }
                if (listing.Footer is not null)
                {
                    console.Write(new Text(listing.Footer + "\n"));
                }
                break;
        }
    }

    /// <summary>One object: a JSON object, a CSV header and one line, a YAML mapping, or a two-column table.</summary>
    public static void WriteShow(TextWriter output, string format, IReadOnlyList<Column> fields, JsonElement[] values)
    {
        switch (format)
        {
            case Json:
                WriteJson(output, w => WriteObject(w, fields, values));
                break;
            case Csv:
                WriteCsv(output, fields, [values]);
                break;
            case Yaml:
                WriteYaml(output, ToYaml(fields, values));
                break;
            default:
                var table = new Spectre.Console.Table().AddColumn("field").AddColumn("value");
                for (var i = 0; i < fields.Count; i++)
                {
                    table.AddRow(new Text(fields[i].Name), Cell(fields[i].Kind, values[i], longMode: true));
                }
                Console(output).Write(table);
                break;
        }
    }

    /// <summary>Whether <paramref name="output"/> is this process's standard output on a terminal (only then are
    /// there colours, a terminal-wide table and progress bars).</summary>
    public static bool IsTerminal(TextWriter output) => ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected;

    /// <summary>A Spectre console on <paramref name="output"/>: colours on a terminal, plain text otherwise. Tables are
    /// never squeezed to the terminal's width: with a dozen columns that breaks every value over several lines,
    /// whereas a row the terminal wraps stays readable and copyable (and a pipe or a file gets whole lines). A
    /// progress bar (<paramref name="fitTerminal"/>) keeps the terminal's width.</summary>
    public static IAnsiConsole Console(TextWriter output, bool fitTerminal = false)
    {
        var terminal = IsTerminal(output);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!fitTerminal)
        {
            console.Profile.Width = 4096;
        }
        return console;
    }

    private static IRenderable Cell(CellKind kind, JsonElement value, bool longMode)
    {
        if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return new Text("");
        }
        if (value.ValueKind == JsonValueKind.String)
        {
            var s = value.GetString()!;
            return kind switch
            {
                CellKind.Time => new Text(ShortTime(s)),
                // Milliseconds are enough on a screen; the other formats keep the microseconds.
                CellKind.Duration => new Text(s.Length > 4 && s[^7] == '.' ? s[..^3] : s),
                CellKind.Status => new Text(s, StatusStyle(s)),
                CellKind.Path when !longMode && s.Length > PathWidth => new Text("…" + s[^(PathWidth - 1)..]),
                _ => new Text(s),
            };
        }
        if (value.ValueKind == JsonValueKind.Array && kind == CellKind.List)
        {
            return new Text(string.Join(", ", value.EnumerateArray().Select(Plain)));
        }
        return new Text(value.GetRawText());
    }

    private static string Plain(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString()!,
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        _ => v.GetRawText(),
    };

    private static string ShortTime(string s) =>
        DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : s;

    private static Style StatusStyle(string status) => status switch
    {
        "failed" or "unreachable" => new Style(Color.Red),
        "completed" or "ok" => new Style(Color.Green),
        "changed" => new Style(Color.Yellow),
        "running" => new Style(Color.Blue),
        _ => new Style(Color.Grey),
    };

    private static void WriteJson(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions
        {
            Indented = true,
            // Names and paths stay readable (é, not \u00e9); the output is still valid JSON.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            write(w);
        }
        output.Write(Encoding.UTF8.GetString(stream.ToArray()));
        output.Write('\n');
    }

    private static void WriteObject(Utf8JsonWriter w, IReadOnlyList<Column> columns, JsonElement[] row)
    {
        w.WriteStartObject();
        for (var i = 0; i < columns.Count; i++)
        {
            w.WritePropertyName(columns[i].Name);
            WriteValue(w, row[i]);
        }
        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            w.WriteNullValue();
        }
        else
        {
            value.WriteTo(w);
        }
    }

    /// <summary>RFC 4180: CRLF line ends, a field quoted when it holds a comma, a quote or a line break, quotes
    /// doubled. Null is an empty field; objects and lists are their compact JSON.</summary>
    private static void WriteCsv(TextWriter output, IReadOnlyList<Column> columns, IEnumerable<JsonElement[]> rows)
    {
        var line = new StringBuilder();
        output.Write(string.Join(',', columns.Select(c => CsvField(c.Name))) + "\r\n");
        foreach (var row in rows)
        {
            line.Clear();
            for (var i = 0; i < row.Length; i++)
            {
                if (i > 0)
                {
                    line.Append(',');
                }
                line.Append(CsvField(Plain(row[i])));
            }
            output.Write(line.Append("\r\n").ToString());
        }
    }

    private static string CsvField(string s) =>
        s.AsSpan().IndexOfAny(",\"\r\n") < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static Dictionary<string, object?> ToYaml(IReadOnlyList<Column> columns, JsonElement[] row)
    {
        var map = new Dictionary<string, object?>(columns.Count);
        for (var i = 0; i < columns.Count; i++)
        {
            map[columns[i].Name] = ToPlain(row[i]);
        }
        return map;
    }

    /// <summary>JSON as plain .NET values, which YamlDotNet writes as YAML scalars, mappings and sequences.</summary>
    private static object? ToPlain(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Object => v.EnumerateObject().ToDictionary(p => p.Name, p => ToPlain(p.Value)),
        JsonValueKind.Array => v.EnumerateArray().Select(ToPlain).ToList(),
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.TryGetInt64(out var l) ? l : v.TryGetDecimal(out var d) ? (object)d : v.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static readonly ISerializer YamlSerializer = new SerializerBuilder()
        // A string that a YAML 1.1 or 1.2 reader would take for something else ("true", "yes", "123", "", a
        // duration like 00:00:05.1, which YAML 1.1 reads as a base-60 number) is quoted.
        .WithQuotingNecessaryStrings(quoteYaml1_1Strings: true)
        .WithEventEmitter(next => new QuotedTimes(next))
        .DisableAliases()
        .Build();

    private static void WriteYaml(TextWriter output, object value) => output.Write(YamlSerializer.Serialize(value));

    /// <summary>Quotes strings that start like a date: YAML 1.1 readers (PyYAML) would turn the API's times into
    /// datetime objects, and the YAML output is meant to read back as the same values as the JSON output.</summary>
    private sealed partial class QuotedTimes(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Value is string s && DateLike().IsMatch(s))
            {
                eventInfo.Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted;
            }
            base.Emit(eventInfo, emitter);
        }

        [System.Text.RegularExpressions.GeneratedRegex(@"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")]
        private static partial System.Text.RegularExpressions.Regex DateLike();
    }
}
