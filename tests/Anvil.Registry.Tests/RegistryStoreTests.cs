using System.Text;
using Anvil.Registry;
using Anvil.Data;
using Anvil.Data.Users;
using Dapper;

namespace Anvil.Registry.Tests;

/// <summary>The registry's storage, the same on every database (SQLite and PostgreSQL).</summary>
public abstract class RegistryStoreContract : IDisposable
{
    private readonly TempDir _dir = new();

    protected abstract Task<AnvilDatabase> OpenAsync();

    protected string Artifacts => Path.Combine(_dir.Path, "artifacts");

    public void Dispose() => _dir.Dispose();

    private async Task<(AnvilDatabase Db, RegistryStore Store)> SetupAsync()
    {
        var db = await OpenAsync();
        var users = new UserStore(db);
        await users.AddAsync("alice", "alice-password");
        await users.AddAsync("bob", "bob-password");
        await users.AddAsync("root", "root-password", admin: true);
        return (db, new RegistryStore(db, Artifacts));
    }

    /// <summary>A staged artifact file with some content, as the importer leaves it.</summary>
    private static string Stage(RegistryStore store, string content = "tarball bytes")
    {
        Directory.CreateDirectory(store.StagingPath);
        var path = Path.Combine(store.StagingPath, Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, content);
        return path;
    }

    private static NewVersion Version(string version, string ns = "acme", string name = "demo", string? description = null) => new()
    {
        Namespace = ns,
        Name = name,
        Version = version,
        Sha256 = new string('a', 64),
        Size = 13,
        MetadataJson = $"{{\"namespace\": \"{ns}\", \"name\": \"{name}\", \"version\": \"{version}\", \"dependencies\": {{}}}}",
        Description = description ?? $"{name} {version}",
        Uploader = "alice",
        Readme = "# readme",
    };

    private IEnumerable<string> ArtifactFiles() =>
        Directory.Exists(Artifacts)
            ? Directory.EnumerateFiles(Artifacts, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/.incoming/", StringComparison.Ordinal))
            : [];

    [Fact]
    public async Task Namespaces_CreateOwnersAndList()
    {
        var (db, store) = await SetupAsync();
        await using var _ = db;
        await store.CreateNamespaceAsync("acme", "alice", "ACME's collections");
        await store.CreateNamespaceAsync("zeta", "bob");
        Assert.True(await store.AddOwnerAsync("acme", "bob"));
        Assert.False(await store.AddOwnerAsync("acme", "bob"));

        var all = await store.ListNamespacesAsync();
        Assert.Equal(["acme", "zeta"], all.Select(n => n.Name));
        Assert.Equal(["alice", "bob"], all[0].Owners);
        Assert.Equal("ACME's collections", all[0].Description);
        Assert.Equal(["acme", "zeta"], await store.NamespacesOwnedByAsync("bob"));

        Assert.True(await store.CanUploadAsync("alice", "acme"));
        Assert.False(await store.CanUploadAsync("alice", "zeta"));
        Assert.True(await store.CanUploadAsync("root", "zeta")); // admins may upload anywhere
        Assert.False(await store.CanUploadAsync("nobody", "zeta"));
        Assert.True(await store.RemoveOwnerAsync("acme", "bob"));
        Assert.False(await store.CanUploadAsync("bob", "acme"));

        var taken = await Assert.ThrowsAsync<RegistryException>(() => store.CreateNamespaceAsync("acme", "bob"));
        Assert.Equal(RegistryError.Conflict, taken.Error);
        Assert.Equal("namespace 'acme' already exists", taken.Message);
        var bad = await Assert.ThrowsAsync<RegistryException>(() => store.CreateNamespaceAsync("Bad-Name", "bob"));
        Assert.Equal(RegistryError.Invalid, bad.Error);
        Assert.Contains("'Bad-Name'", bad.Message);
        var noUser = await Assert.ThrowsAsync<RegistryException>(() => store.CreateNamespaceAsync("other", "nobody"));
        Assert.Equal("user 'nobody' does not exist", noUser.Message);
        Assert.Null(await store.GetNamespaceAsync("other"));
        var noNs = await Assert.ThrowsAsync<RegistryException>(() => store.CanUploadAsync("alice", "missing"));
        Assert.Equal(RegistryError.NotFound, noNs.Error);
    }

    [Fact]
    public async Task Versions_LatestIsHighestRelease_UpdatedChangesWithEveryVersion()
    {
        var (db, store) = await SetupAsync();
        await using var _ = db;
        await store.CreateNamespaceAsync("acme", "alice");

        await store.AddVersionAsync(Version("2.0.0-beta.1"), Stage(store));
        var detail = await store.GetCollectionAsync("acme", "demo");
        Assert.Equal("2.0.0-beta.1", detail!.Collection.LatestVersion); // only a pre-release: it is the latest
        var updated = detail.Collection.Updated;

        await store.AddVersionAsync(Version("1.0.0"), Stage(store));
        detail = await store.GetCollectionAsync("acme", "demo");
        Assert.Equal("1.0.0", detail!.Collection.LatestVersion); // a release beats any pre-release
        Assert.True(detail.Collection.Updated > updated);
        updated = detail.Collection.Updated;

        await store.AddVersionAsync(Version("1.10.0"), Stage(store));
        await store.AddVersionAsync(Version("1.2.0", description: "older"), Stage(store));
        detail = await store.GetCollectionAsync("acme", "demo");
        Assert.Equal("1.10.0", detail!.Collection.LatestVersion); // SemVer order, not text order
        Assert.Equal("demo 1.10.0", detail.Collection.Description); // the latest version's description
        Assert.Equal("1.10.0", detail.Latest!.Version);
        Assert.True(detail.Collection.Updated > updated);
        Assert.Equal(4, detail.Collection.VersionCount);

        var page = await store.ListVersionsAsync("acme", "demo", offset: 1, limit: 2);
        Assert.Equal(4, page!.Total);
        Assert.Equal(["1.10.0", "1.2.0"], page.Items.Select(v => v.Version));
        var all = await store.ListVersionsAsync("acme", "demo");
        Assert.Equal(["2.0.0-beta.1", "1.10.0", "1.2.0", "1.0.0"], all!.Items.Select(v => v.Version));
        Assert.True(all.Items[0].IsPrerelease);
        Assert.Null(await store.ListVersionsAsync("acme", "nothing"));

        var v = await store.GetVersionAsync("acme", "demo", "1.2.0");
        Assert.Equal("acme-demo-1.2.0.tar.gz", v!.Filename);
        Assert.Equal("# readme", v.Readme);
        Assert.Equal("alice", v.Uploader);
        Assert.Equal("tarball bytes", await File.ReadAllTextAsync(store.ArtifactPath(v)));
        Assert.Equal(v.Version, (await store.GetVersionByFilenameAsync("acme-demo-1.2.0.tar.gz"))!.Version);
        Assert.Null(await store.GetVersionAsync("acme", "demo", "9.9.9"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.StagingPath)); // every staged file was moved
    }

    [Fact]
    public async Task Collections_ListPagesAndSearches()
    {
        var (db, store) = await SetupAsync();
        await using var _ = db;
        await store.CreateNamespaceAsync("acme", "alice");
        await store.CreateNamespaceAsync("zeta", "bob");
        await store.AddVersionAsync(Version("1.0.0", "acme", "web", "serves web pages"), Stage(store));
        await store.AddVersionAsync(Version("1.0.0", "acme", "db"), Stage(store));
        await store.AddVersionAsync(Version("1.0.0", "zeta", "web_tools", "100% tools"), Stage(store));

        var all = await store.ListCollectionsAsync();
        Assert.Equal(["acme.db", "acme.web", "zeta.web_tools"], all.Items.Select(c => c.FullName));
        Assert.Equal(3, all.Total);
        var acme = await store.ListCollectionsAsync(ns: "acme", limit: 1, offset: 1);
        Assert.Equal(2, acme.Total);
        Assert.Equal(["acme.web"], acme.Items.Select(c => c.FullName));
        Assert.Equal(["acme.web", "zeta.web_tools"], (await store.ListCollectionsAsync(search: "WEB")).Items.Select(c => c.FullName));
        Assert.Equal(["acme.web"], (await store.ListCollectionsAsync(search: "pages")).Items.Select(c => c.FullName));
        Assert.Equal(["zeta.web_tools"], (await store.ListCollectionsAsync(search: "100%")).Items.Select(c => c.FullName));
        Assert.Equal(["zeta.web_tools"], (await store.ListCollectionsAsync(search: "zeta.web")).Items.Select(c => c.FullName));
        Assert.Empty((await store.ListCollectionsAsync(search: "_x")).Items); // LIKE wildcards are literal
        Assert.Equal(2, (await store.GetNamespaceAsync("acme"))!.CollectionCount);
    }

    [Fact]
    public async Task Duplicate_IsRefused_AndLeavesNoFile()
    {
        var (db, store) = await SetupAsync();
        await using var _ = db;
        await store.CreateNamespaceAsync("acme", "alice");
        await store.AddVersionAsync(Version("1.0.0"), Stage(store, "first"));
        var updated = (await store.GetCollectionAsync("acme", "demo"))!.Collection.Updated;

        foreach (var again in new[] { "1.0.0", "1.0.0+build.7" })
        {
            var staged = Stage(store, "second");
            var e = await Assert.ThrowsAsync<RegistryException>(() => store.AddVersionAsync(Version(again), staged));
            Assert.Equal(RegistryError.Conflict, e.Error);
            Assert.Equal($"acme.demo {again} already exists and versions cannot be replaced", e.Message);
        }
        Assert.Single(ArtifactFiles());
        var v = await store.GetVersionAsync("acme", "demo", "1.0.0");
        Assert.Equal("first", await File.ReadAllTextAsync(store.ArtifactPath(v!)));
        Assert.Equal(updated, (await store.GetCollectionAsync("acme", "demo"))!.Collection.Updated);

        var missing = await Assert.ThrowsAsync<RegistryException>(() => store.AddVersionAsync(Version("1.0.0", ns: "nowhere"), Stage(store)));
        Assert.Equal(RegistryError.NotFound, missing.Error);
        Assert.Single(ArtifactFiles());
    }

    [Fact]
    public async Task ConcurrentUploads_OfOneVersion_OneWins_NoStrayFile()
    {
        var (db, store) = await SetupAsync();
        await using var _ = db;
        await store.CreateNamespaceAsync("acme", "alice");
        var staged = Enumerable.Range(0, 8).Select(i => Stage(store, $"upload {i}")).ToList();
        var results = await Task.WhenAll(staged.Select(async s =>
        {
            try
            {
                return (await store.AddVersionAsync(Version("3.0.0"), s)).Filename;
            }
            catch (RegistryException e) when (e.Error == RegistryError.Conflict)
            {
                return null;
            }
        }));
        Assert.Single(results, r => r is not null);
        var file = Assert.Single(ArtifactFiles());
        var v = await store.GetVersionAsync("acme", "demo", "3.0.0");
        Assert.Equal(file, store.ArtifactPath(v!));
        Assert.Equal(1, (await store.GetCollectionAsync("acme", "demo"))!.Collection.VersionCount);
    }

    [Fact]
    public async Task ConcurrentUploads_OfDifferentVersions_AllLand_LatestIsRight()
    {
        var (db, store) = await SetupAsync();
        await using var _ = db;
        await store.CreateNamespaceAsync("acme", "alice");
        var versions = Enumerable.Range(1, 12).Select(i => $"1.{i}.0").ToList();
        await Task.WhenAll(versions.Select(v => store.AddVersionAsync(Version(v), Stage(store))));
        var detail = await store.GetCollectionAsync("acme", "demo");
        Assert.Equal("1.12.0", detail!.Collection.LatestVersion);
        Assert.Equal(12, detail.Collection.VersionCount);
        Assert.Equal(12, ArtifactFiles().Count());
    }

    [Fact]
    public async Task Imports_RecordStateLogAndError()
    {
        var (db, store) = await SetupAsync();
        await using var _ = db;
        var ok = await store.CreateImportAsync("alice", "acme-demo-1.0.0.tar.gz", "acme", "demo", "1.0.0");
        var bad = await store.CreateImportAsync("bob", "acme-demo-1.0.1.tar.gz", "acme", "demo", "1.0.1");
        Assert.Equal(ImportState.Waiting, (await store.GetImportAsync(ok.Id))!.State);

        await store.UpdateImportAsync(ok.Id, ImportState.Running, [new(ImportMessage.Info, "Importing", DateTimeOffset.UtcNow)]);
        var running = await store.GetImportAsync(ok.Id);
        Assert.Equal(ImportState.Running, running!.State);
        Assert.NotNull(running.Started);
        Assert.Null(running.Finished);
        await store.UpdateImportAsync(ok.Id, ImportState.Completed,
            [new(ImportMessage.Info, "Importing", DateTimeOffset.UtcNow), new(ImportMessage.Warning, "plugins/x.py: odd \"quote\"", DateTimeOffset.UtcNow)]);
        await store.UpdateImportAsync(bad.Id, ImportState.Failed, [new(ImportMessage.Error, "FILES.json: checksum mismatch", DateTimeOffset.UtcNow)],
            "ImporterError", "checksum mismatch");

        var done = await store.GetImportAsync(ok.Id);
        Assert.Equal(ImportState.Completed, done!.State);
        Assert.Equal(running.Started, done.Started);
        Assert.NotNull(done.Finished);
        Assert.Equal([ImportMessage.Info, ImportMessage.Warning], done.Messages.Select(m => m.Level));
        Assert.Equal("plugins/x.py: odd \"quote\"", done.Messages[1].Message);
        var failed = await store.GetImportAsync(bad.Id);
        Assert.Equal(("ImporterError", "checksum mismatch"), (failed!.ErrorCode, failed.ErrorDescription));
        Assert.NotNull(failed.Finished);

        Assert.Equal([ok.Id], (await store.ListImportsAsync("alice")).Items.Select(i => i.Id));
        Assert.Equal(2, (await store.ListImportsAsync(null)).Total);
        Assert.Null(await store.GetImportAsync("no-such-id"));
    }

    [Fact]
    public async Task StartupRecovery_FailsUnfinishedImports_EmptiesStaging_RemovesOnlyOldOrphans()
    {
        var (db, store) = await SetupAsync();
        await using var _ = db;
        await store.CreateNamespaceAsync("acme", "alice");
        var kept = await store.AddVersionAsync(Version("1.0.0"), Stage(store, "kept"));
        var running = await store.CreateImportAsync("alice", "acme-demo-1.0.1.tar.gz", "acme", "demo", "1.0.1");
        await store.UpdateImportAsync(running.Id, ImportState.Running, []);
        var done = await store.CreateImportAsync("alice", "acme-demo-1.0.0.tar.gz", "acme", "demo", "1.0.0");
        await store.UpdateImportAsync(done.Id, ImportState.Completed, []);
        var staged = Stage(store, "half an upload");
        // A file moved into place whose row was never committed (the server died in between), and one just moved.
        var orphan = Path.Combine(Artifacts, "acme", "demo", "acme-demo-1.0.1.0123456789abcdef0123456789abcdef.tar.gz");
        File.WriteAllText(orphan, "orphan");
        File.SetLastWriteTimeUtc(orphan, DateTime.UtcNow.AddHours(-1));
        var fresh = Path.Combine(Artifacts, "acme", "demo", "acme-demo-1.0.2.fedcba9876543210fedcba9876543210.tar.gz");
        File.WriteAllText(fresh, "fresh");
        File.SetLastWriteTimeUtc(store.ArtifactPath(kept), DateTime.UtcNow.AddHours(-1));

        Assert.Equal(1, await store.FailUnfinishedImportsAsync());
        Assert.Equal(1, await store.RemoveOrphanArtifactsAsync(TimeSpan.FromMinutes(10)));

        var failed = await store.GetImportAsync(running.Id);
        Assert.Equal(ImportState.Failed, failed!.State);
        Assert.Equal(ImportState.Completed, (await store.GetImportAsync(done.Id))!.State);
        Assert.False(File.Exists(staged));
        Assert.False(File.Exists(orphan));
        Assert.True(File.Exists(fresh));
        Assert.Equal("kept", await File.ReadAllTextAsync(store.ArtifactPath(kept)));
    }
}

public sealed class SqliteRegistryStoreTests : RegistryStoreContract
{
    protected override Task<AnvilDatabase> OpenAsync() =>
        AnvilDatabase.OpenAsync(Path.Combine(Artifacts, "..", "db", "registry.db"), [RegistrySchema.Migrations]);
}

[Collection("postgres")]
public sealed class PostgresRegistryStoreTests(PostgresFixture postgres) : RegistryStoreContract
{
    protected override Task<AnvilDatabase> OpenAsync() => AnvilDatabase.OpenAsync(postgres.NewDatabase(), [RegistrySchema.Migrations]);
}
