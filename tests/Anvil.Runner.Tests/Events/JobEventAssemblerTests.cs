using System.Text;
using Anvil.Events;
using Anvil.Runner.Events;

namespace Anvil.Runner.Tests.Events;

public class JobEventAssemblerTests
{
    private static List<JobEvent> Run(params byte[][] pieces)
    {
        var events = new List<JobEvent>();
        var assembler = new JobEventAssembler("ident1", events.Add, () => "2026-01-01T00:00:00.000000");
        var parser = new MarkerStreamParser(assembler);
        foreach (var p in pieces)
        {
            parser.Feed(p);
        }
        parser.Flush();
        assembler.Complete();
        return events;
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string Begin(string uuid, string ev, string data = "{\"host\": \"h1\"}") =>
        MarkerStreamParserTests.Marker($"{{\"uuid\": \"{uuid}\", \"event\": \"{ev}\", \"pid\": 42, \"created\": \"c\", \"parent_uuid\": \"p\", \"event_data\": {data}}}");

    private static readonly string End = MarkerStreamParserTests.Marker("{}");

    [Fact]
    public void TextOutsideEvents_BecomesOneVerboseEventPerLine()
    {
        var events = Run(B("one two\r\n\r\nthree\n"));
        Assert.Equal(["one two", "", "three"], events.Select(e => e.Stdout));
        Assert.All(events, e => Assert.Equal(EventNames.Verbose, e.Event));
        Assert.All(events, e => Assert.True(e.IsRunnerSide));
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Counter));
        // An empty line writes nothing to the stdout artifact, so it spans no line.
        Assert.Equal([(0L, 1L), (1L, 1L), (1L, 2L)], events.Select(e => (e.StartLine, e.EndLine)));
    }

    [Fact]
    public void PartialLineOutsideEvents_WaitsForItsNewline()
    {
        var events = Run(B("hel"), B("lo\nwor"), B("ld\n"));
        Assert.Equal(["hello", "world"], events.Select(e => e.Stdout));
    }

    [Fact]
    public void EventText_IsAttachedToTheEventWithItsFields()
    {
        var events = Run(B(Begin("u-1", "runner_on_ok") + "ok: [h1]\r\n  more\r\n" + End));
        var e = Assert.Single(events);
        Assert.Equal("u-1", e.Uuid);
        Assert.Equal("runner_on_ok", e.Event);
        Assert.Equal("ok: [h1]\r\n  more", e.Stdout);
        Assert.Equal((0L, 2L), (e.StartLine, e.EndLine));
        Assert.Equal(42, e.Pid);
        Assert.Equal("p", e.ParentUuid);
        Assert.Equal("h1", e.Host);
        Assert.Equal("{\"host\": \"h1\"}", Encoding.UTF8.GetString(e.EventDataJson!.Value.Span));
    }

    [Fact]
    public void EventWithNoText_HasEmptyStdoutAndNoLines()
    {
        var events = Run(B("x\n" + Begin("a", "runner_on_start") + End + Begin("b", "runner_on_ok") + "ok\n" + End));
        Assert.Equal(["verbose", "runner_on_start", "runner_on_ok"], events.Select(e => e.Event));
        Assert.Equal((1L, 1L), (events[1].StartLine, events[1].EndLine));
        Assert.Equal((1L, 2L), (events[2].StartLine, events[2].EndLine));
    }

    [Fact]
    public void PartialLineBeforeABeginMarker_IsItsOwnVerboseEvent()
    {
        var events = Run(B("Enter secret: " + Begin("a", "runner_on_ok") + "ok\n" + End));
        Assert.Equal(["Enter secret: ", "ok"], events.Select(e => e.Stdout));
    }

    [Fact]
    public void InvalidUtf8_IsReplacedNotFatal()
    {
        var bytes = new byte[] { (byte)'a', 0xff, 0xfe, (byte)'b', (byte)'\n' };
        var e = Assert.Single(Run(bytes));
        Assert.Equal("a\uFFFD\uFFFDb", e.Stdout);
    }

    [Fact]
    public void MultiByteCharacterSplitAcrossReads_IsKept()
    {
        var bytes = B("caf\u00e9 \u4e16\u754c\n");
        var events = Run(bytes[..4], bytes[4..7], bytes[7..]);
        Assert.Equal("caf\u00e9 \u4e16\u754c", Assert.Single(events).Stdout);
    }

    [Fact]
    public void EndlessLine_IsCutIntoBoundedEvents()
    {
        var line = new string('\u00e9', JobEventAssembler.MaxPendingLineBytes); // 2 bytes each
        var events = Run(B(line), B("\n"));
        Assert.True(events.Count >= 2);
        Assert.Equal(line, string.Concat(events.Select(e => e.Stdout)));
        Assert.All(events, e => Assert.DoesNotContain('\uFFFD', e.Stdout));
    }

    [Fact]
    public void UnfinishedEventAtEndOfStream_IsStillEmitted()
    {
        var events = Run(B(Begin("a", "runner_on_ok") + "partial"));
        Assert.Equal("partial", Assert.Single(events).Stdout);
    }

    [Fact]
    public void StdoutArtifact_IsTheConcatenationOfEventStdout()
    {
        var events = Run(B("banner\n\n" + Begin("a", "playbook_on_play_start") + "\r\nPLAY [x] ***\r\n" + End +
                           Begin("b", "runner_on_ok") + "ok: [h]\r\n" + End + "tail\n"));
        var artifact = string.Concat(events.Where(e => e.Stdout.Length > 0).Select(e => e.Stdout + "\n"));
        var lines = artifact.Split('\n');
        foreach (var e in events)
        {
            Assert.Equal(e.Stdout, string.Join('\n', lines[(int)e.StartLine..(int)e.EndLine]));
        }
    }
}
