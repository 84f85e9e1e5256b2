using System.Formats.Tar;
using System.Text;
using Anvil.Galaxy.Archives;
using Anvil.Galaxy.Building;
using Anvil.Galaxy.Metadata;

namespace Anvil.Galaxy.Tests;

[Trait("Category", "Integration")]
public class BuildTests
{
    private static SourceCollection Sample(string root) => new SourceCollection(root)
        .Write("plugins/modules/hello.py", "print('hi')\n")
        .Write("plugins/modules/run.sh", "#!/bin/sh\n", executable: true)
        .Write("roles/r1/tasks/main.yml", "- debug: msg=x\n")
        .Write("plugins/module_utils/__pycache__/x.cpython-311.pyc", "junk")
        .Write("plugins/modules/old.pyc", "junk")
        .Write("tests/output/result.txt", "junk")
        .Write("tests/unit/test_x.py", "pass\n")
        .Write(".git/HEAD", "ref")
        .Write("notes.tmp", "junk")
        .Write("acme-demo-0.9.0.tar.gz", "an earlier build")
        .Write("MANIFEST.json", "{}")
        .Dir("docs")
        .Link("README.link.md", "README.md");

    [Fact]
    public void Build_IsReproducible_WhateverTheTimesAndOrder()
    {
        using var tmp = new TempDir();
        var a = Sample(Path.Combine(tmp.Path, "a")).Root;
        var first = CollectionBuilder.Build(a, Path.Combine(tmp.Path, "out1"), force: false).ArtifactPath;
        // The same tree elsewhere, written in another order, with other times.
        var b = Path.Combine(tmp.Path, "b");
        Sample(b);
        foreach (var f in Directory.EnumerateFiles(b, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(f, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        }
        var second = CollectionBuilder.Build(b, Path.Combine(tmp.Path, "out2"), force: false).ArtifactPath;
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Fact]
    public void Artifact_HasAnsibleGalaxysShape_SortedWithFixedOwnersTimesAndModes()
    {
        using var tmp = new TempDir();
        var result = CollectionBuilder.Build(Sample(Path.Combine(tmp.Path, "src")).Root, tmp.Path, force: false);
        Assert.Equal(Path.Combine(tmp.Path, "acme-demo-1.0.0.tar.gz"), result.ArtifactPath);
        var members = TarListing.Read(result.ArtifactPath);
        Assert.Equal(["MANIFEST.json", "FILES.json"], members.Take(2).Select(m => m.Name));
        var names = members.Skip(2).Select(m => m.Name).ToList();
        Assert.Equal(
        [
            "README.link.md", "README.md", "docs", "meta", "meta/runtime.yml", "notes.tmp", "plugins", "plugins/module_utils",
            "plugins/modules", "plugins/modules/hello.py", "plugins/modules/run.sh", "roles", "roles/r1", "roles/r1/tasks",
            "roles/r1/tasks/main.yml", "tests", "tests/unit", "tests/unit/test_x.py",
        ], names);
        Assert.All(members, m => Assert.Equal((0L, 0, 0, "", ""), (m.Mtime, m.Uid, m.Gid, m.Uname, m.Gname)));
        Assert.Equal(0b111_101_101, members.Single(m => m.Name == "plugins/modules/run.sh").Mode);
        Assert.Equal(0b110_100_100, members.Single(m => m.Name == "plugins/modules/hello.py").Mode);
        Assert.Equal(0b111_101_101, members.Single(m => m.Name == "docs").Mode);
        var link = members.Single(m => m.Name == "README.link.md");
        Assert.Equal((TarEntryType.SymbolicLink, "README.md"), (link.Type, link.Link));
        // FILES.json lists what the archive has, directories before their content, the link as a file with its target's checksum.
        var files = ManifestJson.ReadFiles(TarListing.Member(result.ArtifactPath, "FILES.json"), "FILES.json").Files;
        Assert.Equal(["."], files.Take(1).Select(f => f.Name));
        Assert.Equal(names, files.Skip(1).Select(f => f.Name));
        Assert.Equal(files.Single(f => f.Name == "README.md").ChksumSha256, files.Single(f => f.Name == "README.link.md").ChksumSha256);
        // gzip: no time in the header, ansible-galaxy's inner name.
        var head = File.ReadAllBytes(result.ArtifactPath)[..30];
        Assert.Equal(new byte[] { 0x1f, 0x8b, 8, 8, 0, 0, 0, 0 }, head[..8]);
        Assert.StartsWith("acme-demo-1.0.0.tar\0", Encoding.Latin1.GetString(head[10..]));
    }

    [Fact]
    public void BuildIgnore_UsesFnmatchOnTheRelativePath()
    {
        using var tmp = new TempDir();
        var src = Sample(Path.Combine(tmp.Path, "src")).Root;
        File.AppendAllText(Path.Combine(src, "galaxy.yml"), "build_ignore: ['*.tmp', 'roles/r1', 'docs']\n");
        var content = CollectionBuilder.Read(src);
        var names = content.Items.Select(i => i.Name).ToList();
        Assert.DoesNotContain("notes.tmp", names);
        Assert.DoesNotContain("roles/r1", names);
        Assert.DoesNotContain("roles/r1/tasks/main.yml", names);
        Assert.DoesNotContain("docs", names);
        Assert.Contains("roles", names);
    }

    [Fact]
    public void Symlinks_InsideStayLinks_OutsideFilesAreCopied_OutsideDirectoriesSkippedWithAWarning()
    {
        using var tmp = new TempDir();
        var outside = Path.Combine(tmp.Path, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret.txt"), "outside content\n");
        var src = new SourceCollection(Path.Combine(tmp.Path, "src"))
            .Write("data/real.txt", "real\n")
            .Link("data/inner.txt", "real.txt")
            .Link("linked_dir", "data")
            .Link("copied.txt", Path.Combine(outside, "secret.txt"))
            .Link("outdir", outside).Root;
        var result = CollectionBuilder.Build(src, tmp.Path, force: false);
        var members = TarListing.Read(result.ArtifactPath).ToDictionary(m => m.Name);
        Assert.Equal(("real.txt", TarEntryType.SymbolicLink), (members["data/inner.txt"].Link, members["data/inner.txt"].Type));
        Assert.Equal(("data", TarEntryType.SymbolicLink), (members["linked_dir"].Link, members["linked_dir"].Type));
        Assert.Equal(TarEntryType.RegularFile, members["copied.txt"].Type);
        Assert.Equal(CraftedArtifact.Sha(Encoding.UTF8.GetBytes("outside content\n")), members["copied.txt"].Sha256);
        Assert.False(members.ContainsKey("outdir"));
        Assert.Contains(result.Content.Warnings, w => w.Contains("outdir", StringComparison.Ordinal) && w.Contains("outside the collection", StringComparison.Ordinal));
        var files = result.Content.Files.Files.ToDictionary(f => f.Name);
        Assert.True(files["linked_dir"].IsDir);
    }

    [Fact]
    public async Task DanglingSymlink_AndFifo_AreErrors_AndNothingIsWritten()
    {
        using var tmp = new TempDir();
        var src = new SourceCollection(Path.Combine(tmp.Path, "src")).Link("gone.txt", "nowhere.txt").Root;
        var output = Path.Combine(tmp.Path, "out");
        var e = Assert.Throws<GalaxyException>(() => CollectionBuilder.Build(src, output, force: false));
        Assert.Contains("gone.txt: a symbolic link to nothing", e.Message);
        File.Delete(Path.Combine(src, "gone.txt"));
        var fifo = Path.Combine(src, "pipe");
        Assert.Equal(0, (await Tools.RunAsync("mkfifo", [fifo])).Code);
        e = Assert.Throws<GalaxyException>(() => CollectionBuilder.Build(src, output, force: false));
        Assert.Contains("pipe: not a regular file", e.Message);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any());
    }

    [Fact]
    public void ExistingArtifact_NeedsForce_AndADirectoryInTheWayIsRefused()
    {
        using var tmp = new TempDir();
        var src = new SourceCollection(Path.Combine(tmp.Path, "src")).Root;
        var path = CollectionBuilder.Build(src, tmp.Path, force: false).ArtifactPath;
        var e = Assert.Throws<GalaxyException>(() => CollectionBuilder.Build(src, tmp.Path, force: false));
        Assert.Contains("already exists. You can use --force", e.Message);
        CollectionBuilder.Build(src, tmp.Path, force: true);
        File.Delete(path);
        Directory.CreateDirectory(path);
        e = Assert.Throws<GalaxyException>(() => CollectionBuilder.Build(src, tmp.Path, force: true));
        Assert.Contains("is a directory", e.Message);
        Assert.Empty(Directory.EnumerateFiles(tmp.Path, "*.tmp"));
    }

    [Fact]
    public void InvalidGalaxyYml_StopsTheBuild_WithEveryProblem()
    {
        using var tmp = new TempDir();
        var src = new SourceCollection(Path.Combine(tmp.Path, "src"), version: "1.0").Root;
        var yml = Path.Combine(src, "galaxy.yml");
        File.WriteAllText(yml, File.ReadAllText(yml).Replace("tags: [testing]", "tags: [Bad]", StringComparison.Ordinal));
        var e = Assert.Throws<MetadataException>(() => CollectionBuilder.Build(src, tmp.Path, force: false));
        Assert.Equal(2, e.Problems.Count);
        Assert.Empty(Directory.EnumerateFiles(tmp.Path, "*.tar.gz"));
    }

    [Fact]
    public void ManifestDirectives_FollowDistlib()
    {
        using var tmp = new TempDir();
        var src = Sample(Path.Combine(tmp.Path, "src"))
            .Write("docs/guide.rst", "x")
            .Write("docs/image.png", "x")
            .Write("plugins/README.md", "x")
            .Write("plugins/filter/f.py", "x")
            .Write("plugins/filter/f.yml", "x")
            .Write(".hidden.md", "x")
            .Write("tests/.hid/f", "x").Root;
        File.AppendAllText(Path.Combine(src, "galaxy.yml"), "manifest:\n  directives:\n  - include notes.tmp\n");
        var content = CollectionBuilder.Read(src);
        var names = content.Files.Files.Select(f => f.Name).ToList();
        // distlib lists the root among directories: ansible-galaxy writes "." twice; files sorted by (dir, name).
        Assert.Equal(2, names.Count(n => n == "."));
        Assert.Contains("docs/guide.rst", names);
        Assert.DoesNotContain("docs/image.png", names);
        Assert.DoesNotContain("plugins/README.md", names);
        Assert.Contains("plugins/filter/f.py", names);
        Assert.Contains("plugins/filter/f.yml", names);
        Assert.Contains("notes.tmp", names);
        Assert.DoesNotContain(".hidden.md", names);
        Assert.Contains("tests/.hid/f", names);
        Assert.DoesNotContain("plugins/modules/run.sh", names);
        Assert.Contains("roles/r1/tasks/main.yml", names);
    }

    [Fact]
    public void Crc32_CombinesChunks()
    {
        var data = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 5000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var whole = Crc32.Compute(data);
        var a = Crc32.Compute(data.AsSpan(0, 1234));
        var b = Crc32.Compute(data.AsSpan(1234));
        Assert.Equal(whole, Crc32.Combine(a, b, data.Length - 1234));
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
    }

    [Fact]
    public void ParallelDeflate_PartsMadeInAnyOrder_ReadBackAsOneGzipStream()
    {
        var data = new byte[(3 << 20) + 12345];
        new Random(7).NextBytes(data.AsSpan(0, 100_000));
        DeflatedPart Part(ReadOnlySpan<byte> bytes, bool final)
        {
            using var d = new ParallelDeflateStream(6);
            d.Write(bytes);
            return d.Complete(final);
        }
        // The middle is compressed first, as a build compresses the members before the JSON that precedes them.
        var middle = Part(data.AsSpan(1000, data.Length - 2000), final: false);
        var first = Part(data.AsSpan(0, 1000), final: false);
        var last = Part(data.AsSpan(data.Length - 1000), final: true);
        using var ms = new MemoryStream();
        Gzip.Write(ms, "x.tar", 6, first, middle, last);
        ms.Position = 0;
        using var back = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionMode.Decompress);
        using var copy = new MemoryStream();
        back.CopyTo(copy);
        Assert.Equal(data, copy.ToArray());
    }
}
