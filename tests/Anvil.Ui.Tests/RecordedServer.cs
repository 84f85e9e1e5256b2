namespace Anvil.Ui.Tests;

/// <summary>
/// One <c>anvil server</c> over a database filled by recording real runs of the fixture playbooks (ok, failed,
/// multi_host), the demo (facts, an ignored failure, a rescue, handlers) and a playbook whose names and output are
/// hostile HTML, shared by the tests of the "recorded" collection (which only read it).
/// </summary>
public sealed class RecordedServer : IAsyncLifetime
{
    /// <summary>Task names and output that would run script if a page did not escape them.</summary>
    public const string HostileTask = "<script>window.pwned=1</script> hostile task";
    public const string HostileMessage = "<img src=x onerror=window.pwned=2> & red";

    private readonly List<IDisposable> _dirs = [];
    private AnvilServerProcess? _server;

    internal AnvilServerProcess Server => _server ?? throw new InvalidOperationException("not started");

    public string Url => Server.Url;

    public long Ok { get; private set; }
    public long Failed { get; private set; }
    public long MultiHost { get; private set; }
    public long Demo { get; private set; }
    public long Hostile { get; private set; }

    public async Task InitializeAsync()
    {
        var home = Keep(new TempDir());
        var pdd = Keep(new TempDir(RepoPaths.FixturePdd));
        var demo = Keep(new TempDir(RepoPaths.DemoPdd));
        pdd.File("project/hostile.yml", $$"""
            ---
            - name: "<script>window.pwned=3</script> play"
              hosts: localhost
              gather_facts: false
              tasks:
                - name: "{{HostileTask}}"
                  ansible.builtin.debug:
                    msg: "<img src=x onerror=window.pwned=2> & \e[31mred\e[0m"
            """);
        _server = await AnvilServerProcess.StartAsync(Path.Combine(home.Path, "records.db"));
        await Server.RecordAsync(pdd.Path, "ok.yml");
        await Server.RecordAsync(pdd.Path, "failed.yml");
        await Server.RecordAsync(pdd.Path, "multi_host.yml");
        await Server.RecordAsync(demo.Path, "site.yml");
        await Server.RecordAsync(pdd.Path, "hostile.yml");
        Ok = await Server.PlaybookIdAsync("ok.yml");
        Failed = await Server.PlaybookIdAsync("failed.yml");
        MultiHost = await Server.PlaybookIdAsync("multi_host.yml");
        Demo = await Server.PlaybookIdAsync("site.yml");
        Hostile = await Server.PlaybookIdAsync("hostile.yml");
    }

    private T Keep<T>(T dir) where T : IDisposable
    {
        _dirs.Add(dir);
        return dir;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        foreach (var d in _dirs)
        {
            d.Dispose();
        }
    }
}

[CollectionDefinition("recorded")]
public sealed class RecordedCollection : ICollectionFixture<RecordedServer>, ICollectionFixture<BrowserFixture>;
