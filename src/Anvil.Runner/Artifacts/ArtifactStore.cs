using System.Buffers;
using System.Globalization;
using System.Text;
using System.Runtime.InteropServices;
using Anvil.Runner.Events;
using Anvil.Runner.Execution;

namespace Anvil.Runner.Artifacts;

/// <summary>
/// Writes one run's artifacts under <c>&lt;artifact dir&gt;/&lt;ident&gt;</c>: <c>command</c>, <c>stdout</c>,
/// <c>stderr</c>, <c>job_events/</c>, then <c>status</c> and <c>rc</c>. Every whole-file write goes to a temporary
/// name and is renamed into place, so a reader never sees half a file; all files are private to the user (0600).
/// </summary>
public sealed class ArtifactStore : IAsyncDisposable
{
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDir = PrivateFile | UnixFileMode.UserExecute;

    private readonly FileStream? _stdout;
    private readonly ArrayBufferWriter<byte> _eventBuffer = new(4096);

    private ArtifactStore(string directory, bool writeOutputFiles)
    {
        Directory = directory;
        JobEventsDirectory = Path.Combine(directory, "job_events");
        System.IO.Directory.CreateDirectory(JobEventsDirectory, PrivateDir);
        if (writeOutputFiles)
        {
            _stdout = OpenPrivate(Path.Combine(directory, "stdout"));
            OpenPrivate(Path.Combine(directory, "stderr")).Dispose();
        }
    }

    public string Directory { get; }
    public string JobEventsDirectory { get; }

    /// <summary>Creates the run's directory, replacing what an earlier run with the same ident left there.</summary>
    public static ArtifactStore Create(string directory, bool writeOutputFiles)
    {
        if (System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        System.IO.Directory.CreateDirectory(directory, PrivateDir);
        return new ArtifactStore(directory, writeOutputFiles);
    }

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
        _stdout.Write(line);
        _stdout.WriteByte((byte)'\n');
    }

    public void FlushStdout() => _stdout?.Flush();

    /// <summary>Writes <c>job_events/&lt;counter&gt;-&lt;uuid&gt;.json</c>; returns its path.</summary>
    public string WriteEvent(JobEvent e)
    {
        _eventBuffer.ResetWrittenCount();
        JobEventSerializer.Write(_eventBuffer, e);
        var path = Path.Combine(JobEventsDirectory,
            e.Counter.ToString(CultureInfo.InvariantCulture) + "-" + e.Uuid + ".json");
        WriteAtomically(path, _eventBuffer.WrittenSpan);
        return path;
    }

    public void WriteStatus(string status, int rc)
    {
        _stdout?.Flush();
        WriteAtomically(Path.Combine(Directory, "rc"), Encoding.ASCII.GetBytes(rc.ToString(CultureInfo.InvariantCulture)));
        WriteAtomically(Path.Combine(Directory, "status"), Encoding.ASCII.GetBytes(status));
    }

    /// <summary>Writes an extra artifact file atomically (e.g. which timeout fired).</summary>
    public void WriteFile(string name, string content) =>
        WriteAtomically(Path.Combine(Directory, name), Encoding.UTF8.GetBytes(content));

    /// <summary>Keeps the newest <paramref name="keep"/> entries of the artifacts root, by modification time.</summary>
    public static void Rotate(string artifactRoot, int keep)
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
            throw LastError("cannot create", tmp);
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
                        throw LastError("cannot write", tmp);
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
            var error = LastError("cannot write", tmp);
            Native.unlink(tmp);
            throw error;
        }
        if (Native.rename(tmp, path) != 0)
        {
            var error = LastError("cannot rename into place", path);
            Native.unlink(tmp);
            throw error;
        }
    }

    private static IOException LastError(string what, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{what} {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    private static FileStream OpenPrivate(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.Create,
        Access = FileAccess.Write,
        Share = FileShare.Read,
        UnixCreateMode = PrivateFile,
        BufferSize = 16 * 1024,
    });

    public async ValueTask DisposeAsync()
    {
        if (_stdout is not null)
        {
            await _stdout.DisposeAsync().ConfigureAwait(false);
        }
    }
}
