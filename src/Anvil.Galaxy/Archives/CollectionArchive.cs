using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Anvil.Galaxy.Metadata;

namespace Anvil.Galaxy.Archives;

/// <summary>How much an artifact may unpack to: <see cref="MaxRatio"/> times its compressed size, but at least
/// <see cref="MinimumAllowance"/> and never more than <see cref="MaxBytes"/>. Real collections stay far below
/// (the largest in Debian's ansible package unpacks to 43× its tarball); a bomb does not.</summary>
public sealed record ExtractionLimits
{
    /// <summary>Default 250.</summary>
    public double MaxRatio { get; init; } = 250;

    /// <summary>Default 256 MiB.</summary>
    public long MinimumAllowance { get; init; } = 256L << 20;

    /// <summary>Default 8 GiB.</summary>
    public long MaxBytes { get; init; } = 8L << 30;

    /// <summary>Default 250,000 members.</summary>
    public int MaxMembers { get; init; } = 250_000;

    /// <summary>The limits above at their defaults.</summary>
    public static ExtractionLimits Default { get; } = new();

    /// <summary>Most bytes an archive of <paramref name="compressedSize"/> bytes may unpack to: <see cref="MaxRatio"/> times its size, at least <see cref="MinimumAllowance"/>, at most <see cref="MaxBytes"/>.</summary>
    public long AllowedFor(long compressedSize) =>
        Math.Min(MaxBytes, Math.Max(MinimumAllowance, (long)Math.Min(long.MaxValue / 2, compressedSize * MaxRatio)));
}

/// <summary>An artifact that is refused: unsafe paths or member types, content not matching FILES.json, a bomb.</summary>
public sealed class UnsafeArtifactException(string message) : GalaxyException(message);

/// <summary>The metadata members of an artifact, with their exact bytes (for checksums).</summary>
public sealed record ArtifactManifests(CollectionManifest Manifest, byte[] ManifestBytes, FilesManifest Files, byte[] FilesBytes);

/// <summary>
/// Reads collection artifacts (gzip-compressed or plain tar) safely. Extraction writes only what FILES.json lists,
/// checks every file's sha256 as it is written, and refuses the whole artifact for: a member with an absolute path,
/// <c>..</c> or a non-canonical name; a device, FIFO or other special member; a symlink or hard link whose target
/// is absolute or leaves the collection (checked again on the finished tree, so chains of links cannot escape);
/// a member listed twice; a FILES.json entry without its member; and more output than
/// <see cref="ExtractionLimits"/> allows. Links are created last, after every file is written, so no write goes
/// through a link. The destination must be a new, empty directory; on failure the caller removes it.
/// </summary>
public static class CollectionArchive
{
    private const int MaxManifestBytes = 64 << 20;

    /// <summary>Reads MANIFEST.json and FILES.json (normally the first two members).</summary>
    public static ArtifactManifests ReadManifests(string tarball, ExtractionLimits? limits = null, CancellationToken ct = default)
    {
        byte[]? manifest = null;
        byte[]? files = null;
        using (var reader = Open(tarball, limits ?? ExtractionLimits.Default, out _))
        {
            Each(reader, tarball, limits ?? ExtractionLimits.Default, entry =>
            {
                ct.ThrowIfCancellationRequested();
                var name = MemberName(entry, tarball);
                if (name == ManifestJson.ManifestFileName && manifest is null)
                {
                    manifest = ReadSmall(entry, tarball);
                }
                else if (name == ManifestJson.FilesFileName && files is null)
                {
                    files = ReadSmall(entry, tarball);
                }
                return manifest is null || files is null;
            });
        }
        if (manifest is null)
        {
            throw new GalaxyException($"Collection at '{tarball}' does not contain the required file MANIFEST.json.");
        }
        if (files is null)
        {
            throw new GalaxyException($"Collection at '{tarball}' does not contain the required file FILES.json.");
        }
        return new ArtifactManifests(
            ManifestJson.ReadManifest(manifest, $"{tarball}!MANIFEST.json"), manifest,
            ManifestJson.ReadFiles(files, $"{tarball}!FILES.json"), files);
    }

    /// <summary>Only MANIFEST.json (what dependency resolution needs).</summary>
    public static CollectionManifest ReadManifest(string tarball, CancellationToken ct = default)
    {
        byte[]? manifest = null;
        using (var reader = Open(tarball, ExtractionLimits.Default, out _))
        {
            Each(reader, tarball, ExtractionLimits.Default, entry =>
            {
                ct.ThrowIfCancellationRequested();
                if (MemberName(entry, tarball) == ManifestJson.ManifestFileName)
                {
                    manifest = ReadSmall(entry, tarball);
                    return false;
                }
                return true;
            });
        }
        return manifest is null
            ? throw new GalaxyException($"Collection at '{tarball}' does not contain the required file MANIFEST.json.")
            : ManifestJson.ReadManifest(manifest, $"{tarball}!MANIFEST.json");
    }

    /// <summary>Extracts into <paramref name="destination"/> (created; must not exist or be empty).</summary>
    public static ArtifactManifests Extract(string tarball, string destination, ExtractionLimits? limits = null,
        Action<string>? warn = null, CancellationToken ct = default)
    {
        limits ??= ExtractionLimits.Default;
        Directory.CreateDirectory(destination);
        if (Directory.EnumerateFileSystemEntries(destination).Any())
        {
            throw new InvalidOperationException($"{destination} is not empty");
        }
        SetMode(destination, directory: true, executable: false);
        using var state = new ExtractState(tarball, destination, warn);
        var skipped = new HashSet<int>();
        using (var reader = Open(tarball, limits, out _))
        {
            var index = 0;
            Each(reader, tarball, limits, entry =>
            {
                ct.ThrowIfCancellationRequested();
                var name = CheckMember(entry, tarball);
                index++;
                if (name == ManifestJson.ManifestFileName)
                {
                    state.ManifestBytes = state.ManifestBytes is null
                        ? ReadSmall(entry, tarball)
                        : throw new UnsafeArtifactException($"Refusing '{tarball}': member '{name}' appears twice");
                }
                else if (name == ManifestJson.FilesFileName)
                {
                    state.FilesBytes = state.FilesBytes is null
                        ? ReadSmall(entry, tarball)
                        : throw new UnsafeArtifactException($"Refusing '{tarball}': member '{name}' appears twice");
                    state.LoadFiles();
                }
                else if (state.Expected is null)
                {
                    // Members before FILES.json: read it first, then come back for them (ansible-galaxy's own
                    // artifacts start with MANIFEST.json and FILES.json, so this is rare).
                    skipped.Add(index);
                }
                else
                {
                    state.Materialize(entry, name);
                }
                return true;
            });
        }
        if (state.ManifestBytes is null)
        {
            throw new UnsafeArtifactException($"Collection at '{tarball}' does not contain the required file MANIFEST.json.");
        }
        if (state.Expected is null)
        {
            throw new UnsafeArtifactException($"Collection at '{tarball}' does not contain the required file FILES.json.");
        }
        if (skipped.Count > 0)
        {
            using var reader = Open(tarball, limits, out _);
            var index = 0;
            Each(reader, tarball, limits, entry =>
            {
                ct.ThrowIfCancellationRequested();
                var name = CheckMember(entry, tarball);
                if (skipped.Contains(++index))
                {
                    state.Materialize(entry, name);
                }
                return index < skipped.Max();
            });
        }
        state.Finish();
        var manifest = ManifestJson.ReadManifest(state.ManifestBytes, $"{tarball}!MANIFEST.json");
        // Both JSON members are kept byte for byte (ansible-galaxy verify hashes them).
        WriteFile(Path.Combine(destination, ManifestJson.ManifestFileName), state.ManifestBytes);
        WriteFile(Path.Combine(destination, ManifestJson.FilesFileName), state.FilesBytes!);
        return new ArtifactManifests(manifest, state.ManifestBytes, state.Files!, state.FilesBytes!);
    }

    /// <summary>The sha256 of one member's content (for verify), or null when absent.</summary>
    public static string? MemberSha256(string tarball, string member)
    {
        string? sum = null;
        using var reader = Open(tarball, ExtractionLimits.Default, out _);
        Each(reader, tarball, ExtractionLimits.Default, entry =>
        {
            if (MemberName(entry, tarball) == member && entry.DataStream is { } data)
            {
                sum = Convert.ToHexStringLower(SHA256.HashData(data));
                return false;
            }
            return true;
        });
        return sum;
    }

    private sealed class ExtractState(string tarball, string root, Action<string>? warn) : IDisposable
    {
        // Files are written by a few workers while the one reader inflates and parses the archive (inflating is
        // sequential; creating, writing and hashing files need not be). Directories are made by the reader
        // before a file in them is queued; big files are written by the reader itself, not held in memory.
        // The writers are threads of their own, not thread-pool tasks: installs run on pool threads that block here
        // when the queue is full, and must not wait for work that needs a pool thread to run.
        private const int QueuedFileLimit = 8 << 20;
        private readonly System.Collections.Concurrent.BlockingCollection<(string Name, string Path, byte[] Data, string? Expected, bool Executable)> _queue =
            new(boundedCapacity: 256);
        private List<Thread>? _writers;
        private Exception? _writeError;

        private readonly HashSet<string> _done = new(StringComparer.Ordinal);
        private readonly HashSet<string> _regular = new(StringComparer.Ordinal);
        private readonly List<(string Name, string Target, FileEntry Entry)> _symlinks = [];
        private readonly List<(string Name, string Target, FileEntry Entry)> _hardlinks = [];
        private readonly HashSet<string> _directoryLinks = new(StringComparer.Ordinal);
        private readonly List<(string Name, FileEntry Entry)> _beneathLinks = [];

        public byte[]? ManifestBytes { get; set; }

        public byte[]? FilesBytes { get; set; }

        public FilesManifest? Files { get; private set; }

        public Dictionary<string, FileEntry>? Expected { get; private set; }

        public void LoadFiles()
        {
            Files = ManifestJson.ReadFiles(FilesBytes, $"{tarball}!FILES.json");
            Expected = new Dictionary<string, FileEntry>(StringComparer.Ordinal);
            foreach (var f in Files.Files)
            {
                if (f.Name == ".")
                {
                    continue;
                }
                if (UnsafeReason(f.Name) is { } why)
                {
                    throw new UnsafeArtifactException($"Refusing '{tarball}': FILES.json lists '{f.Name}', {why}");
                }
                if (f.Name is ManifestJson.ManifestFileName or ManifestJson.FilesFileName)
                {
                    throw new UnsafeArtifactException($"Refusing '{tarball}': FILES.json lists '{f.Name}' itself");
                }
                Expected[f.Name] = f;
            }
        }

        public void Materialize(TarEntry entry, string name)
        {
            if (!Expected!.TryGetValue(name, out var expected))
            {
                warn?.Invoke($"'{tarball}': member '{name}' is not listed in FILES.json; not installed");
                return;
            }
            if (!_done.Add(name))
            {
                throw new UnsafeArtifactException($"Refusing '{tarball}': member '{name}' appears twice");
            }
            var path = Path.Combine(root, name);
            if (BeneathDirectoryLink(name))
            {
                // ansible-galaxy writes these through the link (manifest: builds of symlinked directories); Anvil
                // writes nothing through a link: the content is checked, and the path is checked once links exist.
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile &&
                    expected.ChksumSha256 is not null && entry.DataStream is { } data &&
                    Convert.ToHexStringLower(SHA256.HashData(data)) != expected.ChksumSha256.ToLowerInvariant())
                {
                    throw new UnsafeArtifactException($"Checksum mismatch for '{name}' inside collection at '{tarball}'");
                }
                if (entry.EntryType is not (TarEntryType.Directory or TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile))
                {
                    throw new UnsafeArtifactException($"Refusing '{tarball}': '{name}' is a {entry.EntryType} member below a symlinked directory");
                }
                _beneathLinks.Add((name, expected));
                return;
            }
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (!expected.IsDir)
                    {
                        throw new UnsafeArtifactException($"Refusing '{tarball}': '{name}' is a directory but FILES.json lists a file");
                    }
                    MakeDirectories(path);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    if (expected.IsDir)
                    {
                        throw new UnsafeArtifactException($"Refusing '{tarball}': '{name}' is a file but FILES.json lists a directory");
                    }
                    MakeDirectories(Path.GetDirectoryName(path)!);
                    var executable = ((int)entry.Mode & 0b001_000_000) != 0;
                    if (entry.Length <= QueuedFileLimit)
                    {
                        var data = new byte[entry.Length];
                        entry.DataStream?.ReadExactly(data);
                        Queue(name, path, data, expected.ChksumSha256, executable);
                    }
                    else
                    {
                        var sum = WriteMember(entry, path, executable);
                        CheckSum(name, sum, expected.ChksumSha256);
                    }
                    _regular.Add(name);
                    break;
                case TarEntryType.SymbolicLink:
                    _symlinks.Add((name, entry.LinkName, expected));
                    if (expected.IsDir)
                    {
                        _directoryLinks.Add(name);
                    }
                    break;
                case TarEntryType.HardLink:
                    if (expected.IsDir)
                    {
                        throw new UnsafeArtifactException($"Refusing '{tarball}': '{name}' is a hard link but FILES.json lists a directory");
                    }
                    _hardlinks.Add((name, entry.LinkName.TrimEnd('/'), expected));
                    break;
                default:
                    throw new UnsafeArtifactException($"Refusing '{tarball}': '{name}' is a {entry.EntryType} member");
            }
        }

        private void CheckSum(string name, string actual, string? expected)
        {
            if (expected is not null && !string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                throw new UnsafeArtifactException($"Checksum mismatch for '{name}' inside collection at '{tarball}'");
            }
        }

        private void Queue(string name, string path, byte[] data, string? expected, bool executable)
        {
            if (Volatile.Read(ref _writeError) is { } error)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            }
            if (_writers is null)
            {
                _writers = Enumerable.Range(0, Math.Clamp(Environment.ProcessorCount, 1, 4))
                    .Select(_ => new Thread(WriteQueued) { IsBackground = true, Name = "anvil-extract" }).ToList();
                _writers.ForEach(t => t.Start());
            }
            _queue.Add((name, path, data, expected, executable));
        }

        private void WriteQueued()
        {
            foreach (var (name, path, data, expected, executable) in _queue.GetConsumingEnumerable())
            {
                if (Volatile.Read(ref _writeError) is not null)
                {
                    continue;
                }
                try
                {
                    using (var output = Posix.CreateNew(path, executable))
                    {
                        long offset = 0;
                        Posix.WriteAll(output, data, ref offset);
                    }
                    FixMode(path, directory: false, executable);
                    CheckSum(name, Convert.ToHexStringLower(SHA256.HashData(data)), expected);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _writeError, e, null);
                }
            }
        }

        /// <summary>Waits for the queued files; the first write or checksum error is thrown.</summary>
        private void DrainWriters()
        {
            _queue.CompleteAdding();
            _writers?.ForEach(t => t.Join());
            if (_writeError is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_writeError);
            }
        }

        /// <summary>Stops the writers (after an error elsewhere) before the caller removes the directory.</summary>
        public void Dispose()
        {
            if (!_queue.IsAddingCompleted)
            {
                _queue.CompleteAdding();
            }
            _writers?.ForEach(t => t.Join());
            _queue.Dispose();
        }

        public void Finish()
        {
            DrainWriters();
            foreach (var (name, target, expected) in _hardlinks)
            {
                if (UnsafeReason(target) is { } why || !_regular.Contains(target))
                {
                    throw new UnsafeArtifactException(
                        $"Refusing '{tarball}': hard link '{name}' points to '{target}', which is not a file of the collection");
                }
                var path = Path.Combine(root, name);
                MakeDirectories(Path.GetDirectoryName(path)!);
                File.Copy(Path.Combine(root, target), path);
                if (expected.ChksumSha256 is not null && Sum(path) != expected.ChksumSha256.ToLowerInvariant())
                {
                    throw new UnsafeArtifactException($"Checksum mismatch for '{name}' inside collection at '{tarball}'");
                }
                _regular.Add(name);
            }
            foreach (var (name, expected) in Expected!)
            {
                if (_done.Contains(name))
                {
                    continue;
                }
                throw expected.IsDir
                    ? new UnsafeArtifactException($"Unable to extract '{name}' from collection '{tarball}' (FILES.json lists it, the archive does not have it)")
                    : new UnsafeArtifactException($"Collection tar at '{tarball}' does not contain the expected file '{name}'.");
            }
            // Links last: nothing is written after this, so no write can go through one.
            foreach (var (name, target, _) in _symlinks)
            {
                if (target.Length == 0 || target.StartsWith('/') || target.Contains('\0'))
                {
                    throw new UnsafeArtifactException($"Cannot extract symlink '{name}' in collection: path points to location outside of collection '{target}'");
                }
                var resolved = Lexical(Path.GetDirectoryName(name) is { Length: > 0 } d ? d + "/" + target : target);
                if (resolved is null)
                {
                    throw new UnsafeArtifactException($"Cannot extract symlink '{name}' in collection: path points to location outside of collection '{target}'");
                }
                var path = Path.Combine(root, name);
                MakeDirectories(Path.GetDirectoryName(path)!);
                if (Path.Exists(path))
                {
                    throw new UnsafeArtifactException($"Refusing '{tarball}': symlink '{name}' would replace a path other members created");
                }
                File.CreateSymbolicLink(path, target);
            }
            var realRoot = Posix.RealPath(root)!;
            foreach (var (name, target, expected) in _symlinks)
            {
                var path = Path.Combine(root, name);
                var real = Posix.RealPath(path);
                if (real is null || !Posix.IsWithin(real, realRoot))
                {
                    throw new UnsafeArtifactException($"Cannot extract symlink '{name}' in collection: path points to location outside of collection '{target}'");
                }
                var type = Posix.TypeOf(real, follow: false, out _);
                if (expected.IsDir ? type != PosixFileType.Directory : type != PosixFileType.Regular)
                {
                    throw new UnsafeArtifactException($"Refusing '{tarball}': symlink '{name}' does not point to a {(expected.IsDir ? "directory" : "file")} of the collection");
                }
                if (!expected.IsDir && expected.ChksumSha256 is not null && Sum(real) != expected.ChksumSha256.ToLowerInvariant())
                {
                    throw new UnsafeArtifactException($"Checksum mismatch for '{name}' inside collection at '{tarball}'");
                }
            }
            foreach (var (name, expected) in _beneathLinks)
            {
                var real = Posix.RealPath(Path.Combine(root, name));
                var type = real is null ? PosixFileType.Missing : Posix.TypeOf(real, follow: false, out _);
                if (real is null || !Posix.IsWithin(real, realRoot) || (expected.IsDir ? type != PosixFileType.Directory : type != PosixFileType.Regular))
                {
                    throw new UnsafeArtifactException($"Refusing '{tarball}': '{name}' below a symlinked directory is not what FILES.json lists");
                }
                if (!expected.IsDir && expected.ChksumSha256 is not null && Sum(real) != expected.ChksumSha256.ToLowerInvariant())
                {
                    throw new UnsafeArtifactException($"Checksum mismatch for '{name}' inside collection at '{tarball}'");
                }
            }
        }

        private bool BeneathDirectoryLink(string name)
        {
            for (var i = name.LastIndexOf('/'); i > 0; i = name.LastIndexOf('/', i - 1))
            {
                if (_directoryLinks.Contains(name[..i]))
                {
                    return true;
                }
            }
            return false;
        }

        private readonly HashSet<string> _made = new(StringComparer.Ordinal);

        private void MakeDirectories(string dir)
        {
            // Each level is created here (0755); none can be a link, since links come last.
            if (dir.Length <= root.Length || _made.Contains(dir))
            {
                return;
            }
            MakeDirectories(Path.GetDirectoryName(dir)!);
            if (!Directory.Exists(dir))
            {
                if (File.Exists(dir))
                {
                    throw new UnsafeArtifactException($"Refusing '{tarball}': '{Path.GetRelativePath(root, dir)}' is a file and a directory");
                }
                Directory.CreateDirectory(dir, Mode(directory: true, executable: false));
                FixMode(dir, directory: true, executable: false);
            }
            _made.Add(dir);
        }

        private static string WriteMember(TarEntry entry, string path, bool executable)
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using (var output = Posix.CreateNew(path, executable))
            {
                if (entry.DataStream is { } data)
                {
                    var buffer = new byte[1 << 16];
                    long offset = 0;
                    int n;
                    while ((n = data.Read(buffer)) > 0)
                    {
                        sha.AppendData(buffer, 0, n);
                        Posix.WriteAll(output, buffer.AsSpan(0, n), ref offset);
                    }
                }
            }
            FixMode(path, directory: false, executable);
            return Convert.ToHexStringLower(sha.GetHashAndReset());
        }

        private static string Sum(string path) => Building.CollectionBuilder.Sha256File(path);
    }

    /// <summary>Normalizes a relative path without touching the disk; null if it leaves the root.</summary>
    private static string? Lexical(string relative)
    {
        var parts = new List<string>();
        foreach (var part in relative.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count == 0)
                {
                    return null;
                }
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    /// <summary>Why a member or FILES.json name is unsafe, or null.</summary>
    public static string? UnsafeReason(string name)
    {
        if (name.Length == 0)
        {
            return "an empty path";
        }
        if (name.Contains('\0'))
        {
            return "a path with a NUL byte";
        }
        if (name.StartsWith('/'))
        {
            return "an absolute path";
        }
        if (name.Length > 4096)
        {
            return "a path longer than 4096 characters";
        }
        foreach (var part in name.Split('/'))
        {
            if (part == "..")
            {
                return "a path with '..'";
            }
            if (part is "" or ".")
            {
                return "a non-canonical path";
            }
        }
        return null;
    }

    private static string MemberName(TarEntry entry, string tarball) => entry.Name.TrimEnd('/');

    /// <summary>The member's name after refusing unsafe names and special member types.</summary>
    private static string CheckMember(TarEntry entry, string tarball)
    {
        var name = MemberName(entry, tarball);
        if (UnsafeReason(name) is { } why)
        {
            throw new UnsafeArtifactException($"Refusing '{tarball}': member '{entry.Name}' has {why}");
        }
        if (entry.EntryType is TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo)
        {
            var kind = entry.EntryType == TarEntryType.Fifo ? "a FIFO" : "a device file";
            throw new UnsafeArtifactException($"Refusing '{tarball}': member '{name}' is {kind}");
        }
        if (entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink && entry.LinkName.StartsWith('/'))
        {
            throw new UnsafeArtifactException($"Refusing '{tarball}': link '{name}' points to the absolute path '{entry.LinkName}'");
        }
        return name;
    }

    private static byte[] ReadSmall(TarEntry entry, string tarball)
    {
        if (entry.Length > MaxManifestBytes)
        {
            throw new UnsafeArtifactException($"Refusing '{tarball}': '{entry.Name}' is {entry.Length} bytes");
        }
        if (entry.DataStream is null)
        {
            return [];
        }
        using var ms = new MemoryStream((int)entry.Length);
        entry.DataStream.CopyTo(ms);
        return ms.ToArray();
    }

    private static void WriteFile(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        SetMode(path, directory: false, executable: false);
    }

    private static UnixFileMode Mode(bool directory, bool executable)
    {
        const UnixFileMode rw = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode x = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return directory || executable ? rw | x : rw;
    }

    private static void SetMode(string path, bool directory, bool executable) => File.SetUnixFileMode(path, Mode(directory, executable));

    /// <summary>Modes are 0644/0755 whatever the umask, as ansible-galaxy sets them; when the umask leaves the mode
    /// given at creation alone (the usual 022), no chmod is needed.</summary>
    private static void FixMode(string path, bool directory, bool executable)
    {
        if (((int)Mode(directory, executable) & Posix.Umask) != 0)
        {
            SetMode(path, directory, executable);
        }
    }

    private static TarReader Open(string tarball, ExtractionLimits limits, out long compressedSize)
    {
        FileStream file;
        try
        {
            file = new FileStream(tarball, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GalaxyException($"{tarball}: {e.Message}");
        }
        compressedSize = file.Length;
        Span<byte> head = stackalloc byte[262];
        var n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        file.Position = 0;
        Stream content;
        if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            content = new GZipStream(file, CompressionMode.Decompress);
        }
        else if (n >= 262 && head.Slice(257, 5).SequenceEqual("ustar"u8))
        {
            content = file;
        }
        else
        {
            file.Dispose();
            var what = n >= 3 && head[..3].SequenceEqual("BZh"u8) ? " (bzip2 is not read; use gzip)"
                : n >= 6 && head[..6].SequenceEqual(new byte[] { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 }) ? " (xz is not read; use gzip)" : "";
            throw new GalaxyException($"Collection artifact at '{tarball}' is not a valid tar file{what}.");
        }
        var size = compressedSize;
        var allowed = limits.AllowedFor(size);
        var limited = new LimitedReadStream(content, allowed, limit => new UnsafeArtifactException(
            $"Refusing '{tarball}': it unpacks to more than {limit / (1 << 20):N0} MiB from {size / 1024.0:N0} KiB " +
            "(a decompression bomb?)"));
        return new TarReader(limited, leaveOpen: false);
    }

    /// <summary>Runs <paramref name="each"/> on every member until it returns false; damaged archives and the
    /// member limit become clear errors.</summary>
    private static void Each(TarReader reader, string tarball, ExtractionLimits limits, Func<TarEntry, bool> each)
    {
        var count = 0;
        try
        {
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
                {
                    continue;
                }
                if (++count > limits.MaxMembers)
                {
                    throw new UnsafeArtifactException($"Refusing '{tarball}': more than {limits.MaxMembers:N0} members");
                }
                if (!each(entry))
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new GalaxyException($"Collection artifact at '{tarball}' is damaged ({e.Message})");
        }
    }
}
