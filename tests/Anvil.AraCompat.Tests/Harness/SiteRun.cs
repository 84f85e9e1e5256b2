using System.Text.Json;

namespace Anvil.AraCompat.Tests.Harness;

/// <summary>
/// A server with one run of tests/fixtures/ara/site.yml recorded into it by ARA's callback, shared by the tests of a
/// class (the run takes about ten seconds). Subclasses choose the database.
/// </summary>
public abstract class SiteRunFixture : IAsyncLifetime
{
    private IRecordsServer? _server;
    private ApiReader? _api;
    private PlaybookRun? _run;

    internal IRecordsServer Server => _server ?? throw new InvalidOperationException("not started");
    internal ApiReader Api => _api ?? throw new InvalidOperationException("not started");
    internal PlaybookRun Run => _run ?? throw new InvalidOperationException("not started");

    /// <summary>The id of the recorded playbook.</summary>
    public long PlaybookId { get; private set; }

    private protected abstract Task<DatabaseSpec> DatabaseAsync();

    private protected virtual Task DisposeDatabaseAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _server = await RecordsServers.StartAsync(await DatabaseAsync());
        _api = new ApiReader(_server.BaseUrl);
        _run = await Ara.RunPlaybookAsync(_server.BaseUrl, "site.yml");
        // The recording is judged by the tests; here it only has to be findable.
        var list = await _api.GetAsync("/api/v1/playbooks?order=-id&limit=1");
        var results = list.GetProperty("results");
        PlaybookId = results.GetArrayLength() > 0 ? results[0].GetProperty("id").GetInt64() : 0;
    }

    public async Task DisposeAsync()
    {
        _api?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        await DisposeDatabaseAsync();
    }

    /// <summary>Assertion context: the playbook output, for failure messages.</summary>
    internal string Context => $"server {Server.Kind} at {Server.BaseUrl}, playbook id {PlaybookId}\n{Run.Result}";
}

/// <summary>site.yml recorded into a server on a fresh SQLite file.</summary>
public sealed class SqliteSiteRun : SiteRunFixture
{
    private readonly TempDir _dir = new();

    private protected override Task<DatabaseSpec> DatabaseAsync() =>
        Task.FromResult<DatabaseSpec>(new DatabaseSpec.Sqlite(Path.Combine(_dir.Path, "records.db")));

    private protected override Task DisposeDatabaseAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>What site.yml must leave in the records (observed with ARA 1.5.8's callback and server, ansible-core
/// 2.14.18; see tests/fixtures/ara/README.md).</summary>
internal static class Site
{
    public const string Name = "ara-compat site";
    public static readonly string[] Labels = ["ara-compat", "every-status", "check:False", "tags:all"];

    public const int Plays = 2, Tasks = 13, Results = 34, Hosts = 4, Files = 3, Records = 5;

    /// <summary>Results by stored status (the <c>status</c> filter works on stored values).</summary>
    public static readonly (string Status, int Count)[] StoredStatus =
        [("ok", 22), ("failed", 4), ("skipped", 7), ("unreachable", 1)];

    public const int ChangedTrue = 9, IgnoreErrorsTrue = 3;

    /// <summary>Results by the status shown in lists (ok+changed → "changed", failed+ignore_errors → "ignored").</summary>
    public static readonly Dictionary<string, int> ShownStatus = new()
    {
        ["ok"] = 17,
        ["changed"] = 5,
        ["failed"] = 1,
        ["ignored"] = 3,
        ["skipped"] = 7,
        ["unreachable"] = 1,
    };

    /// <summary>The PLAY RECAP ansible-playbook prints for site.yml.</summary>
    public static readonly Dictionary<string, HostRecap> Recap = new()
    {
        ["h1"] = new(Ok: 10, Changed: 4, Unreachable: 0, Failed: 0, Skipped: 2, Rescued: 0, Ignored: 1),
        ["h2"] = new(Ok: 8, Changed: 2, Unreachable: 0, Failed: 0, Skipped: 3, Rescued: 0, Ignored: 1),
        ["h3"] = new(Ok: 7, Changed: 2, Unreachable: 0, Failed: 1, Skipped: 2, Rescued: 0, Ignored: 1),
        ["unreach"] = new(Ok: 0, Changed: 0, Unreachable: 1, Failed: 0, Skipped: 0, Rescued: 0, Ignored: 0),
    };

    /// <summary>Tasks in the order they ran: name, action, results, handler, file (relative to the fixture dir).</summary>
    public static readonly (string Name, string Action, int Results, bool Handler, string File)[] TaskList =
    [
        ("Gathering Facts", "gather_facts", 3, false, "site.yml"),
        ("ok everywhere", "ansible.builtin.debug", 3, false, "site.yml"),
        ("changed everywhere", "ansible.builtin.command", 3, false, "site.yml"),
        ("skipped everywhere", "ansible.builtin.debug", 3, false, "site.yml"),
        ("ignored failure everywhere", "ansible.builtin.command", 3, false, "site.yml"),
        ("loop of three items", "ansible.builtin.debug", 3, false, "site.yml"),
        ("delegated from h1 to h2", "ansible.builtin.command", 3, false, "site.yml"),
        ("include a task file", "ansible.builtin.include_tasks", 3, false, "site.yml"),
        ("included debug", "ansible.builtin.debug", 3, false, "tasks/included.yml"),
        ("record every type", "ara_record", 1, false, "site.yml"),
        ("failed on h3", "ansible.builtin.command", 3, false, "site.yml"),
        ("compat handler", "ansible.builtin.debug", 2, true, "site.yml"),
        ("ping the unreachable host", "ansible.builtin.ping", 1, false, "site.yml"),
    ];

    public static readonly string[] FilePaths = ["site.yml", "vars/common.yml", "tasks/included.yml"];

    /// <summary>ara_record values as ARA stores them. The json one was given as a JSON string; Ansible's templating
    /// turns it into a mapping before the action plugin sends it.</summary>
    public static readonly (string Key, string Type, string ValueJson)[] RecordList =
    [
        ("compat_text", "text", "\"plain text\""),
        ("compat_url", "url", "\"https://example.org/anvil\""),
        ("compat_json", "json", "{\"compat\":true,\"n\":1}"),
        ("compat_list", "list", "[\"one\",\"two\"]"),
        ("compat_dict", "dict", "{\"answer\":42,\"name\":\"anvil\"}"),
    ];

    public static string PathOf(string relative) => Path.Combine(Ara.FixtureDir, relative);

    /// <summary>The line where a task (or, for Gathering Facts, its play) starts, as Ansible reports it.</summary>
    public static int LineOf(string relativeFile, string taskName)
    {
        var lines = File.ReadAllLines(PathOf(relativeFile));
        var needle = taskName == "Gathering Facts" ? "- name: every status on three local hosts" : "- name: " + taskName;
        var index = Array.FindIndex(lines, l => l.TrimStart() == needle);
        Assert.True(index >= 0, $"{needle} not found in {relativeFile}");
        return index + 1;
    }

    /// <summary>JSON text with insignificant whitespace removed, for comparing values.</summary>
    public static string Compact(JsonElement e) => JsonSerializer.Serialize(e);
}
