using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Anvil.Runner.Execution;

/// <summary>
/// A child started in its own session (so its pid is also its process-group id) with stdin on /dev/null and
/// stdout and stderr merged into one pipe, read in order, the way a terminal would show them; or, to answer
/// prompts, on a pseudo-terminal of its own (<see cref="StartOnTerminal"/>).
/// </summary>
internal sealed unsafe class ChildProcess : IDisposable
{
    private int _readFd;
    private int _errorFd = -1;
    private readonly bool _terminal;
    private readonly Task<int> _exit;

    private ChildProcess(int pid, int readFd, bool terminal)
    {
        Pid = pid;
        _readFd = readFd;
        _terminal = terminal;
        _exit = Task.Factory.StartNew(WaitForExit, CancellationToken.None, TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    public int Pid { get; }

    /// <summary>Started by <see cref="StartOnTerminal"/>.</summary>
    public bool IsTerminal => _terminal;

    /// <summary>Completes with the exit code; a child killed by signal N gives -N, as Python's subprocess does.</summary>
    public Task<int> Exited => _exit;

    public static ChildProcess Start(string executablePath, IReadOnlyList<string> argv,
        IReadOnlyDictionary<string, string> environment, string workingDirectory, ReadOnlyMemory<byte>? stdin = null)
    {
        int* fds = stackalloc int[2];
        if (Native.pipe2(fds, Native.O_CLOEXEC) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "pipe2 failed");
        }
        var readFd = fds[0];
        var writeFd = fds[1];
        int stdinRead = -1, stdinWrite = -1;
        try
        {
            if (stdin is not null)
            {
                if (Native.pipe2(fds, Native.O_CLOEXEC) != 0)
                {
                    throw new Win32Exception(Marshal.GetLastPInvokeError(), "pipe2 failed");
                }
                stdinRead = fds[0];
                stdinWrite = fds[1];
            }
            var pid = Spawn(executablePath, argv, environment, workingDirectory, actions =>
            {
                if (stdinRead >= 0)
                {
                    Native.posix_spawn_file_actions_adddup2((void*)actions, stdinRead, 0);
                }
                else
                {
                    Native.posix_spawn_file_actions_addopen((void*)actions, 0, "/dev/null", Native.O_RDONLY, 0);
                }
                Native.posix_spawn_file_actions_adddup2((void*)actions, writeFd, 1);
                Native.posix_spawn_file_actions_adddup2((void*)actions, writeFd, 2);
            });
            if (stdinWrite >= 0)
            {
                // Small inputs (a key) fit the pipe; a thread keeps a larger one from blocking the caller.
                var fd = stdinWrite;
                var data = stdin!.Value;
                stdinWrite = -1;
                Task.Factory.StartNew(() => WriteAllAndClose(fd, data), CancellationToken.None,
                    TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
            return new ChildProcess(pid, readFd, terminal: false);
        }
        catch
        {
            Native.close(readFd);
            throw;
        }
        finally
        {
            Native.close(writeFd);
            if (stdinRead >= 0)
            {
                Native.close(stdinRead);
            }
            if (stdinWrite >= 0)
            {
                Native.close(stdinWrite);
            }
        }
    }

    /// <summary>Starts a tool in its own session with stdin on /dev/null and stdout and stderr on two pipes, read
    /// with <see cref="Read"/> and <see cref="ReadError"/>; <see cref="SignalGroup"/> ends it and everything it
    /// started, forks in progress included (a tree killed process by process can miss those).</summary>
    public static ChildProcess StartWithSeparateStderr(string executablePath, IReadOnlyList<string> argv,
        IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        int* fds = stackalloc int[4];
        if (Native.pipe2(fds, Native.O_CLOEXEC) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "pipe2 failed");
        }
        if (Native.pipe2(fds + 2, Native.O_CLOEXEC) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Native.close(fds[0]);
            Native.close(fds[1]);
            throw new Win32Exception(errno, "pipe2 failed");
        }
        var (outRead, outWrite, errRead, errWrite) = (fds[0], fds[1], fds[2], fds[3]);
        try
        {
            var pid = Spawn(executablePath, argv, environment, workingDirectory, actions =>
            {
                Native.posix_spawn_file_actions_addopen((void*)actions, 0, "/dev/null", Native.O_RDONLY, 0);
                Native.posix_spawn_file_actions_adddup2((void*)actions, outWrite, 1);
                Native.posix_spawn_file_actions_adddup2((void*)actions, errWrite, 2);
            });
            return new ChildProcess(pid, outRead, terminal: false) { _errorFd = errRead };
        }
        catch
        {
            Native.close(outRead);
            Native.close(errRead);
            throw;
        }
        finally
        {
            Native.close(outWrite);
            Native.close(errWrite);
        }
    }

    /// <summary>Starts the child on a new pseudo-terminal: it is the session's controlling terminal and the child's
    /// stdin, stdout and stderr, so prompts that open <c>/dev/tty</c> (getpass) work and can be answered with
    /// <see cref="Write"/>. Echo is off (answers never come back as output) and <c>\n</c> is not turned into
    /// <c>\r\n</c>, so the output is byte for byte what a pipe would carry.</summary>
    public static ChildProcess StartOnTerminal(string executablePath, IReadOnlyList<string> argv,
        IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        // posix_openpt and an O_CLOEXEC open of the slave, not openpty(3): openpty's descriptors are inheritable
        // until fcntl makes them close-on-exec, and a job started at that moment on another thread would keep this
        // terminal open.
        var master = Native.posix_openpt(Native.O_RDWR | Native.O_NOCTTY | Native.O_CLOEXEC);
        if (master < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "posix_openpt failed");
        }
        var slave = -1;
        try
        {
            var name = stackalloc byte[128];
            if (Native.grantpt(master) != 0 || Native.unlockpt(master) != 0 || Native.ptsname_r(master, name, 128) != 0)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), "cannot set up the pseudo-terminal");
            }
            var slavePath = Marshal.PtrToStringUTF8((nint)name)!;
            slave = Native.open(slavePath, Native.O_RDWR | Native.O_NOCTTY | Native.O_CLOEXEC, 0);
            if (slave < 0)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), $"cannot open {slavePath}");
            }
            var termios = stackalloc byte[Native.TermiosSize + 64];
            if (Native.tcgetattr(slave, termios) == 0)
            {
                *(uint*)(termios + Native.TermiosOutputFlags) &= ~Native.ONLCR;
                *(uint*)(termios + Native.TermiosLocalFlags) &= ~(Native.ECHO | Native.ECHONL);
                Native.tcsetattr(slave, Native.TCSANOW, termios);
            }
            // 24 x 80, as pexpect gives ansible-runner's child: Ansible's banners keep the width they have on a pipe.
            ushort* size = stackalloc ushort[4] { 24, 80, 0, 0 };
            Native.ioctl(slave, Native.TIOCSWINSZ, size);

            // Opened by path after POSIX_SPAWN_SETSID (glibc applies the attributes before the file actions) and
            // without O_NOCTTY, the terminal becomes the new session's controlling terminal.
            var pid = Spawn(executablePath, argv, environment, workingDirectory, actions =>
            {
                Native.posix_spawn_file_actions_addopen((void*)actions, 0, slavePath, Native.O_RDWR, 0);
                Native.posix_spawn_file_actions_adddup2((void*)actions, 0, 1);
                Native.posix_spawn_file_actions_adddup2((void*)actions, 0, 2);
            });
            return new ChildProcess(pid, master, terminal: true);
        }
        catch
        {
            Native.close(master);
            throw;
        }
        finally
        {
            if (slave >= 0)
            {
                Native.close(slave);
            }
        }
    }

    private static void WriteAllAndClose(int fd, ReadOnlyMemory<byte> data)
    {
        try
        {
            WriteAll(fd, data.Span);
        }
        catch (IOException)
        {
            // The child stopped reading (it failed or exited); its exit code tells the caller.
        }
        finally
        {
            Native.close(fd);
        }
    }

    private static void WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var n = Native.write(fd, p + done, data.Length - done);
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Native.EINTR)
                    {
                        continue;
                    }
                    throw new IOException($"writing to the job failed (errno {errno})");
                }
                done += (int)n;
            }
        }
    }

    /// <summary>Types <paramref name="data"/> on the child's terminal (only for <see cref="StartOnTerminal"/>).</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        var fd = _readFd;
        if (fd >= 0 && _terminal)
        {
            WriteAll(fd, data);
        }
    }

    /// <summary>Starts a program in its own session that does not depend on this process: stdin and stdout on
    /// /dev/null, stderr appended to <paramref name="stderrPath"/> (created 0600). Nobody waits for it here; the
    /// caller may poll <see cref="TryGetExitCode"/>.</summary>
    public static int StartDetached(string executablePath, IReadOnlyList<string> argv,
        IReadOnlyDictionary<string, string> environment, string workingDirectory, string stderrPath) =>
        Spawn(executablePath, argv, environment, workingDirectory, actions =>
        {
            Native.posix_spawn_file_actions_addopen((void*)actions, 0, "/dev/null", Native.O_RDONLY, 0);
            Native.posix_spawn_file_actions_addopen((void*)actions, 1, "/dev/null", Native.O_WRONLY, 0);
            Native.posix_spawn_file_actions_addopen((void*)actions, 2, stderrPath,
                Native.O_WRONLY | Native.O_CREAT | Native.O_APPEND, 0x180);
        });

    /// <summary>The exit code of a child started by <see cref="StartDetached"/> once it has ended (-N when killed by
    /// signal N), or null while it runs. Reaps it, so ask only until it answers.</summary>
    public static int? TryGetExitCode(int pid)
    {
        int status;
        var r = Native.waitpid(pid, &status, Native.WNOHANG);
        if (r == 0)
        {
            return null;
        }
        if (r != pid)
        {
            // Not ours to wait for (or reaped elsewhere): alive as long as it can be signalled.
            return Native.kill(pid, 0) == 0 ? null : -1;
        }
        return Native.WIFEXITED(status) ? Native.WEXITSTATUS(status) : -Native.WTERMSIG(status);
    }

    /// <summary>posix_spawn in a new session with clean signal state; <paramref name="fileActions"/> sets up the
    /// child's descriptors.</summary>
    private static int Spawn(string executablePath, IReadOnlyList<string> argv,
        IReadOnlyDictionary<string, string> environment, string workingDirectory, Action<nint> fileActions)
    {
        var actions = NativeMemory.AllocZeroed(Native.OpaqueSize);
        var attr = NativeMemory.AllocZeroed(Native.OpaqueSize);
        var sigset = NativeMemory.AllocZeroed(Native.OpaqueSize);
        var strings = new List<nint>();
        try
        {
            Native.posix_spawn_file_actions_init(actions);
            fileActions((nint)actions);
            Native.posix_spawn_file_actions_addchdir_np(actions, workingDirectory);

            Native.posix_spawnattr_init(attr);
            // The runtime blocks or handles some signals in its own threads; the child must start clean.
            Native.sigemptyset(sigset);
            Native.posix_spawnattr_setsigmask(attr, sigset);
            for (var sig = 1; sig < 32; sig++)
            {
                if (sig is not Native.SIGKILL and not 19)
                {
                    Native.sigaddset(sigset, sig);
                }
            }
            Native.posix_spawnattr_setsigdefault(attr, sigset);
            Native.posix_spawnattr_setflags(attr,
                (short)(Native.POSIX_SPAWN_SETSID | Native.POSIX_SPAWN_SETSIGMASK | Native.POSIX_SPAWN_SETSIGDEF));

            var argvPtr = (nint*)NativeMemory.Alloc((nuint)((argv.Count + 1) * sizeof(nint)));
            var envPtr = (nint*)NativeMemory.Alloc((nuint)((environment.Count + 1) * sizeof(nint)));
            try
            {
                for (var i = 0; i < argv.Count; i++)
                {
                    argvPtr[i] = Marshal.StringToCoTaskMemUTF8(argv[i]);
                    strings.Add(argvPtr[i]);
                }
                argvPtr[argv.Count] = 0;
                var n = 0;
                foreach (var (key, value) in environment)
                {
                    envPtr[n] = Marshal.StringToCoTaskMemUTF8(key + "=" + value);
                    strings.Add(envPtr[n]);
                    n++;
                }
                envPtr[n] = 0;

                int pid;
                var rc = Native.posix_spawn(&pid, executablePath, actions, attr, argvPtr, envPtr);
                if (rc != 0)
                {
                    throw new Win32Exception(rc, $"could not start {executablePath}");
                }
                return pid;
            }
            finally
            {
                NativeMemory.Free(argvPtr);
                NativeMemory.Free(envPtr);
            }
        }
        finally
        {
            Native.posix_spawn_file_actions_destroy(actions);
            Native.posix_spawnattr_destroy(attr);
            NativeMemory.Free(actions);
            NativeMemory.Free(attr);
            NativeMemory.Free(sigset);
            foreach (var s in strings)
            {
                Marshal.FreeCoTaskMem(s);
            }
        }
    }

    /// <summary>Reads the merged output: the byte count, 0 at end of stream (every writer, grandchildren included,
    /// closed), or -1 when nothing arrived within <paramref name="timeoutMs"/> (-1 waits without limit).</summary>
    public int Read(Span<byte> buffer, int timeoutMs) => ReadFrom(_readFd, buffer, timeoutMs);

    /// <summary>As <see cref="Read"/>, from the separate stderr of <see cref="StartWithSeparateStderr"/>.</summary>
    public int ReadError(Span<byte> buffer, int timeoutMs) => ReadFrom(_errorFd, buffer, timeoutMs);

    private int ReadFrom(int fd, Span<byte> buffer, int timeoutMs)
    {
        if (fd < 0)
        {
            return 0;
        }
        fixed (byte* p = buffer)
        {
            while (true)
            {
                Native.PollFd pfd = new() { Fd = fd, Events = Native.POLLIN };
                var ready = Native.poll(&pfd, 1, timeoutMs);
                if (ready == 0)
                {
                    return -1;
                }
                if (ready < 0)
                {
                    var perr = Marshal.GetLastPInvokeError();
                    if (perr == Native.EINTR)
                    {
                        continue;
                    }
                    throw new IOException($"waiting for the job's output failed (errno {perr})");
                }
                var n = Native.read(fd, p, buffer.Length);
                if (n >= 0)
                {
                    return (int)n;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Native.EIO && _terminal)
                {
                    return 0; // Every process holding the terminal has closed it: the end of the output.
                }
                if (errno != Native.EINTR)
                {
                    throw new IOException($"reading the job's output failed (errno {errno})");
                }
            }
        }
    }

    /// <summary>Signals the whole process group (the job and everything it started).</summary>
    public bool SignalGroup(int signal) => Native.kill(-Pid, signal) == 0;

    private int WaitForExit()
    {
        int status;
        while (true)
        {
            var r = Native.waitpid(Pid, &status, 0);
            if (r == Pid)
            {
                break;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (r == -1 && errno != Native.EINTR)
            {
                return -1;
            }
        }
        if (Native.WIFEXITED(status))
        {
            return Native.WEXITSTATUS(status);
        }
        return -Native.WTERMSIG(status);
    }

    public void Dispose()
    {
        foreach (var fd in new[] { Interlocked.Exchange(ref _readFd, -1), Interlocked.Exchange(ref _errorFd, -1) })
        {
            if (fd >= 0)
            {
                Native.close(fd);
            }
        }
    }
}
