using System.Buffers;
using System.Globalization;
using System.Text;
using System.Runtime.InteropServices;
using Anvil.Events;
using Anvil.Runner.Execution;

namespace Anvil.Runner.Artifacts;

/// <summary>
/// Writes one run's artifacts under <c>&lt;artifact dir&gt;/&lt;ident&gt;</c>: <c>command</c>, <c>stdout</c>,
/// <c>stderr</c>, <c>job_events/</c>, then <c>status</c> and <c>rc</c>. Every whole-file write goes to a temporary
/// name and is renamed into place, so a reader never sees half a file; all files are private to the user (0600).
/// Every failure to write is an <see cref="ArtifactWriteException"/> naming the path and the cause. A few KiB are
/// held in reserve from the start, and given back just before <c>rc</c> and <c>status</c> are written, so that a
/// disk filled by the run still takes the final status.
/// </summary>
public sealed class ArtifactStore : IAsyncDisposable
{
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDir = PrivateFile | UnixFileMode.UserExecute;

    // Two pages (one each for rc and status) on tmpfs and 4 KiB-block file systems.
    private const int ReserveSize = 8192;
    private const string ReserveName = ".status-reserve";

    private readonly FileStream? _stdout;
    private readonly ArrayBufferWriter<byte> _eventBuffer = new(4096);
    private bool _stdoutFailed;

    private ArtifactStore(string directory, bool writeOutputFiles)
    {
        Directory = directory;
        JobEventsDirectory = Path.Combine(directory, "job_events");
        Guard(JobEventsDirectory, () => System.IO.Directory.CreateDirectory(JobEventsDirectory, PrivateDir));
        WriteAtomically(Path.Combine(directory, ReserveName), new byte[ReserveSize]);
        if (writeOutputFiles)
        {
            var stdout = Path.Combine(directory, "stdout");
            _stdout = Guard(stdout, () => OpenPrivate(stdout));
            var stderr = Path.Combine(directory, "stderr");
            Guard(stderr, () => OpenPrivate(stderr)).Dispose();
        }
    }

    private string StdoutPath => Path.Combine(Directory, "stdout");

    /// <summary>After a failure already reported: closing the store does not report another.</summary>
    public void Abandon() => _stdoutFailed = true;

    /// <summary>The run's artifact directory, <c>&lt;artifact dir&gt;/&lt;ident&gt;</c>.</summary>
    public string Directory { get; }
    /// <summary>Its <c>job_events/</c> folder, one JSON file per event.</summary>
    public string JobEventsDirectory { get; }

    /// <summary>Creates the run's directory, replacing what an earlier run with the same ident left there.</summary>
    /// <exception cref="ArtifactWriteException">The directory cannot be made or written.</exception>
    public static ArtifactStore Create(string directory, bool writeOutputFiles)
    {
        // A file where a directory must be: say so, rather than the system's "file exists" or "not a directory".
        for (var d = Path.GetDirectoryName(directory); d is not null; d = Path.GetDirectoryName(d))
        {
            if (File.Exists(d))
            {
                throw new ArtifactWriteException(d, "it is a file, not a directory");
            }
            if (System.IO.Directory.Exists(d))
            {
                break;
            }
        }
        if (File.Exists(directory))
        {
            throw new ArtifactWriteException(directory, "it is a file, not a directory");
        }
        Guard(directory, () =>
        {
            if (System.IO.Directory.Exists(directory))
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            System.IO.Directory.CreateDirectory(directory, PrivateDir);
        });
        return new ArtifactStore(directory, writeOutputFiles);
    }

    /// <summary>Writes <c>command</c> (ansible-runner's name): the program and arguments started, the working
    /// directory and the environment, already redacted by the caller.</summary>
    public void WriteCommand(IReadOnlyList<string> command, string cwd, IReadOnlyDictionary<string, string> env)
    {
        var w = new ArrayBufferWriter<byte>();
        w.Write("{\"command\": ["u8);
        for (var i = 0; i < command.Count; i++)
        {
            if (i > 0)
            {
                w.Write(", "u8);
            }
            JobEventSerializer.WriteString(w, command[i]);
        }
        w.Write("], \"cwd\": "u8);
        JobEventSerializer.WriteString(w, cwd);
        w.Write(", \"env\": {"u8);
        var first = true;
        foreach (var (k, v) in env)
        {
            if (!first)
            {
                w.Write(", "u8);
            }
            first = false;
            JobEventSerializer.WriteString(w, k);
            w.Write(": "u8);
            JobEventSerializer.WriteString(w, v);
        }
        w.Write("}}"u8);
        WriteAtomically(Path.Combine(Directory, "command"), w.WrittenSpan);
    }

    /// <summary>Appends an event's text to the <c>stdout</c> artifact (non-empty text plus a newline).</summary>
    public void AppendStdout(JobEvent e)
    {
        if (_stdout is null || e.Stdout.Length == 0)
        {
            return;
        }
        AppendStdoutLine(Encoding.UTF8.GetBytes(e.Stdout));
    }

    /// <summary>Appends an event's JSON line to the <c>stdout</c> artifact (JSON mode).</summary>
    public void AppendStdoutLine(ReadOnlySpan<byte> line)
    {
        if (_stdout is null)
        {
            return;
        }
        try
        {
            _stdout.Write(line);
            _stdout.WriteByte((byte)'\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _stdoutFailed = true;
            throw ArtifactWriteException.From(StdoutPath, e);
        }
    }

    /// <summary>Writes buffered <c>stdout</c> text to disk, so readers of the file see it now.</summary>
    /// <exception cref="ArtifactWriteException">The file could not be written.</exception>
    public void FlushStdout()
    {
        try
        {
            _stdout?.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _stdoutFailed = true;
            throw ArtifactWriteException.From(StdoutPath, e);
        }
    }

    /// <summary>Writes <c>job_events/&lt;counter&gt;-&lt;uuid&gt;.json</c>; returns its path.</summary>
    public string WriteEvent(JobEvent e)
    {
        _eventBuffer.ResetWrittenCount();
        JobEventSerializer.Write(_eventBuffer, e);
        return WriteEvent(e.Counter, e.Uuid, _eventBuffer.WrittenSpan);
    }

    /// <summary>Writes <c>job_events/&lt;counter&gt;-&lt;uuid&gt;.json</c> with an event already serialized (a JSON-mode
    /// line, a worker stream's line); returns its path.</summary>
    public string WriteEvent(long counter, string uuid, ReadOnlySpan<byte> json)
    {
        var path = Path.Combine(JobEventsDirectory, counter.ToString(CultureInfo.InvariantCulture) + "-" + uuid + ".json");
        WriteAtomically(path, json);
        return path;
    }

    /// <summary>Writes <c>rc</c> and <c>status</c>, into the space held in reserve. A <c>stdout</c> that could not be
    /// written does not keep them from being written.</summary>
    public void WriteStatus(string status, int rc)
    {
        if (!_stdoutFailed)
        {
            FlushStdout();
        }
        try
        {
            File.Delete(Path.Combine(Directory, ReserveName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without the reserve back, rc and status may still fit.
        }
        WriteAtomically(Path.Combine(Directory, "rc"), Encoding.ASCII.GetBytes(rc.ToString(CultureInfo.InvariantCulture)));
        WriteAtomically(Path.Combine(Directory, "status"), Encoding.ASCII.GetBytes(status));
    }

    /// <summary>Writes an extra artifact file atomically (e.g. which timeout fired).</summary>
    public void WriteFile(string name, string content) =>
        WriteAtomically(Path.Combine(Directory, name), Encoding.UTF8.GetBytes(content));

    /// <summary>Keeps the newest <paramref name="keep"/> entries of the artifacts root, by modification time.</summary>
    public static void Rotate(string artifactRoot, int keep) => Guard(artifactRoot, () => RotateUnguarded(artifactRoot, keep));

    private static void RotateUnguarded(string artifactRoot, int keep)
    {
        if (keep <= 0 || !System.IO.Directory.Exists(artifactRoot))
        {
            return;
        }
        var entries = new DirectoryInfo(artifactRoot).EnumerateFileSystemInfos()
            .OrderByDescending(e => e.LastWriteTimeUtc)
            .Skip(keep);
        foreach (var entry in entries)
        {
            if (entry is DirectoryInfo d)
            {
                d.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
    }

    // Raw open/write/rename: FileStream's FileMode.Create adds ftruncate (which makes ext4 flush the file on close),
    // flock and fstatfs, and that tripled the cost of each of a run's thousands of job_events files.
    internal static unsafe void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        var tmp = path + ".tmp";
        var fd = Native.open(tmp, Native.O_WRONLY | Native.O_CREAT | Native.O_EXCL | Native.O_CLOEXEC, 0b110_000_000);
        if (fd < 0 && Marshal.GetLastPInvokeError() == Native.EEXIST)
        {
            Native.unlink(tmp);
            fd = Native.open(tmp, Native.O_WRONLY | Native.O_CREAT | Native.O_EXCL | Native.O_CLOEXEC, 0b110_000_000);
        }
        if (fd < 0)
        {
            throw LastError(path);
        }
        try
        {
            fixed (byte* start = content)
            {
                var done = 0;
                while (done < content.Length)
                {
                    var n = Native.write(fd, start + done, content.Length - done);
                    if (n < 0)
                    {
                        if (Marshal.GetLastPInvokeError() == Native.EINTR)
                        {
                            continue;
                        }
                        throw LastError(path);
                    }
                    done += (int)n;
                }
            }
        }
        catch
        {
            Native.close(fd);
            Native.unlink(tmp);
            throw;
        }
        if (Native.close(fd) != 0)
        {
            var error = LastError(path);
            Native.unlink(tmp);
            throw error;
        }
        if (Native.rename(tmp, path) != 0)
        {
            var error = LastError(path);
            Native.unlink(tmp);
            throw error;
        }
    }

    // Named by the file being written, not its temporary name.
    private static ArtifactWriteException LastError(string path) =>
        new(path, Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));

    private static void Guard(string path, Action action) => Guard(path, () => { action(); return 0; });

    private static T Guard<T>(string path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ArtifactWriteException.From(path, e);
        }
    }

    private static FileStream OpenPrivate(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.Create,
        Access = FileAccess.Write,
        Share = FileShare.Read,
        UnixCreateMode = PrivateFile,
        BufferSize = 16 * 1024,
    });

    /// <summary>Closes <c>stdout</c>. A failure to write what was buffered is reported here unless it was reported
    /// already (or the store was abandoned).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stdout is null)
        {
            return;
        }
        try
        {
            await _stdout.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!_stdoutFailed)
            {
                throw ArtifactWriteException.From(StdoutPath, e);
            }
            // Already reported; what was buffered is lost with the disk that is full.
        }
    }
}
