namespace Anvil.Records.Views;

/// <summary>A playbook's numbers of children, kept by triggers (ARA's <c>items</c>).</summary>
public sealed record ItemCounts(long Plays, long Tasks, long Results, long Hosts, long Files, long Records);

/// <summary>A playbook as lists show it (no arguments: they can be large and a list does not show them).</summary>
public sealed record PlaybookSummary(
    long Id, string Status, string? Name, string Path, string AnsibleVersion, string? Controller, string? User,
    long Started, long? Ended, ItemCounts Items)
{
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

public sealed record PlayItem(long Id, string? Name, string Status, long Started, long? Ended, long Tasks, long Results);

public sealed record TaskItem(
    long Id, string? Name, string Action, string Status, long Started, long? Ended, long FileId, string Path, int Lineno,
    bool Handler, string Tags, long PlayId, long Results);

/// <summary>A host's recap counters. <paramref name="Ignored"/> is counted from its results (same rule as the API's
/// <c>ignored</c> status); <paramref name="Rescued"/> comes from Ansible's recap and is 0 when nothing sent one.</summary>
public sealed record HostStats(
    long Id, string Name, int Ok, int Changed, int Failed, int Skipped, int Unreachable, int Ignored, int Rescued);

public sealed record HostRef(long Id, string Name);

/// <summary>A result as tables show it; <paramref name="Status"/> is the shown status (changed, ignored …).</summary>
public sealed record ResultItem(
    long Id, string Status, long Started, long? Ended, long HostId, string HostName, long TaskId, string? TaskName,
    string Action, long FileId, int Lineno, long PlaybookId, string Path)
{
    public IReadOnlyList<HostRef> DelegatedTo { get; init; } = [];

    public long? Duration => Ended - Started;
}

/// <summary>A failed or unreachable result with the first thing a person reads in it (msg, stderr …);
/// <paramref name="Rescued"/>: a block's <c>rescue</c> handled it (see <c>RecordsViews.FailuresAsync</c>).</summary>
public sealed record Failure(ResultItem Result, string? Message, bool Rescued = false);

/// <summary>Which results to list: of a playbook, a host or a task, by shown status, a page of them.</summary>
public sealed record ResultQuery
{
    public long? PlaybookId { get; init; }
    public long? HostId { get; init; }
    public long? TaskId { get; init; }

    /// <summary>Shown statuses (<see cref="Api.ResultStatus.Shown"/>); empty: all.</summary>
    public IReadOnlyList<string> Statuses { get; init; } = [];

    public int Limit { get; init; } = 100;
    public long Offset { get; init; }

    /// <summary>Newest first instead of execution order.</summary>
    public bool Descending { get; init; }
}

public sealed record ResultDetail(
    ResultItem Result, string Content, TaskItem Task, long PlayId, string? PlayName, PlaybookRef Playbook);

public sealed record HostDetail(HostStats Host, string Facts, PlaybookRef Playbook, long PlaybookResults);

/// <summary>A task that starts on a line of a file (the file page marks those lines).</summary>
public sealed record TaskLine(long Id, string? Name, int Lineno, string Action);

public sealed record FileDetail(long Id, string Path, string Sha1, string Content, PlaybookRef Playbook, IReadOnlyList<TaskLine> Tasks);

public sealed record FileItem(long Id, string Path);

public sealed record RecordItem(long Id, string Key, string Type, string Value);

/// <summary>One runner event's console text; <paramref name="ResultId"/> is the result it produced, if any, and
/// <paramref name="Host"/> that result's host.</summary>
public sealed record ConsoleEvent(long Counter, string Event, string Stdout, long? ResultId, string? Host = null);

/// <summary>What a static export of one playbook consists of.</summary>
public sealed record PlaybookContents(IReadOnlyList<long> Hosts, IReadOnlyList<long> Results, IReadOnlyList<long> Files);
