using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Anvil.Registry;
using Microsoft.AspNetCore.Http;

namespace Anvil.Server.Registry;

/// <summary>The registry's JSON answers in the shapes ansible-galaxy 2.14 reads (galaxy_ng / pulp_ansible's v3),
/// written with <see cref="Utf8JsonWriter"/> in one piece.</summary>
internal static class GalaxyJson
{
    /// <summary>The artifact download route below an API root (galaxy_ng's layout).</summary>
    public const string DownloadPath = "v3/plugin/ansible/content/published/collections/artifacts/";

    /// <summary>Galaxy's error shape: <c>{"errors": [{"status", "code", "title", "detail"}]}</c>; ansible-galaxy prints
    /// <c>detail</c> and <c>code</c>.</summary>
    public static Task ErrorAsync(HttpContext context, int status, string code, string detail) =>
        Error(status, code, detail).ExecuteAsync(context);

    /// <summary><see cref="ErrorAsync"/> as a typed result.</summary>
    public static JsonBytes Error(int status, string code, string detail)
    {
        var title = status switch
        {
            400 => "Bad request.",
            401 => "Authentication credentials were not provided or are invalid.",
            403 => "You do not have permission to perform this action.",
            404 => "Not found.",
            409 => "Conflict.",
            413 => "Request entity too large.",
            _ => "Error.",
        };
        return new JsonBytes(status, Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("errors");
            w.WriteStartObject();
            w.WriteString("status", status.ToString(CultureInfo.InvariantCulture));
            w.WriteString("code", code);
            w.WriteString("title", title);
            w.WriteString("detail", detail);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    public static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            body(w);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>pulp's datetime form, always with microseconds.</summary>
    public static string Time(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Paging links with root-relative URLs (ansible-galaxy 2.14 puts <c>next</c> in place of the path).</summary>
    public static void Page(Utf8JsonWriter w, string path, string extraQuery, long count, int offset, int limit)
    {
        string Link(long o) => $"{path}?{extraQuery}limit={limit}&offset={o}";
        w.WriteStartObject("meta");
        w.WriteNumber("count", count);
        w.WriteEndObject();
        w.WriteStartObject("links");
        w.WriteString("first", Link(0));
        if (offset > 0)
        {
            w.WriteString("previous", Link(Math.Max(0, offset - limit)));
        }
        else
        {
            w.WriteNull("previous");
        }
        if (offset + limit < count)
        {
            w.WriteString("next", Link(offset + limit));
        }
        else
        {
            w.WriteNull("next");
        }
        w.WriteString("last", Link(Math.Max(0, (count - 1) / limit * limit)));
        w.WriteEndObject();
    }

    public static void Collection(Utf8JsonWriter w, string root, CollectionSummary c)
    {
        var href = $"{root}v3/collections/{c.Namespace}/{c.Name}/";
        w.WriteStartObject();
        w.WriteString("id", $"{c.Namespace}.{c.Name}");
        w.WriteString("href", href);
        w.WriteString("namespace", c.Namespace);
        w.WriteString("name", c.Name);
        w.WriteBoolean("deprecated", false);
        w.WriteString("versions_url", href + "versions/");
        w.WriteStartObject("highest_version");
        w.WriteString("href", $"{href}versions/{c.LatestVersion}/");
        w.WriteString("version", c.LatestVersion);
        w.WriteEndObject();
        w.WriteString("description", c.Description);
        w.WriteNumber("version_count", c.VersionCount);
        w.WriteString("created_at", Time(c.Created));
        w.WriteString("updated_at", Time(c.Updated));
        w.WriteEndObject();
    }

    public static void VersionItem(Utf8JsonWriter w, string root, CollectionSummary c, VersionSummary v, string? requiresAnsible)
    {
        w.WriteStartObject();
        w.WriteString("version", v.Version);
        w.WriteString("href", $"{root}v3/collections/{c.Namespace}/{c.Name}/versions/{v.Version}/");
        w.WriteString("created_at", Time(v.Created));
        w.WriteString("updated_at", Time(v.Created));
        w.WriteString("requires_ansible", requiresAnsible);
        w.WriteStartArray("marks");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The version detail (galaxy.md §7.5): absolute <c>download_url</c>, <c>artifact</c>,
    /// <c>metadata.dependencies</c>, <c>signatures: []</c>.</summary>
    public static void VersionDetail(Utf8JsonWriter w, string root, string origin, CollectionVersion v)
    {
        var collectionHref = $"{root}v3/collections/{v.Namespace}/{v.Name}/";
        using var metadata = JsonDocument.Parse(v.MetadataJson);
        using var contents = JsonDocument.Parse(v.ContentsJson);
        var m = metadata.RootElement;
        w.WriteStartObject();
        w.WriteString("version", v.Version);
        w.WriteString("href", $"{collectionHref}versions/{v.Version}/");
        w.WriteString("created_at", Time(v.Created));
        w.WriteString("updated_at", Time(v.Created));
        w.WriteString("requires_ansible", v.RequiresAnsible);
        w.WriteStartObject("artifact");
        w.WriteString("filename", v.Filename);
        w.WriteString("sha256", v.Sha256);
        w.WriteNumber("size", v.Size);
        w.WriteEndObject();
        w.WriteStartObject("collection");
        w.WriteString("id", $"{v.Namespace}.{v.Name}");
        w.WriteString("name", v.Name);
        w.WriteString("href", collectionHref);
        w.WriteEndObject();
        w.WriteString("download_url", origin + root + DownloadPath + Uri.EscapeDataString(v.Filename));
        w.WriteString("name", v.Name);
        w.WriteStartObject("namespace");
        w.WriteString("name", v.Namespace);
        w.WriteEndObject();
        w.WriteStartArray("signatures");
        w.WriteEndArray();
        w.WriteStartObject("metadata");
        foreach (var key in new[] { "authors", "dependencies", "description", "documentation", "homepage", "issues", "license", "repository", "tags" })
        {
            if (m.ValueKind == JsonValueKind.Object && m.TryGetProperty(key, out var value))
            {
                w.WritePropertyName(key);
                value.WriteTo(w);
            }
            else if (key == "dependencies")
            {
                w.WriteStartObject(key);
                w.WriteEndObject();
            }
        }
        w.WritePropertyName("contents");
        contents.RootElement.WriteTo(w);
        w.WriteEndObject();
        w.WriteBoolean("hidden", false);
        w.WriteNull("git_url");
        w.WriteNull("git_commit_sha");
        w.WriteString("uploaded_by", v.Uploader);
        w.WriteEndObject();
    }

    /// <summary>An import as pulp's task: <c>state</c>, <c>finished_at</c>, <c>error</c> (an object, or null),
    /// <c>messages</c> with <c>level</c>, <c>message</c> and <c>time</c> (seconds since the epoch).</summary>
    public static void Import(Utf8JsonWriter w, string root, ImportRecord i)
    {
        w.WriteStartObject();
        w.WriteString("id", i.Id);
        w.WriteString("href", $"{root}v3/imports/collections/{i.Id}/");
        w.WriteString("state", i.State);
        w.WriteString("created_at", Time(i.Created));
        w.WriteString("updated_at", Time(i.Updated));
        if (i.Started is { } s)
        {
            w.WriteString("started_at", Time(s));
        }
        else
        {
            w.WriteNull("started_at");
        }
        if (i.Finished is { } f)
        {
            w.WriteString("finished_at", Time(f));
        }
        else
        {
            w.WriteNull("finished_at");
        }
        if (i.ErrorDescription is not null)
        {
            w.WriteStartObject("error");
            w.WriteString("code", i.ErrorCode ?? "ImporterError");
            w.WriteString("description", i.ErrorDescription);
            w.WriteString("traceback", "");
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("error");
        }
        w.WriteStartArray("messages");
        foreach (var m in i.Messages)
        {
            w.WriteStartObject();
            w.WriteString("message", m.Message);
            w.WriteString("level", m.Level);
            w.WriteNumber("time", m.Time.ToUnixTimeMilliseconds() / 1000.0);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("namespace", i.Namespace);
        w.WriteString("name", i.Name);
        w.WriteString("version", i.Version);
        w.WriteString("filename", i.Filename);
        w.WriteString("user", i.User);
        w.WriteEndObject();
    }
}
