using System.Runtime.InteropServices;

namespace Anvil.Runner.Execution;

/// <summary>The few libc calls the runner needs; .NET's Process cannot start a child in its own session with
/// stdout and stderr merged into one pipe, which is what lets the runner signal the whole job at once.</summary>
internal static unsafe partial class Native
{
    private const string Libc = "libc";

    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_APPEND = 0x400;
    public const int WNOHANG = 1;
    public const int O_CLOEXEC = 0x80000;
    public const int O_RDWR = 2;
    public const int O_NOCTTY = 0x100;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int EAGAIN = 11;
    public const int EEXIST = 17;
    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;
    public const short POSIX_SPAWN_SETSID = 0x80;

    // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336; sigset_t 128. Over-allocate.
    public const int OpaqueSize = 1024;

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int pipe2(int* fds, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint read(int fd, byte* buf, nint count);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint write(int fd, byte* buf, nint count);

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true)]
    public static partial int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int rename([MarshalAs(UnmanagedType.LPUTF8Str)] string from,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string to);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int unlink([MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    public const short POLLIN = 0x001;

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newfd);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_addclose(void* actions, int fd);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_addopen(void* actions, int fd,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int oflag, uint mode);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_addchdir_np(void* actions,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_setsigmask(void* attr, void* sigset);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);

    [LibraryImport(Libc)]
    public static partial int sigemptyset(void* set);

    [LibraryImport(Libc)]
    public static partial int sigaddset(void* set, int signo);

    [LibraryImport(Libc)]
    public static partial int posix_spawn(int* pid, [MarshalAs(UnmanagedType.LPUTF8Str)] string path,
        void* fileActions, void* attr, nint* argv, nint* envp);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int posix_openpt(int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int grantpt(int fd);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int unlockpt(int fd);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int ptsname_r(int fd, byte* buf, nuint buflen);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int tcgetattr(int fd, byte* termios);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int tcsetattr(int fd, int optionalActions, byte* termios);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int ioctl(int fd, nuint request, void* arg);

    // Linux termios (identical on x86-64 and arm64): four 32-bit flag words first; 60 bytes in all.
    public const int TermiosSize = 60;
    public const int TermiosOutputFlags = 4;
    public const int TermiosLocalFlags = 12;
    public const uint ONLCR = 0x4;
    public const uint ECHO = 0x8;
    public const uint ECHONL = 0x40;
    public const int TCSANOW = 0;
    public const nuint TIOCSWINSZ = 0x5414;

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, nint resolved);

    [LibraryImport(Libc)]
    public static partial void free(nint p);

    [LibraryImport(Libc)]
    public static partial uint getuid();

    /// <summary>The path with every symbolic link resolved (as realpath(3)), or null when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        var p = realpath(path, 0);
        if (p == 0)
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8(p);
        }
        finally
        {
            free(p);
        }
    }

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte* buf);

    /// <summary>True when <paramref name="path"/> is a named pipe (FIFO).</summary>
    public static bool IsFifo(string path)
    {
        // struct stat on x86-64 and arm64 glibc: st_mode is a 32-bit field at offset 24 (x86-64) or 16 (arm64).
        var buf = stackalloc byte[256];
        if (stat(path, buf) != 0)
        {
            return false;
        }
        var offset = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 16 : 24;
        var mode = *(uint*)(buf + offset);
        return (mode & 0xF000) == 0x1000;
    }

    public static bool WIFEXITED(int status) => (status & 0x7f) == 0;
    public static int WEXITSTATUS(int status) => (status >> 8) & 0xff;
    public static int WTERMSIG(int status) => status & 0x7f;
}
