using System.Security.Cryptography;
using Anvil.Galaxy.Archives;
using Anvil.Galaxy.Building;
using Anvil.Galaxy.Metadata;
using Anvil.Galaxy.Servers;

namespace Anvil.Galaxy.Installing;

/// <summary>A difference between an installed collection and its manifest.</summary>
public sealed record ModifiedContent(string Path, string Expected, string Found);

/// <summary>The verdict on one installed collection.</summary>
public sealed record VerifyResult(CollectionName Name, string Version, string Location, string ManifestHash, IReadOnlyList<ModifiedContent> Modified, string? Error = null)
{
    /// <summary>Found, no error, and no file differs from the manifest.</summary>
    public bool Success => Error is null && Modified.Count == 0;
}

/// <summary>
/// <c>collection verify</c>: compares an installed collection with FILES.json, file by file, and reports files or
/// directories added, changed or missing. Offline the installed MANIFEST.json and FILES.json are the reference
/// (FILES.json checked against MANIFEST.json's sha256 first); online the artifact the server has for the
/// installed version is downloaded (sha256 checked against the server's), its MANIFEST.json must equal the
/// installed one, and its FILES.json is the reference.
/// </summary>
public sealed class CollectionVerifier(IReadOnlyList<GalaxyClient> servers, CollectionArtifactStore artifacts)
{
    /// <summary>Finds <paramref name="name"/> in the first of <paramref name="roots"/> (ansible_collections
    /// directories) that has it.</summary>
    public static string Locate(CollectionName name, IEnumerable<string> roots)
    {
        string? withoutManifest = null;
        foreach (var root in roots)
        {
            var dir = Path.Combine(root, name.Namespace, name.Name);
            if (!Directory.Exists(dir))
            {
                continue;
            }
            if (File.Exists(Path.Combine(dir, ManifestJson.ManifestFileName)))
            {
                return dir;
            }
            withoutManifest = dir;
        }
        throw new GalaxyException(withoutManifest is not null
            ? $"Collection {name} does not have a MANIFEST.json. A MANIFEST.json is expected if the collection has been built and installed via ansible-galaxy"
            : $"Collection {name} is not installed in any of the collection paths.");
    }

    /// <summary>Compares an installed collection with its MANIFEST.json and FILES.json and, unless <paramref name="offline"/>, with the server's published manifest (as <c>ansible-galaxy collection verify</c>).</summary>
    public async Task<VerifyResult> VerifyAsync(CollectionName name, string? version, IEnumerable<string> roots, bool offline, CancellationToken ct = default)
    {
        var dir = Locate(name, roots);
        var manifestPath = Path.Combine(dir, ManifestJson.ManifestFileName);
        var installedManifestBytes = await File.ReadAllBytesAsync(manifestPath, ct);
        var local = ManifestJson.ReadManifest(installedManifestBytes, manifestPath).Info;
        var modified = new List<ModifiedContent>();
        byte[] manifestBytes;
        byte[] filesBytes;
        string manifestHash;
        if (offline)
        {
            manifestBytes = installedManifestBytes;
            manifestHash = Sha(installedManifestBytes);
            filesBytes = await ReadOrEmpty(Path.Combine(dir, ManifestJson.FilesFileName), ct);
        }
        else
        {
            var wanted = version is { } v && v != "*" && !v.StartsWith('<') && !v.StartsWith('>') && !v.StartsWith('!') ? v.TrimStart('=') : local.Version;
            if (wanted != local.Version)
            {
                return new VerifyResult(name, local.Version, dir, "", [],
                    $"{name} has the version '{local.Version}' but is being compared to '{wanted}'");
            }
            var (server, detail) = await FindRemoteAsync(name, wanted, ct);
            var tarball = await artifacts.GetGalaxyArtifactAsync(server, detail, null, ct);
            var remote = await Task.Run(() => CollectionArchive.ReadManifests(tarball, ct: ct), ct);
            manifestBytes = remote.ManifestBytes;
            filesBytes = remote.FilesBytes;
            manifestHash = Sha(remote.ManifestBytes);
            if (Sha(installedManifestBytes) != manifestHash)
            {
                modified.Add(new ModifiedContent(ManifestJson.ManifestFileName, manifestHash, Sha(installedManifestBytes)));
            }
        }
        var manifest = ManifestJson.ReadManifest(manifestBytes, manifestPath);
        var filesPath = Path.Combine(dir, ManifestJson.FilesFileName);
        var expectedFilesHash = manifest.FileManifestFile.ChksumSha256 ?? "";
        var installedFilesHash = File.Exists(filesPath) ? CollectionBuilder.Sha256File(filesPath) : "None";
        if (installedFilesHash != expectedFilesHash)
        {
            modified.Add(new ModifiedContent(manifest.FileManifestFile.Name, expectedFilesHash, installedFilesHash));
        }
        FilesManifest files;
        try
        {
            files = ManifestJson.ReadFiles(filesBytes, filesPath);
        }
        catch (GalaxyException e)
        {
            return new VerifyResult(name, local.Version, dir, manifestHash, modified, e.Message);
        }
        var expectedFiles = new HashSet<string>(StringComparer.Ordinal) { ManifestJson.ManifestFileName, ManifestJson.FilesFileName };
        var expectedDirs = new HashSet<string>(StringComparer.Ordinal);
        var checks = new List<(string Name, string Expected)>();
        foreach (var entry in files.Files)
        {
            if (entry.IsDir)
            {
                expectedDirs.Add(entry.Name);
                continue;
            }
            expectedFiles.Add(entry.Name);
            checks.Add((entry.Name, entry.ChksumSha256 ?? "None"));
        }
        var found = new string?[checks.Count];
        Parallel.For(0, checks.Count, new ParallelOptions { CancellationToken = ct }, i =>
        {
            var path = Path.Combine(dir, checks[i].Name);
            found[i] = Posix.TypeOf(path, follow: true, out _) == PosixFileType.Regular ? CollectionBuilder.Sha256File(path) : null;
        });
        for (var i = 0; i < checks.Count; i++)
        {
            if (found[i] != checks[i].Expected)
            {
                modified.Add(new ModifiedContent(checks[i].Name, checks[i].Expected, found[i] ?? "None"));
            }
        }
        Walk(dir, "", expectedFiles, expectedDirs, modified);
        return new VerifyResult(name, local.Version, dir, manifestHash, modified);
    }

    // Everything on disk that FILES.json does not list (symlinked directories are listed, not entered).
    private static void Walk(string root, string rel, HashSet<string> files, HashSet<string> dirs, List<ModifiedContent> modified)
    {
        var here = rel.Length == 0 ? root : Path.Combine(root, rel);
        foreach (var full in Directory.EnumerateFileSystemEntries(here).Order(StringComparer.Ordinal))
        {
            var name = rel.Length == 0 ? Path.GetFileName(full) : rel + "/" + Path.GetFileName(full);
            var type = Posix.TypeOf(full, follow: false, out _);
            var isDir = type == PosixFileType.Directory || (type == PosixFileType.Symlink && Posix.TypeOf(full, follow: true, out _) == PosixFileType.Directory);
            if (isDir)
            {
                if (!dirs.Contains(name))
                {
                    modified.Add(new ModifiedContent(name, "the directory does not exist", "the directory exists"));
                }
                if (type == PosixFileType.Directory)
                {
                    Walk(root, name, files, dirs, modified);
                }
            }
            else if (!files.Contains(name))
            {
                modified.Add(new ModifiedContent(name, "the file does not exist", "the file exists"));
            }
        }
    }

    private async Task<(GalaxyClient, CollectionVersionInfo)> FindRemoteAsync(CollectionName name, string version, CancellationToken ct)
    {
        Exception? last = null;
        foreach (var server in servers)
        {
            try
            {
                return (server, await server.GetVersionAsync(name, version, ct));
            }
            catch (GalaxyApiException e)
            {
                last = e;
            }
        }
        throw new GalaxyException($"Failed to find remote collection '{name}:{version}' on any of the galaxy servers" +
                                  (last is null ? "" : $" ({last.Message})"));
    }

    private static async Task<byte[]> ReadOrEmpty(string path, CancellationToken ct) =>
        File.Exists(path) ? await File.ReadAllBytesAsync(path, ct) : "{\"files\": [], \"format\": 1}"u8.ToArray();

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
