using System.IO.Compression;

namespace Anvil.Runner.Streaming;

/// <summary>A zip entry that would land outside the directory it is extracted into (or go through a link).</summary>
public sealed class UnsafeArchiveException(string message) : IOException(message);

/// <summary>
/// The zips of ansible-runner's streams: a directory tree with Unix modes in the external attributes, symbolic
/// links stored as links (their target as content), FIFOs skipped. Built into a temporary file, so its size can be
/// announced before its bytes and it is never held in memory; extracted without letting any entry escape.
/// </summary>
public static class DirectoryZip
{
    private const int SymlinkType = 0xA000;
    private const int DirectoryType = 0x4000;
    private const int RegularType = 0x8000;
    private static readonly DateTime DosMin = new(1980, 1, 1, 0, 0, 0, DateTimeKind.Local);
    private static readonly DateTime DosMax = new(2107, 12, 31, 23, 59, 58, DateTimeKind.Local);

    /// <summary>Zips <paramref name="root"/> into a new temporary file and returns its path (the caller deletes
    /// it). Top-level entries named in <paramref name="excludeTopLevel"/> are left out.</summary>
    public static string CreateTemp(string root, IReadOnlyCollection<string>? excludeTopLevel = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"anvil-stream-{Guid.NewGuid():N}.zip");
        try
        {
            using var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
            {
                if (Directory.Exists(root))
                {
                    AddDirectory(zip, new DirectoryInfo(root), "", excludeTopLevel ?? []);
                }
            }
            return path;
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    // Per directory: its files, then its subdirectories (entry then contents), as os.walk gives ansible-runner.
    private static void AddDirectory(ZipArchive zip, DirectoryInfo dir, string prefix, IReadOnlyCollection<string> exclude)
    {
        var children = dir.EnumerateFileSystemInfos().Where(e => prefix.Length > 0 || !exclude.Contains(e.Name))
            .OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        var subdirs = new List<DirectoryInfo>();
        foreach (var child in children)
        {
            var name = prefix + child.Name;
            if (child.LinkTarget is { } target)
            {
                var link = zip.CreateEntry(name, CompressionLevel.NoCompression);
                link.ExternalAttributes = (SymlinkType | 0x1FF) << 16;
                using var s = link.Open();
                s.Write(System.Text.Encoding.UTF8.GetBytes(target));
                continue;
            }
            if (child is DirectoryInfo d)
            {
                subdirs.Add(d);
                continue;
            }
            if (Execution.Native.IsFifo(child.FullName))
            {
                continue; // FIFOs, sockets, devices: ansible-runner skips them too (a FIFO would block)
            }
            var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
            entry.ExternalAttributes = (RegularType | (int)child.UnixFileMode) << 16;
            entry.LastWriteTime = Clamp(child.LastWriteTime);
            using var input = new FileStream(child.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            using var output = entry.Open();
            input.CopyTo(output, 81920);
        }
        foreach (var d in subdirs)
        {
            var entry = zip.CreateEntry(prefix + d.Name + "/", CompressionLevel.NoCompression);
            entry.ExternalAttributes = (DirectoryType | (int)d.UnixFileMode) << 16;
            entry.LastWriteTime = Clamp(d.LastWriteTime);
            AddDirectory(zip, d, prefix + d.Name + "/", exclude);
        }
    }

    private static DateTimeOffset Clamp(DateTime t) => t < DosMin ? DosMin : t > DosMax ? DosMax : t;

    /// <summary>Receives a zip of <paramref name="size"/> base64-decoded bytes from a job stream into a private
    /// temporary file (never whole in memory), extracts it safely into <paramref name="target"/>, and removes the
    /// file. Both the worker (the private data dir) and the processor (the artifacts) receive zips this way.</summary>
    public static async Task ReceiveAsync(StreamFrameReader reader, long size, string target, CancellationToken ct)
    {
        var tmp = Path.Combine(Path.GetTempPath(), $"anvil-stream-{Guid.NewGuid():N}.zip");
        try
        {
            await using (var file = new FileStream(tmp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                await reader.ReadBase64Async(size, file, ct).ConfigureAwait(false);
            }
            ExtractSafely(tmp, target);
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    /// <summary>Extracts <paramref name="zipPath"/> into <paramref name="target"/> as ansible-runner does (modes and
    /// mtimes restored, links recreated, an existing FIFO removed and skipped, existing directories left as they
    /// are), refusing, before anything is written, an entry whose path is absolute or goes up out of the directory,
    /// or a link that points out of it.</summary>
    public static void ExtractSafely(string zipPath, string target)
    {
        var root = Path.GetFullPath(target);
        Directory.CreateDirectory(root);
        using var zip = ZipFile.OpenRead(zipPath);
        var plan = new List<(ZipArchiveEntry Entry, string Path, int Mode)>();
        foreach (var entry in zip.Entries)
        {
            var name = entry.FullName;
            var mode = (int)((uint)entry.ExternalAttributes >> 16);
            var full = Inside(root, name, name);
            if ((mode & 0xF000) == SymlinkType)
            {
                using var s = entry.Open();
                using var r = new StreamReader(s);
                var linkTarget = r.ReadToEnd();
                if (Path.IsPathRooted(linkTarget))
                {
                    throw new UnsafeArchiveException($"zip entry {name}: a link to the absolute path {linkTarget}, outside {target}");
                }
                Inside(root, Path.GetRelativePath(root, Path.Combine(Path.GetDirectoryName(full)!, linkTarget)), name);
            }
            plan.Add((entry, full, mode));
        }
        // Links last: no entry is ever written through a link this archive made.
        foreach (var (entry, full, mode) in plan.OrderBy(p => (p.Mode & 0xF000) == SymlinkType ? 1 : 0))
        {
            NoLinkOnTheWay(root, full, entry.FullName);
            var type = mode & 0xF000;
            var isDir = entry.FullName.EndsWith('/') || type == DirectoryType;
            if (Native(full) is { } existing)
            {
                if (existing == "link" || existing == "fifo")
                {
                    File.Delete(full);
                    if (existing == "fifo")
                    {
                        continue;
                    }
                }
                else if (existing == "dir")
                {
                    if (!isDir && type != SymlinkType)
                    {
                        throw new UnsafeArchiveException($"zip entry {entry.FullName}: a directory is in the way");
                    }
                    continue; // existing directories keep their mode
                }
            }
            if (isDir)
            {
                Directory.CreateDirectory(full);
                if ((mode & 0x1FF) != 0)
                {
                    File.SetUnixFileMode(full, (UnixFileMode)(mode & 0xFFF));
                }
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            if (type == SymlinkType)
            {
                using var s = entry.Open();
                using var r = new StreamReader(s);
                File.CreateSymbolicLink(full, r.ReadToEnd());
                continue;
            }
            var fileMode = (mode & 0xFFF) != 0 ? (UnixFileMode)(mode & 0xFFF) : UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var input = entry.Open())
            using (var output = new FileStream(full, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = fileMode | UnixFileMode.UserWrite,
            }))
            {
                input.CopyTo(output, 81920);
            }
            File.SetUnixFileMode(full, fileMode);
            File.SetLastWriteTime(full, entry.LastWriteTime.LocalDateTime);
        }
    }

    /// <summary>The full path of <paramref name="relative"/> under <paramref name="root"/>, or the refusal.</summary>
    private static string Inside(string root, string relative, string entryName)
    {
        if (relative.Length == 0 || Path.IsPathRooted(relative) || relative.Contains('\\') || relative.Contains('\0'))
        {
            throw new UnsafeArchiveException($"zip entry {entryName}: not a relative path inside the directory");
        }
        var full = Path.GetFullPath(Path.Combine(root, relative));
        if (full != root && !full.StartsWith(root + "/", StringComparison.Ordinal))
        {
            throw new UnsafeArchiveException($"zip entry {entryName} escapes the directory it is extracted into");
        }
        return full;
    }

    private static void NoLinkOnTheWay(string root, string full, string entryName)
    {
        var dir = Path.GetDirectoryName(full);
        while (dir is not null && dir.Length > root.Length)
        {
            if (new DirectoryInfo(dir).LinkTarget is not null)
            {
                throw new UnsafeArchiveException($"zip entry {entryName} goes through the symbolic link {dir}");
            }
            dir = Path.GetDirectoryName(dir);
        }
    }

    private static string? Native(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            return "link";
        }
        if (Directory.Exists(path))
        {
            return "dir";
        }
        if (!info.Exists)
        {
            return null;
        }
        return Execution.Native.IsFifo(path) ? "fifo" : "file";
    }
}
