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

    /// <summary>The events as HTML: escaped, coloured, result lines linked.</summary>
    public string Html()
    {
        var sb = new StringBuilder();
        var ansi = new AnsiHtml();
        foreach (var e in Console.Items)
        {
            if (e.Stdout.Length == 0)
            {
                continue;
            }
            if (e.ResultId is { } result)
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
        return sb.ToString();
    }
}
