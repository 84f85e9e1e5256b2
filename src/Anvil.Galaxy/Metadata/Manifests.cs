using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Anvil.Galaxy.Metadata;

/// <summary>One entry of FILES.json: a file with its sha256, or a directory (no checksum).</summary>
public sealed record FileEntry(string Name, string Ftype, string? ChksumType, string? ChksumSha256, int Format = 1)
{
    /// <summary><c>ftype</c> of a directory.</summary>
    public const string Dir = "dir";
    /// <summary><c>ftype</c> of a regular file.</summary>
    public const string File = "file";

    /// <summary>The entry is a directory.</summary>
    public bool IsDir => Ftype == Dir;

    /// <summary>A directory entry (no checksum).</summary>
    public static FileEntry Directory(string name) => new(name, Dir, null, null);

    /// <summary>A file entry; <paramref name="sha256"/> is its lowercase hex SHA-256, or null for none.</summary>
    public static FileEntry RegularFile(string name, string? sha256) =>
        new(name, File, sha256 is null ? null : "sha256", sha256);
}

/// <summary>The file manifest, FILES.json: <c>.</c> first, then every directory before its contents.</summary>
public sealed record FilesManifest(IReadOnlyList<FileEntry> Files, int Format = 1);

/// <summary>MANIFEST.json: the collection's metadata and the checksum of FILES.json.</summary>
public sealed record CollectionManifest(CollectionInfo Info, FileEntry FileManifestFile, int Format = 1);

/// <summary>
/// MANIFEST.json and FILES.json exactly as ansible-galaxy writes them (Python's <c>json.dumps(indent=True)</c>:
/// one-space indent, <c>", "</c> never used, ASCII only, no final newline), because the bytes matter: MANIFEST.json
/// holds the sha256 of FILES.json, and signatures cover MANIFEST.json.
/// </summary>
public static class ManifestJson
{
    /// <summary>The collection manifest at an artifact's root.</summary>
    public const string ManifestFileName = "MANIFEST.json";
    /// <summary>The file list with checksums, referenced from MANIFEST.json.</summary>
    public const string FilesFileName = "FILES.json";

    /// <summary>FILES.json as ansible-galaxy writes it (UTF-8, same key order and layout, so hashes match).</summary>
    public static byte[] Write(FilesManifest files)
    {
        var w = new PythonJsonWriter();
        w.StartObject();
        w.Key("files");
        w.StartArray(files.Files.Count);
        foreach (var f in files.Files)
        {
            w.Item();
            WriteEntry(w, f);
        }
        w.EndArray(files.Files.Count);
        w.Key("format");
        w.Number(files.Format);
        w.EndObject();
        return w.ToBytes();
    }

    /// <summary>MANIFEST.json as ansible-galaxy writes it (UTF-8, same key order and layout, so hashes match).</summary>
    public static byte[] Write(CollectionManifest manifest)
    {
        var i = manifest.Info;
        var w = new PythonJsonWriter();
        w.StartObject();
        w.Key("collection_info");
        w.StartObject();
        w.Key("namespace");
        w.String(i.Namespace);
        w.Key("name");
        w.String(i.Name);
        w.Key("version");
        w.String(i.Version);
        w.Key("authors");
        w.StringList(i.Authors);
        w.Key("readme");
        w.String(i.Readme);
        w.Key("tags");
        w.StringList(i.Tags);
        w.Key("description");
        w.String(i.Description);
        w.Key("license");
        w.StringList(i.License);
        w.Key("license_file");
        w.String(i.LicenseFile);
        w.Key("dependencies");
        w.StringMap(i.Dependencies);
        w.Key("repository");
        w.String(i.Repository);
        w.Key("documentation");
        w.String(i.Documentation);
        w.Key("homepage");
        w.String(i.Homepage);
        w.Key("issues");
        w.String(i.Issues);
        w.EndObject();
        w.Key("file_manifest_file");
        WriteEntry(w, manifest.FileManifestFile);
        w.Key("format");
        w.Number(manifest.Format);
        w.EndObject();
        return w.ToBytes();
    }

    private static void WriteEntry(PythonJsonWriter w, FileEntry f)
    {
        w.StartObject();
        w.Key("name");
        w.String(f.Name);
        w.Key("ftype");
        w.String(f.Ftype);
        w.Key("chksum_type");
        w.String(f.ChksumType);
        w.Key("chksum_sha256");
        w.String(f.ChksumSha256);
        w.Key("format");
        w.Number(f.Format);
        w.EndObject();
    }

    /// <summary>Reads FILES.json; <paramref name="source"/> names it in messages.</summary>
    public static FilesManifest ReadFiles(ReadOnlySpan<byte> json, string source)
    {
        using var doc = Parse(json, source);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("files", out var files) ||
            files.ValueKind != JsonValueKind.Array)
        {
            throw Bad(source, "files", "must be a list of file entries");
        }
        var list = new List<FileEntry>(files.GetArrayLength());
        var index = 0;
        foreach (var e in files.EnumerateArray())
        {
            var field = $"files[{index++}]";
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw Bad(source, field, "is not an object");
            }
            var name = Text(e, "name") ?? throw Bad(source, field + ".name", "missing");
            var ftype = Text(e, "ftype");
            if (ftype is not (FileEntry.File or FileEntry.Dir))
            {
                throw Bad(source, field + ".ftype", $"'{ftype}' is neither 'file' nor 'dir'");
            }
            var type = Text(e, "chksum_type");
            var sum = Text(e, "chksum_sha256");
            if (ftype == FileEntry.File && type is not null && type != "sha256")
            {
                throw Bad(source, field + ".chksum_type", $"'{type}' is not supported (only sha256)");
            }
            list.Add(new FileEntry(name, ftype, type, sum, FormatOf(e)));
        }
        return new FilesManifest(list, FormatOf(root));
    }

    /// <summary>Reads MANIFEST.json. The version must be text (ansible-galaxy refuses a number there too).</summary>
    public static CollectionManifest ReadManifest(ReadOnlySpan<byte> json, string source)
    {
        using var doc = Parse(json, source);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("collection_info", out var ci) ||
            ci.ValueKind != JsonValueKind.Object)
        {
            throw Bad(source, "collection_info", "missing");
        }
        string Required(string key) =>
            ci.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
                ? s
                : throw Bad(source, "collection_info." + key,
                    v.ValueKind == JsonValueKind.Number ? $"{v.GetRawText()} is a number, not a version string" : "missing or empty");
        var info = new CollectionInfo
        {
            Namespace = Required("namespace"),
            Name = Required("name"),
            Version = Required("version"),
            Authors = List(ci, "authors"),
            Readme = Text(ci, "readme"),
            Tags = List(ci, "tags"),
            Description = Text(ci, "description"),
            License = List(ci, "license"),
            LicenseFile = Text(ci, "license_file"),
            Dependencies = Map(ci, "dependencies", source),
            Repository = Text(ci, "repository"),
            Documentation = Text(ci, "documentation"),
            Homepage = Text(ci, "homepage"),
            Issues = Text(ci, "issues"),
        };
        var fm = root.TryGetProperty("file_manifest_file", out var f) && f.ValueKind == JsonValueKind.Object
            ? new FileEntry(Text(f, "name") ?? ManifestJson.FilesFileName, Text(f, "ftype") ?? FileEntry.File,
                Text(f, "chksum_type"), Text(f, "chksum_sha256"), FormatOf(f))
            : throw Bad(source, "file_manifest_file", "missing");
        return new CollectionManifest(info, fm, FormatOf(root));
    }

    private static JsonDocument Parse(ReadOnlySpan<byte> json, string source)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = false });
            return JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new GalaxyException($"{source}: not valid JSON ({e.Message})");
        }
    }

    private static GalaxyException Bad(string source, string field, string message) =>
        new MetadataException(new MetadataProblem(source, field, message));

    private static int FormatOf(JsonElement e) =>
        e.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.Number && f.TryGetInt32(out var n) ? n : 1;

    private static string? Text(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Null => null,
            _ => v.GetRawText(),
        } : null;

    private static List<string> List(JsonElement e, string key)
    {
        if (!e.TryGetProperty(key, out var v))
        {
            return [];
        }
        return v.ValueKind switch
        {
            JsonValueKind.Array => v.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : x.GetRawText()).ToList(),
            JsonValueKind.String => [v.GetString()!],
            _ => [],
        };
    }

    private static List<KeyValuePair<string, string>> Map(JsonElement e, string key, string source)
    {
        if (!e.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        if (v.ValueKind != JsonValueKind.Object)
        {
            throw Bad(source, "collection_info." + key, "must be a mapping of namespace.name to a version range");
        }
        return v.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name,
            p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())).ToList();
    }
}

/// <summary>Writes JSON byte for byte as Python's <c>json.dumps(obj, indent=True)</c> does.</summary>
internal sealed class PythonJsonWriter
{
    private readonly StringBuilder _sb = new();
    private readonly Stack<bool> _first = new();
    private int _depth;

    public void StartObject()
    {
        _sb.Append('{');
        _depth++;
        _first.Push(true);
    }

    public void EndObject()
    {
        _depth--;
        var empty = _first.Pop();
        if (!empty)
        {
            NewLine();
        }
        _sb.Append('}');
    }

    public void Key(string key)
    {
        Separator();
        Escaped(key);
        _sb.Append(": ");
    }

    public void StartArray(int count)
    {
        _sb.Append('[');
        _depth++;
        _first.Push(true);
    }

    public void Item() => Separator();

    public void EndArray(int count)
    {
        _depth--;
        var empty = _first.Pop();
        if (!empty)
        {
            NewLine();
        }
        _sb.Append(']');
    }

    public void String(string? value)
    {
        if (value is null)
        {
            _sb.Append("null");
        }
        else
        {
            Escaped(value);
        }
    }

    public void Number(int value) => _sb.Append(value.ToString(CultureInfo.InvariantCulture));

    public void StringList(IReadOnlyList<string> values)
    {
        StartArray(values.Count);
        foreach (var v in values)
        {
            Item();
            String(v);
        }
        EndArray(values.Count);
    }

    public void StringMap(IReadOnlyList<KeyValuePair<string, string>> values)
    {
        StartObject();
        foreach (var (k, v) in values)
        {
            Key(k);
            String(v);
        }
        EndObject();
    }

    private void Separator()
    {
        if (_first.Peek())
        {
            _first.Pop();
            _first.Push(false);
        }
        else
        {
            _sb.Append(',');
        }
        NewLine();
    }

    private void NewLine()
    {
        _sb.Append('\n');
        _sb.Append(' ', _depth);
    }

    private void Escaped(string s)
    {
        _sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    _sb.Append("\\\"");
                    break;
                case '\\':
                    _sb.Append("\\\\");
                    break;
                case '\n':
                    _sb.Append("\\n");
                    break;
                case '\r':
                    _sb.Append("\\r");
                    break;
                case '\t':
                    _sb.Append("\\t");
                    break;
                case '\b':
                    _sb.Append("\\b");
                    break;
                case '\f':
                    _sb.Append("\\f");
                    break;
                default:
                    // Python escapes everything outside printable ASCII (space to ~), UTF-16 surrogates one by one.
                    if (c < ' ' || c > '~')
                    {
                        _sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        _sb.Append(c);
                    }
                    break;
            }
        }
        _sb.Append('"');
    }

    public byte[] ToBytes() => Encoding.ASCII.GetBytes(_sb.ToString());
}
