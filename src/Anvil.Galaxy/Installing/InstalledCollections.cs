using Anvil.Galaxy.Metadata;

namespace Anvil.Galaxy.Installing;

/// <summary>A collection found under an <c>ansible_collections/</c> directory.</summary>
/// <param name="Name">From MANIFEST.json or galaxy.yml, else from the directory names.</param>
/// <param name="Version">From the metadata, else <c>*</c>.</param>
/// <param name="Path">The collection directory.</param>
/// <param name="Manifest">MANIFEST.json, when there is one.</param>
public sealed record InstalledCollection(CollectionName Name, string Version, string Path, CollectionManifest? Manifest);

/// <summary>Finds installed collections as ansible-galaxy's <c>list</c> does.</summary>
public static class InstalledCollections
{
    /// <summary>The directory below each collections path that holds <c>namespace/name/</c> (Ansible requires this name).</summary>
    public const string CollectionsDirName = "ansible_collections";

    /// <summary><paramref name="path"/> with <c>ansible_collections</c> appended unless it already ends so.</summary>
    public static string CollectionsRoot(string path)
    {
        var full = System.IO.Path.GetFullPath(path).TrimEnd('/');
        return System.IO.Path.GetFileName(full) == CollectionsDirName ? full : System.IO.Path.Combine(full, CollectionsDirName);
    }

    /// <summary>Every <c>NS/NAME</c> directory below <paramref name="root"/> (an <c>ansible_collections</c> dir).</summary>
    public static List<InstalledCollection> Find(string root, Action<string>? warn = null)
    {
        var result = new List<InstalledCollection>();
        if (!Directory.Exists(root))
        {
            return result;
        }
        foreach (var ns in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            foreach (var dir in Directory.EnumerateDirectories(ns).Order(StringComparer.Ordinal))
            {
                result.Add(Read(dir, warn));
            }
        }
        return result;
    }

    /// <summary>Reads one collection directory; metadata problems fall back to the directory names and <c>*</c>.</summary>
    public static InstalledCollection Read(string dir, Action<string>? warn = null)
    {
        var implicitName = new CollectionName(System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(dir))!, System.IO.Path.GetFileName(dir));
        var manifestPath = System.IO.Path.Combine(dir, ManifestJson.ManifestFileName);
        if (File.Exists(manifestPath))
        {
            try
            {
                var manifest = ManifestJson.ReadManifest(File.ReadAllBytes(manifestPath), manifestPath);
                return new InstalledCollection(manifest.Info.FullName, manifest.Info.Version, dir, manifest);
            }
            catch (GalaxyException e)
            {
                warn?.Invoke($"Collection at '{dir}' has a MANIFEST.json with invalid metadata: {e.Message}");
                return new InstalledCollection(implicitName, "*", dir, null);
            }
        }
        if (File.Exists(System.IO.Path.Combine(dir, GalaxyYmlReader.FileName)))
        {
            try
            {
                var meta = GalaxyYmlReader.Load(dir, forBuild: false);
                return new InstalledCollection(meta.Info.FullName, meta.Info.Version, dir, null);
            }
            catch (GalaxyException e)
            {
                warn?.Invoke($"Collection at '{dir}' has a galaxy.yml with invalid metadata: {e.Message.Split('\n')[0]}");
            }
        }
        return new InstalledCollection(implicitName, "*", dir, null);
    }
}
