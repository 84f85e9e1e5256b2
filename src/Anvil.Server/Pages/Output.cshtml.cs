using Anvil.Data;
using System.Text;
using Anvil.Records.Views;
using Anvil.Server.Ui;
using Anvil.Server.Ui.Html;

namespace Anvil.Server.Pages;

/// <summary><c>/playbooks/{id}/output</c>: the console text of a run recorded from Anvil's runner, in Ansible's
/// colours, each result's lines linking to the result; the last page by default, where a running playbook's output
/// grows.</summary>
public sealed class OutputModel : UiPage
{
    public PlaybookDetail Detail { get; private set; } = null!;

    public Paged<ConsoleEvent> Console { get; private set; } = null!;

    public bool Running => Detail.Summary.Status == "running";

    public async Task OnGetAsync(long id, CancellationToken ct)
    {
        if (await Views.PlaybookAsync(id, ct) is not { } detail)
        {
            NotFoundPage($"There is no playbook {id}.");
            return;
        }
        Detail = detail;
        var limit = Links.IsStatic ? int.MaxValue : Settings.ConsolePageSize;
        var offset = Links.IsStatic ? 0 : Long("offset") is { } o ? Math.Min(o, long.MaxValue / 4) : (long?)null;
        Console = await Views.ConsoleAsync(id, limit, offset, ct);
        Title = $"Console: {detail.Summary.Title}";
        // Following the tail of a running playbook: new output is swapped in as it arrives.
        if (Running && !Links.IsStatic && offset is null)
        {
            Live = LiveUrl($"playbook={id}", await Views.PlaybookVersionAsync(id, ct));
        }
    }

    /// <summary>The events as HTML: escaped, coloured, each result's lines linked to it (a loop's item lines to the
    /// loop's result on the same host).</summary>
    public Microsoft.AspNetCore.Html.IHtmlContent Html()
    {
        var targets = LinkTargets(Console.Items);
        var sb = new StringBuilder();
        var ansi = new AnsiHtml();
        for (var i = 0; i < Console.Items.Count; i++)
        {
            var e = Console.Items[i];
            if (e.Stdout.Length == 0)
            {
                continue;
            }
            if (targets[i] is { } result)
            {
                sb.Append("<a class=\"ev\" id=\"e").Append(e.Counter).Append("\" href=\"").Append(Fmt.Escape(Links.Result(result)))
                    .Append("\">");
                ansi.Append(sb, e.Stdout);
                ansi.Close(sb);
                sb.Append("</a>");
            }
            else
            {
                sb.Append("<span id=\"e").Append(e.Counter).Append("\">");
                ansi.Append(sb, e.Stdout);
                ansi.Close(sb);
                sb.Append("\n</span>");
            }
        }
        return RenderedHtml.From(sb.ToString());
    }

    /// <summary>The result each event's text belongs to. Item events (<c>runner_item_on_*</c>) have no result of their
    /// own; their host's result for the loop comes after them, before the next task starts.</summary>
    private static long?[] LinkTargets(IReadOnlyList<ConsoleEvent> events)
    {
        var targets = new long?[events.Count];
        var next = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = events.Count - 1; i >= 0; i--)
        {
            var e = events[i];
            if (e.ResultId is { } id)
            {
                targets[i] = id;
                if (e.Host is { } host)
                {
                    next[host] = id;
                }
            }
            else if (e.Event.StartsWith("runner_item_on_", StringComparison.Ordinal) && ItemHost(e.Stdout) is { } host &&
                     next.TryGetValue(host, out var loop))
            {
                targets[i] = loop;
            }
            else if (e.Event.StartsWith("playbook_on_", StringComparison.Ordinal))
            {
                next.Clear(); // a task or play boundary: nothing after it belongs to what came before
            }
        }
        return targets;
    }

    /// <summary>The host in an item line such as <c>ok: [web1] =&gt; (item=x)</c> or <c>ok: [web1 -&gt; db1]</c>.</summary>
    private static string? ItemHost(string stdout)
    {
        var text = AnsiHtml.Strip(stdout);
        var open = text.IndexOf(": [", StringComparison.Ordinal);
        if (open < 0)
        {
            return null;
        }
        var start = open + 3;
        var end = text.IndexOfAny([']', ' '], start);
        return end > start ? text[start..end] : null;
    }
}
