using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Anvil.Galaxy.Metadata;

namespace Anvil.Galaxy.Building;

/// <summary>
/// <c>collection init NS.NAME</c>: the tree ansible-galaxy 2.14 creates in <c>INIT_PATH/NS/NAME/</c>, byte for
/// byte: README.md, galaxy.yml (every key with its description), meta/runtime.yml, plugins/README.md and the empty
/// docs/ and roles/. A custom skeleton directory may be given instead; its <c>.j2</c> files get
/// <c>{{ variable }}</c> substituted (outside roles/*/templates and playbooks/*/templates), other files are copied.
/// </summary>
public static partial class CollectionSkeleton
{
    /// <summary>The link ansible-core 2.14 writes into plugins/README.md.</summary>
    public const string PluginListLink = "https://docs.ansible.com/ansible-core/2.14/plugins/plugins.html";

    /// <summary>Creates the collection; returns its directory.</summary>
    public static string Create(string fullName, string initPath, bool force, string? skeleton = null)
    {
        if (!CollectionName.TryParse(fullName, out var name))
        {
            throw new GalaxyException($"Invalid collection name '{fullName}', name must be in the format <namespace>.<collection>. " +
                                      "Please make sure namespace and collection name contains characters from [a-zA-Z0-9_] only.");
        }
        var target = Path.GetFullPath(Path.Combine(initPath, name.Namespace, name.Name));
        if (File.Exists(target))
        {
            throw new GalaxyException($"- the path {target} already exists, but is a file - aborting");
        }
        if (Directory.Exists(target))
        {
            if (!force)
            {
                throw new GalaxyException($"- the directory {target} already exists. You can use --force to re-initialize this directory, " +
                                          "however it will reset any main.yml files that may have been modified there already.");
            }
            // The contents go, not the directory itself (it may be the working directory).
            foreach (var dir in Directory.EnumerateDirectories(target))
            {
                Directory.Delete(dir, recursive: true);
            }
            foreach (var file in Directory.EnumerateFiles(target))
            {
                File.Delete(file);
            }
        }
        if (skeleton is not null && !Directory.Exists(skeleton))
        {
            throw new GalaxyException($"- the skeleton path '{skeleton}' does not exist, cannot init collection");
        }
        Directory.CreateDirectory(target);
        var variables = new Dictionary<string, string>
        {
            ["namespace"] = name.Namespace,
            ["collection_name"] = name.Name,
            ["name"] = name.Name,
            ["description"] = "your collection description",
            ["ansible_plugin_list_dir"] = PluginListLink,
            ["version"] = "1.0.0",
            ["readme"] = "README.md",
        };
        if (skeleton is null)
        {
            Write(target, "README.md", Render(Resource("skeleton-README.md"), variables));
            Write(target, "galaxy.yml", Resource("skeleton-galaxy.yml")
                .Replace("{{ namespace }}", Yaml11.Quote(name.Namespace), StringComparison.Ordinal)
                .Replace("{{ name }}", Yaml11.Quote(name.Name), StringComparison.Ordinal));
            Write(target, "meta/runtime.yml", Resource("skeleton-runtime.yml"));
            Write(target, "plugins/README.md", Render(Resource("skeleton-plugins-README.md"), variables));
            Directory.CreateDirectory(Path.Combine(target, "docs"));
            Directory.CreateDirectory(Path.Combine(target, "roles"));
        }
        else
        {
            CopySkeleton(skeleton, target, variables);
        }
        return target;
    }

    private static void CopySkeleton(string skeleton, string target, Dictionary<string, string> variables)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(skeleton, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(skeleton, path);
            var parts = rel.Split('/');
            if (parts.Any(p => p == ".git") || Path.GetFileName(rel) == ".git_keep")
            {
                continue;
            }
            var dest = Path.Combine(target, rel);
            if (Directory.Exists(path))
            {
                Directory.CreateDirectory(dest);
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            var inTemplates = parts[0] is "roles" or "playbooks" && parts.Contains("templates");
            if (rel.EndsWith(".j2", StringComparison.Ordinal) && !inTemplates)
            {
                File.WriteAllText(dest[..^3], Render(File.ReadAllText(path), variables, path), new UTF8Encoding(false));
            }
            else
            {
                File.Copy(path, dest, overwrite: true);
            }
        }
    }

    private static string Render(string template, Dictionary<string, string> variables, string? source = null)
    {
        if (template.Contains("{%", StringComparison.Ordinal))
        {
            throw new GalaxyException($"{source}: uses Jinja statements ({{% … %}}), which Anvil's skeletons do not render; only {{{{ variable }}}}");
        }
        return VariableRegex().Replace(template, m =>
            variables.TryGetValue(m.Groups[1].Value, out var v)
                ? v
                : throw new GalaxyException($"{source ?? "skeleton"}: unknown variable '{m.Groups[1].Value}' (known: {string.Join(", ", variables.Keys)})"));
    }

    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")]
    private static partial Regex VariableRegex();

    private static void Write(string root, string rel, string content)
    {
        var path = Path.Combine(root, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content, new UTF8Encoding(false));
    }

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Anvil.Galaxy.Resources." + name)
                           ?? throw new InvalidOperationException($"missing resource {name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
