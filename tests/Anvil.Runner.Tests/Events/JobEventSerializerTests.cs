using System.Text;
using Anvil.Events;

namespace Anvil.Runner.Tests.Events;

public class JobEventSerializerTests
{
    [Fact]
    public void Serialize_ReferenceEvent_IsByteIdenticalToAnsibleRunnersFile()
    {
        var dir = Path.Combine(RepoPaths.Samples, "runner", "artifacts-demo1", "job_events");
        foreach (var file in Directory.EnumerateFiles(dir, "*.json"))
        {
            var original = File.ReadAllBytes(file);
            var roundTrip = JobEventSerializer.Serialize(JobEventSerializer.Parse(original));
            // The reader keeps event_data as its bytes, so the whole file comes back, event_data included.
            Assert.Equal(Encoding.UTF8.GetString(original), Encoding.UTF8.GetString(roundTrip));
        }
    }

    [Fact]
    public void WriteString_EscapesLikePythonEnsureAscii()
    {
        var w = new System.Buffers.ArrayBufferWriter<byte>();
        JobEventSerializer.WriteString(w, "a\"b\\c\n\r\t\u001b[0m\u007f\u00e9\u4e16\U0001F600");
        Assert.Equal("\"a\\\"b\\\\c\\n\\r\\t\\u001b[0m\\u007f\\u00e9\\u4e16\\ud83d\\ude00\"", Encoding.ASCII.GetString(w.WrittenSpan));
    }

    [Fact]
    public void Serialize_CallbackEvent_UsesAnsibleRunnersKeyOrderAndKeepsEventData()
    {
        var e = new JobEvent
        {
            Uuid = "u",
            Counter = 3,
            Stdout = "ok",
            StartLine = 1,
            EndLine = 2,
            RunnerIdent = "r",
            Event = "runner_on_ok",
            Pid = 7,
            Created = "t",
            ParentUuid = "p",
            JobId = 5,
            EventDataJson = Encoding.UTF8.GetBytes("{\"host\": \"h\", \"res\": {\"x\": [1, 2]}}"),
        };
        Assert.Equal(
            "{\"uuid\": \"u\", \"counter\": 3, \"stdout\": \"ok\", \"start_line\": 1, \"end_line\": 2, \"runner_ident\": \"r\", " +
            "\"event\": \"runner_on_ok\", \"job_id\": 5, \"pid\": 7, \"created\": \"t\", \"parent_uuid\": \"p\", " +
            "\"event_data\": {\"host\": \"h\", \"res\": {\"x\": [1, 2]}}}",
            Encoding.UTF8.GetString(JobEventSerializer.Serialize(e)));
    }

    [Fact]
    public void Serialize_RunnerSideVerboseEvent_HasTheShortShape()
    {
        var e = new JobEvent
        {
            Uuid = "u",
            Counter = 1,
            Stdout = "x",
            StartLine = 0,
            EndLine = 1,
            RunnerIdent = "r",
            Event = "verbose",
            Created = "t",
        };
        Assert.Equal(
            "{\"event\": \"verbose\", \"uuid\": \"u\", \"counter\": 1, \"stdout\": \"x\", \"start_line\": 0, \"end_line\": 1, " +
            "\"runner_ident\": \"r\", \"created\": \"t\"}",
            Encoding.UTF8.GetString(JobEventSerializer.Serialize(e)));
    }
}
