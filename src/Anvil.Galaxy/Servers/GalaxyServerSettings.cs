using System.Text;

namespace Anvil.Galaxy.Servers;

/// <summary>One Galaxy server as configured: a <c>[galaxy_server.NAME]</c> section, <c>-s URL</c>, or the default.</summary>
public sealed record GalaxyServerSettings
{
    /// <summary>The server's name in <c>GALAXY_SERVER_LIST</c> (the <c>[galaxy_server.NAME]</c> section).</summary>
    public required string Name { get; init; }

    /// <summary>The URL as given; discovery finds the API root from it.</summary>
    public required string Url { get; init; }

    /// <summary><c>token</c>: sent as <c>Authorization: Token …</c>, or exchanged at <see cref="AuthUrl"/> for a bearer token.</summary>
    public string? Token { get; init; }

    /// <summary><c>username</c>/<c>password</c>: HTTP Basic (wins over a token, as in ansible-galaxy).</summary>
    public string? Username { get; init; }

    /// <summary><c>password</c>, used with <see cref="Username"/>.</summary>
    public string? Password { get; init; }

    /// <summary><c>auth_url</c>: an SSO token endpoint for the OAuth refresh-token grant (Red Hat SSO style).</summary>
    public string? AuthUrl { get; init; }

    /// <summary><c>client_id</c> for <see cref="AuthUrl"/>; null: <c>cloud-services</c>, as ansible-galaxy.</summary>
    public string? ClientId { get; init; }

    /// <summary><c>validate_certs</c>: check the server's TLS certificate. Default: true.</summary>
    public bool ValidateCerts { get; init; } = true;

    /// <summary><c>timeout</c> of each request. Default: 60 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>v3 = true</c>: skip discovery and use <c>v3/</c> below the URL.</summary>
    public bool AssumeV3 { get; init; }

    /// <summary>The Authorization header for a token or Basic credentials (a bearer token is fetched by the client).</summary>
    public string? StaticAuthorization =>
        Username is not null
            ? "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"))
            : Token is not null && AuthUrl is null ? "Token " + Token : null;

    /// <summary><c>name (url)</c>, without credentials.</summary>
    public override string ToString() => $"{Name} ({Url})";
}

/// <summary>The servers a command talks to, chosen as ansible-galaxy chooses them.</summary>
public static class GalaxyServerList
{
    /// <summary>The default server when none is configured.</summary>
    public const string PublicGalaxy = "https://galaxy.ansible.com";

    /// <summary>
    /// <c>-s NAME</c> picks a configured server and <c>-s URL</c> makes an ad-hoc one (with <c>--token</c>, else the
    /// token file); without <c>-s</c>, the servers of <c>[galaxy] server_list</c> in order, or else the default
    /// server (<c>[galaxy] server</c>, normally the public Galaxy).
    /// </summary>
    public static IReadOnlyList<GalaxyServerSettings> Resolve(AnsibleConfig config, string? server = null, string? token = null,
        bool? ignoreCerts = null, TimeSpan? timeout = null)
    {
        var validate = !(ignoreCerts ?? AnsibleConfig.ParseBool(config.Get("galaxy", "ignore_certs", "ANSIBLE_GALAXY_IGNORE"), false));
        var configured = new List<GalaxyServerSettings>();
        foreach (var name in config.ServerList)
        {
            var url = config.ServerSetting(name, "url")
                      ?? throw new GalaxyException($"{config.Path ?? "ansible.cfg"}: [galaxy_server.{name}] has no url (server_list names it)");
            var serverTimeout = int.TryParse(config.ServerSetting(name, "timeout"), out var seconds) ? TimeSpan.FromSeconds(seconds) : timeout;
            configured.Add(new GalaxyServerSettings
            {
                Name = name,
                Url = url,
                Token = config.ServerSetting(name, "token") is { Length: > 0 } t ? t : null,
                Username = config.ServerSetting(name, "username") is { Length: > 0 } u ? u : null,
                Password = config.ServerSetting(name, "password"),
                AuthUrl = config.ServerSetting(name, "auth_url") is { Length: > 0 } a ? a : null,
                ClientId = config.ServerSetting(name, "client_id"),
                ValidateCerts = config.ServerSetting(name, "validate_certs") is { } v ? AnsibleConfig.ParseBool(v, validate) : validate,
                Timeout = serverTimeout ?? TimeSpan.FromSeconds(60),
                AssumeV3 = AnsibleConfig.ParseBool(config.ServerSetting(name, "v3"), false),
            });
        }
        if (server is not null)
        {
            var named = configured.FirstOrDefault(s => s.Name == server);
            return [named ?? AdHoc("cmd_arg", server, token ?? TokenFile(config), validate, timeout)];
        }
        if (configured.Count > 0)
        {
            return configured;
        }
        var fallback = config.Get("galaxy", "server", "ANSIBLE_GALAXY_SERVER") ?? PublicGalaxy;
        return [AdHoc("default", fallback, token ?? TokenFile(config), validate, timeout)];
    }

    /// <summary>A server named only by URL (a requirement's <c>source:</c>), without credentials.</summary>
    public static GalaxyServerSettings AdHoc(string name, string url, string? token, bool validateCerts, TimeSpan? timeout) => new()
    {
        Name = name,
        Url = url,
        Token = token,
        ValidateCerts = validateCerts,
        Timeout = timeout ?? TimeSpan.FromSeconds(60),
    };

    /// <summary>The token in <c>~/.ansible/galaxy_token</c> (<c>token: …</c>), if any.</summary>
    public static string? TokenFile(AnsibleConfig config)
    {
        var path = config.Get("galaxy", "token_path", "ANSIBLE_GALAXY_TOKEN_PATH") is { } p
            ? AnsibleConfig.ExpandUser(p)
            : Path.Combine(config.AnsibleHome, "galaxy_token");
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return Metadata.Yaml11.Load(File.ReadAllText(path)) is Metadata.YamlMapping m && m["token"] is Metadata.YamlScalar { IsNull: false } s
                ? s.Text
                : null;
        }
        catch (Metadata.YamlSyntaxException)
        {
            return null;
        }
    }
}
