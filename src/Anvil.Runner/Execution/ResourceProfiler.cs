using System.Buffers;
using System.Globalization;
using System.Text;
using Anvil.Events;
using Anvil.Yaml;

namespace Anvil.Runner.Execution;

/// <summary>
/// Per-task CPU, memory and process counts of the job, read from its cgroup v2 at the configured intervals and
/// written as ansible-runner's profiling files: <c>&lt;task index&gt;-&lt;task uuid&gt;-{cpu,memory,pids}.json</c>,
/// each record a record separator (0x1E), a JSON mapping <c>{"timestamp", "task_name", "task_uuid", "value"}</c>
/// and a line feed. CPU is percent of one CPU over the interval, memory is in MB, pids is the number of tasks.
/// Where the cgroup lacks the memory or pids controller (hybrid cgroup systems give v2 none), memory is the sum of
/// its processes' resident sets and pids the number of its threads. A task with no sample has no file.
/// </summary>
internal sealed class ResourceProfiler : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1e;

    private readonly ProfilingPlan _plan;
    private readonly string _cgroup;
    private readonly TimeProvider _time;
    private readonly object _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly Dictionary<string, FileStream> _files = [];
    private Current? _task;
    private int _taskCount;

    private sealed record Current(int Index, string Uuid, string Name);

    private ResourceProfiler(ProfilingPlan plan, string cgroup, TimeProvider time)
    {
        _plan = plan;
        _cgroup = cgroup;
        _time = time;
    }

    /// <summary>Creates the job's cgroup and the results directory; returns null and the reason when the
    /// machine gives no cgroup the runner can write (the run goes on without profiling).</summary>
    public static ResourceProfiler? TryCreate(ProfilingPlan plan, TimeProvider time, out string? problem)
    {
        if (plan.Cgroup is not { } cgroup)
        {
            problem = plan.Unavailable ?? "no cgroup";
            return null;
        }
        try
        {
            var parent = Path.GetDirectoryName(cgroup)!;
            Directory.CreateDirectory(parent);
            EnableControllers(parent);
            if (Directory.Exists(cgroup))
            {
                Directory.Delete(cgroup); // left by an earlier run with this ident; a cgroup with processes stays
            }
            Directory.CreateDirectory(cgroup);
            if (!File.Exists(Path.Combine(cgroup, "cgroup.procs")))
            {
                Directory.Delete(cgroup);
                problem = $"{parent} is not in a cgroup v2 hierarchy";
                return null;
            }
            Directory.CreateDirectory(plan.ResultsDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot create the cgroup {cgroup}: {e.Message}";
            return null;
        }
        problem = null;
        return new ResourceProfiler(plan, cgroup, time);
    }

    /// <summary>Asks each cgroup from the root down to give its children the memory and pids controllers, so
    /// their own counters exist; systems that keep them elsewhere refuse, and the fallbacks are used.</summary>
    private static void EnableControllers(string parent)
    {
        var chain = new List<string>();
        for (var dir = parent; dir is not null && File.Exists(Path.Combine(dir, "cgroup.subtree_control")); dir = Path.GetDirectoryName(dir))
        {
            chain.Insert(0, dir);
        }
        foreach (var dir in chain)
        {
            foreach (var controller in new[] { "+memory", "+pids" })
            {
                try
                {
                    File.WriteAllText(Path.Combine(dir, "cgroup.subtree_control"), controller);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
    }

    public void Start()
    {
        _loops.Add(Loop(_plan.CpuInterval, "cpu", CpuSampler()));
        _loops.Add(Loop(_plan.MemoryInterval, "memory", MemoryMegabytes));
        _loops.Add(Loop(_plan.PidInterval, "pids", Pids));
    }

    /// <summary>Follows the run: a task start opens a new task, the stats event ends the last one.</summary>
    public void OnEvent(JobEvent e)
    {
        if (e.IsRunnerSide)
        {
            return;
        }
        if (e.Event == EventNames.PlaybookOnTaskStart)
        {
            lock (_lock)
            {
                CloseFiles();
                _task = new Current(_taskCount++, e.StringField("task_uuid") ?? e.Uuid, e.Task ?? "");
            }
        }
        else if (e.Event == EventNames.PlaybookOnStats)
        {
            lock (_lock)
            {
                CloseFiles();
                _task = null;
            }
        }
    }

    private Task Loop(TimeSpan interval, string feature, Func<double?> sample) => Task.Run(async () =>
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                if (sample() is { } value)
                {
                    Write(feature, value);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    });

    private void Write(string feature, double value)
    {
        lock (_lock)
        {
            if (_task is not { } task)
            {
                return;
            }
            var key = feature;
            if (!_files.TryGetValue(key, out var file))
            {
                var path = Path.Combine(_plan.ResultsDir, $"{task.Index}-{task.Uuid}-{feature}.json");
                file = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.Append,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
                _files[key] = file;
            }
            var w = new ArrayBufferWriter<byte>(256);
            w.Write([RecordSeparator]);
            w.Write("{\"timestamp\": "u8);
            WriteAscii(w, PythonFloat((_time.GetUtcNow() - DateTimeOffset.UnixEpoch).TotalSeconds));
            w.Write(", \"task_name\": "u8);
            JobEventSerializer.WriteString(w, task.Name);
            w.Write(", \"task_uuid\": "u8);
            JobEventSerializer.WriteString(w, task.Uuid);
            w.Write(", \"value\": "u8);
            WriteAscii(w, feature == "pids" ? ((long)value).ToString(CultureInfo.InvariantCulture) : PythonFloat(value));
            w.Write("}\n"u8);
            file.Write(w.WrittenSpan);
            file.Flush();
        }
    }

    private void CloseFiles()
    {
        foreach (var f in _files.Values)
        {
            f.Dispose();
        }
        _files.Clear();
    }

    /// <summary>CPU use since the previous tick, in percent of one CPU (cpu.stat's usage_usec).</summary>
    private Func<double?> CpuSampler()
    {
        long? lastUsage = null;
        long lastTime = 0;
        return () =>
        {
            var usage = StatField(Path.Combine(_cgroup, "cpu.stat"), "usage_usec");
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            double? value = null;
            if (usage is { } u && lastUsage is { } previous)
            {
                var elapsedUs = System.Diagnostics.Stopwatch.GetElapsedTime(lastTime, now).TotalMicroseconds;
                value = elapsedUs > 0 ? (u - previous) / elapsedUs * 100 : null;
            }
            lastUsage = usage;
            lastTime = now;
            return value;
        };
    }

    private double? MemoryMegabytes()
    {
        if (ReadNumber(Path.Combine(_cgroup, "memory.current")) is { } bytes)
        {
            return bytes / 1024.0 / 1024.0;
        }
        long kb = 0;
        var any = false;
        foreach (var pid in Lines(Path.Combine(_cgroup, "cgroup.procs")))
        {
            if (StatField($"/proc/{pid}/status", "VmRSS:") is { } rss)
            {
                kb += rss;
                any = true;
            }
        }
        return any ? kb / 1024.0 : null;
    }

    private double? Pids()
    {
        if (ReadNumber(Path.Combine(_cgroup, "pids.current")) is { } n)
        {
            return n;
        }
        var threads = Lines(Path.Combine(_cgroup, "cgroup.threads")).Count();
        return threads > 0 ? threads : null;
    }

    private static long? ReadNumber(string path)
    {
        try
        {
            return long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The number after <paramref name="key"/> on its line (cpu.stat, /proc/PID/status).</summary>
    private static long? StatField(string path, string key)
    {
        foreach (var line in Lines(path))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                var digits = new string(line.AsSpan(key.Length).Trim().ToString().TakeWhile(char.IsAsciiDigit).ToArray());
                return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
            }
        }
        return null;
    }

    private static IEnumerable<string> Lines(string path)
    {
        try
        {
            return File.ReadAllLines(path).Where(l => l.Length > 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>A float as Python's json.dumps writes it: repr for finite values (Anvil.Yaml's
    /// <see cref="PythonFormat.Float"/>), and json's own names for the others.</summary>
    internal static string PythonFloat(double d) =>
        double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : PythonFormat.Float(d);

    private static void WriteAscii(ArrayBufferWriter<byte> w, string s) => w.Write(Encoding.ASCII.GetBytes(s));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
        lock (_lock)
        {
            CloseFiles();
            _task = null;
        }
        _stop.Dispose();
        // The job has ended; a process it left behind keeps the cgroup, which is then left in place.
        for (var attempt = 0; attempt < 20 && Directory.Exists(_cgroup); attempt++)
        {
            try
            {
                Directory.Delete(_cgroup);
            }
            catch (IOException)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
    }
}
