using System.Globalization;
using System.Text.RegularExpressions;

namespace Anvil.Runner.Execution;

/// <summary>A path a sandboxed run must not see, and the empty stand-in bound over it.</summary>
public sealed record HiddenPath(string Path, string StandIn, bool IsDirectory);

/// <summary>A bubblewrap sandbox: its staging directory holds the stand-ins of hidden paths.</summary>
public sealed record SandboxPlan(string Executable, string StagingDirectory, IReadOnlyList<HiddenPath> Hidden);

/// <summary>A container run: the engine, the container's name (for <c>kill</c> on cancel) and the image.</summary>
public sealed record ContainerPlan(string Engine, string Name, string Image);

/// <summary>The command lines that put Ansible into a bubblewrap sandbox or a container, built as ansible-runner
/// builds them (<c>wrap_args_for_sandbox</c>, <c>wrap_args_for_containerization</c>), with the differences the
/// runner documentation lists.</summary>
public static partial class Isolation
{
    /// <summary>The system directories a sandbox sees read-only (symbolic links among them stay links).</summary>
    private static readonly string[] SystemPaths = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt"];

    /// <summary><c>bwrap … COMMAND</c>: a fresh /tmp, the system read-only, the private data dir and every other
    /// path the run needs bound, hidden paths covered last (so nothing bound after can uncover them), then
    /// <c>--chdir</c> to the working directory.</summary>
    public static List<string> SandboxCommand(SandboxPlan sandbox, string cwd, IReadOnlyList<Mount> mounts,
        IReadOnlyList<string> command)
    {
        var args = new List<string>
        {
            sandbox.Executable, "--die-with-parent", "--unshare-pid",
            "--dev-bind", "/dev", "/dev", "--proc", "/proc", "--dir", "/tmp",
        };
        foreach (var path in SystemPaths)
        {
            var info = new DirectoryInfo(path);
            if (info.LinkTarget is { } target)
            {
                args.AddRange(["--symlink", target, path]);
            }
            else if (info.Exists)
            {
                args.AddRange(["--ro-bind", path, path]);
            }
        }
        // Parents before children: a deeper bind must come after the one it sits in, or it would be covered.
        foreach (var m in mounts.OrderBy(m => Depth(m.Target)))
        {
            args.AddRange([m.ReadOnly ? "--ro-bind" : "--bind", m.Host, m.Target]);
        }
        foreach (var h in sandbox.Hidden.OrderBy(h => Depth(h.Path)))
        {
            args.AddRange(["--ro-bind", h.StandIn, h.Path]);
        }
        args.AddRange(["--chdir", cwd]);
        args.AddRange(command);
        return args;
    }

    /// <summary><c>ENGINE run --rm … IMAGE COMMAND</c>. The job's environment travels as <c>--env NAME</c> with the
    /// values in the engine's own environment, so no value is written anywhere (ansible-runner writes them all
    /// to <c>artifacts/&lt;ident&gt;/env.list</c>).</summary>
    public static List<string> ContainerCommand(ContainerPlan container, string workdir, bool terminal,
        IReadOnlyList<Mount> mounts, IReadOnlyList<string> volumeMounts, IEnumerable<string> environmentNames,
        IReadOnlyList<string> options, IReadOnlyList<string> command)
    {
        var args = new List<string> { container.Engine, "run", "--rm" };
        if (terminal)
        {
            args.Add("--tty");
        }
        args.Add("--interactive");
        args.AddRange(["--workdir", workdir]);
        foreach (var m in mounts.OrderBy(m => Depth(m.Target)))
        {
            args.AddRange(["-v", VolumeSpec(m)]);
        }
        foreach (var spec in volumeMounts)
        {
            args.AddRange(["-v", spec]);
        }
        foreach (var name in environmentNames)
        {
            args.AddRange(["--env", name]);
        }
        var engine = Path.GetFileName(container.Engine);
        if (engine == "podman")
        {
            args.Add("--quiet");
        }
        else if (engine == "docker")
        {
            args.Add("--user=" + Native.getuid().ToString(CultureInfo.InvariantCulture));
        }
        args.AddRange(["--name", container.Name]);
        args.AddRange(options);
        args.Add(container.Image);
        args.AddRange(command);
        return args;
    }

    /// <summary>ansible-runner's container name: <c>ansible_runner_</c> and the ident, every character an engine
    /// does not accept in a name replaced by <c>_</c>.</summary>
    public static string ContainerName(string ident) => "ansible_runner_" + UnsafeNameCharacters().Replace(ident, "_");

    /// <summary>Checks one <c>--container-volume-mount</c> (<c>host:container[:options]</c>) and returns it with the
    /// host path made absolute; a bad one is an error naming it.</summary>
    public static string CheckVolumeMount(string spec, string displayName)
    {
        var parts = spec.Split(':', 3);
        if (parts.Length < 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            throw new Inputs.RunnerInputException($"{displayName} '{spec}': expected HOST_PATH:CONTAINER_PATH[:OPTIONS]");
        }
        var host = Path.GetFullPath(parts[0]);
        if (!File.Exists(host) && !Directory.Exists(host))
        {
            throw new Inputs.RunnerInputException($"{displayName} '{spec}': {host} not found");
        }
        if (host.TrimEnd('/') is "" or "/home" or "/usr")
        {
            throw new Inputs.RunnerInputException($"{displayName} '{spec}': mounting {host} into a container is refused");
        }
        if (!parts[1].StartsWith('/'))
        {
            throw new Inputs.RunnerInputException($"{displayName} '{spec}': the container path must be absolute");
        }
        return parts.Length == 3 ? $"{host}:{parts[1]}:{parts[2]}" : $"{host}:{parts[1]}";
    }

    private static string VolumeSpec(Mount m)
    {
        var isDir = Directory.Exists(m.Host);
        var spec = isDir ? $"{m.Host.TrimEnd('/')}/:{m.Target.TrimEnd('/')}/" : $"{m.Host}:{m.Target}";
        var opts = new List<string>();
        if (m.ReadOnly)
        {
            opts.Add("ro");
        }
        if (m.Label is { } label)
        {
            opts.Add(label);
        }
        return opts.Count == 0 ? spec : spec + ":" + string.Join(',', opts);
    }

    private static int Depth(string path) => path.Count(c => c == '/');

    [GeneratedRegex("[^a-zA-Z0-9_-]")]
    private static partial Regex UnsafeNameCharacters();
}
