using Anvil.Records.Views;
using Anvil.Server.Ui;
using Anvil.Server.Ui.Html;

namespace Anvil.Server.Pages;

/// <summary><c>/files/{id}</c>: a playbook or task file as recorded, highlighted, every line addressable as
/// <c>#line-N</c> (tasks link to their line), the lines where tasks start marked and linked to their results.</summary>
public sealed class FileModel : UiPage
{
    public FileDetail Detail { get; private set; } = null!;

    public IReadOnlyList<string> Lines { get; private set; } = [];

    /// <summary>The tasks that start on each line.</summary>
    public ILookup<int, TaskLine> TasksByLine { get; private set; } = Array.Empty<TaskLine>().ToLookup(t => t.Lineno);

    public async Task OnGetAsync(long id, CancellationToken ct)
    {
        if (await Views.FileAsync(id, ct) is not { } detail)
        {
            NotFoundPage($"There is no file {id}.");
            return;
        }
        Detail = detail;
        Lines = YamlHtml.Lines(detail.Content);
        TasksByLine = detail.Tasks.ToLookup(t => t.Lineno);
        Title = $"File {detail.Path}";
    }

    /// <summary>The lines, each its own block with its anchor and number (no newlines between them: inside the
    /// <c>pre</c> they would show as empty lines).</summary>
    public Microsoft.AspNetCore.Html.IHtmlContent Html()
    {
        var sb = new System.Text.StringBuilder(Lines.Sum(l => l.Length + 80));
        for (var i = 0; i < Lines.Count; i++)
        {
            var n = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var tasks = TasksByLine[i + 1].ToList();
            sb.Append("<span class=\"l").Append(tasks.Count > 0 ? " t" : "").Append("\" id=\"line-").Append(n)
                .Append("\"><a class=\"ln\" href=\"#line-").Append(n).Append("\" data-n=\"").Append(n).Append("\"></a>")
                .Append(Lines[i]);
            foreach (var task in tasks)
            {
                if (TaskResults(task) is { } url)
                {
                    sb.Append("<a class=\"tl\" href=\"").Append(Fmt.Escape(url)).Append("\" title=\"").Append(Fmt.Escape(task.Name))
                        .Append("\">results</a>");
                }
            }
            sb.Append("</span>");
        }
        return RenderedHtml.From(sb.ToString());
    }

    /// <summary>Where a task's results are listed: its playbook page filtered to it (not in a static export, which has no
    /// server to filter).</summary>
    public string? TaskResults(TaskLine task) =>
        Links.IsStatic ? null : $"/playbooks/{Detail.Playbook.Id}?task={task.Id}#results";
}
