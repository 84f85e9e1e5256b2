using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Anvil.Events;
using Anvil.Records.Ingest;

namespace Anvil.Records.Tests;

/// <summary>
/// <c>POST /api/v1/anvil/ingest</c> between versions: batches used to carry each event as a raw JSON element (its
/// <c>job_events</c> file with Anvil's meta as <c>"anvil"</c>); they now carry typed events. Both ends must read
/// what the other writes, so an older client works with a newer server and the other way round.
/// </summary>
public abstract class IngestWireTests(PostgresFixture? postgres) : ApiTestBase(postgres)
{
    private const string PlayUuid = "0242ac11-0002-9d1c-5c6b-000000000006";
    private const string TaskUuid = "0242ac11-0002-9d1c-5c6b-000000000008";

    /// <summary>Events in ansible-runner 2.3.1's <c>job_events</c> shape (<c>", "</c> separators, its key order),
    /// each with the meta Anvil's callback adds, or none.</summary>
    private static readonly (string File, string? Meta)[] Events =
    [
        ("""{"uuid": "a1b2c3d4-0000-4000-8000-000000000001", "counter": 1, "stdout": "", "start_line": 0, "end_line": 0, "runner_ident": "wire", "event": "playbook_on_start", "pid": 4242, "created": "2024-05-01T10:00:00.000001", "event_data": {"playbook": "site.yml", "playbook_uuid": "a1b2c3d4-0000-4000-8000-0000000000aa", "uuid": "a1b2c3d4-0000-4000-8000-0000000000aa"}}""",
            """{"ansible_version": "2.14.18", "python_version": "3.11.2"}"""),
        ("""{"uuid": "a1b2c3d4-0000-4000-8000-000000000002", "counter": 2, "stdout": "\r\nPLAY [all] *****", "start_line": 0, "end_line": 2, "runner_ident": "wire", "event": "playbook_on_play_start", "pid": 4242, "created": "2024-05-01T10:00:00.100000", "parent_uuid": "a1b2c3d4-0000-4000-8000-0000000000aa", "event_data": {"play": "all", "name": "all", "pattern": "all", "play_uuid": "0242ac11-0002-9d1c-5c6b-000000000006", "uuid": "0242ac11-0002-9d1c-5c6b-000000000006"}}""",
            null),
        ("""{"uuid": "a1b2c3d4-0000-4000-8000-000000000003", "counter": 3, "stdout": "\r\nTASK [ping] *****", "start_line": 2, "end_line": 4, "runner_ident": "wire", "event": "playbook_on_task_start", "pid": 4242, "created": "2024-05-01T10:00:00.200000", "parent_uuid": "0242ac11-0002-9d1c-5c6b-000000000006", "event_data": {"play": "all", "play_uuid": "0242ac11-0002-9d1c-5c6b-000000000006", "task": "ping", "task_action": "ping", "task_path": "/srv/site.yml:3", "task_uuid": "0242ac11-0002-9d1c-5c6b-000000000008", "is_conditional": false, "uuid": "0242ac11-0002-9d1c-5c6b-000000000008"}}""",
            """{"tags": ["net", "caf\u00e9"], "handler": false}"""),
        ("""{"uuid": "a1b2c3d4-0000-4000-8000-000000000004", "counter": 4, "stdout": "ok: [web1] \u2714", "start_line": 4, "end_line": 5, "runner_ident": "wire", "event": "runner_on_ok", "pid": 4242, "created": "2024-05-01T10:00:00.300000", "parent_uuid": "0242ac11-0002-9d1c-5c6b-000000000008", "event_data": {"play": "all", "play_uuid": "0242ac11-0002-9d1c-5c6b-000000000006", "task": "ping", "task_action": "ping", "task_uuid": "0242ac11-0002-9d1c-5c6b-000000000008", "host": "web1", "remote_addr": "web1", "res": {"ping": "pong", "changed": false, "_ansible_no_log": false}, "start": "2024-05-01T10:00:00.210000", "end": "2024-05-01T10:00:00.290000", "duration": 0.08, "event_loop": null, "uuid": "a1b2c3d4-0000-4000-8000-000000000004"}}""",
            null),
        ("""{"event": "verbose", "uuid": "a1b2c3d4-0000-4000-8000-000000000005", "counter": 5, "stdout": "a line outside any callback", "start_line": 5, "end_line": 6, "runner_ident": "wire", "created": "2024-05-01T10:00:00.400000"}""",
            null),
        ("""{"uuid": "a1b2c3d4-0000-4000-8000-000000000006", "counter": 6, "stdout": "\r\nPLAY RECAP *****", "start_line": 6, "end_line": 9, "runner_ident": "wire", "event": "playbook_on_stats", "pid": 4242, "created": "2024-05-01T10:00:01.000000", "parent_uuid": "a1b2c3d4-0000-4000-8000-0000000000aa", "event_data": {"playbook": "site.yml", "playbook_uuid": "a1b2c3d4-0000-4000-8000-0000000000aa", "changed": {}, "dark": {}, "failures": {}, "ignored": {}, "ok": {"web1": 1}, "processed": {"web1": 1}, "rescued": {}, "skipped": {}, "artifact_data": {}, "uuid": "a1b2c3d4-0000-4000-8000-000000000006"}}""",
            null),
    ];

    private static readonly RunInfo Run = new() { Ident = "wire", Path = "/srv/site.yml", ClientVersion = "anvil" };

    /// <summary>An event as the old recorder sent it: the file, with the meta spliced in before its closing brace.</summary>
    private static string OldWireEvent((string File, string? Meta) e) =>
        e.Meta is null ? e.File : e.File[..^1] + ", \"anvil\": " + e.Meta + "}";

    /// <summary>A batch serialised the old way: events as JSON elements, by a context configured as the old one was.</summary>
    private static byte[] OldBatch(string finalStatus = "successful") =>
        JsonSerializer.SerializeToUtf8Bytes(new LegacyIngestBatch
        {
            Run = Run,
            Events = Events.Select(e => JsonDocument.Parse(OldWireEvent(e)).RootElement.Clone()).ToList(),
            Files = new Dictionary<string, string> { ["/srv/site.yml"] = "- hosts: all\n  tasks:\n    - ping:\n" },
            FinalStatus = finalStatus,
        }, LegacyIngestJsonContext.Default.LegacyIngestBatch);

    private static JobEvent Typed((string File, string? Meta) e) =>
        JobEventSerializer.Parse(Encoding.UTF8.GetBytes(e.File)) with
        {
            MetaJson = e.Meta is null ? default(ReadOnlyMemory<byte>?) : Encoding.UTF8.GetBytes(e.Meta),
        };

    [Fact]
    public void A_batch_serialised_the_old_way_is_read_as_typed_events()
    {
        var batch = IngestSerialization.DeserializeBatch(OldBatch());
        Assert.Equal([1L, 2, 3, 4, 5, 6], batch.Events.Select(e => e.Counter));
        Assert.Equal([EventNames.PlaybookOnStart, EventNames.PlaybookOnPlayStart, EventNames.PlaybookOnTaskStart,
            EventNames.RunnerOnOk, EventNames.Verbose, EventNames.PlaybookOnStats], batch.Events.Select(e => e.Event));
        var ok = batch.Events[3];
        Assert.Equal("ok: [web1] \u2714", ok.Stdout);
        Assert.Equal("web1", ok.Host);
        Assert.Equal("ping", ok.Task);
        Assert.Equal("pong", ok.EventData.GetProperty("res").GetProperty("ping").GetString());
        Assert.Equal(TaskUuid, ok.StringField("task_uuid"));
        Assert.Equal(4242, ok.Pid);
        Assert.Equal("0242ac11-0002-9d1c-5c6b-000000000008", ok.ParentUuid);
        Assert.True(batch.Events[4].IsRunnerSide);
        Assert.Equal("a line outside any callback", batch.Events[4].Stdout);
        Assert.Equal(["net", "caf\u00e9"], batch.Events[2].Meta.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("2.14.18", batch.Events[0].Meta.GetProperty("ansible_version").GetString());
        Assert.Null(batch.Events[1].MetaJson);
        Assert.Equal("successful", batch.FinalStatus);
        Assert.Equal("/srv/site.yml", batch.Run.Path);
    }

    [Fact]
    public void A_typed_batch_is_read_the_old_way_with_each_event_exactly_as_its_file()
    {
        var bytes = IngestSerialization.Serialize(new IngestBatch { Run = Run, Events = Events.Select(Typed).ToList() });
        var old = JsonSerializer.Deserialize(bytes, LegacyIngestJsonContext.Default.LegacyIngestBatch)!;
        Assert.Equal(Events.Length, old.Events.Count);
        for (var i = 0; i < Events.Length; i++)
        {
            // Byte for byte the job_events file (plus the meta), not merely equivalent JSON.
            Assert.Equal(OldWireEvent(Events[i]), old.Events[i].GetRawText());
        }
        Assert.Equal("wire", old.Run.Ident);
    }

    [Fact]
    public void A_batch_survives_the_round_trip_through_the_spool_format()
    {
        var first = IngestSerialization.DeserializeBatch(OldBatch());
        var again = IngestSerialization.DeserializeBatch(IngestSerialization.Serialize(first));
        Assert.Equal(IngestSerialization.Serialize(first), IngestSerialization.Serialize(again));
        Assert.Equal(first.Events.Select(e => e.Counter), again.Events.Select(e => e.Counter));
    }

    [Fact]
    public async Task An_old_clients_batch_is_stored_by_the_new_server()
    {
        var reply = await Send("POST", "/api/v1/anvil/ingest", Encoding.UTF8.GetString(OldBatch()));
        Assert.Equal(200, reply.Status);
        Assert.Equal(6, reply.Json.GetProperty("stored").GetInt32());
        var playbook = (await Get("/api/v1/playbooks")).Json.GetProperty("results")[0];
        Assert.Equal("completed", playbook.GetProperty("status").GetString());
        Assert.Equal("2.14.18", playbook.GetProperty("ansible_version").GetString());
        var task = (await Get("/api/v1/tasks")).Json.GetProperty("results")[0];
        Assert.Equal("ping", task.GetProperty("name").GetString());
        Assert.Equal(["net", "caf\u00e9"], task.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var results = (await Get("/api/v1/results")).Json.GetProperty("results");
        Assert.Equal(1, results.GetArrayLength());
        Assert.Equal("ok", results[0].GetProperty("status").GetString());
        var output = (await Get($"/api/v1/anvil/playbooks/{playbook.GetProperty("id").GetInt64()}/output")).Json.GetProperty("events");
        Assert.Equal(["playbook_on_start", "playbook_on_play_start", "playbook_on_task_start", "runner_on_ok", "verbose", "playbook_on_stats"],
            output.EnumerateArray().Select(e => e.GetProperty("event").GetString()));
        Assert.Equal("a line outside any callback", output[4].GetProperty("stdout").GetString());

        var again = await Send("POST", "/api/v1/anvil/ingest", Encoding.UTF8.GetString(OldBatch()));
        Assert.Equal(6, again.Json.GetProperty("duplicates").GetInt32());
    }

    [Theory]
    [InlineData("""{"uuid": "x", "event": "verbose", "stdout": "no counter"}""")]
    [InlineData("""{"uuid": "x", "counter": "7", "event": "verbose"}""")]
    [InlineData("\"not an event\"")]
    public async Task An_event_without_a_numeric_counter_is_a_field_error(string ev)
    {
        var body = $$"""{"run": {"ident": "bad", "path": "/srv/site.yml"}, "events": [{{ev}}]}""";
        AssertError(await Send("POST", "/api/v1/anvil/ingest", body), """{"events":["Each event needs a numeric counter."]}""");
        Assert.Equal(0, (await Get("/api/v1/playbooks")).Json.GetProperty("count").GetInt32());
    }
}

public sealed class IngestWireTestsOnSqlite() : IngestWireTests(null);

[Collection("postgres")]
public sealed class IngestWireTestsOnPostgres(PostgresFixture postgres) : IngestWireTests(postgres);

/// <summary>The batch as it was before events were typed (raw JSON elements), to write and read the old wire format.</summary>
public sealed record LegacyIngestBatch
{
    public required RunInfo Run { get; init; }
    public required IReadOnlyList<JsonElement> Events { get; init; }
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();
    public string? FinalStatus { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LegacyIngestBatch))]
internal sealed partial class LegacyIngestJsonContext : JsonSerializerContext;
