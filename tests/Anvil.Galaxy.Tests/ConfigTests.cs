using Anvil.Galaxy.Installing;
using Anvil.Galaxy.Servers;
using Anvil.Galaxy.Versioning;

namespace Anvil.Galaxy.Tests;

/// <summary>ansible.cfg and the environment read as ansible-galaxy reads them.</summary>
public class ConfigTests
{
    private const string Ini = """
        [defaults]
        collections_path = ./cols:/opt/shared

        [galaxy]
        server_list = hub, public_galaxy   ; order is priority

        [galaxy_server.hub]
        url = https://hub.example.com/api/galaxy/content/published/
        token = s3cr3t
        validate_certs = false
        timeout = 30

        [galaxy_server.public_galaxy]
        url: https://galaxy.ansible.com/
        username = alice
        password = pa55

        [galaxy_server.sso]
        url = https://console.example.com/api/automation-hub/
        token = refresh
        auth_url = https://sso.example.com/auth/realms/x/protocol/openid-connect/token
        """;

    [Fact]
    public void ServerList_InOrder_WithTokenBasicAndCertificateSettings()
    {
        var config = AnsibleConfig.FromText(Ini, path: "/etc/ansible/ansible.cfg");
        var servers = GalaxyServerList.Resolve(config);
        Assert.Equal(["hub", "public_galaxy"], servers.Select(s => s.Name));
        var hub = servers[0];
        Assert.Equal(("https://hub.example.com/api/galaxy/content/published/", "Token s3cr3t", false, 30.0),
            (hub.Url, hub.StaticAuthorization, hub.ValidateCerts, hub.Timeout.TotalSeconds));
        Assert.Equal("Basic YWxpY2U6cGE1NQ==", servers[1].StaticAuthorization);
        Assert.Equal(["/etc/ansible/cols", "/opt/shared"], config.CollectionsPaths);
    }

    [Fact]
    public void ServerByName_ServerByUrl_AndTheEnvironment()
    {
        var env = new Dictionary<string, string?>
        {
            ["ANSIBLE_GALAXY_SERVER_LIST"] = "sso",
            ["ANSIBLE_GALAXY_SERVER_SSO_TOKEN"] = "from-env",
        };
        var config = AnsibleConfig.FromText(Ini, env);
        var sso = Assert.Single(GalaxyServerList.Resolve(config));
        Assert.Equal(("sso", "from-env", null), (sso.Name, sso.Token, sso.StaticAuthorization));
        var byName = Assert.Single(GalaxyServerList.Resolve(config, server: "sso"));
        Assert.Equal("sso", byName.Name);
        var byUrl = Assert.Single(GalaxyServerList.Resolve(config, server: "http://127.0.0.1:9/api/", token: "t"));
        Assert.Equal(("cmd_arg", "http://127.0.0.1:9/api/", "Token t"), (byUrl.Name, byUrl.Url, byUrl.StaticAuthorization));
    }

    [Fact]
    public void WithoutServers_TheDefaultServerWithTheTokenFile()
    {
        using var home = new TempDir();
        home.File(".ansible/galaxy_token", "token: from-file\n");
        var config = AnsibleConfig.FromText("", new Dictionary<string, string?> { ["HOME"] = home.Path, ["ANSIBLE_HOME"] = Path.Combine(home.Path, ".ansible") });
        var server = Assert.Single(GalaxyServerList.Resolve(config));
        Assert.Equal(("default", GalaxyServerList.PublicGalaxy, "from-file"), (server.Name, server.Url, server.Token));
        Assert.Equal([Path.Combine(home.Path, ".ansible", "collections"), "/usr/share/ansible/collections"], config.CollectionsPaths);
    }

    [Fact]
    public void ConfigFile_IsFoundAsAnsibleFindsIt()
    {
        using var dir = new TempDir();
        dir.File("ansible.cfg", "[galaxy]\nserver_list = here\n[galaxy_server.here]\nurl = http://here/\n");
        var config = AnsibleConfig.Load(dir.Path, new Dictionary<string, string?> { ["HOME"] = dir.Path });
        Assert.Equal(Path.Combine(dir.Path, "ansible.cfg"), config.Path);
        var fromEnv = AnsibleConfig.Load("/", new Dictionary<string, string?> { ["ANSIBLE_CONFIG"] = dir.Path, ["HOME"] = "/nonexistent" });
        Assert.Equal(Path.Combine(dir.Path, "ansible.cfg"), fromEnv.Path);
    }

    [Fact]
    public void ServerWithoutUrl_NamesTheSection()
    {
        var config = AnsibleConfig.FromText("[galaxy]\nserver_list = x\n");
        var e = Assert.Throws<GalaxyException>(() => GalaxyServerList.Resolve(config));
        Assert.Contains("[galaxy_server.x] has no url", e.Message);
    }

    [Fact]
    public void Requirements_FromFileAndArguments_AsAnsibleGalaxyInfersThem()
    {
        using var dir = new TempDir();
        var tarball = dir.File("built/acme-base-1.0.0.tar.gz", "not read here");
        new SourceCollection(Path.Combine(dir.Path, "src", "acme", "demo"));
        dir.File("requirements.yml", """
            collections:
            - acme.plain
            - name: acme.ranged
              version: '>=1.0.0,<2.0.0'
              source: hub
            - name: built/acme-base-1.0.0.tar.gz
              type: file
            - src/acme/demo
            - name: src/acme
              type: subdirs
            - name: https://example.com/x-y-1.0.0.tar.gz
              type: url
            roles:
            - some.role
            """);
        var servers = GalaxyServerList.Resolve(AnsibleConfig.FromText(Ini));
        var parser = new RequirementParser(servers, "/");
        var warnings = new List<string>();
        var list = parser.FromFile(Path.Combine(dir.Path, "requirements.yml"), warnings);
        Assert.Equal([RequirementType.Galaxy, RequirementType.Galaxy, RequirementType.File, RequirementType.Dir, RequirementType.Subdirs, RequirementType.Url],
            list.Select(r => r.Type));
        Assert.Equal("hub", list[1].Server!.Name);
        Assert.Equal(">=1.0.0,<2.0.0", list[1].Version.Text);
        Assert.Equal(tarball, list[2].Location);
        Assert.Contains(warnings, w => w.Contains("'roles' are not installed", StringComparison.Ordinal));
        var args = new RequirementParser(servers, dir.Path);
        Assert.Equal((RequirementType.Galaxy, "==2.0.0-beta.1"), (args.FromArgument("acme.base:==2.0.0-beta.1").Type, args.FromArgument("acme.base:==2.0.0-beta.1").Version.Text));
        Assert.Equal(RequirementType.File, args.FromArgument("built/acme-base-1.0.0.tar.gz").Type);
        Assert.Equal(VersionRange.Any.Text, args.FromArgument("acme.base").Version.Text);
    }

    [Theory]
    [InlineData("collections:\n- name: acme.x\n  type: svn\n", "type 'svn' must be one of file, galaxy, git, dir, subdirs, or url")]
    [InlineData("collections:\n- name: acme.x\n  version: '>= 1.0'\n", "version: '>= 1.0' in '>= 1.0' is not a version requirement")]
    [InlineData("collections:\n- name: acme.x\n  version: 1.0\n", "version 1.0 is read as a number; quote it")]
    [InlineData("- acme.x\n", "a list is the old roles-only format")]
    [InlineData("collections: []\nplugins: []\n", "only 'roles' and 'collections' are allowed at the top, found: plugins")]
    [InlineData("collections:\n- not a name\n", "is neither a collection name")]
    public void BadRequirementsFile_OneLineNamingTheEntry(string yaml, string expected)
    {
        using var dir = new TempDir();
        var path = dir.File("req.yml", yaml);
        var e = Assert.Throws<GalaxyException>(() => new RequirementParser([], dir.Path).FromFile(path));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith(path, e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }
}
