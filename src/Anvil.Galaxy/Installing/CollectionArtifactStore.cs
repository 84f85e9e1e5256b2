using System.Collections.Concurrent;
using Anvil.Galaxy.Archives;
using Anvil.Galaxy.Building;
using Anvil.Galaxy.Metadata;
using Anvil.Galaxy.Servers;

namespace Anvil.Galaxy.Installing;

/// <summary>A concrete artifact read: its metadata and where it is on disk.</summary>
/// <param name="Info">The collection's metadata.</param>
/// <param name="LocalPath">The tarball (downloaded, for a URL) or the directory.</param>
/// <param name="Type">File, Url or Dir.</param>
public sealed record ConcreteArtifact(CollectionInfo Info, string LocalPath, RequirementType Type);

/// <summary>
/// Gets artifacts and their metadata: local tarballs and directories, tarballs at URLs (downloaded once per run),
/// and artifacts from Galaxy servers, which are kept in a local cache named by their sha256 and checked against
/// the server's sha256 on download and again on every use. Thread-safe.
/// </summary>
public sealed class CollectionArtifactStore : IDisposable
{
    private readonly string? _cacheDir;
    private readonly string _workDir;
    private readonly ConcurrentDictionary<string, Lazy<Task<ConcreteArtifact>>> _concrete = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _galaxy = new();
    private readonly Lazy<HttpClient> _http;

    /// <param name="cacheDir">Where server artifacts are kept between runs (null: not kept).</param>
    /// <param name="validateCerts">For URL downloads.</param>
    public CollectionArtifactStore(string? cacheDir, bool validateCerts = true)
    {
        _cacheDir = cacheDir;
        _workDir = Directory.CreateTempSubdirectory("anvil-collections-").FullName;
        _http = new Lazy<HttpClient>(() =>
        {
            var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 8 };
            if (!validateCerts)
            {
                handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
            }
            return new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(10) };
        });
    }

    /// <summary>A scratch directory removed on dispose.</summary>
    public string WorkDirectory => _workDir;

    /// <summary>Artifacts taken from the download cache instead of the server (updated concurrently, read it after the operation).</summary>
    public int CacheHits;

    /// <summary>Artifacts downloaded from a server (updated concurrently, read it after the operation).</summary>
    public int Downloads;

    /// <summary>The metadata of a tarball, URL or directory requirement (read once).</summary>
    public Task<ConcreteArtifact> GetConcreteAsync(Requirement requirement, CancellationToken ct) =>
        _concrete.GetOrAdd($"{requirement.Type}:{requirement.Location}",
            _ => new Lazy<Task<ConcreteArtifact>>(() => Task.Run(() => ReadConcreteAsync(requirement, ct), ct))).Value;

    private async Task<ConcreteArtifact> ReadConcreteAsync(Requirement requirement, CancellationToken ct)
    {
        var location = requirement.Location!;
        switch (requirement.Type)
        {
            case RequirementType.File:
                return new ConcreteArtifact(CollectionArchive.ReadManifest(location, ct).Info, location, RequirementType.File);
            case RequirementType.Url:
                var name = Uri.TryCreate(location, UriKind.Absolute, out var uri) ? Path.GetFileName(uri.AbsolutePath) : "artifact.tar.gz";
                var target = Path.Combine(Directory.CreateTempSubdirectory(Path.Combine(_workDir, "url-")).FullName,
                    name.Length > 0 ? name : "artifact.tar.gz");
                await DownloadUrlAsync(location, target, ct);
                return new ConcreteArtifact(CollectionArchive.ReadManifest(target, ct).Info, target, RequirementType.Url);
            case RequirementType.Dir:
                return new ConcreteArtifact(ReadDirectory(location), location, RequirementType.Dir);
            default:
                throw new GalaxyException($"{requirement}: {requirement.Type} requirements are not supported here");
        }
    }

    /// <summary>A collection directory's metadata: MANIFEST.json when installed, else galaxy.yml.</summary>
    public static CollectionInfo ReadDirectory(string dir)
    {
        var manifest = Path.Combine(dir, ManifestJson.ManifestFileName);
        if (File.Exists(manifest))
        {
            return ManifestJson.ReadManifest(File.ReadAllBytes(manifest), manifest).Info;
        }
        return GalaxyYmlReader.Load(dir, forBuild: false).Info;
    }

    private async Task DownloadUrlAsync(string url, string target, CancellationToken ct)
    {
        try
        {
            using var response = await _http.Value.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new GalaxyException($"Failed to download collection tar from '{url}': HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            await using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
            await response.Content.CopyToAsync(file, ct);
            Interlocked.Increment(ref Downloads);
        }
        catch (HttpRequestException e)
        {
            throw new GalaxyException($"Failed to download collection tar from '{url}': {e.Message}", e);
        }
    }

    /// <summary>The artifact of a server version, from the cache when its sha256 still matches, else downloaded
    /// (and cached). Fails when the download does not have the sha256 the server announced.</summary>
    public Task<string> GetGalaxyArtifactAsync(GalaxyClient server, CollectionVersionInfo version, IProgress<long>? progress, CancellationToken ct) =>
        _galaxy.GetOrAdd(version.Sha256 ?? version.DownloadUrl,
            _ => new Lazy<Task<string>>(() => FetchGalaxyAsync(server, version, progress, ct))).Value;

    private async Task<string> FetchGalaxyAsync(GalaxyClient server, CollectionVersionInfo version, IProgress<long>? progress, CancellationToken ct)
    {
        var sha = version.Sha256?.ToLowerInvariant();
        var dir = _cacheDir ?? _workDir;
        Directory.CreateDirectory(dir);
        var fileName = sha is not null ? $"{sha}.tar.gz" : $"{version.Namespace}-{version.Name}-{version.Version}.tar.gz";
        var cached = Path.Combine(dir, fileName);
        if (sha is not null && File.Exists(cached))
        {
            if (await Task.Run(() => CollectionBuilder.Sha256File(cached), ct) == sha)
            {
                Interlocked.Increment(ref CacheHits);
                return cached;
            }
            File.Delete(cached);
        }
        var part = Path.Combine(dir, $".{fileName}.{Guid.NewGuid():N}.part");
        try
        {
            string actual;
            await using (var file = new FileStream(part, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                actual = await server.DownloadAsync(version.DownloadUrl, file, progress, ct);
            }
            if (sha is not null && actual != sha)
            {
                throw new GalaxyException($"Mismatch artifact hash with downloaded file: {version.DownloadUrl} has sha256 {actual}, the server announced {sha}");
            }
            File.Move(part, cached, overwrite: true);
            Interlocked.Increment(ref Downloads);
            return cached;
        }
        finally
        {
            File.Delete(part);
        }
    }

    /// <summary>Removes <see cref="WorkDirectory"/> and releases the HTTP client.</summary>
    public void Dispose()
    {
        if (_http.IsValueCreated)
        {
            _http.Value.Dispose();
        }
        try
        {
            Directory.Delete(_workDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
