using System.Diagnostics;
using System.Text.Json;
using Anvil.Galaxy.Archives;
using Anvil.Galaxy.Building;

namespace Anvil.Galaxy.Tests;

/// <summary>
/// A read-only Galaxy v3 API as static files (the shapes of samples/galaxy/api: discovery, collection, version list,
/// version detail, download) served by Python's http.server. It is the smallest thing both ansible-galaxy and
/// Anvil install from by name, so the two can be compared on resolution and on what they write; ansible-galaxy
/// accepting it is the check that it is shaped right. The real registry is issue #7.
/// </summary>
internal sealed class StaticGalaxy : IDisposable
{
    private readonly Process _server;

    private StaticGalaxy(string root, int port, Process server)
    {
        Root = root;
        Port = port;
        _server = server;
    }

    public string Root { get; }

    public int Port { get; }

    /// <summary>The URL to configure (<c>-s</c>); its API root is <c>/api/</c>.</summary>
    public string Url => $"http://127.0.0.1:{Port}/api/";

    public static async Task<StaticGalaxy> StartAsync(string root, IEnumerable<string> tarballs)
    {
        var port = Ports.Free();
        Write(root, port, tarballs);
        var psi = new ProcessStartInfo("/usr/bin/python3", ["-m", "http.server", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--directory", root])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(psi)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        try
        {
            await Wait.UntilServingAsync(new Uri($"http://127.0.0.1:{port}/api/"), TimeSpan.FromSeconds(30), () => "python3 -m http.server did not start", process);
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
        return new StaticGalaxy(root, port, process);
    }

    /// <summary>Writes the API tree for the artifacts (built with any tool) under <paramref name="root"/>.</summary>
    public static void Write(string root, int port, IEnumerable<string> tarballs)
    {
        var byCollection = tarballs.Select(t => (Path: t, Info: CollectionArchive.ReadManifest(t).Info))
            .GroupBy(x => x.Info.FullName.ToString());
        Json(Path.Combine(root, "api"), new { available_versions = new { v3 = "v3/" }, current_version = "v3" });
        foreach (var group in byCollection)
        {
            var (ns, name) = (group.First().Info.Namespace, group.First().Info.Name);
            var collectionDir = Path.Combine(root, "api", "v3", "collections", ns, name);
            var href = $"/api/v3/collections/{ns}/{name}/";
            Json(collectionDir, new
            {
                href,
                @namespace = ns,
                name,
                deprecated = false,
                versions_url = href + "versions/",
                created_at = "2024-01-01T00:00:00.000000Z",
                updated_at = "2024-01-01T00:00:00.000000Z",
            });
            Json(Path.Combine(collectionDir, "versions"), new
            {
                meta = new { count = group.Count() },
                links = new { first = (string?)null, previous = (string?)null, next = (string?)null, last = (string?)null },
                data = group.Select(v => new { version = v.Info.Version, href = $"{href}versions/{v.Info.Version}/", requires_ansible = ">=2.14.0" }),
            });
            foreach (var (tarball, info) in group)
            {
                var file = Path.GetFileName(tarball);
                Directory.CreateDirectory(Path.Combine(root, "download"));
                File.Copy(tarball, Path.Combine(root, "download", file), overwrite: true);
                Json(Path.Combine(collectionDir, "versions", info.Version), new
                {
                    version = info.Version,
                    href = $"{href}versions/{info.Version}/",
                    requires_ansible = ">=2.14.0",
                    artifact = new { filename = file, sha256 = CollectionBuilder.Sha256File(tarball), size = new FileInfo(tarball).Length },
                    collection = new { name, href },
                    download_url = $"http://127.0.0.1:{port}/download/{file}",
                    name,
                    @namespace = new { name = ns },
                    signatures = Array.Empty<object>(),
                    metadata = new { dependencies = info.Dependencies.ToDictionary(d => d.Key, d => d.Value), tags = info.Tags },
                });
            }
        }
    }

    private static void Json(string dir, object value)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "index.html"), JsonSerializer.Serialize(value));
    }

    public void Dispose()
    {
        try
        {
            _server.Kill();
            _server.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
        _server.Dispose();
    }
}
