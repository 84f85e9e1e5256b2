using Anvil.Runner.Artifacts;

namespace Anvil.Runner.Tests.Artifacts;

public class ArtifactStoreTests
{
    [Fact]
    public async Task Create_ReplacesAnEarlierRunWithTheSameIdentAndWritesPrivateFiles()
    {
        using var tmp = new TempDir();
        var dir = Path.Combine(tmp.Path, "artifacts", "r1");
        tmp.File("artifacts/r1/job_events/99-old.json", "{}");
        await using (var store = ArtifactStore.Create(dir, writeOutputFiles: true))
        {
            store.WriteStatus("successful", 0);
        }
        Assert.False(File.Exists(Path.Combine(dir, "job_events", "99-old.json")));
        Assert.Equal("successful", File.ReadAllText(Path.Combine(dir, "status")));
        Assert.Equal("0", File.ReadAllText(Path.Combine(dir, "rc")));
        foreach (var f in new[] { "status", "rc", "stdout", "stderr" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, f)));
        }
        Assert.Empty(Directory.EnumerateFiles(dir, "*.tmp"));
    }

    [Fact]
    public void Rotate_KeepsTheNewest()
    {
        using var tmp = new TempDir();
        for (var i = 0; i < 5; i++)
        {
            var d = Directory.CreateDirectory(Path.Combine(tmp.Path, "run" + i));
            d.LastWriteTimeUtc = DateTime.UtcNow.AddMinutes(i);
        }
        ArtifactStore.Rotate(tmp.Path, 2);
        Assert.Equal(["run3", "run4"], Directory.EnumerateDirectories(tmp.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void WriteAtomically_ReplacesTheFileAndALeftoverTemporary()
    {
        using var tmp = new TempDir();
        var path = Path.Combine(tmp.Path, "status");
        tmp.File("status", "running-and-longer");
        tmp.File("status.tmp", "left by a killed run");
        ArtifactStore.WriteAtomically(path, "failed"u8);
        Assert.Equal("failed", File.ReadAllText(path));
        Assert.False(File.Exists(path + ".tmp"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void WriteAtomically_NamesTheFileWhenItCannotWrite()
    {
        using var tmp = new TempDir();
        var path = Path.Combine(tmp.Path, "missing", "rc");
        var error = Assert.Throws<ArtifactWriteException>(() => ArtifactStore.WriteAtomically(path, "0"u8));
        Assert.Contains(path, error.Message);
        Assert.Contains("No such file", error.Message);
    }
}
