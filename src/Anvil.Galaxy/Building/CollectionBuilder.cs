using System.Globalization;
using System.Security.Cryptography;
using Anvil.Galaxy.Archives;
using Anvil.Galaxy.Metadata;

namespace Anvil.Galaxy.Building;

/// <summary>What a build of a source tree contains: the chosen paths with their checksums, FILES.json and
/// MANIFEST.json (bytes as ansible-galaxy writes them).</summary>
public sealed record CollectionContent(
    CollectionInfo Info,
    IReadOnlyList<SourceItem> Items,
    FilesManifest Files,
    byte[] FilesJson,
    byte[] ManifestJson,
    IReadOnlyList<string> Warnings);

/// <summary>A finished build.</summary>
public sealed record BuildResult(string ArtifactPath, CollectionContent Content);

/// <summary>
/// <c>collection build</c>: the artifact <c>NS-NAME-VERSION.tar.gz</c> with MANIFEST.json, FILES.json and the chosen
/// files, readable by ansible-galaxy. Reproducible: members sorted, every mtime the same (<c>SOURCE_DATE_EPOCH</c>,
/// else 0), owner 0/0 without names, modes 0644/0755 as ansible-galaxy sets them, and no time in the gzip header;
/// so the same tree gives the same bytes (with the same Anvil build). The archive is written to a temporary file
/// and renamed, so a failed build leaves nothing.
/// </summary>
public static class CollectionBuilder
{
    /// <summary>Reads galaxy.yml, chooses the files and hashes them (on all cores).</summary>
    public static CollectionContent Read(string collectionDir, bool forBuild = true, CancellationToken ct = default)
    {
        var meta = GalaxyYmlReader.Load(collectionDir, forBuild);
        return Read(collectionDir, meta, ct);
    }

    /// <summary>Chooses the files of <paramref name="collectionDir"/> for an already loaded <paramref name="meta"/> and hashes them (on all cores).</summary>
    public static CollectionContent Read(string collectionDir, GalaxyYml meta, CancellationToken ct = default)
    {
        var warnings = new List<string>(meta.Warnings);
        var items = SourceTree.Collect(collectionDir, meta, warnings.Add);
        var sums = new string?[items.Count];
        Parallel.For(0, items.Count, new ParallelOptions { CancellationToken = ct }, i =>
        {
            if (!items[i].IsDirectory)
            {
                sums[i] = Sha256File(items[i].ContentPath);
            }
        });
        return Content(meta.Info, items, sums, warnings);
    }

    private static CollectionContent Content(CollectionInfo info, List<SourceItem> items, string?[] sums, List<string> warnings)
    {
        var entries = new List<FileEntry>(items.Count + 1) { FileEntry.Directory(".") };
        for (var i = 0; i < items.Count; i++)
        {
            entries.Add(items[i].IsDirectory ? FileEntry.Directory(items[i].Name) : FileEntry.RegularFile(items[i].Name, sums[i]));
        }
        var files = new FilesManifest(entries);
        var filesJson = ManifestJson.Write(files);
        var manifestJson = ManifestJson.Write(new CollectionManifest(info,
            FileEntry.RegularFile(ManifestJson.FilesFileName, Convert.ToHexStringLower(SHA256.HashData(filesJson)))));
        return new CollectionContent(info, items, files, filesJson, manifestJson, warnings);
    }

    /// <summary>SHA-256 of a file, lowercase hex (the <c>chksum_sha256</c> of FILES.json).</summary>
    public static string Sha256File(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The artifact's file name, <c>NS-NAME-VERSION.tar.gz</c>.</summary>
    public static string ArtifactName(CollectionInfo info) => $"{info.Namespace}-{info.Name}-{info.Version}.tar.gz";

    /// <summary>Builds <paramref name="collectionDir"/> into <paramref name="outputDir"/> (created if missing).</summary>
    /// <exception cref="MetadataException">galaxy.yml has problems (all of them listed).</exception>
    /// <exception cref="GalaxyException">The artifact exists (without <paramref name="force"/>), or a file cannot be read.</exception>
    public static BuildResult Build(string collectionDir, string outputDir, bool force, CancellationToken ct = default)
    {
        if (!Directory.Exists(collectionDir))
        {
            throw new GalaxyException($"{collectionDir}: no such directory");
        }
        // The tree is walked while galaxy.yml is read and checked.
        var walk = Task.Run(() => SourceTree.Walk(collectionDir), ct);
        GalaxyYml meta;
        try
        {
            meta = GalaxyYmlReader.Load(collectionDir);
        }
        catch
        {
            walk.ContinueWith(t => t.Exception, TaskScheduler.Default);
            throw;
        }
        var target = Path.GetFullPath(Path.Combine(outputDir, ArtifactName(meta.Info)));
        if (Directory.Exists(target))
        {
            throw new GalaxyException($"The output collection artifact '{target}' already exists, but is a directory - aborting");
        }
        if (File.Exists(target) && !force)
        {
            throw new GalaxyException($"The file '{target}' already exists. You can use --force to re-create the collection artifact.");
        }
        if (File.Exists(outputDir))
        {
            throw new GalaxyException($"the output directory {outputDir} is a file - aborting");
        }
        var warnings = new List<string>(meta.Warnings);
        if (meta.Manifest is not null)
        {
            _ = walk.ContinueWith(t => t.Exception, TaskScheduler.Default);
        }
        var items = SourceTree.Collect(collectionDir, meta, warnings.Add, meta.Manifest is null ? walk.GetAwaiter().GetResult() : null);
        Directory.CreateDirectory(outputDir);
        var temp = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        CollectionContent content;
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                content = WriteArchive(file, meta.Info, items, warnings, ct);
            }
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        return new BuildResult(target, content);
    }

    /// <summary>The fixed member time: <c>SOURCE_DATE_EPOCH</c> when set (the reproducible-builds convention), else 0.</summary>
    public static long MemberTime =>
        long.TryParse(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH"), NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : 0;

    /// <summary>The zlib level of artifacts (ansible-galaxy uses 9; 5 is close in size and much faster).</summary>
    public const int CompressionLevel = 5;

    /// <summary>
    /// Writes the tar.gz: MANIFEST.json, FILES.json, then the members in FILES.json order. Files are read once,
    /// hashed as they go into the archive. The members are cut into runs of about <see cref="RunBytes"/> (where
    /// depends only on the files' sizes, so the output does not depend on the machine), and each run is tarred,
    /// hashed and deflated by its own thread, one per core; the two JSON members, which need every checksum, are
    /// deflated last and put first. This works because every deflate block ends on a byte boundary and tar members
    /// on 512-byte ones: the pieces join in order, whatever order they were made in.
    /// </summary>
    public static CollectionContent WriteArchive(Stream output, CollectionInfo info, List<SourceItem> items, List<string> warnings,
        CancellationToken ct = default)
    {
        var mtime = MemberTime;
        var sums = new string?[items.Count];
        var runs = Runs(items);
        var parts = new DeflatedPart[runs.Count];
        Exception? failure = null;
        var next = -1;
        var threads = Enumerable.Range(0, Math.Clamp(Environment.ProcessorCount, 1, runs.Count)).Select(_ => new Thread(() =>
        {
            try
            {
                int r;
                while (Volatile.Read(ref failure) is null && (r = Interlocked.Increment(ref next)) < runs.Count)
                {
                    parts[r] = WriteRun(items, runs[r].Start, runs[r].End, sums, mtime, ct);
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
        })
        { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        ct.ThrowIfCancellationRequested();
        var content = Content(info, items, sums, warnings);
        DeflatedPart head;
        using (var deflate = new ParallelDeflateStream(CompressionLevel))
        {
            var tar = new DeterministicTarWriter(deflate, mtime);
            tar.AddFile(ManifestJson.ManifestFileName, 0b110_100_100, content.ManifestJson);
            tar.AddFile(ManifestJson.FilesFileName, 0b110_100_100, content.FilesJson);
            head = deflate.Complete(final: false);
        }
        DeflatedPart end;
        using (var deflate = new ParallelDeflateStream(CompressionLevel))
        {
            new DeterministicTarWriter(deflate, mtime).Finish(head.Length + parts.Sum(p => p.Length));
            end = deflate.Complete(final: true);
        }
        Gzip.Write(output, $"{info.Namespace}-{info.Name}-{info.Version}.tar", CompressionLevel, [head, .. parts, end]);
        return content;
    }

    /// <summary>The size of the runs a build is cut into (16 MiB of file content).</summary>
    public const long RunBytes = 16L << 20;

    // Contiguous runs of items, a new one starting once the content so far passes a multiple of RunBytes.
    private static List<(int Start, int End)> Runs(List<SourceItem> items)
    {
        var runs = new List<(int, int)>();
        long total = 0;
        var start = 0;
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].Kind == SourceKind.File)
            {
                total += items[i].Size;
            }
            if (total >= RunBytes * (runs.Count + 1) && i + 1 < items.Count)
            {
                runs.Add((start, i + 1));
                start = i + 1;
            }
        }
        runs.Add((start, items.Count));
        return runs;
    }

    private static DeflatedPart WriteRun(List<SourceItem> items, int start, int end, string?[] sums, long mtime, CancellationToken ct)
    {
        using var deflate = new ParallelDeflateStream(CompressionLevel);
        var tar = new DeterministicTarWriter(deflate, mtime);
        var buffer = new byte[1 << 16];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = start; i < end; i++)
        {
            ct.ThrowIfCancellationRequested();
            var item = items[i];
            switch (item.Kind)
            {
                case SourceKind.Directory:
                    if (item.Name != ".")
                    {
                        tar.AddDirectory(item.Name);
                    }
                    break;
                case SourceKind.DirectoryLink:
                    tar.AddSymlink(item.Name, item.LinkTarget!);
                    break;
                case SourceKind.FileLink:
                    tar.AddSymlink(item.Name, item.LinkTarget!);
                    sums[i] = Sha256File(item.ContentPath);
                    break;
                default:
                    using (var file = new FileStream(item.ContentPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
                    {
                        tar.AddFile(item.Name, item.Executable ? 0b111_101_101 : 0b110_100_100, file, file.Length, buffer, sha);
                    }
                    sums[i] = Convert.ToHexStringLower(sha.GetHashAndReset());
                    break;
            }
        }
        return deflate.Complete(final: false);
    }
}
