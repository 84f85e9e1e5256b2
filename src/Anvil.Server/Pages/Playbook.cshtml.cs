using Anvil.Data;
using Anvil.Records.Api;
using Anvil.Records.Views;
using Anvil.Server.Ui;

namespace Anvil.Server.Pages;

/// <summary><c>/playbooks/{id}</c>: what happened in one run, failures first, then hosts, results (filtered by status,
/// host or task, paged), tasks (paged), plays, files and records.</summary>
public sealed class PlaybookModel : UiPage
{
    private const int Everything = int.MaxValue;

    public PlaybookDetail Detail { get; private set; } = null!;
    public IReadOnlyList<Failure> Failures { get; private set; } = [];
    public Paged<HostStats> Hosts { get; private set; } = null!;
    public Paged<ResultItem> Results { get; private set; } = null!;
    public Paged<TaskItem> Tasks { get; private set; } = null!;
    public IReadOnlyList<PlayItem> Plays { get; private set; } = [];
    public Paged<FileItem> Files { get; private set; } = null!;
    public Paged<RecordItem> Records { get; private set; } = null!;

    public IReadOnlyList<string> StatusFilter { get; private set; } = [];
    public long? HostFilter { get; private set; }
    public long? TaskFilter { get; private set; }
    public bool Newest { get; private set; }
    public bool Running => Detail.Summary.Status == "running";
    public bool ResultsFiltered => StatusFilter.Count > 0 || HostFilter is not null || TaskFilter is not null;

    public async Task OnGetAsync(long id, CancellationToken ct)
    {
        if (await Views.PlaybookAsync(id, ct) is not { } detail)
        {
            NotFoundPage($"There is no playbook {id}.");
            return;
        }
        Detail = detail;
        var summary = detail.Summary;
        var exported = Links.IsStatic;
        StatusFilter = exported ? [] : All("status").Where(s => ResultStatus.Shown.Contains(s)).Distinct().ToList();
        HostFilter = exported ? null : Long("host");
        TaskFilter = exported ? null : Long("task");
        Newest = !exported && Q("order") == "-started";
        var limit = exported ? Everything : LimitOf("limit", Settings.ResultsPageSize);
        Failures = await Views.FailuresAsync(id, 10, ct);
        var hostLimit = exported ? Everything : Settings.ResultsPageSize;
        Hosts = await Views.HostsAsync(id, fromResults: Running, hostLimit, exported ? 0 : OffsetOf("hosts_offset", "hosts_page", hostLimit), ct);
        Results = await Views.ResultsAsync(new ResultQuery
        {
            PlaybookId = id,
            HostId = HostFilter,
            TaskId = TaskFilter,
            Statuses = StatusFilter,
            Limit = limit,
            Offset = exported ? 0 : OffsetOf("offset", "page", limit),
            Descending = Newest,
        }, ct);
        var taskLimit = exported ? Everything : Settings.ResultsPageSize;
        Tasks = await Views.TasksAsync(id, taskLimit, exported ? 0 : OffsetOf("tasks_offset", "tasks_page", taskLimit), ct);
        Plays = await Views.PlaysAsync(id, exported ? Everything : 200, ct);
        Files = await Views.FilesAsync(id, exported ? Everything : 500, ct);
        Records = await Views.RecordsAsync(id, exported ? Everything : 100, ct);
        Title = $"{summary.Title} ({summary.Status})";
        if (Running && !exported)
        {
            Live = LiveUrl($"playbook={id}", await Views.PlaybookVersionAsync(id, ct));
        }
    }

    /// <summary>The results of one host with some statuses (a counter in the hosts table). Relative (<c>?…</c>): the
    /// hosts table has a link in every cell.</summary>
    public string HostResults(long host, params string[] statuses) =>
        Query(("host", host), ("status", statuses), ("task", null), ("offset", null), ("page", null)) + "#results";

    public string TaskResults(long task) =>
        Query(("task", task), ("host", null), ("status", null), ("offset", null), ("page", null)) + "#results";

    public string FailedResults() =>
        Query(("status", ResultStatus.Failures.ToArray()), ("host", null), ("task", null), ("offset", null), ("page", null)) + "#results";

    /// <summary>The hosts the results filter offers: this page of hosts, and the filtered one if it is elsewhere.</summary>
    public IEnumerable<(long Id, string Name)> HostChoices()
    {
        var choices = Hosts.Items.Select(h => (h.Id, h.Name)).ToList();
        if (HostFilter is { } id && choices.TrueForAll(c => c.Id != id))
        {
            choices.Insert(0, (id, $"host {id}"));
        }
        return choices;
    }
}
