using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Anvil.Runner.Streaming;

namespace Anvil.Runner.Tests.Streaming;

/// <summary>The stream framing of ansible-runner 2.3.1 (runner.md 7.3): JSON lines, and a zip's base64 spliced in
/// with the next line right after it on the same line.</summary>
public class StreamFramingTests
{
    private static string TransmitSample => Path.Combine(RepoPaths.Samples, "runner", "streams", "transmit.stream");

    [Fact]
    public async Task ReferenceTransmitStream_ReadsKwargsZipAndEof()
    {
        await using var input = File.OpenRead(TransmitSample);
        var reader = new StreamFrameReader(input);
        var kwargs = JsonNode.Parse((await reader.ReadLineAsync(default))!.Value.Span)!["kwargs"]!.AsObject();
        Assert.Equal("tw1", (string?)kwargs["ident"]);
        var size = (long)JsonNode.Parse((await reader.ReadLineAsync(default))!.Value.Span)!["zipfile"]!;
        Assert.Equal(2046, size);
        using var zip = new MemoryStream();
        await reader.ReadBase64Async(size, zip, default);
        Assert.Equal(2046, zip.Length);
        Assert.Equal("{\"eof\": true}", Encoding.UTF8.GetString((await reader.ReadLineAsync(default))!.Value.Span));
        Assert.True(reader.LastLineComplete);
        Assert.Null(await reader.ReadLineAsync(default));
        zip.Position = 0;
        using var archive = new ZipArchive(zip);
        Assert.Contains("inventory/hosts", archive.Entries.Select(e => e.FullName));
        Assert.Contains("env/", archive.Entries.Select(e => e.FullName));
    }

    [Fact]
    public async Task ShortReads_StillGiveEveryByte()
    {
        // One byte per read: ansible-runner's reader loses bytes here (issue #1545); this one must not.
        var bytes = await File.ReadAllBytesAsync(TransmitSample);
        var reader = new StreamFrameReader(new TrickleStream(bytes));
        await reader.ReadLineAsync(default);
        await reader.ReadLineAsync(default);
        using var zip = new MemoryStream();
        await reader.ReadBase64Async(2046, zip, default);
        Assert.Equal(2046, zip.Length);
        Assert.Equal("{\"eof\": true}", Encoding.UTF8.GetString((await reader.ReadLineAsync(default))!.Value.Span));
    }

    [Fact]
    public async Task Writer_RoundTripsAZipOfAnySize()
    {
        foreach (var size in new[] { 0, 1, 2, 3, 4, 48 * 1024, 48 * 1024 + 1, 200_001 })
        {
            var payload = new byte[size];
            new Random(size).NextBytes(payload);
            var file = Path.GetTempFileName();
            try
            {
                await File.WriteAllBytesAsync(file, payload);
                using var stream = new MemoryStream();
                var writer = new StreamFrameWriter(stream);
                await writer.WriteZipAsync(file, default);
                writer.WriteEof();
                var text = Encoding.ASCII.GetString(stream.ToArray());
                Assert.StartsWith($"{{\"zipfile\": {size}}}\n", text);
                Assert.EndsWith("{\"eof\": true}\n", text);
                Assert.Equal(2, text.Count(c => c == '\n')); // no line breaks in the base64
                stream.Position = 0;
                var reader = new StreamFrameReader(stream);
                await reader.ReadLineAsync(default);
                using var back = new MemoryStream();
                await reader.ReadBase64Async(size, back, default);
                Assert.Equal(payload, back.ToArray());
                Assert.Equal("{\"eof\": true}", Encoding.UTF8.GetString((await reader.ReadLineAsync(default))!.Value.Span));
            }
            finally
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public async Task CutPayload_IsACutNotAShortZip()
    {
        var bytes = (await File.ReadAllBytesAsync(TransmitSample))[..1500];
        var reader = new StreamFrameReader(new MemoryStream(bytes));
        await reader.ReadLineAsync(default);
        await reader.ReadLineAsync(default);
        var e = await Assert.ThrowsAsync<StreamCutException>(() => reader.ReadBase64Async(2046, new MemoryStream(), default));
        Assert.Contains("of 2046 bytes", e.Message);
    }

    [Fact]
    public async Task UnterminatedLastLine_IsReportedIncomplete()
    {
        var reader = new StreamFrameReader(new MemoryStream("{\"a\": 1}\n{\"uuid\": \"x"u8.ToArray()));
        await reader.ReadLineAsync(default);
        Assert.True(reader.LastLineComplete);
        Assert.Equal("{\"uuid\": \"x", Encoding.UTF8.GetString((await reader.ReadLineAsync(default))!.Value.Span));
        Assert.False(reader.LastLineComplete);
        Assert.Equal(2, reader.LineNumber);
    }

    [Fact]
    public void PythonJson_MatchesJsonDumps()
    {
        var node = new JsonObject
        {
            ["ident"] = "tw1",
            ["binary"] = null,
            ["quiet"] = false,
            ["rotate_artifacts"] = 0,
            ["roles_path"] = new JsonArray("a", "é"),
            ["nested"] = new JsonObject { ["x"] = true },
        };
        Assert.Equal("{\"ident\": \"tw1\", \"binary\": null, \"quiet\": false, \"rotate_artifacts\": 0, " +
                     "\"roles_path\": [\"a\", \"\\u00e9\"], \"nested\": {\"x\": true}}",
            Encoding.UTF8.GetString(PythonJson.Serialize(node)));
    }

    [Fact]
    public void Kwargs_UnknownKeyIsRefusedByName()
    {
        var e = Assert.Throws<JobKwargsException>(() => JobKwargs.ToOptions(new JsonObject { ["bogus_key"] = 1 }, "/tmp/x"));
        Assert.Contains("'bogus_key'", e.Message);
    }

    [Fact]
    public void Kwargs_ReferenceTransmitKeysAreAllAccepted()
    {
        var line = File.ReadLines(TransmitSample).First();
        var kwargs = JsonNode.Parse(line)!["kwargs"]!.AsObject();
        var options = JobKwargs.ToOptions(kwargs, "/srv/w");
        Assert.Equal("test.yml", options.Playbook);
        Assert.Equal("tw1", options.Ident);
        Assert.Null(options.Settings?.ContainerImage); // 2.3.1's default image, unused without process isolation
    }

    private sealed class TrickleStream(byte[] data) : Stream
    {
        private int _pos;
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_pos >= data.Length || count == 0)
            {
                return 0;
            }
            buffer[offset] = data[_pos++];
            return 1;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _pos; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
