using System.IO.Compression;
using Anvil.Runner.Streaming;

namespace Anvil.Runner.Tests.Streaming;

/// <summary>The private data dir's zip: modes, links, earlier artifacts left out, and extraction that refuses any
/// entry escaping its directory.</summary>
public class DirectoryZipTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("anvil-zip-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void RoundTrip_KeepsModesAndLinks_LeavesArtifactsOut()
    {
        var src = Path.Combine(_dir, "src");
        Directory.CreateDirectory(Path.Combine(src, "inventory"));
        Directory.CreateDirectory(Path.Combine(src, "artifacts", "old"));
        File.WriteAllText(Path.Combine(src, "artifacts", "old", "stdout"), "stale");
        var script = Path.Combine(src, "inventory", "dynamic.py");
        File.WriteAllText(script, "#!/bin/sh\n");
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        File.CreateSymbolicLink(Path.Combine(src, "inventory", "hosts"), "dynamic.py");
        var zip = DirectoryZip.CreateTemp(src, StreamTransmitter.NotSent);
        try
        {
            using (var archive = ZipFile.OpenRead(zip))
            {
                Assert.DoesNotContain(archive.Entries, e => e.FullName.StartsWith("artifacts", StringComparison.Ordinal));
            }
            var dest = Path.Combine(_dir, "dest");
            DirectoryZip.ExtractSafely(zip, dest);
            Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Combine(dest, "inventory", "dynamic.py")));
            Assert.Equal("dynamic.py", new FileInfo(Path.Combine(dest, "inventory", "hosts")).LinkTarget);
            Assert.False(Directory.Exists(Path.Combine(dest, "artifacts")));
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [Theory]
    [InlineData("../escaped", null)]
    [InlineData("a/../../escaped", null)]
    [InlineData("/tmp/escaped-absolute", null)]
    [InlineData("link", "../../etc")]
    [InlineData("link", "/etc")]
    public void EscapingEntry_IsRefusedAndNothingIsWritten(string name, string? linkTarget)
    {
        var zip = Path.Combine(_dir, "evil.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            var ok = archive.CreateEntry("fine.txt");
            ok.ExternalAttributes = 0x81A4 << 16;
            using (var s = ok.Open())
            {
                s.Write("ok"u8);
            }
            var entry = archive.CreateEntry(name);
            entry.ExternalAttributes = (linkTarget is null ? 0x81A4 : 0xA1FF) << 16;
            using var w = new StreamWriter(entry.Open());
            w.Write(linkTarget ?? "evil");
        }
        var dest = Path.Combine(_dir, "dest");
        var e = Assert.Throws<UnsafeArchiveException>(() => DirectoryZip.ExtractSafely(zip, dest));
        Assert.Contains(name, e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dest)); // refused before anything was written
        Assert.False(File.Exists(Path.Combine(_dir, "escaped")));
    }
}
