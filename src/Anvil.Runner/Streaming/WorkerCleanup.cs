using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Anvil.Runner.Streaming;

/// <summary>What <c>worker cleanup</c> should remove (ansible-runner's options of the same names).</summary>
public sealed record WorkerCleanupOptions
{
    /// <summary>A glob of private data dirs to remove, e.g. <c>/tmp/.ansible-runner-*</c>.</summary>
    public string? FilePattern { get; init; }

    /// <summary>Directories whose path contains any of these are kept.</summary>
    public IReadOnlyList<string> ExcludeStrings { get; init; } = [];

    /// <summary>Image tags to remove with the container engine.</summary>
    public IReadOnlyList<string> RemoveImages { get; init; } = [];

    /// <summary>Directories modified more recently than this are kept (0: none kept for that reason).</summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromMinutes(60);

    /// <summary>Run the engine's <c>image prune --force</c> after untagging.</summary>
    public bool ImagePrune { get; init; }

    /// <summary>The clock <see cref="GracePeriod"/> is measured against. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The container engine for <see cref="RemoveImages"/> (<c>--process-isolation-executable</c>).
    /// Default: <c>podman</c>.</summary>
    public string ProcessIsolationExecutable { get; init; } = "podman";
}

/// <summary>A cleanup that would remove a system directory, or an engine command that failed.</summary>
public sealed class WorkerCleanupException(string message) : Exception(message);

/// <summary>
/// <c>worker cleanup</c>: removes old private data dirs and their registry-auth temp dirs, and container images, as
/// ansible-runner does, printing the same lines and <c>(changed: True|False)</c>. One fix: a directory whose job is
/// still running (its <c>pid</c> file names a live process) is kept; ansible-runner's test is inverted and keeps
/// the dead ones instead.
/// </summary>
public static partial class WorkerCleanup
{
    private static readonly string[] Protected =
        ["/", "/bin", "/dev", "/home", "/lib", "/mnt", "/proc", "/run", "/sys", "/usr", "/boot", "/etc", "/opt", "/sbin", "/var"];

    /// <summary>Removes what <paramref name="options"/> selects, printing each removal to <paramref name="output"/>;
    /// true when anything was removed.</summary>
    /// <exception cref="WorkerCleanupException">A system directory matched, or an engine command failed.</exception>
    public static async Task<bool> RunAsync(WorkerCleanupOptions options, TextWriter output, CancellationToken ct)
    {
        int dirs = 0, images = 0;
        var pruned = false;
        if (options.FilePattern is { Length: > 0 } pattern)
        {
            dirs = CleanupDirectories(pattern, options, output);
            if (dirs > 0)
            {
                await output.WriteLineAsync($"Removed {dirs} private data dir(s) in pattern {pattern}").ConfigureAwait(false);
            }
        }
        if (options.RemoveImages.Count > 0)
        {
            images = await RemoveImagesAsync(options, ct).ConfigureAwait(false);
            if (images > 0)
            {
                await output.WriteLineAsync($"Removed {images} image(s)").ConfigureAwait(false);
            }
        }
        if (options.ImagePrune)
        {
            var stdout = await EngineAsync(options.ProcessIsolationExecutable, ["image", "prune", "-f"], ct).ConfigureAwait(false);
            pruned = stdout.Length > 0 && stdout != "Total reclaimed space: 0B";
            if (pruned)
            {
                await output.WriteLineAsync("Pruned images").ConfigureAwait(false);
            }
        }
        var changed = dirs > 0 || images > 0 || pruned;
        await output.WriteLineAsync(changed ? "(changed: True)" : "(changed: False)").ConfigureAwait(false);
        return changed;
    }

    private static int CleanupDirectories(string pattern, WorkerCleanupOptions options, TextWriter output)
    {
        var matches = Glob(pattern).ToList();
        var forbidden = Protected.Append(Path.GetTempPath().TrimEnd('/')).SelectMany(p => new[] { p, RealPath(p) }).ToHashSet();
        var bad = matches.Where(m => forbidden.Contains(RealPath(m))).ToList();
        if (bad.Count > 0)
        {
            throw new WorkerCleanupException($"Provided pattern could result in deleting system folders: {string.Join(' ', bad)}; " +
                                             "refusing to continue for user system safety.");
        }
        var count = 0;
        var now = options.Time.GetUtcNow().UtcDateTime;
        foreach (var dir in matches)
        {
            if (options.ExcludeStrings.Any(x => dir.Contains(x, StringComparison.Ordinal)))
            {
                continue;
            }
            if (options.GracePeriod > TimeSpan.Zero && Directory.GetLastWriteTimeUtc(dir) > now - options.GracePeriod)
            {
                continue;
            }
            if (Directory.Exists(dir) && BackgroundRun.IsAlive(dir))
            {
                output.WriteLine($"Excluding running project {dir} from cleanup");
                continue;
            }
            foreach (var ident in Idents(dir))
            {
                foreach (var auth in Glob(Path.Combine(Path.GetTempPath(), $"ansible_runner_registry_{ident}_*")))
                {
                    if (Remove(auth))
                    {
                        output.WriteLine($"Removed associated registry auth dir {auth}");
                    }
                }
            }
            if (Remove(dir))
            {
                count++;
            }
        }
        return count;
    }

    private static IEnumerable<string> Idents(string dir)
    {
        var artifacts = Path.Combine(dir, "artifacts");
        return Directory.Exists(artifacts) ? Directory.EnumerateFileSystemEntries(artifacts).Select(e => Path.GetFileName(e)) : [];
    }

    private static bool Remove(string path)
    {
        if (!Directory.Exists(path) || new DirectoryInfo(path).LinkTarget is not null)
        {
            return false; // ansible-runner's rmtree refuses files and links too
        }
        Directory.Delete(path, recursive: true);
        return true;
    }

    private static string RealPath(string path)
    {
        try
        {
            var full = Path.GetFullPath(path).TrimEnd('/');
            var target = new DirectoryInfo(full.Length == 0 ? "/" : full).ResolveLinkTarget(returnFinalTarget: true);
            return (target?.FullName ?? (full.Length == 0 ? "/" : full)).TrimEnd('/') is { Length: > 0 } t ? t : "/";
        }
        catch (IOException)
        {
            return path;
        }
    }

    private static async Task<int> RemoveImagesAsync(WorkerCleanupOptions options, CancellationToken ct)
    {
        var removed = 0;
        foreach (var tag in options.RemoveImages)
        {
            var listed = await EngineAsync(options.ProcessIsolationExecutable,
                ["images", "--format=\"{{.Repository}}:{{.Tag}}\"", tag], ct).ConfigureAwait(false);
            foreach (var found in listed.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var stdout = await EngineAsync(options.ProcessIsolationExecutable, ["rmi", found.Trim().Trim('"'), "-f"], ct)
                    .ConfigureAwait(false);
                removed += Regex.Count(stdout, "Untagged:");
            }
        }
        return removed;
    }

    private static async Task<string> EngineAsync(string engine, string[] args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(engine, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new WorkerCleanupException($"the container engine {engine} was not found (--process-isolation-executable)");
        }
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync(ct);
            var stderr = p.StandardError.ReadToEndAsync(ct);
            await p.WaitForExitAsync(ct).ConfigureAwait(false);
            if (p.ExitCode != 0)
            {
                throw new WorkerCleanupException($"{engine} {string.Join(' ', args)} failed with rc {p.ExitCode}: {(await stderr).Trim()}");
            }
            return (await stdout).Trim();
        }
    }

    /// <summary>Python's <c>glob.glob</c> for absolute or relative patterns with <c>*</c>, <c>?</c> and
    /// <c>[…]</c>; like it, wildcards do not match names starting with a dot unless the pattern part does.</summary>
    public static IEnumerable<string> Glob(string pattern)
    {
        var absolute = pattern.StartsWith('/');
        var parts = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        IEnumerable<string> current = [absolute ? "/" : "."];
        foreach (var part in parts)
        {
            var p = part;
            if (!HasMagic(p))
            {
                current = current.Select(c => Path.Combine(c, p)).Where(c => Path.Exists(c) || new FileInfo(c).LinkTarget is not null).ToList();
                continue;
            }
            var regex = new Regex("^" + Translate(p) + "$");
            current = current.Where(Directory.Exists).SelectMany(c =>
                Directory.EnumerateFileSystemEntries(c).Select(Path.GetFileName)
                    .Where(n => (p.StartsWith('.') || !n!.StartsWith('.')) && regex.IsMatch(n!))
                    .Order(StringComparer.Ordinal)
                    .Select(n => Path.Combine(c, n!))).ToList();
        }
        return current.Select(c => absolute ? c : Path.GetRelativePath(".", c)).Where(c => c != "." && c != "/" || parts.Length == 0);
    }

    private static bool HasMagic(string s) => s.IndexOfAny(['*', '?', '[']) >= 0;

    private static string Translate(string part)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < part.Length; i++)
        {
            var c = part[i];
            switch (c)
            {
                case '*': sb.Append(".*"); break;
                case '?': sb.Append('.'); break;
                case '[':
                    var close = part.IndexOf(']', i + 2 <= part.Length ? i + 2 : i + 1);
                    if (close < 0)
                    {
                        sb.Append(@"\[");
                        break;
                    }
                    var set = part[(i + 1)..close];
                    sb.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                    i = close;
                    break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return sb.ToString();
    }
}
