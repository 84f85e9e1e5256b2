using Anvil.Data;
using Anvil.Records.Api;
using Anvil.Records.Views;
using Anvil.Server.Ui;
using Anvil.Server.Ui.Html;

namespace Anvil.Server.Pages;

/// <summary><c>/hosts/{id}</c>: one host of one playbook: its counters, its results (filtered by status, paged) and its
/// facts, searchable (<c>q</c>).</summary>
public sealed class HostModel : UiPage
{
    public HostDetail Detail { get; private set; } = null!;

    public Paged<ResultItem> Results { get; private set; } = null!;

    public IReadOnlyList<string> StatusFilter { get; private set; } = [];

    public IReadOnlyList<(string Path, string Value)> Facts { get; private set; } = [];

    public int FactCount { get; private set; }

    public string? Search { get; private set; }

    public async Task OnGetAsync(long id, CancellationToken ct)
    {
        if (await Views.HostAsync(id, ct) is not { } detail)
        {
            NotFoundPage($"There is no host {id}.");
            return;
        }
        Detail = detail;
        var exported = Links.IsStatic;
        StatusFilter = exported ? [] : All("status").Where(s => ResultStatus.Shown.Contains(s)).Distinct().ToList();
        var limit = exported ? int.MaxValue : LimitOf("limit", Settings.ResultsPageSize);
        Results = await Views.ResultsAsync(new ResultQuery
        {
            HostId = id,
            Statuses = StatusFilter,
            Limit = limit,
            Offset = exported ? 0 : OffsetOf("offset", "page", limit),
        }, ct);
        var facts = JsonHtml.Flatten(detail.Facts).OrderBy(f => f.Path, StringComparer.OrdinalIgnoreCase).ToList();
        FactCount = facts.Count;
        Search = exported ? null : Q("q")?.Trim();
        Facts = string.IsNullOrEmpty(Search)
            ? facts
            : facts.Where(f => f.Path.Contains(Search, StringComparison.OrdinalIgnoreCase) ||
                               f.Value.Contains(Search, StringComparison.OrdinalIgnoreCase)).ToList();
        Title = $"Host {detail.Host.Name} in {detail.Playbook.Title}";
    }
}
