using System.Text;
using Anvil.Galaxy.Archives;
using Anvil.Galaxy.Building;
using Anvil.Galaxy.Metadata;
using Anvil.Galaxy.Servers;

namespace Anvil.Galaxy.Installing;

/// <summary>Where an artifact from a server came from: written to <c>NS.NAME-VERSION.info/GALAXY.yml</c> beside the
/// namespace directories, as ansible-galaxy 2.13+ does (its <c>verify --offline</c> reads the signatures there).</summary>
public sealed record GalaxySourceInfo(string DownloadUrl, string Server, string? VersionUrl, IReadOnlyList<ServerSignature> Signatures);

/// <summary>
/// Installs collections into one collections path (<c>PATH/ansible_collections/NS/NAME/</c>) the way ansible-galaxy
/// lays them out, but never in place: each collection is unpacked and checked in a staging directory beside
/// <c>ansible_collections/</c> (same file system, out of Ansible's sight), then renamed over the old copy, which is
/// removed only after the new one is in place. A failed install leaves the previous version as it was.
/// </summary>
public sealed class CollectionTarget
{
    /// <summary>A target under <paramref name="collectionsPath"/> (its <c>ansible_collections/</c> is added when missing); <paramref name="limits"/> default to <see cref="ExtractionLimits.Default"/>.</summary>
    public CollectionTarget(string collectionsPath, ExtractionLimits? limits = null)
    {
        Root = InstalledCollections.CollectionsRoot(collectionsPath);
        Limits = limits ?? ExtractionLimits.Default;
    }

    /// <summary>The <c>ansible_collections</c> directory.</summary>
    public string Root { get; }

    /// <summary>Limits applied when unpacking archives here.</summary>
    public ExtractionLimits Limits { get; }

    /// <summary>The directory a collection is (or would be) installed in: <c>Root/namespace/name</c>.</summary>
    public string PathOf(CollectionName name) => Path.Combine(Root, name.Namespace, name.Name);

    /// <summary>Unpacks a tarball (checked member by member) and puts it in place; writes GALAXY.yml when
    /// <paramref name="source"/> is given.</summary>
    public ArtifactManifests InstallArtifact(string tarball, CollectionName expected, string expectedVersion, GalaxySourceInfo? source,
        Action<string>? warn, CancellationToken ct)
    {
        using var staging = new Staging(Root);
        var dir = Path.Combine(staging.Path, "collection");
        var manifests = CollectionArchive.Extract(tarball, dir, Limits, warn, ct);
        var info = manifests.Manifest.Info;
        if (info.FullName != expected || (expectedVersion != "*" && info.Version != expectedVersion))
        {
            throw new GalaxyException($"{tarball} holds {info.FullName}:{info.Version}, not {expected}:{expectedVersion}");
        }
        Commit(staging, dir, info, source);
        return manifests;
    }

    /// <summary>Installs a collection directory: a source tree is built in place (MANIFEST.json and FILES.json
    /// generated from galaxy.yml), an installed copy is re-read with the default ignore rules, as ansible-galaxy does.</summary>
    public CollectionContent InstallDirectory(string sourceDir, Action<string>? warn, CancellationToken ct)
    {
        GalaxyYml meta;
        var manifestPath = Path.Combine(sourceDir, ManifestJson.ManifestFileName);
        if (File.Exists(manifestPath))
        {
            var info = ManifestJson.ReadManifest(File.ReadAllBytes(manifestPath), manifestPath).Info;
            meta = new GalaxyYml(manifestPath, info, [], null, []);
        }
        else
        {
            meta = GalaxyYmlReader.Load(sourceDir, forBuild: false);
        }
        var content = CollectionBuilder.Read(sourceDir, meta, ct);
        foreach (var w in content.Warnings)
        {
            warn?.Invoke(w);
        }
        using var staging = new Staging(Root);
        var dir = Path.Combine(staging.Path, "collection");
        Directory.CreateDirectory(dir);
        SetMode(dir, true);
        File.WriteAllBytes(Path.Combine(dir, ManifestJson.ManifestFileName), content.ManifestJson);
        File.WriteAllBytes(Path.Combine(dir, ManifestJson.FilesFileName), content.FilesJson);
        foreach (var item in content.Items.Where(i => i.Name != ".").OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            var target = Path.Combine(dir, item.Name);
            if (item.IsDirectory)
            {
                // A symlinked directory becomes an empty directory, as with ansible-galaxy (its content is not listed).
                Directory.CreateDirectory(target);
                SetMode(target, true);
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(item.ContentPath, target);
                SetMode(target, item.Executable);
            }
        }
        Commit(staging, dir, content.Info, null);
        return content;
    }

    private void Commit(Staging staging, string dir, CollectionInfo info, GalaxySourceInfo? source)
    {
        var target = PathOf(info.FullName);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string? infoDir = null;
        if (source is not null)
        {
            infoDir = Path.Combine(staging.Path, "info");
            Directory.CreateDirectory(infoDir);
            SetMode(infoDir, true);
            var galaxyYml = Path.Combine(infoDir, "GALAXY.yml");
            File.WriteAllText(galaxyYml, GalaxyInfoYaml(info, source), new UTF8Encoding(false));
            SetMode(galaxyYml, false);
        }
        var old = Path.Combine(staging.Path, "old");
        var hadOld = Directory.Exists(target) || File.Exists(target);
        if (hadOld)
        {
            Directory.Move(target, old);
        }
        try
        {
            Directory.Move(dir, target);
        }
        catch
        {
            if (hadOld)
            {
                Directory.Move(old, target);
            }
            throw;
        }
        if (infoDir is not null)
        {
            // As ansible-galaxy: this version's provenance is replaced; other versions' stay (Ansible checks the
            // version before using one).
            var infoTarget = Path.Combine(Root, $"{info.Namespace}.{info.Name}-{info.Version}.info");
            if (Directory.Exists(infoTarget))
            {
                Directory.Move(infoTarget, Path.Combine(staging.Path, "old-info"));
            }
            Directory.Move(infoDir, infoTarget);
        }
    }

    /// <summary>GALAXY.yml as ansible-galaxy writes it (keys sorted, as PyYAML dumps them).</summary>
    public static string GalaxyInfoYaml(CollectionInfo info, GalaxySourceInfo source)
    {
        var sb = new StringBuilder();
        sb.Append("download_url: ").Append(Yaml11.Quote(source.DownloadUrl)).Append('\n');
        sb.Append("format_version: 1.0.0\n");
        sb.Append("name: ").Append(Yaml11.Quote(info.Name)).Append('\n');
        sb.Append("namespace: ").Append(Yaml11.Quote(info.Namespace)).Append('\n');
        sb.Append("server: ").Append(Yaml11.Quote(source.Server)).Append('\n');
        if (source.Signatures.Count == 0)
        {
            sb.Append("signatures: []\n");
        }
        else
        {
            sb.Append("signatures:\n");
            foreach (var s in source.Signatures)
            {
                sb.Append("- pubkey_fingerprint: ").Append(Scalar(s.PubkeyFingerprint)).Append('\n');
                sb.Append("  pulp_created: ").Append(Scalar(s.PulpCreated)).Append('\n');
                sb.Append("  signature: ").Append(Scalar(s.Signature)).Append('\n');
                sb.Append("  signing_service: ").Append(Scalar(s.SigningService)).Append('\n');
            }
        }
        sb.Append("version: ").Append(Yaml11.Quote(info.Version)).Append('\n');
        sb.Append("version_url: ").Append(source.VersionUrl is null ? "null" : Yaml11.Quote(source.VersionUrl)).Append('\n');
        return sb.ToString();
    }

    // Double-quoted YAML for values that may span lines (armored signatures).
    private static string Scalar(string? value)
    {
        if (value is null)
        {
            return "null";
        }
        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    private static void SetMode(string path, bool executable)
    {
        const UnixFileMode rw = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode x = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(path, executable ? rw | x : rw);
    }

    /// <summary>A private directory beside <c>ansible_collections/</c>, removed with whatever is left in it.</summary>
    private sealed class Staging : IDisposable
    {
        public Staging(string root)
        {
            var parent = System.IO.Path.GetDirectoryName(root)!;
            Directory.CreateDirectory(root);
            Path = System.IO.Path.Combine(parent, $".anvil-install-{Environment.ProcessId}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
