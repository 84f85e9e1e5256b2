namespace Anvil.Records.Views;

/// <summary>A playbook's numbers of children, kept by triggers (ARA's <c>items</c>).</summary>
public sealed record ItemCounts(long Plays, long Tasks, long Results, long Hosts, long Files, long Records);

/// <summary>A playbook as lists show it (no arguments: they can be large and a list does not show them).</summary>
public sealed record PlaybookSummary(
    long Id, string Status, string? Name, string Path, string AnsibleVersion, string? Controller, string? User,
    long Started, long? Ended, ItemCounts Items)
{
    /// <summary>The playbook's label names (ARA's <c>labels</c>), in name order.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>The name when there is one, else the playbook's file name (the full path is shown beside it).</summary>
    public string Title => string.IsNullOrWhiteSpace(Name) ? FileName(Path) : Name;

    internal static string FileName(string path) =>
        path.LastIndexOf('/') is var slash && slash >= 0 && slash < path.Length - 1 ? path[(slash + 1)..] : path;

    /// <summary>Microseconds from start to end; null while running.</summary>
    public long? Duration => Ended - Started;
}

/// <summary>A page of the playbook list, or the reasons the filters were refused.</summary>
public sealed record PlaybookListing(Paged<PlaybookSummary> Page, IReadOnlyList<string> Errors);

/// <summary>A playbook with everything its page header shows. <paramref name="ConsoleEvents"/> is the number of
/// console events recorded by Anvil's runner (0 for runs recorded by ARA's callback).</summary>
public sealed record PlaybookDetail(
    PlaybookSummary Summary, string Arguments, string? PythonVersion, string? ClientVersion, string ServerVersion,
    long ConsoleEvents);

/// <summary>Enough of a playbook to link back to it.</summary>
public sealed record PlaybookRef(long Id, string? Name, string Path, string Status)
{
    /// <summary>The name when there is one, else the playbook's file name.</summary>
    public string Title => string.IsNullOrWhiteSpace(Name) ? PlaybookSummary.FileName(Path) : Name;
}

/// <summary>A play as the playbook page lists it.</summary>
/// <param name="Id">The play's record id.</param>
/// <param name="Name">The play's name; null when the play has none.</param>
/// <param name="Status">ARA's play status (<c>running</c>, <c>completed</c>, <c>expired</c> …).</param>
/// <param name="Started">Start time, microseconds since the Unix epoch.</param>
/// <param name="Ended">End time, microseconds since the Unix epoch; null while running.</param>
/// <param name="Tasks">Number of tasks recorded for the play.</param>
/// <param name="Results">Number of results recorded for the play.</param>
public sealed record PlayItem(long Id, string? Name, string Status, long Started, long? Ended, long Tasks, long Results);

/// <summary>A task as tables show it, with where it is defined.</summary>
/// <param name="Id">The task's record id.</param>
/// <param name="Name">The task's name; null when it has none (the action is shown instead).</param>
/// <param name="Action">The module or action plugin, as Ansible names it (ARA's <c>action</c>).</param>
/// <param name="Status">ARA's task status (<c>running</c>, <c>completed</c>, <c>expired</c> …).</param>
/// <param name="Started">Start time, microseconds since the Unix epoch.</param>
/// <param name="Ended">End time, microseconds since the Unix epoch; null while running.</param>
/// <param name="FileId">Record id of the file that defines the task.</param>
/// <param name="Path">Path of that file.</param>
/// <param name="Lineno">Line of the file where the task starts.</param>
/// <param name="Handler">The task is a handler (ARA's <c>handler</c>).</param>
/// <param name="Tags">The task's tags as stored (ARA's <c>tags</c>, a JSON list).</param>
/// <param name="PlayId">Record id of the play the task belongs to.</param>
/// <param name="Results">Number of results recorded for the task.</param>
public sealed record TaskItem(
    long Id, string? Name, string Action, string Status, long Started, long? Ended, long FileId, string Path, int Lineno,
    bool Handler, string Tags, long PlayId, long Results);

/// <summary>A host's recap counters. <paramref name="Ignored"/> is counted from its results (same rule as the API's
/// <c>ignored</c> status); <paramref name="Rescued"/> comes from Ansible's recap and is 0 when nothing sent one.</summary>
public sealed record HostStats(
    long Id, string Name, int Ok, int Changed, int Failed, int Skipped, int Unreachable, int Ignored, int Rescued);

/// <summary>Enough of a host to link to it.</summary>
/// <param name="Id">The host's record id (hosts are per playbook, as in ARA).</param>
/// <param name="Name">The host's inventory name.</param>
public sealed record HostRef(long Id, string Name);

/// <summary>A result as tables show it; <paramref name="Status"/> is the shown status (changed, ignored …).</summary>
public sealed record ResultItem(
    long Id, string Status, long Started, long? Ended, long HostId, string HostName, long TaskId, string? TaskName,
    string Action, long FileId, int Lineno, long PlaybookId, string Path)
{
    /// <summary>Hosts the task was delegated to (<c>delegate_to</c>); empty when it ran on its own host.</summary>
    public IReadOnlyList<HostRef> DelegatedTo { get; init; } = [];

    /// <summary>Microseconds from start to end; null while running.</summary>
    public long? Duration => Ended - Started;
}

/// <summary>A failed or unreachable result with the first thing a person reads in it (msg, stderr …);
/// <paramref name="Rescued"/>: a block's <c>rescue</c> handled it (see <c>RecordsViews.FailuresAsync</c>).</summary>
public sealed record Failure(ResultItem Result, string? Message, bool Rescued = false);

/// <summary>Which results to list: of a playbook, a host or a task, by shown status, a page of them.</summary>
public sealed record ResultQuery
{
    /// <summary>Only results of this playbook; null: any.</summary>
    public long? PlaybookId { get; init; }
    /// <summary>Only results of this host; null: any.</summary>
    public long? HostId { get; init; }
    /// <summary>Only results of this task; null: any.</summary>
    public long? TaskId { get; init; }

    /// <summary>Shown statuses (<see cref="Api.ResultStatus.Shown"/>); empty: all.</summary>
    public IReadOnlyList<string> Statuses { get; init; } = [];

    /// <summary>Most results on the page. Default: 100.</summary>
    public int Limit { get; init; } = 100;
    /// <summary>How many matching results to skip before the page starts. Default: 0.</summary>
    public long Offset { get; init; }

    /// <summary>Newest first instead of execution order.</summary>
    public bool Descending { get; init; }
}

/// <summary>A result with what its page shows around it.</summary>
/// <param name="Result">The result as tables show it.</param>
/// <param name="Content">The module's returned data as JSON text (ARA's <c>content</c>).</param>
/// <param name="Task">The task that produced the result.</param>
/// <param name="PlayId">Record id of the task's play.</param>
/// <param name="PlayName">Name of that play; null when it has none.</param>
/// <param name="Playbook">The playbook the result belongs to.</param>
public sealed record ResultDetail(
    ResultItem Result, string Content, TaskItem Task, long PlayId, string? PlayName, PlaybookRef Playbook);

/// <summary>A host with its facts, as the host page shows it.</summary>
/// <param name="Host">The host's recap counters.</param>
/// <param name="Facts">The facts gathered for the host as JSON text (ARA's <c>facts</c>; <c>{}</c> when none).</param>
/// <param name="Playbook">The playbook the host belongs to.</param>
/// <param name="PlaybookResults">Number of results of the whole playbook (to show the host's share).</param>
public sealed record HostDetail(HostStats Host, string Facts, PlaybookRef Playbook, long PlaybookResults);

/// <summary>A task that starts on a line of a file (the file page marks those lines).</summary>
public sealed record TaskLine(long Id, string? Name, int Lineno, string Action);

/// <summary>A file recorded with a playbook, with its contents.</summary>
/// <param name="Id">The file's record id.</param>
/// <param name="Path">Absolute path of the file on the controller.</param>
/// <param name="Sha1">SHA-1 of the contents, lowercase hex (ARA's <c>sha1</c>; identical files share one copy).</param>
/// <param name="Content">The file's text.</param>
/// <param name="Playbook">The playbook the file belongs to.</param>
/// <param name="Tasks">Tasks defined in the file, by line (at most 5000).</param>
public sealed record FileDetail(long Id, string Path, string Sha1, string Content, PlaybookRef Playbook, IReadOnlyList<TaskLine> Tasks);

/// <summary>A file as the playbook's file list shows it.</summary>
/// <param name="Id">The file's record id.</param>
/// <param name="Path">Absolute path of the file on the controller.</param>
public sealed record FileItem(long Id, string Path);

/// <summary>A key/value record saved by a play with <c>ara_record</c> (ARA's <c>records</c>).</summary>
/// <param name="Id">The record's id.</param>
/// <param name="Key">The record's key.</param>
/// <param name="Type">ARA's value type (<c>text</c>, <c>url</c>, <c>json</c>, <c>list</c>, <c>dict</c>).</param>
/// <param name="Value">The value as stored.</param>
public sealed record RecordItem(long Id, string Key, string Type, string Value);

/// <summary>One runner event's console text; <paramref name="ResultId"/> is the result it produced, if any, and
/// <paramref name="Host"/> that result's host.</summary>
public sealed record ConsoleEvent(long Counter, string Event, string Stdout, long? ResultId, string? Host = null);

/// <summary>What a static export of one playbook consists of.</summary>
public sealed record PlaybookContents(IReadOnlyList<long> Hosts, IReadOnlyList<long> Results, IReadOnlyList<long> Files);
