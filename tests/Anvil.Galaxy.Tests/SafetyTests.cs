using System.Formats.Tar;
using Anvil.Galaxy.Archives;
using Anvil.Galaxy.Building;
using Anvil.Galaxy.Installing;
using Anvil.Galaxy.Versioning;

namespace Anvil.Galaxy.Tests;

/// <summary>Hostile artifacts: each is refused with a clear error, nothing is written outside the target, and an
/// installed earlier version stays as it was.</summary>
public class SafetyTests
{
    private sealed class Scene : IDisposable
    {
        public TempDir Tmp { get; } = new();

        public string Target => Path.Combine(Tmp.Path, "collections");

        /// <summary>A directory beside the target that nothing may touch.</summary>
        public string Outside => Path.Combine(Tmp.Path, "outside");

        public Scene()
        {
            Directory.CreateDirectory(Outside);
            File.WriteAllText(Path.Combine(Outside, "keep.txt"), "untouched");
        }

        public async Task<GalaxyException> RefusedAsync(string tarball)
        {
            var requirement = new Requirement(null, VersionRange.Any, RequirementType.File, tarball);
            using var store = new CollectionArtifactStore(null);
            var installer = new CollectionInstaller([], store);
            var e = await Assert.ThrowsAnyAsync<GalaxyException>(() =>
                installer.InstallAsync([requirement], new InstallOptions { CollectionsPath = Target, Offline = true, Force = true }));
            AssertNothingOutside();
            return e;
        }

        public void AssertNothingOutside()
        {
            Assert.Equal(["keep.txt"], Directory.EnumerateFileSystemEntries(Outside).Select(Path.GetFileName));
            Assert.Equal("untouched", File.ReadAllText(Path.Combine(Outside, "keep.txt")));
            // No staging directory is left beside ansible_collections, and no partial collection inside it.
            Assert.Empty(Directory.Exists(Target) ? Directory.EnumerateDirectories(Target, ".anvil-install-*") : []);
            Assert.False(Directory.Exists(Path.Combine(Target, "ansible_collections", "acme", "evil")));
        }

        public void Dispose() => Tmp.Dispose();
    }

    [Fact]
    public async Task AbsolutePathMember_IsRefused()
    {
        using var s = new Scene();
        var tar = new CraftedArtifact().File(Path.Combine(s.Outside, "evil.txt"), "pwned", list: false).WriteTo(s.Tmp.Path);
        var e = await s.RefusedAsync(tar);
        Assert.Contains("has an absolute path", e.Message);
    }

    [Fact]
    public async Task DotDotMember_IsRefused()
    {
        using var s = new Scene();
        var tar = new CraftedArtifact().File("../../outside/evil.txt", "pwned").WriteTo(s.Tmp.Path);
        var e = await s.RefusedAsync(tar);
        Assert.Contains("a path with '..'", e.Message);
    }

    [Fact]
    public async Task SymlinkPointingOutside_IsRefused()
    {
        using var s = new Scene();
        var tar = new CraftedArtifact().File("README.md", "x").Symlink("escape", "../../../outside/keep.txt", "untouched").WriteTo(s.Tmp.Path);
        var e = await s.RefusedAsync(tar);
        Assert.Contains("Cannot extract symlink 'escape' in collection: path points to location outside of collection", e.Message);
    }

    [Fact]
    public async Task SymlinkToAnAbsolutePath_IsRefused()
    {
        using var s = new Scene();
        var tar = new CraftedArtifact().Symlink("passwd", "/etc/passwd").WriteTo(s.Tmp.Path);
        var e = await s.RefusedAsync(tar);
        Assert.Contains("points to the absolute path '/etc/passwd'", e.Message);
    }

    [Fact]
    public async Task ChainOfSymlinks_ThatLeavesTheCollection_IsRefused()
    {
        // Each link looks harmless on its own: sub/up -> .. is the root, and up2 -> sub/up/.. reads as "sub" --
        // but through the first link it is the root's parent.
        using var s = new Scene();
        var tar = new CraftedArtifact().Dir("sub").Symlink("sub/up", "..", asDir: true).Symlink("up2", "sub/up/..", asDir: true).WriteTo(s.Tmp.Path);
        var e = await s.RefusedAsync(tar);
        Assert.Contains("Cannot extract symlink 'up2'", e.Message);
    }

    [Fact]
    public async Task HardLinkPointingOutside_IsRefused()
    {
        using var s = new Scene();
        var tar = new CraftedArtifact().HardLink("h", "../../outside/keep.txt", "untouched").WriteTo(s.Tmp.Path);
        var e = await s.RefusedAsync(tar);
        Assert.Contains("hard link 'h' points to '../../outside/keep.txt', which is not a file of the collection", e.Message);
    }

    [Fact]
    public async Task HardLinkInside_IsInstalledAsACopy()
    {
        using var s = new Scene();
        var tar = new CraftedArtifact().File("a.txt", "same").HardLink("b.txt", "a.txt", "same").WriteTo(s.Tmp.Path);
        using var store = new CollectionArtifactStore(null);
        await new CollectionInstaller([], store).InstallAsync([new Requirement(null, VersionRange.Any, RequirementType.File, tar)],
            new InstallOptions { CollectionsPath = s.Target, Offline = true });
        Assert.Equal("same", File.ReadAllText(Path.Combine(s.Target, "ansible_collections", "acme", "evil", "b.txt")));
    }

    [Theory]
    [InlineData(TarEntryType.CharacterDevice, "a device file")]
    [InlineData(TarEntryType.BlockDevice, "a device file")]
    [InlineData(TarEntryType.Fifo, "a FIFO")]
    public async Task SpecialFiles_AreRefused(TarEntryType type, string said)
    {
        using var s = new Scene();
        var tar = new CraftedArtifact().Special("dev/null", type).WriteTo(s.Tmp.Path);
        var e = await s.RefusedAsync(tar);
        Assert.Contains($"member 'dev/null' is {said}", e.Message);
    }

    [Fact]
    public async Task MemberNotMatchingFilesJson_IsRefused()
    {
        using var s = new Scene();
        var tar = new CraftedArtifact().File("plugins/modules/x.py", "tampered", listedContent: "original").WriteTo(s.Tmp.Path);
        var e = await s.RefusedAsync(tar);
        Assert.Contains("Checksum mismatch for 'plugins/modules/x.py' inside collection", e.Message);
    }

    [Fact]
    public async Task FilesJsonEntryWithoutMember_IsRefused()
    {
        using var s = new Scene();
        var tar = new CraftedArtifact().File("a.txt", "a").ListOnly(Metadata.FileEntry.RegularFile("missing.txt", "00")).WriteTo(s.Tmp.Path);
        var e = await s.RefusedAsync(tar);
        Assert.Contains("does not contain the expected file 'missing.txt'", e.Message);
    }

    [Fact]
    public async Task MemberListedTwice_IsRefused()
    {
        using var s = new Scene();
        var tar = new CraftedArtifact().File("a.txt", "a").File("a.txt", "b", list: false).WriteTo(s.Tmp.Path);
        var e = await s.RefusedAsync(tar);
        Assert.Contains("member 'a.txt' appears twice", e.Message);
    }

    [Fact]
    public void DecompressionBomb_IsRefused()
    {
        using var tmp = new TempDir();
        // 64 MiB of zeros packs into about 64 KiB; with a 1 MiB floor and the default 250:1 ratio the limit is ~16 MiB.
        var tar = new CraftedArtifact().Zeros("zeros.bin", 64L << 20).WriteTo(tmp.Path);
        var limits = new ExtractionLimits { MinimumAllowance = 1 << 20 };
        var e = Assert.Throws<UnsafeArtifactException>(() => CollectionArchive.Extract(tar, Path.Combine(tmp.Path, "x"), limits));
        Assert.Contains("a decompression bomb?", e.Message);
        Assert.True(new FileInfo(tar).Length < (1 << 20));
    }

    [Fact]
    public void DefaultLimits_LeaveRoomForRealCollections()
    {
        var limits = ExtractionLimits.Default;
        Assert.Equal(256L << 20, limits.AllowedFor(10_000));
        // The largest collection in Debian's ansible package unpacks to 43 times its tarball.
        Assert.True(limits.AllowedFor(3_315_846) > 43L * 3_315_846);
    }

    [Fact]
    public async Task FailedInstall_LeavesThePreviousVersionUntouched()
    {
        using var s = new Scene();
        var good = CollectionBuilder.Build(new SourceCollection(Path.Combine(s.Tmp.Path, "src"), name: "evil").Write("plugins/modules/m.py", "v1\n").Root,
            Path.Combine(s.Tmp.Path, "good"), force: false).ArtifactPath;
        using (var store = new CollectionArtifactStore(null))
        {
            await new CollectionInstaller([], store).InstallAsync([new Requirement(null, VersionRange.Any, RequirementType.File, good)],
                new InstallOptions { CollectionsPath = s.Target, Offline = true });
        }
        var installed = Path.Combine(s.Target, "ansible_collections", "acme", "evil");
        var before = Snapshot(installed);
        var bad = new CraftedArtifact { Version = "2.0.0" }.File("plugins/modules/m.py", "v2 tampered", listedContent: "v2").WriteTo(Path.Combine(s.Tmp.Path, "bad"));
        using (var store = new CollectionArtifactStore(null))
        {
            await Assert.ThrowsAsync<UnsafeArtifactException>(() => new CollectionInstaller([], store).InstallAsync(
                [new Requirement(null, VersionRange.Any, RequirementType.File, bad)],
                new InstallOptions { CollectionsPath = s.Target, Offline = true, Force = true }));
        }
        Assert.Equal(before, Snapshot(installed));
        Assert.Equal("v1\n", File.ReadAllText(Path.Combine(installed, "plugins/modules/m.py")));
        Assert.Empty(Directory.EnumerateDirectories(s.Target, ".anvil-install-*"));
    }

    [Fact]
    public void UnsafeNames_AreNamed()
    {
        Assert.Equal("an absolute path", CollectionArchive.UnsafeReason("/etc/passwd"));
        Assert.Equal("a path with '..'", CollectionArchive.UnsafeReason("a/../../b"));
        Assert.Equal("a non-canonical path", CollectionArchive.UnsafeReason("a//b"));
        Assert.Equal("a non-canonical path", CollectionArchive.UnsafeReason("./a"));
        Assert.Null(CollectionArchive.UnsafeReason("plugins/modules/x.py"));
    }

    private static List<string> Snapshot(string dir) =>
        Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => $"{Path.GetRelativePath(dir, p)}:{(File.Exists(p) ? CollectionBuilder.Sha256File(p) : "dir")}").ToList();
}
