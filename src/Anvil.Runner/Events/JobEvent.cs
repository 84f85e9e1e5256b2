using System.Text.Json;

namespace Anvil.Runner.Events;

/// <summary>
/// One job event, as ansible-runner writes it to <c>job_events/&lt;counter&gt;-&lt;uuid&gt;.json</c>.
/// <see cref="EventDataJson"/> holds the callback's <c>event_data</c> bytes unchanged; <see cref="EventData"/>
/// parses them on first use.
/// </summary>
public sealed record JobEvent
{
    private JsonElement? _eventData;

    public required string Uuid { get; init; }
    public required long Counter { get; init; }
    public required string Stdout { get; init; }
    public required long StartLine { get; init; }
    public required long EndLine { get; init; }
    public required string RunnerIdent { get; init; }
    public required string Event { get; init; }
    public required string Created { get; init; }
    public int? Pid { get; init; }
    public string? ParentUuid { get; init; }
    public int? Verbosity { get; init; }
    public long? JobId { get; init; }
    public long? AdHocCommandId { get; init; }
    public long? ProjectUpdateId { get; init; }

    /// <summary>The <c>event_data</c> mapping as UTF-8 JSON; null for runner-side verbose events, which have none.</summary>
    public ReadOnlyMemory<byte>? EventDataJson { get; init; }

    /// <summary>What Anvil's callback adds for its own recorder and that ansible-runner's events do not carry
    /// (the Ansible version on <c>playbook_on_start</c>, tags on task starts). Never written to <c>job_events/</c>.</summary>
    public ReadOnlyMemory<byte>? MetaJson { get; init; }

    /// <summary>True for text that arrived outside any callback event (printed before the callback was loaded, or
    /// by something other than Ansible's display).</summary>
    public bool IsRunnerSide => EventDataJson is null;

    public JsonElement EventData
    {
        get
        {
            if (_eventData is { } cached)
            {
                return cached;
            }
            var parsed = EventDataJson is { } json
                ? JsonDocument.Parse(json).RootElement
                : EmptyObject;
            _eventData = parsed;
            return parsed;
        }
    }

    public string? Host => StringField("host");
    public string? Task => StringField("task");
    public string? Play => StringField("play");
    public string? TaskAction => StringField("task_action");

    /// <summary>A string field of <c>event_data</c>, or null when absent or not a string.</summary>
    public string? StringField(string name) =>
        EventData.ValueKind == JsonValueKind.Object && EventData.TryGetProperty(name, out var v) &&
        v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;
}
