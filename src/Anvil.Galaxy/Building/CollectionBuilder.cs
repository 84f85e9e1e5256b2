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
        var entries = new List<FileEntry>(items.Count + 1) { FileEntry.Directory(".") };
        for (var i = 0; i < items.Count; i++)
        {
            entries.Add(items[i].IsDirectory ? FileEntry.Directory(items[i].Name) : FileEntry.RegularFile(items[i].Name, sums[i]));
        }
        var files = new FilesManifest(entries);
        var filesJson = ManifestJson.Write(files);
        var manifestJson = ManifestJson.Write(new CollectionManifest(meta.Info,
            FileEntry.RegularFile(ManifestJson.FilesFileName, Convert.ToHexStringLower(SHA256.HashData(filesJson)))));
        return new CollectionContent(meta.Info, items, files, filesJson, manifestJson, warnings);
    }

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
        var meta = GalaxyYmlReader.Load(collectionDir);
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
        var content = Read(collectionDir, meta, ct);
        Directory.CreateDirectory(outputDir);
        var temp = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                WriteArchive(file, content, ct);
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

    /// <summary>Writes the tar.gz: MANIFEST.json, FILES.json, then the members in FILES.json order.</summary>
    public static void WriteArchive(Stream output, CollectionContent content, CancellationToken ct = default)
    {
        var info = content.Info;
        using var gzip = new ParallelGzipStream(output, $"{info.Namespace}-{info.Name}-{info.Version}.tar", level: 6);
        var tar = new DeterministicTarWriter(gzip, MemberTime);
        tar.AddFile(ManifestJson.ManifestFileName, 0b110_100_100, content.ManifestJson);
        tar.AddFile(ManifestJson.FilesFileName, 0b110_100_100, content.FilesJson);
        var buffer = new byte[1 << 16];
        foreach (var item in content.Items)
        {
            ct.ThrowIfCancellationRequested();
            if (item.Name == ".")
            {
                continue;
            }
            switch (item.Kind)
            {
                case SourceKind.Directory:
                    tar.AddDirectory(item.Name);
                    break;
                case SourceKind.DirectoryLink or SourceKind.FileLink:
                    tar.AddSymlink(item.Name, item.LinkTarget!);
                    break;
                default:
                    using (var file = new FileStream(item.ContentPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
                    {
                        tar.AddFile(item.Name, item.Executable ? 0b111_101_101 : 0b110_100_100, file, file.Length, buffer);
                    }
                    break;
            }
        }
        tar.Finish();
        gzip.Finish();
    }
}
