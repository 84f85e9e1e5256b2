using System.Globalization;
using System.Text;
using Anvil.Data;
using Microsoft.AspNetCore.Html;

namespace Anvil.Server.Ui.Html;

/// <summary>How the UI writes times, durations, numbers and escaped text.</summary>
internal static class Fmt
{
    /// <summary>Stored microseconds as an ISO 8601 UTC instant for <c>&lt;time datetime&gt;</c> (the script turns it
    /// into the reader's local time).</summary>
    public static string Iso(long micros) =>
        Clock.FromMicros(micros).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The time of day only, UTC (in tables of one run, where the day is the run's).</summary>
    public static string TimeOfDay(long micros) =>
        Clock.FromMicros(micros).ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The text shown before the script localises it: UTC, to the second.</summary>
    public static string Time(long micros) =>
        Clock.FromMicros(micros).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary><see cref="Iso(long)"/> for the registry's times.</summary>
    public static string Iso(DateTimeOffset t) => Iso(Clock.ToMicros(t));

    /// <summary><see cref="Time(long)"/> for the registry's times.</summary>
    public static string Time(DateTimeOffset t) => Time(Clock.ToMicros(t));

    /// <summary>A size in bytes as a person reads it: <c>812 B</c>, <c>14.2 KiB</c>, <c>3.1 MiB</c>.</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        < 1024L * 1024 * 1024 => (bytes / 1024.0 / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        _ => (bytes / 1024.0 / 1024 / 1024).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
    };

    /// <summary>A duration as a person reads it: <c>0.42 s</c>, <c>12.3 s</c>, <c>4 m 05 s</c>, <c>2 h 03 m</c>; an empty
    /// string when unknown.</summary>
    public static string Duration(long? micros)
    {
        if (micros is not { } us)
        {
            return "";
        }
        us = Math.Max(0, us);
        var s = us / 1_000_000.0;
        return s switch
        {
            < 10 => s.ToString("0.00", CultureInfo.InvariantCulture) + " s",
            < 60 => s.ToString("0.0", CultureInfo.InvariantCulture) + " s",
            < 3600 => $"{(long)s / 60} m {(long)s % 60:00} s",
            _ => $"{(long)s / 3600} h {(long)s / 60 % 60:00} m",
        };
    }

    /// <summary>Microseconds from <paramref name="started"/> until <paramref name="ended"/>, or until now (by <paramref name="time"/>) while running.</summary>
    public static long? Elapsed(long started, long? ended, bool running, TimeProvider time) =>
        ended is { } e ? e - started : running ? Clock.NowMicros(time) - started : null;

    public static string Number(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary><c>1 task</c>, <c>2 tasks</c>, <c>1,024 results</c>.</summary>
    public static string Count(long n, string noun) => $"{Number(n)} {noun}{(n == 1 ? "" : "s")}";

    /// <summary>HTML-escapes text for element content and quoted attribute values.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        if (text.AsSpan().IndexOfAny("<>&\"'") < 0)
        {
            return text;
        }
        var sb = new StringBuilder(text.Length + 16);
        Escape(sb, text);
        return sb.ToString();
    }

    public static void Escape(StringBuilder sb, ReadOnlySpan<char> text)
    {
        foreach (var ch in text)
        {
            switch (ch)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default: sb.Append(ch); break;
            }
        }
    }

    /// <summary>The last segment of a path (what fits in a table cell; the full path goes in a title).</summary>
    public static string FileName(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash >= 0 && slash < path.Length - 1 ? path[(slash + 1)..] : path;
    }

    /// <summary>A counter cell: a dimmed 0, else the number in its status colour, linked to the matching results
    /// when <paramref name="link"/> is given. The tags are fixed; the status, number and link are text, encoded when
    /// the page writes the content.</summary>
    public static IHtmlContent Count(long n, string status, string? link)
    {
        var html = new HtmlContentBuilder(7);
        if (n == 0)
        {
            return html.AppendHtml("<span class=\"z\">0</span>");
        }
        html.AppendHtml(link is null ? "<span class=\"" : "<a class=\"").Append(status);
        if (link is not null)
        {
            html.AppendHtml("\" href=\"").Append(link);
        }
        return html.AppendHtml("\">").Append(Number(n)).AppendHtml(link is null ? "</span>" : "</a>");
    }
}
