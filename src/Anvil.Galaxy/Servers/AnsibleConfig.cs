namespace Anvil.Galaxy.Servers;

/// <summary>
/// The settings of ansible.cfg and the environment that collections use, found and read as Ansible does: the file
/// is <c>$ANSIBLE_CONFIG</c> (a file, or a directory holding ansible.cfg), else <c>./ansible.cfg</c> (unless the
/// working directory is world-writable), else <c>~/.ansible.cfg</c>, else <c>/etc/ansible/ansible.cfg</c>; the
/// first that exists is the only one read. Environment variables override it.
/// </summary>
public sealed class AnsibleConfig
{
    private readonly Dictionary<string, Dictionary<string, string>> _sections;
    private readonly IReadOnlyDictionary<string, string?> _env;

    private AnsibleConfig(string? path, Dictionary<string, Dictionary<string, string>> sections, IReadOnlyDictionary<string, string?> env)
    {
        Path = path;
        _sections = sections;
        _env = env;
    }

    /// <summary>The ansible.cfg read, or null.</summary>
    public string? Path { get; }

    /// <summary>Reads the configuration for a process running in <paramref name="workingDirectory"/> with
    /// <paramref name="environment"/> (default: this process's).</summary>
    public static AnsibleConfig Load(string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value);
        var cwd = workingDirectory ?? Directory.GetCurrentDirectory();
        var path = Find(cwd, env);
        var sections = path is null ? new Dictionary<string, Dictionary<string, string>>() : ParseIni(File.ReadAllText(path), path);
        return new AnsibleConfig(path, sections, env);
    }

    /// <summary>Builds a configuration from ini text (for tests and tools).</summary>
    public static AnsibleConfig FromText(string ini, IReadOnlyDictionary<string, string?>? environment = null, string path = "ansible.cfg") =>
        new(path, ParseIni(ini, path), environment ?? new Dictionary<string, string?>());

    private static string? Find(string cwd, IReadOnlyDictionary<string, string?> env)
    {
        var candidates = new List<string>();
        if (env.TryGetValue("ANSIBLE_CONFIG", out var fromEnv) && fromEnv is not null)
        {
            var p = ExpandUser(fromEnv, env);
            candidates.Add(Directory.Exists(p) ? System.IO.Path.Combine(p, "ansible.cfg") : p);
        }
        try
        {
            var mode = File.GetUnixFileMode(cwd);
            if ((mode & UnixFileMode.OtherWrite) == 0)
            {
                candidates.Add(System.IO.Path.Combine(cwd, "ansible.cfg"));
            }
        }
        catch (IOException)
        {
        }
        candidates.Add(ExpandUser("~/.ansible.cfg", env));
        candidates.Add("/etc/ansible/ansible.cfg");
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>Python configparser's format as Ansible uses it: <c>[section]</c>, <c>key = value</c> or
    /// <c>key: value</c>, comments starting with <c>#</c> or <c>;</c>, inline comments after <c> ;</c>, indented
    /// lines continuing a value. Keys are case-insensitive.</summary>
    public static Dictionary<string, Dictionary<string, string>> ParseIni(string text, string path)
    {
        var sections = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        Dictionary<string, string>? current = null;
        string? lastKey = null;
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] is '#' or ';')
            {
                continue;
            }
            if (char.IsWhiteSpace(line[0]) && current is not null && lastKey is not null)
            {
                current[lastKey] = (current[lastKey] + "\n" + StripComment(trimmed)).Trim();
                continue;
            }
            if (trimmed[0] == '[' && trimmed.EndsWith(']'))
            {
                var name = trimmed[1..^1].Trim();
                if (!sections.TryGetValue(name, out current))
                {
                    current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    sections[name] = current;
                }
                lastKey = null;
                continue;
            }
            var sep = trimmed.IndexOfAny(['=', ':']);
            if (sep <= 0 || current is null)
            {
                throw new GalaxyException($"{path}:{number}: not an ini line ('[section]' or 'key = value')");
            }
            lastKey = trimmed[..sep].Trim().ToLowerInvariant();
            current[lastKey] = StripComment(trimmed[(sep + 1)..]).Trim();
        }
        return sections;
    }

    private static string StripComment(string value)
    {
        for (var i = 1; i < value.Length; i++)
        {
            if (value[i] == ';' && char.IsWhiteSpace(value[i - 1]))
            {
                return value[..i];
            }
        }
        return value;
    }

    /// <summary>A setting: the first environment variable that is set (later names win, as in Ansible), else the
    /// ini value, else null.</summary>
    public string? Get(string section, string key, params string[] envNames)
    {
        string? value = null;
        foreach (var name in envNames)
        {
            if (_env.TryGetValue(name, out var v) && v is not null)
            {
                value = v;
            }
        }
        if (value is not null)
        {
            return value;
        }
        return _sections.TryGetValue(section, out var s) && s.TryGetValue(key, out var iv) ? iv : null;
    }

    /// <summary>An environment variable as this configuration sees it; null when unset.</summary>
    public string? Env(string name) => _env.TryGetValue(name, out var v) ? v : null;

    /// <summary>An Ansible boolean (<c>yes</c>/<c>no</c>, <c>true</c>/<c>false</c>, <c>1</c>/<c>0</c>, <c>on</c>/<c>off</c> …); <paramref name="fallback"/> when null or not recognised.</summary>
    public static bool ParseBool(string? value, bool fallback) => value?.Trim().ToLowerInvariant() switch
    {
        "1" or "true" or "yes" or "on" or "y" or "t" => true,
        "0" or "false" or "no" or "off" or "n" or "f" or "" => false,
        _ => fallback,
    };

    /// <summary><c>ANSIBLE_HOME</c>, default <c>~/.ansible</c>.</summary>
    public string AnsibleHome => ExpandUser(Get("defaults", "home", "ANSIBLE_HOME") ?? "~/.ansible", _env);

    /// <summary>COLLECTIONS_PATHS: where Ansible looks for collections (each entry holds <c>ansible_collections/</c>).</summary>
    public IReadOnlyList<string> CollectionsPaths
    {
        get
        {
            var fromEnv = Env("ANSIBLE_COLLECTIONS_PATH") ?? Env("ANSIBLE_COLLECTIONS_PATHS");
            string? fromIni = null;
            if (fromEnv is null && _sections.TryGetValue("defaults", out var d))
            {
                fromIni = d.TryGetValue("collections_path", out var a) ? a : d.TryGetValue("collections_paths", out var b) ? b : null;
            }
            var value = fromEnv ?? fromIni ?? $"{AnsibleHome}/collections:/usr/share/ansible/collections";
            var baseDir = fromEnv is null && fromIni is not null && Path is not null ? System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path)) : null;
            return value.Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => ExpandUser(p.Trim(), _env))
                .Select(p => baseDir is not null && !System.IO.Path.IsPathRooted(p) ? System.IO.Path.Combine(baseDir, p) : p)
                .Select(System.IO.Path.GetFullPath)
                .ToList();
        }
    }

    /// <summary>Expands a leading <c>~</c> to <c>HOME</c> (from <paramref name="env"/>, else the process environment).</summary>
    public static string ExpandUser(string path, IReadOnlyDictionary<string, string?>? env = null)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            var home = (env is not null && env.TryGetValue("HOME", out var h) ? h : null) ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return home + path[1..];
        }
        return path;
    }

    /// <summary>The names in <c>[galaxy] server_list</c> (or <c>ANSIBLE_GALAXY_SERVER_LIST</c>), in order.</summary>
    public IReadOnlyList<string> ServerList =>
        (Get("galaxy", "server_list", "ANSIBLE_GALAXY_SERVER_LIST") ?? "")
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A key of <c>[galaxy_server.NAME]</c>, or <c>ANSIBLE_GALAXY_SERVER_NAME_KEY</c>.</summary>
    public string? ServerSetting(string server, string key) =>
        Get("galaxy_server." + server, key, $"ANSIBLE_GALAXY_SERVER_{server.ToUpperInvariant()}_{key.ToUpperInvariant()}");
}
