using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Anvil.Cli;
using Anvil.Galaxy.Building;

namespace Anvil.Ui.Tests;

/// <summary>
/// One <c>anvil server</c> whose registry was filled as people fill it: users, namespaces and tokens made with the
/// CLI (<c>user add</c>, <c>galaxy namespace create</c>, <c>token create</c>), collections built with Anvil.Galaxy's
/// builder and published through the Galaxy API with <c>anvil collection publish</c>, whose imports run in the
/// server. Shared by the tests of the "registry" collection, which only read it.
/// </summary>
public sealed partial class RegistryServer : IAsyncLifetime
{
    public const string AlicePassword = "alice-pw-1";
    public const string BobPassword = "bob-pw-2";
    public const string RootPassword = "root-pw-3";

    /// <summary>acme.web's README: Markdown with raw HTML and links that would run script if they reached the page
    /// as HTML.</summary>
    public const string HostileReadme = """
        # Web servers

        Deploys **web** servers with `nginx`. <script>window.pwned=1</script>

        <img src=x onerror="window.pwned=2">

        See [the guide](https://docs.example.com/web), not [this](javascript:window.pwned=3) or <javascript:window.pwned=4>.

        | Variable | Default |
        |---|---|
        | web_port | 8080 |

        ```yaml
        - hosts: web
          roles:
            - acme.web.server
        ```

        ## Usage

        Include the role.
        """;

    private readonly TempDir _home = new();
    private AnvilServerProcess? _server;

    internal AnvilServerProcess Server => _server ?? throw new InvalidOperationException("not started");

    public string Url => Server.Url;

    public HttpClient Http => Server.Http;

    public string Database => Path.Combine(_home.Path, "records.db");

    public string Artifacts => Path.Combine(_home.Path, "artifacts");

    public string AliceToken { get; private set; } = "";

    public string BobToken { get; private set; } = "";

    /// <summary>alice's import of a tarball named 3.0.0 whose MANIFEST.json says 1.2.0: refused.</summary>
    public string FailedImport { get; private set; } = "";

    /// <summary>bob's (successful) import of other.tools.</summary>
    public string BobImport { get; private set; } = "";

    /// <summary>The published artifacts by file name (to compare downloads with).</summary>
    public Dictionary<string, string> Built { get; } = [];

    public async Task InitializeAsync()
    {
        await CliAsync("user", "add", "alice", "--password", AlicePassword);
        await CliAsync("user", "add", "bob", "--password", BobPassword);
        await CliAsync("user", "add", "root", "--password", RootPassword, "--admin");
        await CliAsync("galaxy", "namespace", "create", "acme", "--owner", "alice", "--description", "ACME's collections");
        await CliAsync("galaxy", "namespace", "create", "other", "--owner", "bob");
        AliceToken = LastLine(await CliAsync("token", "create", "--user", "alice"));
        BobToken = LastLine(await CliAsync("token", "create", "--user", "bob"));
        _server = await AnvilServerProcess.StartAsync(Database, Settings());

        // Published out of order: the page must order versions by SemVer (1.10.0 above 1.9.0) whatever the order of
        // upload, and a higher pre-release is not the latest.
        foreach (var version in new[] { "1.2.0", "1.10.0", "1.9.0", "2.0.0-beta.1" })
        {
            await PublishAsync(Build("acme", "base", version), AliceToken);
        }
        await PublishAsync(Build("acme", "web", "1.0.0", HostileReadme,
            "'acme.base': '>=1.2.0'", "'community.general': '>=5.0.0'", "'other.tools': '*'"), AliceToken);
        BobImport = await PublishAsync(Build("other", "tools", "0.1.0"), BobToken);
        var mislabelled = Path.Combine(_home.Path, "dist", "acme-base-3.0.0.tar.gz");
        File.Copy(Built["acme-base-1.2.0.tar.gz"], mislabelled);
        FailedImport = await PublishAsync(mislabelled, AliceToken, expectFailure: true);
    }

    /// <summary>The settings every server over this registry gets (and more).</summary>
    public Dictionary<string, string> Settings(bool readLoginRequired = false) => new()
    {
        ["Galaxy__ArtifactsPath"] = Artifacts,
        ["Galaxy__ReadLoginRequired"] = readLoginRequired ? "true" : "false",
    };

    /// <summary>A second server over the same database and artifacts whose registry needs a login to read.</summary>
    internal Task<AnvilServerProcess> StartReadLoginServerAsync() =>
        AnvilServerProcess.StartAsync(Database, Settings(readLoginRequired: true));

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));

    /// <summary>A collection tree written from scratch and built into an artifact.</summary>
    private string Build(string ns, string name, string version, string? readme = null, params string[] dependencies)
    {
        var src = Path.Combine(_home.Path, "src", $"{ns}.{name}-{version}");
        Write(src, "galaxy.yml", $$"""
            namespace: {{ns}}
            name: {{name}}
            version: {{version}}
            readme: README.md
            authors:
            - Ada Lovelace <ada@example.com>
            - Grace Hopper
            description: The {{name}} collection of {{ns}}
            license:
            - MIT
            - Apache-2.0
            tags: [{{name}}, demo]
            dependencies: {{{string.Join(", ", dependencies)}}}
            repository: https://git.example.com/{{ns}}/{{name}}
            documentation: https://docs.example.com/{{ns}}/{{name}}
            """);
        Write(src, "README.md", readme ?? $"# {ns}.{name}\n\nVersion {version} of {name}.\n");
        Write(src, "meta/runtime.yml", "---\nrequires_ansible: '>=2.14.0'\n");
        Write(src, "plugins/modules/echo.py", "#!/usr/bin/python\nprint('{}')\n");
        Write(src, "roles/server/tasks/main.yml", "- ansible.builtin.debug: msg=hi\n");
        var built = CollectionBuilder.Build(src, Path.Combine(_home.Path, "dist"), force: true).ArtifactPath;
        Built[Path.GetFileName(built)] = built;
        return built;
    }

    private static void Write(string root, string relative, string content)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    /// <summary><c>anvil collection publish</c> to this server; returns the import's id.</summary>
    private async Task<string> PublishAsync(string tarball, string token, bool expectFailure = false)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AnvilCommandLine.InvokeAsync(
            ["collection", "publish", tarball, "-s", Url + "/api/galaxy/", "--token", token], output, error);
        Assert.True(expectFailure ? code == 1 : code == 0, $"publish {Path.GetFileName(tarball)} exited {code}:\n{output}\n{error}");
        var task = ImportTask().Match(output.ToString());
        Assert.True(task.Success, $"no import task in:\n{output}");
        return task.Groups[1].Value;
    }

    private async Task<string> CliAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AnvilCommandLine.InvokeAsync([.. args, "--database", Database], output, error);
        Assert.True(code == 0, $"anvil {string.Join(' ', args)} exited {code}: {error}");
        return output.ToString();
    }

    private static string LastLine(string text) => text.TrimEnd().Split('\n')[^1].Trim();

    [GeneratedRegex(@"/imports/collections/([0-9a-f-]+)/")]
    private static partial Regex ImportTask();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _home.Dispose();
    }
}

[CollectionDefinition("registry")]
public sealed class RegistryCollection : ICollectionFixture<RegistryServer>, ICollectionFixture<BrowserFixture>;
