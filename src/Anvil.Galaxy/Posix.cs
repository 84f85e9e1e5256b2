using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Anvil.Galaxy;

/// <summary>The file type of a path, as <c>stat</c> reports it.</summary>
internal enum PosixFileType
{
    Missing,
    Regular,
    Directory,
    Symlink,
    Other,
}

/// <summary>The few POSIX calls .NET does not offer: the file type (to refuse FIFOs and devices) and realpath.</summary>
internal static partial class Posix
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;
    private const uint StatxSize = 0x200;

    // struct statx has the same layout on every Linux architecture: stx_mode is a u16 at offset 28.
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr RealPathNative(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags, int mode);

    private const int OWrOnly = 0x1;
    private const int OCreat = 0x40;
    private const int OExcl = 0x80;
    private const int OCloExec = 0x80000;

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(IntPtr pointer);

    /// <summary>The type of <paramref name="path"/>; <paramref name="follow"/> follows a final symlink.</summary>
    public static PosixFileType TypeOf(string path, bool follow, out bool executable) => TypeOf(path, follow, out executable, out _);

    /// <summary>The type, owner-executable bit and size of <paramref name="path"/>, in one call.</summary>
    public static unsafe PosixFileType TypeOf(string path, bool follow, out bool executable, out long size)
    {
        executable = false;
        size = 0;
        var buffer = stackalloc byte[256];
        if (statx(AtFdCwd, path, follow ? 0 : AtSymlinkNoFollow, StatxType | StatxMode | StatxSize, buffer) != 0)
        {
            return PosixFileType.Missing;
        }
        // stx_size is a u64 at offset 40.
        size = (long)*(ulong*)(buffer + 40);
        var mode = *(ushort*)(buffer + 28);
        executable = (mode & 0b001_000_000) != 0;
        return (mode & 0xF000) switch
        {
            0x8000 => PosixFileType.Regular,
            0x4000 => PosixFileType.Directory,
            0xA000 => PosixFileType.Symlink,
            _ => PosixFileType.Other,
        };
    }

    /// <summary>
    /// Creates a new file for writing (it must not exist), mode 0755 or 0644 before the umask. .NET's FileStream
    /// adds an flock, an fstat and an lseek to every file; an install writes thousands of small files, and those
    /// calls were a third of its system time.
    /// </summary>
    public static SafeFileHandle CreateNew(string path, bool executable)
    {
        var fd = OpenNative(path, OWrOnly | OCreat | OExcl | OCloExec, executable ? 0b111_101_101 : 0b110_100_100);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Cannot create '{path}': {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Writes all of <paramref name="data"/> at the handle's current end (a new file: offset grows from 0).</summary>
    public static void WriteAll(SafeFileHandle file, ReadOnlySpan<byte> data, ref long offset)
    {
        RandomAccess.Write(file, data, offset);
        offset += data.Length;
    }

    /// <summary>The absolute path with every symlink resolved, or null when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        var p = RealPathNative(path, IntPtr.Zero);
        if (p == IntPtr.Zero)
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8(p);
        }
        finally
        {
            Free(p);
        }
    }

    /// <summary>This process's umask (from /proc/self/status; 022 assumed when unreadable, which only costs chmods).</summary>
    public static int Umask { get; } = ReadUmask();

    private static int ReadUmask()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Umask:", StringComparison.Ordinal));
            return line is null ? 0b111_111_111 : Convert.ToInt32(line[6..].Trim(), 8);
        }
        catch (IOException)
        {
            return 0b111_111_111;
        }
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or below it (both absolute, normalized).</summary>
    public static bool IsWithin(string path, string root) =>
        path == root || (path.StartsWith(root, StringComparison.Ordinal) &&
                         (root.EndsWith('/') || (path.Length > root.Length && path[root.Length] == '/')));
}
