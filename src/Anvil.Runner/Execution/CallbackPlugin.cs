using System.Security.Cryptography;

namespace Anvil.Runner.Execution;

/// <summary>The Python callback plugin that Ansible loads to report events. It ships inside this assembly and is
/// written out once per content version to a cache directory that Ansible is pointed at.</summary>
public static class CallbackPlugin
{
    /// <summary>The plugin's name; the job's <c>ANSIBLE_STDOUT_CALLBACK</c> is set to it.</summary>
    public const string Name = "anvil_events";
    private const string ResourceName = "Anvil.Runner.Callback.anvil_events.py";
    // Not caching a failure: a library user who fixes the cache directory can run again in the same process.
    private static readonly Lazy<string> Directory = new(Extract, LazyThreadSafetyMode.PublicationOnly);

    /// <summary>The directory holding <c>anvil_events.py</c> (for <c>ANSIBLE_CALLBACK_PLUGINS</c>).</summary>
    public static string EnsureExtracted() => Directory.Value;

    /// <summary>The plugin's Python source (UTF-8), e.g. to copy it into a container.</summary>
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
        // Without HOME (a service, 'setpriv' to another user) the plugin goes to a new private temporary directory
        // of this process (0700, a fresh name: no other user can have put a plugin there), not to a relative
        // .cache under whatever the working directory is.
        var home = System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        var baseDir = System.Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : home.Length > 0 && Path.IsPathRooted(home)
                ? Path.Combine(home, ".cache")
                : System.IO.Directory.CreateTempSubdirectory("anvil-cache-").FullName;
        var dir = Path.Combine(baseDir, "anvil", "callback", hash);
        var file = Path.Combine(dir, Name + ".py");
        if (!File.Exists(file))
        {
            try
            {
                System.IO.Directory.CreateDirectory(dir);
                // Several runs may start at once: write privately, then rename into place.
                var tmp = file + "." + Guid.NewGuid().ToString("N") + ".tmp";
                File.WriteAllBytes(tmp, source);
                File.Move(tmp, file, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                var cause = e is UnauthorizedAccessException ? "Permission denied"
                    : e.HResult is > 0 and < 4096 ? System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(e.HResult) : e.GetType().Name;
                throw new Inputs.RunnerInputException(
                    $"{dir}: cannot write Anvil's callback plugin: {cause} (XDG_CACHE_HOME chooses another place)", e);
            }
        }
        return dir;
    }
}
