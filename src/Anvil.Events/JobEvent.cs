using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Anvil.Events;

/// <summary>
/// One job event, as ansible-runner writes it to <c>job_events/&lt;counter&gt;-&lt;uuid&gt;.json</c>.
/// <see cref="EventDataJson"/> holds the callback's <c>event_data</c> bytes unchanged; <see cref="EventData"/>
/// parses them on first use (once: a reader that already parsed them hands the parsed value over).
/// In System.Text.Json (ingestion batches) it is its <c>job_events</c> file, see <see cref="JobEventJsonConverter"/>.
/// </summary>
[JsonConverter(typeof(JobEventJsonConverter))]
public sealed record JobEvent
{
    // Boxed so that publishing the parsed value is one reference write: the runner hands the same event to its
    // handlers and to the recorder's thread, and a torn JsonElement? would be a value with no document behind it.
    private StrongBox<JsonElement>? _eventData;
    private StrongBox<JsonElement>? _meta;
    private ReadOnlyMemory<byte>? _eventDataJson;
    private ReadOnlyMemory<byte>? _metaJson;

    /// <summary>The event's uuid (ansible-runner's, or the one Anvil gives runner-side text).</summary>
    /// <summary>The event's uuid (from the callback; Anvil makes one for runner-side text).</summary>
    public required string Uuid { get; init; }
    /// <summary>Position in the run, from 1, without gaps: the order events are written and stored in.</summary>
    public required long Counter { get; init; }
    /// <summary>The display text that belongs to the event (may be empty).</summary>
    public required string Stdout { get; init; }
    /// <summary>The first line of <see cref="Stdout"/> in the run's whole output, counted from 0.</summary>
    public required long StartLine { get; init; }
    /// <summary>The line after the last one of <see cref="Stdout"/> (equal to <see cref="StartLine"/> when it is empty).</summary>
    public required long EndLine { get; init; }
    /// <summary>The run's ident (the artifact directory's name).</summary>
    public required string RunnerIdent { get; init; }
    /// <summary>The event's name, one of <see cref="EventNames"/>.</summary>
    public required string Event { get; init; }
    /// <summary>When the callback made the event, ISO 8601 in UTC as Python's <c>isoformat()</c> writes it.</summary>
    public required string Created { get; init; }
    /// <summary>The process id of the ansible-playbook that emitted it.</summary>
    public int? Pid { get; init; }
    /// <summary>The uuid of the enclosing event (a task's for a host result, a play's for a task); null on the first event.</summary>
    public string? ParentUuid { get; init; }
    /// <summary>The display verbosity of a callback-side verbose event; null otherwise.</summary>
    public int? Verbosity { get; init; }
    /// <summary>AWX's job id, when the run was given one.</summary>
    public long? JobId { get; init; }
    /// <summary>AWX's ad-hoc command id, when given one.</summary>
    public long? AdHocCommandId { get; init; }
    /// <summary>AWX's project update id, when given one.</summary>
    public long? ProjectUpdateId { get; init; }

    /// <summary>The <c>event_data</c> mapping as UTF-8 JSON; null for runner-side verbose events, which have none.</summary>
    public ReadOnlyMemory<byte>? EventDataJson
    {
        get => _eventDataJson;
        // A copy made with other bytes ("with") must not keep the old bytes' parsed value.
        init { _eventDataJson = value; _eventData = null; }
    }

    /// <summary>What Anvil's callback adds for its own recorder and that ansible-runner's events do not carry
    /// (the Ansible version on <c>playbook_on_start</c>, tags on task starts). Never written to <c>job_events/</c>.</summary>
    public ReadOnlyMemory<byte>? MetaJson
    {
        get => _metaJson;
        init { _metaJson = value; _meta = null; }
    }

    /// <summary>True for text that arrived outside any callback event (printed before the callback was loaded, or
    /// by something other than Ansible's display).</summary>
    public bool IsRunnerSide => EventDataJson is null;

    /// <summary>The parsed <c>event_data</c>; an empty object for runner-side events.</summary>
    public JsonElement EventData
    {
        get => (_eventData ??= new StrongBox<JsonElement>(ParseOrEmpty(EventDataJson))).Value;
    }

    /// <summary>For readers that parsed <see cref="EventDataJson"/> already; goes after it in an initializer
    /// (its init clears the parsed value).</summary>
    internal JsonElement? ParsedEventData
    {
        init => _eventData = value is { } v ? new StrongBox<JsonElement>(v) : null;
    }

    /// <summary>The parsed <see cref="MetaJson"/>; an empty object when the callback added nothing.</summary>
    public JsonElement Meta
    {
        get => (_meta ??= new StrongBox<JsonElement>(ParseOrEmpty(MetaJson))).Value;
    }

    /// <summary>As <see cref="ParsedEventData"/>, for <see cref="MetaJson"/>.</summary>
    internal JsonElement? ParsedMeta
    {
        init => _meta = value is { } v ? new StrongBox<JsonElement>(v) : null;
    }

    /// <summary>The host the event is about (<c>event_data.host</c>), if any.</summary>
    public string? Host => StringField("host");
    /// <summary>The task's name (<c>event_data.task</c>), if any.</summary>
    public string? Task => StringField("task");
    /// <summary>The play's name (<c>event_data.play</c>), if any.</summary>
    public string? Play => StringField("play");
    /// <summary>The task's module (<c>event_data.task_action</c>), if any.</summary>
    public string? TaskAction => StringField("task_action");

    /// <summary>A string field of <c>event_data</c>, or null when absent or not a string.</summary>
    public string? StringField(string name) =>
        EventData.ValueKind == JsonValueKind.Object && EventData.TryGetProperty(name, out var v) &&
        v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;

    private static JsonElement ParseOrEmpty(ReadOnlyMemory<byte>? json) =>
        json is { } bytes ? JsonElement.Parse(bytes.Span) : EmptyObject;

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;
}
