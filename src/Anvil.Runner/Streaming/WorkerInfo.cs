using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Anvil.Runner.Streaming;

/// <summary><c>worker --worker-info</c>: the node's capacity in ansible-runner's format, one YAML flow mapping
/// with sorted keys (<c>cpu_count</c>, <c>errors</c>, <c>mem_in_bytes</c>, <c>runner_version</c>, <c>uuid</c>),
/// plus <c>anvil_version</c>, which consumers that read the other keys ignore.</summary>
public static partial class WorkerInfo
{
    /// <summary>The ansible-runner version whose stream format the worker speaks.</summary>
    public const string CompatibleRunnerVersion = "2.3.1";

    /// <summary>The text ansible-runner prints (its <c>print(safe_dump(…))</c> ends with an empty line).</summary>
    public static string Describe(string? uuidFile = null)
    {
        var errors = new List<string>();
        long? mem = null;
        try
        {
            var m = MemTotal().Match(File.ReadAllText("/proc/meminfo"));
            if (m.Success)
            {
                mem = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (FileNotFoundException)
        {
            errors.Add("The /proc/meminfo file could not found, memory capacity undiscoverable.");
        }
        string? uuid;
        try
        {
            uuid = NodeUuid(uuidFile ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ansible_runner_uuid"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add($"Could not find or write the node uuid: {e.Message}");
            uuid = null;
        }
        var version = typeof(WorkerInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?.Split('+')[0] ?? "0.0.0";
        var errorList = errors.Count == 0 ? "[]" : "[" + string.Join(", ", errors.Select(Quote)) + "]";
        return $"{{anvil_version: {version}, cpu_count: {Environment.ProcessorCount}, errors: {errorList}, " +
               $"mem_in_bytes: {(mem is { } b ? b.ToString(CultureInfo.InvariantCulture) : "null")}, " +
               $"runner_version: {CompatibleRunnerVersion}, uuid: {uuid ?? "null"}}}\n\n";
    }

    /// <summary>The persisted node id ansible-runner keeps in <c>~/.ansible_runner_uuid</c> (created on first use,
    /// mode 0600), so Anvil and ansible-runner on one node report the same id.</summary>
    public static string NodeUuid(string path)
    {
        if (File.Exists(path))
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return File.ReadAllText(path).Trim();
        }
        var id = Guid.NewGuid().ToString();
        using (var f = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            f.Write(System.Text.Encoding.ASCII.GetBytes(id));
        }
        return id;
    }

    private static string Quote(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"^MemTotal:\s+(\d+)", RegexOptions.Multiline)]
    private static partial Regex MemTotal();
}
