using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Anvil.Galaxy.Tests;
using Anvil.Registry;
using Anvil.Data.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Anvil.Server.Tests.Registry;

/// <summary>
/// The real server (in process, real Kestrel on 127.0.0.1) with the registry set up as an administrator would:
/// users alice (owns <c>acme</c>) and bob (owns <c>other</c>), a token for each, and an artifacts folder of its own.
/// Also runs ansible-galaxy against it with a private HOME.
/// </summary>
internal sealed class RegistryServer : IAsyncDisposable
{
    public const string AlicePassword = "alice-Secret-1";

    private readonly TempDir _dir;

    private RegistryServer(TempDir dir, RunningServer server, string aliceToken, string bobToken)
    {
        _dir = dir;
        Server = server;
        AliceToken = aliceToken;
        BobToken = bobToken;
    }

    public RunningServer Server { get; }

    public string AliceToken { get; }

    public string BobToken { get; }

    /// <summary>The URL ansible-galaxy is given (<c>http://127.0.0.1:PORT/api/</c>).</summary>
    public string Url => new Uri(Server.BaseAddress, "/api/").ToString();

    public string Artifacts => Path.Combine(_dir.Path, "artifacts");

    public string Work => _dir.Path;

    public RegistryStore Store => Server.App.Services.GetRequiredService<RegistryStore>();

    /// <param name="database">the records database (a PostgreSQL connection string); default a SQLite file.</param>
    public static async Task<RegistryServer> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, string? database = null)
    {
        var dir = new TempDir();
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Galaxy:ArtifactsPath"] = Path.Combine(dir.Path, "artifacts"),
        };
        var server = await RunningServer.StartAsync(settings: all, database: database, users: [("alice", AlicePassword), ("bob", "bob-Secret-2")]);
        var store = server.App.Services.GetRequiredService<RegistryStore>();
        await store.CreateNamespaceAsync("acme", "alice");
        await store.CreateNamespaceAsync("other", "bob");
        var tokens = server.App.Services.GetRequiredService<TokenStore>();
        var alice = await tokens.CreateAsync("alice");
        var bob = await tokens.CreateAsync("bob");
        return new RegistryServer(dir, server, alice.Secret, bob.Secret);
    }

    /// <summary>Artifact files stored (the staging folder excluded, which must be empty after any import).</summary>
    public List<string> ArtifactFiles() =>
        Directory.Exists(Artifacts)
            ? Directory.EnumerateFiles(Artifacts, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/.incoming/", StringComparison.Ordinal)).ToList()
            : [];

    public List<string> StagedFiles() =>
        Directory.Exists(Store.StagingPath) ? Directory.EnumerateFileSystemEntries(Store.StagingPath).ToList() : [];

    /// <summary>A HOME for ansible-galaxy with an ansible.cfg naming this server (token or Basic credentials).</summary>
    public string GalaxyHome(string name, string? token = null, (string User, string Password)? basic = null)
    {
        var home = Path.Combine(_dir.Path, "home-" + name);
        Directory.CreateDirectory(home);
        var credentials = basic is { } b ? $"username = {b.User}\npassword = {b.Password}\n" : token is not null ? $"token = {token}\n" : "";
        File.WriteAllText(Path.Combine(home, "ansible.cfg"),
            $"[galaxy]\nserver_list = anvil\n\n[galaxy_server.anvil]\nurl = {Url}\n{credentials}");
        return home;
    }

    /// <summary>ansible-galaxy with <paramref name="home"/>; returns exit code and both outputs.</summary>
    public static Task<(int Code, string Out, string Err)> AnsibleGalaxyAsync(string home, params string[] args) =>
        Tools.RunAsync("ansible-galaxy", args, home, GalaxyTools.AnsibleEnvironment(home));

    public static async Task<string> AnsibleGalaxyOkAsync(string home, params string[] args)
    {
        var (code, output, error) = await AnsibleGalaxyAsync(home, args);
        Assert.True(code == 0, $"ansible-galaxy {string.Join(' ', args)} exited {code}:\n{output}\n{error}");
        return output;
    }

    /// <summary>Builds a collection with ansible-galaxy (the real client's artifact).</summary>
    public async Task<string> BuildAsync(string ns, string name, string version, IReadOnlyDictionary<string, string>? dependencies = null,
        Action<SourceCollection>? edit = null)
    {
        var src = new SourceCollection(Path.Combine(_dir.Path, "src", $"{ns}.{name}-{version}"), ns, name, version, dependencies: dependencies)
            .EchoModule()
            .Write("roles/web_server/tasks/main.yml", "- debug: msg=hi\n");
        edit?.Invoke(src);
        var output = Path.Combine(_dir.Path, "built");
        Directory.CreateDirectory(output);
        var home = Path.Combine(_dir.Path, "home-build");
        Directory.CreateDirectory(home);
        await AnsibleGalaxyOkAsync(home, "collection", "build", src.Root, "--output-path", output, "--force");
        return Path.Combine(output, $"{ns}-{name}-{version}.tar.gz");
    }

    /// <summary>Posts an artifact as a plain multipart (raw bytes, no base64), as other clients do.</summary>
    public async Task<HttpResponseMessage> UploadAsync(string path, string? token, string? filename = null, string? sha256 = null)
    {
        using var content = new MultipartFormDataContent();
        var bytes = await File.ReadAllBytesAsync(path);
        content.Add(new ByteArrayContent(bytes), "file", filename ?? Path.GetFileName(path));
        content.Add(new StringContent(sha256 ?? CraftedArtifact.Sha(bytes)), "sha256");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v3/artifacts/collections/") { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        }
        return await Server.Http.SendAsync(request);
    }

    /// <summary>Polls an import until it has finished (the server's queue finishes every import).</summary>
    public async Task<JsonElement> WaitImportAsync(HttpResponseMessage accepted, string token)
    {
        Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);
        var task = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync()).RootElement.GetProperty("task").GetString()!;
        Assert.StartsWith("/api/v3/imports/collections/", task);
        JsonElement body = default;
        await Wait.UntilAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, task);
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
            using var response = await Server.Http.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            return body.GetProperty("finished_at").ValueKind == JsonValueKind.String;
        }, TimeSpan.FromMinutes(1), "the import never finished");
        return body;
    }

    public async Task<JsonElement> GetJsonAsync(string path, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        }
        using var response = await Server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Rewrites a tar.gz member by member: <paramref name="change"/> returns new bytes, the same, or null to
    /// drop the member; <paramref name="extra"/> entries are appended.</summary>
    public static string Repack(string tarball, string output, Func<string, byte[], byte[]?> change, params TarEntry[] extra)
    {
        var members = new List<(TarEntry Entry, byte[] Data)>();
        using (var file = File.OpenRead(tarball))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        using (var reader = new TarReader(gzip))
        {
            while (reader.GetNextEntry(copyData: true) is { } e)
            {
                var data = Array.Empty<byte>();
                if (e.DataStream is not null)
                {
                    using var ms = new MemoryStream();
                    e.DataStream.CopyTo(ms);
                    data = ms.ToArray();
                }
                members.Add((e, data));
            }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        using (var file = File.Create(output))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var (e, data) in members)
            {
                var name = e.Name.TrimEnd('/');
                var changed = e.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile ? change(name, data) : data;
                if (changed is null)
                {
                    continue;
                }
                var copy = new PaxTarEntry(e.EntryType is TarEntryType.V7RegularFile ? TarEntryType.RegularFile : e.EntryType, e.Name)
                {
                    Mode = e.Mode,
                };
                if (e.EntryType == TarEntryType.SymbolicLink)
                {
                    copy.LinkName = e.LinkName;
                }
                if (copy.EntryType == TarEntryType.RegularFile)
                {
                    copy.DataStream = new MemoryStream(changed);
                }
                writer.WriteEntry(copy);
            }
            foreach (var e in extra)
            {
                writer.WriteEntry(e);
            }
        }
        return output;
    }

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}
