using Anvil.Records.Api;

namespace Anvil.Records.Resources;

/// <summary>
/// The resources of the ARA-compatible records API, one <see cref="ResourceDescriptor"/> each, as ARA 1.7.4's
/// filter sets and viewsets declare them (ara/api/filters.py, ara/api/views.py). Descriptions complete a sentence
/// that starts with the resource's plural: "playbooks whose name contains this".
/// </summary>
public static class RecordsResources
{
    /// <summary>Playbook statuses (ARA's model choices).</summary>
    public static IReadOnlyList<string> PlaybookStatuses { get; } = ["unknown", "expired", "running", "completed", "failed"];

    /// <summary>Play statuses.</summary>
    public static IReadOnlyList<string> PlayStatuses { get; } = ["unknown", "running", "completed", "expired"];

    /// <summary>Task statuses.</summary>
    public static IReadOnlyList<string> TaskStatuses { get; } = ["completed", "expired", "failed", "running", "unknown"];

    /// <summary>The recap counters of a host, in ARA's order.</summary>
    public static IReadOnlyList<string> HostCounters { get; } = ["changed", "failed", "ok", "skipped", "unreachable"];

    /// <summary>Labels of playbooks.</summary>
    public static ResourceDescriptor Labels { get; } = new("labels", "label", "Label", "Labels of playbooks", "id", false,
        CommonDates(""),
        [Order("id", "id"), Order("created", "created"), Order("updated", "updated")],
        [], ["id", "created", "updated", "name"])
    { DefaultOrderSql = "id ASC", IdSql = "id" };

    /// <summary>Playbook runs.</summary>
    public static ResourceDescriptor Playbooks { get; } = new("playbooks", "playbook", "Playbook", "Playbook runs", "id", false,
        [
            .. DurationDates("p"),
            Text("ansible_version", "p.ansible_version", "run with this Ansible version (or part of it)"),
            Text("client_version", "p.client_version", "recorded by this client version (or part of it)"),
            Text("server_version", "p.server_version", "recorded by this server version (or part of it)"),
            Text("python_version", "p.python_version", "run with this Python version (or part of it)"),
            Text("user", "p.\"user\"", "run by this user (or part of the name)"),
            Text("controller", "p.controller", "run from this controller (or part of its name)"),
            Text("name", "p.name", "whose name contains this"),
            Text("path", "p.path", "whose path contains this"),
            Status("p.status", PlaybookStatuses),
            new RecordFilter("label", FilterKind.String, FilterMatch.IExact, "with this label (whole name, any case)")
            {
                Column = "l.name",
                Within = "EXISTS (SELECT 1 FROM playbooks_labels pl JOIN labels l ON l.id = pl.label_id WHERE pl.playbook_id = p.id AND {0})",
            },
        ],
        DurationOrder("p"), PlaybookStatuses,
        ["id", "items", "arguments", "labels", "created", "updated", "started", "ended", "duration", "name", "ansible_version",
         "client_version", "python_version", "server_version", "status", "path", "controller", "user"])
    { DefaultOrderSql = "p.id DESC", IdSql = "p.id" };

    /// <summary>Plays of a playbook run.</summary>
    public static ResourceDescriptor Plays { get; } = new("plays", "play", "Play", "Plays of a playbook run", "id", false,
        [
            .. DurationDates("y"),
            Id("playbook", "y.playbook_id", "of this playbook"),
            Uuid("uuid", "y.uuid", "with this UUID"),
            Status("y.status", PlayStatuses),
            Text("name", "y.name", "whose name contains this"),
        ],
        DurationOrder("y"), PlayStatuses,
        ["id", "items", "playbook", "created", "updated", "started", "ended", "duration", "name", "uuid", "status"])
    { DefaultOrderSql = "y.id DESC", IdSql = "y.id" };

    /// <summary>Tasks of a play.</summary>
    public static ResourceDescriptor Tasks { get; } = new("tasks", "task", "Task", "Tasks of a play", "id", false,
        [
            .. DurationDates("t"),
            Id("playbook", "t.playbook_id", "of this playbook"),
            Text("playbook_name", "name", "of a playbook whose name contains this", "t.playbook_id IN (SELECT id FROM playbooks WHERE {0})"),
            Text("playbook_path", "path", "of a playbook whose path contains this", "t.playbook_id IN (SELECT id FROM playbooks WHERE {0})"),
            Id("play", "t.play_id", "of this play"),
            Status("t.status", TaskStatuses),
            Text("name", "t.name", "whose name contains this"),
            Uuid("uuid", "t.uuid", "with this UUID"),
            new RecordFilter("action", FilterKind.String, FilterMatch.IExact, "of this action/module (whole name, any case: debug, ansible.builtin.copy)")
            {
                Column = "t.action",
            },
            Text("path", "path", "defined in a file whose path contains this", "t.file_id IN (SELECT id FROM files WHERE {0})"),
            Number("lineno", "t.lineno", FilterMatch.Exact, "defined at this line"),
            Bool("handler", "t.handler", "that are handlers (true) or not (false)"),
        ],
        DurationOrder("t"), TaskStatuses,
        ["id", "items", "path", "tags", "play", "created", "updated", "started", "ended", "duration", "name", "uuid", "action",
         "lineno", "handler", "status", "file", "playbook"])
    { DefaultOrderSql = "t.id DESC", IdSql = "t.id" };

    /// <summary>Hosts of a playbook run, with their recap counters.</summary>
    public static ResourceDescriptor Hosts { get; } = new("hosts", "host", "Host", "Hosts of a playbook run, with their result counts", "id", false,
        [.. CommonDates("h"), .. HostFilters()],
        HostOrder("h", "h"), [],
        ["id", "playbook", "created", "updated", "name", .. HostCounters])
    { DefaultOrderSql = "h.id ASC", IdSql = "h.id" };

    /// <summary>The latest host row of each host name (read-only, keyed by name). The table has no id: <c>id</c> and
    /// the counters sort by the host's, created and updated by the entry's own.</summary>
    public static ResourceDescriptor LatestHosts { get; } = new("latesthosts", "latest host", "Latest Host",
        "The latest playbook's host row for each host name", "name", true,
        [
            .. CommonDates("lh"), .. HostFilters(),
            .. DateRange("host__created", "h.created", "whose host row was created"),
            .. DateRange("host__updated", "h.updated", "whose host row was updated"),
        ],
        HostOrder("h", "lh"), [],
        ["name", "host", "created", "updated"])
    { DefaultOrderSql = "lh.created ASC, h.id ASC", IdSql = "h.id" };

    /// <summary>Results of a task on a host. The <c>status</c> filter takes the stored statuses; the field shows
    /// <see cref="ResultStatus.Shown"/> (<c>changed</c> and <c>ignored</c> are computed on read).</summary>
    public static ResourceDescriptor Results { get; } = new("results", "result", "Result", "Results of a task on a host", "id", false,
        [
            .. DurationDates("r"),
            Id("playbook", "r.playbook_id", "of this playbook"),
            Id("task", "r.task_id", "of this task"),
            Text("task_name", "name", "of a task whose name contains this", "r.task_id IN (SELECT id FROM tasks WHERE {0})"),
            Id("play", "r.play_id", "of this play"),
            Id("host", "r.host_id", "of this host (a host id)"),
            new RecordFilter("host_name", FilterKind.String, FilterMatch.IExact, "of the host with this name (whole name, any case)")
            {
                Column = "name", Within = "r.host_id IN (SELECT id FROM hosts WHERE {0})",
            },
            Id("delegated_to", "d.host_id", "delegated to this host (a host id)",
                "r.id IN (SELECT d.result_id FROM results_delegated_to d WHERE {0})"),
            Bool("changed", "r.changed", "that changed something (true) or not (false)"),
            Status("r.status", ResultStatus.Stored),
            Bool("ignore_errors", "r.ignore_errors", "of tasks with ignore_errors (true) or without (false)"),
        ],
        DurationOrder("r"), ResultStatus.Shown,
        ["id", "status", "playbook", "play", "task", "host", "delegated_to", "created", "updated", "started", "ended", "duration",
         "changed", "ignore_errors"])
    { DefaultOrderSql = "r.id DESC", IdSql = "r.id" };

    /// <summary>Files used by a playbook run.</summary>
    public static ResourceDescriptor Files { get; } = new("files", "file", "File", "Files used by a playbook run", "id", false,
        [.. CommonDates("f"), Id("playbook", "f.playbook_id", "of this playbook"), Text("path", "f.path", "whose path contains this")],
        [Order("id", "f.id"), Order("created", "f.created"), Order("updated", "f.updated"), Order("path", "f.path")], [],
        ["id", "sha1", "playbook", "created", "updated", "path"])
    { DefaultOrderSql = "f.id ASC", IdSql = "f.id" };

    /// <summary>Key/value records of a playbook run (ara_record).</summary>
    public static ResourceDescriptor Records { get; } = new("records", "record", "Record",
        "Arbitrary key/value records of a playbook run (ara_record)", "id", false,
        [
            .. CommonDates("k"),
            Id("playbook", "k.playbook_id", "of this playbook"),
            new RecordFilter("key", FilterKind.String, FilterMatch.Exact, "with exactly this key") { Column = "k.key" },
        ],
        [Order("id", "k.id"), Order("created", "k.created"), Order("updated", "k.updated"), Order("key", "k.key")], [],
        ["id", "playbook", "created", "updated", "key", "type"])
    { DefaultOrderSql = "k.id ASC", IdSql = "k.id" };

    /// <summary>Every resource, in ARA's order (that of <c>GET /api/v1/</c>).</summary>
    public static IReadOnlyList<ResourceDescriptor> All { get; } = [Labels, Playbooks, Plays, Tasks, Hosts, LatestHosts, Results, Files, Records];

    /// <summary>The resource at this URL segment, or null.</summary>
    public static ResourceDescriptor? Find(string name)
    {
        foreach (var r in All)
        {
            if (r.Name == name)
            {
                return r;
            }
        }
        return null;
    }

    private static RecordFilter Text(string name, string column, string description, string? within = null) =>
        new(name, FilterKind.String, FilterMatch.Contains, description) { Column = column, Within = within };

    private static RecordFilter Id(string name, string column, string description, string? within = null) =>
        new(name, FilterKind.Id, FilterMatch.Exact, description) { Column = column, Within = within };

    private static RecordFilter Number(string name, string column, FilterMatch match, string description) =>
        new(name, FilterKind.Number, match, description) { Column = column };

    private static RecordFilter Uuid(string name, string column, string description) =>
        new(name, FilterKind.Uuid, FilterMatch.Exact, description) { Column = column };

    private static RecordFilter Bool(string name, string column, string description) =>
        new(name, FilterKind.Bool, FilterMatch.Exact, description) { Column = column };

    private static RecordFilter Status(string column, IReadOnlyList<string> choices) =>
        new("status", FilterKind.Status, FilterMatch.AnyOf, "with any of these statuses: " + string.Join(", ", choices))
        {
            Column = column,
            Choices = choices,
        };

    /// <summary><c>{name}_before</c> (at or before) and <c>{name}_after</c> (at or after) on a time column.</summary>
    private static RecordFilter[] DateRange(string name, string column, string what) =>
    [
        new(name + "_before", FilterKind.Date, FilterMatch.Before, $"{what} at or before this time") { Column = column },
        new(name + "_after", FilterKind.Date, FilterMatch.After, $"{what} at or after this time") { Column = column },
    ];

    /// <summary>The date filters every resource has: created and updated, on table alias <paramref name="a"/> (none:
    /// unqualified columns).</summary>
    private static RecordFilter[] CommonDates(string a)
    {
        var p = a.Length == 0 ? "" : a + ".";
        return [.. DateRange("created", p + "created", "created"), .. DateRange("updated", p + "updated", "updated")];
    }

    /// <summary>The date filters of resources with a duration: created, updated, started, ended.</summary>
    private static RecordFilter[] DurationDates(string a) =>
        [.. CommonDates(a), .. DateRange("started", a + ".started", "started"), .. DateRange("ended", a + ".ended", "ended")];

    /// <summary>The filters hosts and latest hosts share, on host alias <c>h</c>.</summary>
    private static RecordFilter[] HostFilters() =>
    [
        Id("playbook", "h.playbook_id", "of this playbook"),
        Text("playbook_name", "name", "of a playbook whose name contains this", "h.playbook_id IN (SELECT id FROM playbooks WHERE {0})"),
        Text("playbook_path", "path", "of a playbook whose path contains this", "h.playbook_id IN (SELECT id FROM playbooks WHERE {0})"),
        Text("name", "h.name", "whose name contains this"),
        .. HostCounters.SelectMany(c => new[]
        {
            Number(c + "__gt", "h." + c, FilterMatch.GreaterThan, $"with more than this many {c} results"),
            Number(c + "__lt", "h." + c, FilterMatch.LessThan, $"with fewer than this many {c} results"),
        }),
    ];

    private static RecordOrder Order(string name, string sql, bool nullable = false) => new(name) { Sql = sql, Nullable = nullable };

    /// <summary>The sort keys of the resources that have a duration, on table alias <paramref name="a"/>.</summary>
    private static RecordOrder[] DurationOrder(string a) =>
    [
        Order("id", a + ".id"), Order("created", a + ".created"), Order("updated", a + ".updated"), Order("started", a + ".started"),
        Order("ended", a + ".ended", nullable: true), Order("duration", $"({a}.ended - {a}.started)", nullable: true),
    ];

    /// <summary>Host sort keys: id and the counters on host alias <paramref name="h"/>, the times and the name on
    /// <paramref name="own"/> (the latest-host entry's own, for latest hosts).</summary>
    private static RecordOrder[] HostOrder(string h, string own) =>
    [
        Order("id", h + ".id"), Order("created", own + ".created"), Order("updated", own + ".updated"), Order("name", own + ".name"),
        .. HostCounters.Select(c => Order(c, h + "." + c)),
    ];
}
