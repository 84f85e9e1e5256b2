using System.Security.Cryptography;

namespace Anvil.Runner.Execution;

/// <summary>The Python callback plugin that Ansible loads to report events. It ships inside this assembly and is
/// written out once per content version to a cache directory that Ansible is pointed at.</summary>
public static class CallbackPlugin
{
    public const string Name = "anvil_events";
    private const string ResourceName = "Anvil.Runner.Callback.anvil_events.py";
    private static readonly Lazy<string> Directory = new(Extract);

    /// <summary>The directory holding <c>anvil_events.py</c> (for <c>ANSIBLE_CALLBACK_PLUGINS</c>).</summary>
    public static string EnsureExtracted() => Directory.Value;

    public static byte[] Source()
    {
        using var stream = typeof(CallbackPlugin).Assembly.GetManifestResourceStream(ResourceName)
                           ?? throw new InvalidOperationException($"resource {ResourceName} is missing from the build");
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return ms.ToArray();
    }

    private static string Extract()
    {
        var source = Source();
        var hash = Convert.ToHexStringLower(SHA256.HashData(source))[..16];
        var baseDir = System.Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".cache");
        var dir = Path.Combine(baseDir, "anvil", "callback", hash);
        var file = Path.Combine(dir, Name + ".py");
        if (!File.Exists(file))
        {
            System.IO.Directory.CreateDirectory(dir);
            // Several runs may start at once: write privately, then rename into place.
            var tmp = file + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllBytes(tmp, source);
            File.Move(tmp, file, overwrite: true);
        }
        return dir;
    }
}
