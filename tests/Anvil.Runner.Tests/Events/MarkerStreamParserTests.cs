using System.Text;
using Anvil.Runner.Events;

namespace Anvil.Runner.Tests.Events;

public class MarkerStreamParserTests
{
    private sealed class Recorder : IMarkerSink
    {
        public List<string> Items { get; } = [];
        private readonly List<byte> _text = [];

        public void OnText(ReadOnlySpan<byte> text) => _text.AddRange(text);

        public void OnMarker(byte[] payload)
        {
            FlushText();
            Items.Add("M:" + Encoding.UTF8.GetString(payload));
        }

        public void FlushText()
        {
            if (_text.Count > 0)
            {
                Items.Add("T:" + Encoding.UTF8.GetString(_text.ToArray()));
                _text.Clear();
            }
        }
    }

    internal static string Marker(string json, int chunk = int.MaxValue)
    {
        var b64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
        var sb = new StringBuilder("\u001b[K");
        for (var i = 0; i < b64.Length; i += chunk)
        {
            var piece = b64.Substring(i, Math.Min(chunk, b64.Length - i));
            sb.Append(piece).Append("\u001b[").Append(piece.Length).Append('D');
        }
        return sb.Append("\u001b[K").ToString();
    }

    private static List<string> Parse(string input, int pieceSize)
    {
        var rec = new Recorder();
        var parser = new MarkerStreamParser(rec);
        var bytes = Encoding.UTF8.GetBytes(input);
        for (var i = 0; i < bytes.Length; i += pieceSize)
        {
            parser.Feed(bytes.AsSpan(i, Math.Min(pieceSize, bytes.Length - i)));
        }
        parser.Flush();
        rec.FlushText();
        return rec.Items;
    }

    [Fact]
    public void Feed_TextAndMarkers_SplitsThemInOrder()
    {
        var input = "before\n" + Marker("{\"uuid\": \"u1\"}") + "inside\r\n" + Marker("{}") + "after";
        var items = Parse(input, int.MaxValue);
        Assert.Equal(["T:before\n", "M:{\"uuid\": \"u1\"}", "T:inside\r\n", "M:{}", "T:after"], items);
    }

    [Fact]
    public void Feed_MarkerSplitAtEveryPossibleByte_GivesTheSameResult()
    {
        var input = "a" + Marker("{\"uuid\": \"0123456789\", \"event\": \"x\"}") + "text\u00e9\n" + Marker("{}") + "z";
        var whole = Parse(input, int.MaxValue);
        for (var size = 1; size <= 17; size++)
        {
            Assert.Equal(whole, Parse(input, size));
        }
    }

    [Fact]
    public void Feed_ReferenceStyleMultiChunkMarker_IsDecoded()
    {
        var json = "{\"uuid\": \"" + new string('a', 200) + "\"}";
        var items = Parse(Marker(json, chunk: 78) + "x", 5);
        Assert.Equal(["M:" + json, "T:x"], items);
    }

    [Fact]
    public void Feed_ColourCodesAndBrokenMarkers_StayText()
    {
        const string input = "\u001b[0;32mok\u001b[0m \u001b[Kabc\u001b[3X \u001b[K\u001b[K";
        var items = Parse(input, 3);
        Assert.Equal(["T:" + input], items);
    }

    [Fact]
    public void Feed_InvalidBase64Payload_GivesEmptyPayload()
    {
        var items = Parse("\u001b[Kab=c\u001b[4D\u001b[K", int.MaxValue);
        Assert.Equal(["M:"], items);
    }

    [Fact]
    public void Feed_ReferenceRawCallbackOutput_FindsEveryMarker()
    {
        var raw = File.ReadAllBytes(Path.Combine(RepoPaths.Samples, "runner", "raw-callback-stdout.bin"));
        var rec = new Recorder();
        var parser = new MarkerStreamParser(rec);
        parser.Feed(raw);
        parser.Flush();
        rec.FlushText();
        var markers = rec.Items.Where(i => i.StartsWith("M:")).ToList();
        var expected = Encoding.ASCII.GetString(raw).Split("\u001b[K").Length / 2;
        Assert.Equal(expected, markers.Count);
        Assert.All(markers, m => Assert.True(m == "M:{}" || m.StartsWith("M:{\"uuid\": \"", StringComparison.Ordinal), m));
        Assert.DoesNotContain(rec.Items, i => i.StartsWith("T:") && i.Contains('\u001b' + "[K"));
    }

    [Fact]
    public void Feed_TenMegabytesWithoutMarkers_IsPassedThrough()
    {
        var rec = new Recorder();
        var parser = new MarkerStreamParser(rec);
        var blob = Encoding.ASCII.GetBytes(new string('x', 10 * 1024 * 1024));
        parser.Feed(blob);
        rec.FlushText();
        Assert.Equal(blob.Length, rec.Items.Single().Length - 2);
    }
}
