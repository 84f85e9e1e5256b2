using System.Text.Json;
using System.Text.RegularExpressions;

namespace Anvil.AraCompat.Tests.Harness;

/// <summary>
/// ARA's own clients from Debian's python3-ara: the Ansible callback and action plugins (recording through the http
/// client) and the <c>ara</c> CLI. They run on /usr/bin/python3 (Debian's), not the pyenv python first on PATH.
/// </summary>
internal static partial class Ara
{
    public const string Python = "/usr/bin/python3";
    public const string AnsiblePlaybook = "/usr/bin/ansible-playbook";
    public const string Cli = "/usr/bin/ara";

    /// <summary>tests/fixtures/ara: the playbooks recorded by these tests.</summary>
    public static string FixtureDir => Path.Combine(RepoPaths.Root, "tests", "fixtures", "ara");

    private static readonly Lazy<Task<(string Callbacks, string Actions)>> PluginDirs = new(async () =>
    {
        var cb = await Proc.RunAsync(Python, ["-m", "ara.setup.callback_plugins"], timeout: TimeSpan.FromMinutes(1));
        var ac = await Proc.RunAsync(Python, ["-m", "ara.setup.action_plugins"], timeout: TimeSpan.FromMinutes(1));
        if (cb.ExitCode != 0 || ac.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"python3-ara is not usable from {Python} (install it: apt-get install -y python3-ara)\n{cb}\n{ac}");
        }
        return (cb.Stdout.Trim(), ac.Stdout.Trim());
    });

    /// <summary>The environment that makes ansible-playbook record through ARA's callback and http client into
    /// <paramref name="server"/>; with <paramref name="username"/>, Basic credentials too.</summary>
    public static async Task<Dictionary<string, string?>> CallbackEnvironmentAsync(Uri server,
        string? username = null, string? password = null)
    {
        var (callbacks, actions) = await PluginDirs.Value;
        return new Dictionary<string, string?>
        {
            ["ANSIBLE_CALLBACK_PLUGINS"] = callbacks,
            ["ANSIBLE_ACTION_PLUGINS"] = actions,
            ["ARA_API_CLIENT"] = "http",
            ["ARA_API_SERVER"] = server.GetLeftPart(UriPartial.Authority),
            ["ARA_API_TIMEOUT"] = "30",
            ["ARA_API_USERNAME"] = username,
            ["ARA_API_PASSWORD"] = password,
            ["ARA_CALLBACK_THREADS"] = null,
            ["ARA_DEFAULT_LABELS"] = null,
            ["ANSIBLE_CONFIG"] = null,
            ["ANSIBLE_NOCOLOR"] = "1",
            ["ANSIBLE_FORCE_COLOR"] = null,
            ["ANSIBLE_HOST_KEY_CHECKING"] = "False",
            ["ANSIBLE_LOCALHOST_WARNING"] = "False",
            ["ANSIBLE_INVENTORY_UNPARSED_WARNING"] = "False",
            ["ANSIBLE_RETRY_FILES_ENABLED"] = "False",
            ["PYTHONUNBUFFERED"] = "1",
        };
    }

    /// <summary>Runs a playbook of <see cref="FixtureDir"/> with the ARA callback recording into
    /// <paramref name="server"/>.</summary>
    public static async Task<PlaybookRun> RunPlaybookAsync(Uri server, string playbook,
        IEnumerable<string>? extraArgs = null, string? username = null, string? password = null,
        CancellationToken ct = default)
    {
        var env = await CallbackEnvironmentAsync(server, username, password);
        string[] args = ["-i", "inventory.ini", playbook, .. extraArgs ?? []];
        var result = await Proc.RunAsync(AnsiblePlaybook, args, env, FixtureDir, TimeSpan.FromMinutes(5), ct);
        return new PlaybookRun(Path.Combine(FixtureDir, playbook), result, PlayRecap.Parse(result.Stdout));
    }

    /// <summary>Runs <c>ara &lt;args&gt; --client http --server &lt;server&gt; -f json</c>; returns the exit
    /// status, the raw output and the parsed JSON (null when the output is not JSON).</summary>
    public static async Task<(ProcResult Result, JsonElement? Json)> CliJsonAsync(Uri server, params string[] args)
    {
        string[] all = [.. args, "--client", "http", "--server", server.GetLeftPart(UriPartial.Authority), "-f", "json"];
        var env = new Dictionary<string, string?>
        {
            ["ARA_API_CLIENT"] = null,
            ["ARA_API_SERVER"] = null,
            ["ARA_API_USERNAME"] = null,
            ["ARA_API_PASSWORD"] = null,
        };
        var result = await Proc.RunAsync(Cli, all, env, Path.GetTempPath(), TimeSpan.FromMinutes(2));
        JsonElement? json = null;
        try
        {
            json = JsonDocument.Parse(result.Stdout).RootElement.Clone();
        }
        catch (JsonException)
        {
        }
        return (result, json);
    }

    /// <summary>Lines in which ARA reports that recording went wrong: Ansible's warning when a callback method
    /// raised, and the http client's "Failed to post on /api/v1/…" log lines.</summary>
    public static IReadOnlyList<string> RecordingErrors(string output) =>
        output.Split('\n').Where(l => FailureLine().IsMatch(l)).ToList();

    [GeneratedRegex(@"Failure using method|Failed to (get|post|put|patch|delete) on |Traceback \(most recent call last\)|ERROR! Unexpected Exception",
        RegexOptions.IgnoreCase)]
    private static partial Regex FailureLine();
}

/// <summary>One ansible-playbook run: the playbook's full path, the process result and its PLAY RECAP.</summary>
internal sealed record PlaybookRun(string PlaybookPath, ProcResult Result, IReadOnlyDictionary<string, HostRecap> Recap);
