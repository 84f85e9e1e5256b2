using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Anvil.Data;
using Anvil.Galaxy;
using Anvil.Galaxy.Versioning;
using Dapper;

namespace Anvil.Registry;

/// <summary>
/// The collection registry's storage: namespaces and their owners, collections, versions and imports in
/// Anvil's database (SQLite or PostgreSQL), artifacts as files below <see cref="ArtifactsPath"/>. A version is added only with
/// its artifact already in place (the file is moved in first, the row committed after), and is never replaced or
/// deleted: the database's unique key decides between concurrent uploads of the same version, and the loser's file
/// is removed. Readers therefore never see a version whose artifact is missing.
/// </summary>
public sealed partial class RegistryStore
{
    /// <summary>Largest page a list returns.</summary>
    public const int MaxPageSize = 1000;

    private readonly AnvilDatabase _db;

    /// <param name="db">Anvil's database, opened with <see cref="RegistrySchema.Migrations"/>.</param>
    /// <param name="artifactsPath">Where artifacts are kept. Default: <c>$ANVIL_HOME/registry/artifacts</c>.</param>
    public RegistryStore(AnvilDatabase db, string? artifactsPath = null)
    {
        _db = db;
        ArtifactsPath = Path.GetFullPath(string.IsNullOrWhiteSpace(artifactsPath) ? DefaultArtifactsPath : artifactsPath);
    }

    /// <summary><c>$ANVIL_HOME/registry/artifacts</c>.</summary>
    public static string DefaultArtifactsPath => Path.Combine(AnvilDatabase.Home, "registry", "artifacts");

    /// <summary>The directory the artifacts are kept in (absolute).</summary>
    public string ArtifactsPath { get; }

    /// <summary>Where uploads are written while they are checked: inside <see cref="ArtifactsPath"/>, so that moving
    /// one into place is a rename on the same file system.</summary>
    public string StagingPath => Path.Combine(ArtifactsPath, ".incoming");

    /// <summary>The database the registry's rows are in; its <see cref="AnvilDatabase.Time"/> is the registry's clock.</summary>
    public AnvilDatabase Database => _db;

    /// <summary>The full path of a version's artifact.</summary>
    public string ArtifactPath(CollectionVersion version) => Path.Combine(ArtifactsPath, version.RelativePath);

    // ---------------------------------------------------------------- namespaces

    /// <summary>Creates a namespace owned by <paramref name="owner"/> (an existing user).</summary>
    /// <exception cref="RegistryException">Invalid name, taken name, or no such user.</exception>
    public async Task<RegistryNamespace> CreateNamespaceAsync(string name, string owner, string? description = null,
        CancellationToken ct = default)
    {
        if (CollectionName.GalaxyRuleViolation(name) is { } why)
        {
            throw new RegistryException(RegistryError.Invalid, $"invalid namespace name '{name}': it {why}");
        }
        var now = _db.NowMicros();
        try
        {
            await _db.WriteAsync(async (c, tx) =>
            {
                var userId = await UserIdAsync(c, tx, owner, ct).ConfigureAwait(false);
                if (await c.ExecuteScalarAsync<long?>(new CommandDefinition(
                        "SELECT id FROM registry_namespaces WHERE name = @name", new { name }, tx, cancellationToken: ct)).ConfigureAwait(false) is not null)
                {
                    throw new RegistryException(RegistryError.Conflict, $"namespace '{name}' already exists");
                }
                var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                    "INSERT INTO registry_namespaces (created, updated, name, description) VALUES (@now, @now, @name, @description) RETURNING id",
                    new { now, name, description }, tx, cancellationToken: ct)).ConfigureAwait(false);
                return await c.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO registry_namespace_owners (namespace_id, user_id, created) VALUES (@id, @userId, @now)",
                    new { id, userId, now }, tx, cancellationToken: ct)).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
        }
        catch (DbException e) when (SqlSession.IsUniqueViolation(e))
        {
            throw new RegistryException(RegistryError.Conflict, $"namespace '{name}' already exists");
        }
        return new RegistryNamespace(name, description, [owner], 0, Clock.FromMicros(now));
    }

    /// <summary>Adds an owner to a namespace; false if the user already owned it.</summary>
    /// <exception cref="RegistryException">No such namespace or user.</exception>
    public async Task<bool> AddOwnerAsync(string ns, string user, CancellationToken ct = default)
    {
        var now = _db.NowMicros();
        return await _db.WriteAsync(async (c, tx) =>
        {
            var nsId = await NamespaceIdAsync(c, tx, ns, ct).ConfigureAwait(false);
            var userId = await UserIdAsync(c, tx, user, ct).ConfigureAwait(false);
            var added = await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO registry_namespace_owners (namespace_id, user_id, created) VALUES (@nsId, @userId, @now) ON CONFLICT DO NOTHING",
                new { nsId, userId, now }, tx, cancellationToken: ct)).ConfigureAwait(false);
            return added > 0;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Removes an owner from a namespace; false if the user did not own it.</summary>
    /// <exception cref="RegistryException">No such namespace or user.</exception>
    public async Task<bool> RemoveOwnerAsync(string ns, string user, CancellationToken ct = default) =>
        await _db.WriteAsync(async (c, tx) =>
        {
            var nsId = await NamespaceIdAsync(c, tx, ns, ct).ConfigureAwait(false);
            var userId = await UserIdAsync(c, tx, user, ct).ConfigureAwait(false);
            return await c.ExecuteAsync(new CommandDefinition(
                "DELETE FROM registry_namespace_owners WHERE namespace_id = @nsId AND user_id = @userId",
                new { nsId, userId }, tx, cancellationToken: ct)).ConfigureAwait(false) > 0;
        }, ct).ConfigureAwait(false);

    /// <summary>Every namespace, by name, with its owners and collection count.</summary>
    public async Task<IReadOnlyList<RegistryNamespace>> ListNamespacesAsync(CancellationToken ct = default) =>
        await NamespacesAsync(null, ct).ConfigureAwait(false);

    /// <summary>One namespace, or null.</summary>
    public async Task<RegistryNamespace?> GetNamespaceAsync(string name, CancellationToken ct = default) =>
        (await NamespacesAsync(name, ct).ConfigureAwait(false)).FirstOrDefault();

    private async Task<IReadOnlyList<RegistryNamespace>> NamespacesAsync(string? only, CancellationToken ct)
    {
        await using var c = await _db.OpenConnectionAsync(ct).ConfigureAwait(false);
        var where = only is null ? "" : " WHERE n.name = @only";
        var rows = (await c.QueryAsync<NamespaceRow>(new CommandDefinition(
            "SELECT n.id AS Id, n.name AS Name, n.description AS Description, n.created AS Created, " +
            "(SELECT COUNT(*) FROM registry_collections rc WHERE rc.namespace_id = n.id AND rc.version_count > 0) AS Collections " +
            $"FROM registry_namespaces n{where} ORDER BY n.name", new { only }, cancellationToken: ct)).ConfigureAwait(false)).ToList();
        var owners = (await c.QueryAsync<(long NamespaceId, string User)>(new CommandDefinition(
            "SELECT o.namespace_id, u.name FROM registry_namespace_owners o JOIN users u ON u.id = o.user_id ORDER BY u.name",
            cancellationToken: ct)).ConfigureAwait(false)).ToLookup(o => o.NamespaceId, o => o.User);
        return rows.Select(r => new RegistryNamespace(r.Name, r.Description, owners[r.Id].ToList(), r.Collections,
            Clock.FromMicros(r.Created))).ToList();
    }

    /// <summary>The namespaces <paramref name="user"/> owns, by name.</summary>
    public async Task<IReadOnlyList<string>> NamespacesOwnedByAsync(string user, CancellationToken ct = default)
    {
        await using var c = await _db.OpenConnectionAsync(ct).ConfigureAwait(false);
        return (await c.QueryAsync<string>(new CommandDefinition(
            "SELECT n.name FROM registry_namespaces n JOIN registry_namespace_owners o ON o.namespace_id = n.id " +
            "JOIN users u ON u.id = o.user_id WHERE u.name = @user ORDER BY n.name", new { user }, cancellationToken: ct)).ConfigureAwait(false)).ToList();
    }

    /// <summary>Whether <paramref name="user"/> may upload to <paramref name="ns"/>: an owner, or an admin.</summary>
    /// <exception cref="RegistryException">NotFound when the namespace does not exist.</exception>
    public async Task<bool> CanUploadAsync(string user, string ns, CancellationToken ct = default)
    {
        await using var c = await _db.OpenConnectionAsync(ct).ConfigureAwait(false);
        var nsId = await NamespaceIdAsync(c, null, ns, ct).ConfigureAwait(false);
        var u = await c.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            "SELECT id AS Id, is_admin AS Admin FROM users WHERE name = @user", new { user }, cancellationToken: ct)).ConfigureAwait(false);
        if (u is null)
        {
            return false;
        }
        if (Convert.ToBoolean(u.Admin, CultureInfo.InvariantCulture))
        {
            return true;
        }
        return await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT user_id FROM registry_namespace_owners WHERE namespace_id = @nsId AND user_id = @id",
            new { nsId, id = u.Id }, cancellationToken: ct)).ConfigureAwait(false) is not null;
    }

    /// <summary>Whether <paramref name="user"/> exists and is an administrator.</summary>
    public async Task<bool> IsAdminAsync(string user, CancellationToken ct = default)
    {
        await using var c = await _db.OpenConnectionAsync(ct).ConfigureAwait(false);
        var u = await c.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            "SELECT id AS Id, is_admin AS Admin FROM users WHERE name = @user", new { user }, cancellationToken: ct)).ConfigureAwait(false);
        return u is not null && Convert.ToBoolean(u.Admin, CultureInfo.InvariantCulture);
    }

    // ---------------------------------------------------------------- collections and versions

    /// <summary>Collections (with at least one version), by namespace and name; <paramref name="ns"/> limits to one
    /// namespace, <paramref name="search"/> to those whose namespace, name or description contains it.</summary>
    public async Task<Paged<CollectionSummary>> ListCollectionsAsync(string? ns = null, string? search = null, int offset = 0,
        int limit = 100, CancellationToken ct = default)
    {
        (offset, limit) = Clamp(offset, limit);
        var where = new List<string> { "c.version_count > 0" };
        var args = new DynamicParameters();
        if (ns is not null)
        {
            where.Add("n.name = @ns");
            args.Add("ns", ns);
        }
        if (!string.IsNullOrWhiteSpace(search))
        {
            where.Add("(LOWER(n.name) LIKE @q ESCAPE '\\' OR LOWER(c.name) LIKE @q ESCAPE '\\' OR LOWER(COALESCE(c.description, '')) LIKE @q ESCAPE '\\' " +
                      "OR LOWER(n.name || '.' || c.name) LIKE @q ESCAPE '\\')");
            args.Add("q", "%" + SqlSession.EscapeLike(search.Trim().ToLowerInvariant()) + "%");
        }
        args.Add("offset", (long)offset);
        args.Add("limit", (long)limit);
        var from = "FROM registry_collections c JOIN registry_namespaces n ON n.id = c.namespace_id WHERE " + string.Join(" AND ", where);
        await using var conn = await _db.OpenConnectionAsync(ct).ConfigureAwait(false);
        var count = await conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) " + from, args, cancellationToken: ct)).ConfigureAwait(false);
        var rows = await conn.QueryAsync<CollectionRow>(new CommandDefinition(
            CollectionColumns + from + " ORDER BY n.name, c.name LIMIT @limit OFFSET @offset", args, cancellationToken: ct)).ConfigureAwait(false);
        return new Paged<CollectionSummary>(rows.Select(r => r.ToSummary()).ToList(), count, limit, offset);
    }

    /// <summary>A collection with its latest version, or null when it does not exist (or has no version).</summary>
    public async Task<CollectionDetail?> GetCollectionAsync(string ns, string name, CancellationToken ct = default)
    {
        await using var c = await _db.OpenConnectionAsync(ct).ConfigureAwait(false);
        var row = await c.QuerySingleOrDefaultAsync<CollectionRow>(new CommandDefinition(
            CollectionColumns + "FROM registry_collections c JOIN registry_namespaces n ON n.id = c.namespace_id " +
            "WHERE n.name = @ns AND c.name = @name AND c.version_count > 0", new { ns, name }, cancellationToken: ct)).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }
        var latest = row.LatestVersion is null ? null : await VersionAsync(c, "n.name = @ns AND c.name = @name AND v.version = @version",
            new { ns, name, version = row.LatestVersion }, ct).ConfigureAwait(false);
        return new CollectionDetail(row.ToSummary(), latest);
    }

    /// <summary>A collection's versions, highest first (SemVer order); null when the collection does not exist.</summary>
    public async Task<Paged<VersionSummary>?> ListVersionsAsync(string ns, string name, int offset = 0, int limit = 100,
        CancellationToken ct = default)
    {
        (offset, limit) = Clamp(offset, limit);
        await using var c = await _db.OpenConnectionAsync(ct).ConfigureAwait(false);
        var rows = (await c.QueryAsync<VersionListRow>(new CommandDefinition(
            "SELECT v.version AS Version, v.prerelease AS Prerelease, v.sha256 AS Sha256, v.size AS Size, v.uploader AS Uploader, v.created AS Created, " +
            "v.requires_ansible AS RequiresAnsible " +
            "FROM registry_versions v JOIN registry_collections c ON c.id = v.collection_id JOIN registry_namespaces n ON n.id = c.namespace_id " +
            "WHERE n.name = @ns AND c.name = @name", new { ns, name }, cancellationToken: ct)).ConfigureAwait(false)).ToList();
        if (rows.Count == 0)
        {
            return null;
        }
        // SQL cannot order SemVer; a collection has at most a few thousand versions.
        var ordered = rows.OrderByDescending(r => SemVersion.TryParse(r.Version, out var v) ? v : null, SemVerComparer.Instance)
            .ThenByDescending(r => r.Created)
            .Skip(offset).Take(limit)
            .Select(r => new VersionSummary(r.Version, r.Prerelease != 0, r.Sha256, r.Size, r.Uploader, Clock.FromMicros(r.Created), r.RequiresAnsible))
            .ToList();
        return new Paged<VersionSummary>(ordered, rows.Count, limit, offset);
    }

    /// <summary>One version, or null.</summary>
    public async Task<CollectionVersion?> GetVersionAsync(string ns, string name, string version, CancellationToken ct = default)
    {
        await using var c = await _db.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await VersionAsync(c, "n.name = @ns AND c.name = @name AND v.version = @version", new { ns, name, version }, ct).ConfigureAwait(false);
    }

    /// <summary>The version whose artifact is <paramref name="filename"/> (<c>NS-NAME-VERSION.tar.gz</c>), or null.</summary>
    public async Task<CollectionVersion?> GetVersionByFilenameAsync(string filename, CancellationToken ct = default)
    {
        await using var c = await _db.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await VersionAsync(c, "v.filename = @filename", new { filename }, ct).ConfigureAwait(false);
    }

    /// <summary>Adds a version whose artifact has been checked: <paramref name="stagedArtifact"/> (a file below
    /// <see cref="StagingPath"/>) is moved into place first, then the rows are committed (the collection made if
    /// new, its latest version and <c>updated</c> changed). On any failure nothing stays: no row, no file.</summary>
    /// <exception cref="RegistryException">NotFound: no such namespace; Conflict: the version exists.</exception>
    public async Task<CollectionVersion> AddVersionAsync(NewVersion version, string stagedArtifact, CancellationToken ct = default)
    {
        if (!SemVersion.TryParse(version.Version, out var semver))
        {
            throw new RegistryException(RegistryError.Invalid, $"'{version.Version}' is not a semantic version");
        }
        var duplicate = new RegistryException(RegistryError.Conflict,
            $"{version.Namespace}.{version.Name} {version.Version} already exists and versions cannot be replaced");
        if (await GetVersionAsync(version.Namespace, version.Name, version.Version, ct).ConfigureAwait(false) is not null)
        {
            throw duplicate;
        }
        // A name of its own for each upload: two concurrent uploads of one version never write the same file, and
        // the one that loses in the database removes only its own.
        var relative = Path.Combine(version.Namespace, version.Name,
            $"{version.Namespace}-{version.Name}-{version.Version}.{Guid.NewGuid():N}.tar.gz");
        var final = Path.Combine(ArtifactsPath, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        using (var f = new FileStream(stagedArtifact, FileMode.Open, FileAccess.ReadWrite, FileShare.Read))
        {
            f.Flush(flushToDisk: true); // the bytes are on disk before a row can point at them
        }
        File.Move(stagedArtifact, final, overwrite: false);
        var now = _db.NowMicros();
        try
        {
            await _db.WriteAsync(async (c, tx) =>
            {
                var nsId = await NamespaceIdAsync(c, tx, version.Namespace, ct).ConfigureAwait(false);
                await c.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO registry_collections (created, updated, namespace_id, name) VALUES (@now, @now, @nsId, @name) " +
                    "ON CONFLICT (namespace_id, name) DO NOTHING", new { now, nsId, name = version.Name }, tx, cancellationToken: ct)).ConfigureAwait(false);
                // PostgreSQL: lock the collection, so that concurrent uploads of different versions compute the latest
                // one after each other (SQLite has one writer at a time anyway).
                var lockClause = _db.Dialect == SqlDialect.Postgres ? " FOR UPDATE" : "";
                var (collectionId, updated) = await c.QuerySingleAsync<(long, long)>(new CommandDefinition(
                    $"SELECT id, updated FROM registry_collections WHERE namespace_id = @nsId AND name = @name{lockClause}",
                    new { nsId, name = version.Name }, tx, cancellationToken: ct)).ConfigureAwait(false);
                var existing = (await c.QueryAsync<string>(new CommandDefinition(
                    "SELECT version FROM registry_versions WHERE collection_id = @collectionId", new { collectionId }, tx,
                    cancellationToken: ct)).ConfigureAwait(false)).ToList();
                if (existing.Any(e => SemVersion.TryParse(e, out var v) && v.CompareTo(semver) == 0))
                {
                    throw duplicate; // also 1.0.0 against 1.0.0+build: they are the same version to every client
                }
                await c.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO registry_versions (created, collection_id, version, prerelease, filename, path, sha256, size, metadata, contents, " +
                    "requires_ansible, readme, uploader, import_id) VALUES (@now, @collectionId, @Version, @prerelease, @filename, @relative, " +
                    "@Sha256, @Size, @MetadataJson, @ContentsJson, @RequiresAnsible, @Readme, @Uploader, @ImportId)",
                    new
                    {
                        now,
                        collectionId,
                        version.Version,
                        prerelease = semver.IsPrerelease ? 1L : 0L,
                        filename = version.Filename,
                        relative,
                        version.Sha256,
                        version.Size,
                        version.MetadataJson,
                        version.ContentsJson,
                        version.RequiresAnsible,
                        version.Readme,
                        version.Uploader,
                        version.ImportId,
                    }, tx, cancellationToken: ct)).ConfigureAwait(false);
                existing.Add(version.Version);
                var latest = Latest(existing);
                // Strictly later than before, even within one clock tick: ansible-galaxy's cache compares it.
                var newUpdated = Math.Max(now, updated + 1);
                var sql = latest == version.Version
                    ? "UPDATE registry_collections SET latest_version = @latest, description = @description, version_count = @count, updated = @newUpdated WHERE id = @collectionId"
                    : "UPDATE registry_collections SET latest_version = @latest, version_count = @count, updated = @newUpdated WHERE id = @collectionId";
                return await c.ExecuteAsync(new CommandDefinition(sql,
                    new { latest, description = version.Description, count = (long)existing.Count, newUpdated, collectionId },
                    tx, cancellationToken: ct)).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            TryDelete(final);
            if (e is DbException db && SqlSession.IsUniqueViolation(db))
            {
                throw duplicate;
            }
            throw;
        }
        return await GetVersionAsync(version.Namespace, version.Name, version.Version, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException("the version just added is missing");
    }

    /// <summary>The latest of <paramref name="versions"/>: the highest release, else the highest pre-release.</summary>
    public static string? Latest(IEnumerable<string> versions)
    {
        SemVersion? release = null, pre = null;
        foreach (var text in versions)
        {
            if (!SemVersion.TryParse(text, out var v))
            {
                continue;
            }
            if (v.IsPrerelease)
            {
                pre = pre is null || v > pre ? v : pre;
            }
            else
            {
                release = release is null || v > release ? v : release;
            }
        }
        return (release ?? pre)?.Text;
    }

    // ---------------------------------------------------------------- imports

    /// <summary>Records a new import (state <c>waiting</c>) for <paramref name="user"/>'s upload.</summary>
    public async Task<ImportRecord> CreateImportAsync(string user, string filename, string? ns, string? name, string? version,
        CancellationToken ct = default)
    {
        var id = Guid.NewGuid().ToString();
        var now = _db.NowMicros();
        await _db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO registry_imports (id, created, updated, state, user_name, filename, namespace, name, version, messages) " +
            "VALUES (@id, @now, @now, @state, @user, @filename, @ns, @name, @version, '[]')",
            new { id, now, state = ImportState.Waiting, user, filename, ns, name, version }, tx, cancellationToken: ct)), ct).ConfigureAwait(false);
        return new ImportRecord
        {
            Id = id,
            State = ImportState.Waiting,
            User = user,
            Filename = filename,
            Namespace = ns,
            Name = name,
            Version = version,
            Created = Clock.FromMicros(now),
            Updated = Clock.FromMicros(now),
        };
    }

    /// <summary>Sets an import's state and log (and, when it failed, its error). <c>running</c> sets the start time,
    /// <c>completed</c> and <c>failed</c> the finish time.</summary>
    public async Task UpdateImportAsync(string id, string state, IReadOnlyList<ImportMessage> messages, string? errorCode = null,
        string? errorDescription = null, CancellationToken ct = default)
    {
        var now = _db.NowMicros();
        var json = MessagesJson(messages);
        var finished = state is ImportState.Completed or ImportState.Failed ? now : (long?)null;
        var started = state == ImportState.Running || finished is not null ? now : (long?)null;
        await _db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "UPDATE registry_imports SET state = @state, messages = @json, error_code = @errorCode, error_description = @errorDescription, " +
            "updated = @now, started = COALESCE(started, @started), finished = COALESCE(@finished, finished) WHERE id = @id",
            new { id, state, json, errorCode, errorDescription, now, started, finished }, tx, cancellationToken: ct)), ct).ConfigureAwait(false);
    }

    /// <summary>Marks imports still waiting or running as failed (a server that stopped in the middle of them will
    /// not finish them), and empties the staging folder; returns how many imports were marked.</summary>
    public async Task<int> FailUnfinishedImportsAsync(CancellationToken ct = default)
    {
        var now = _db.NowMicros();
        var messages = MessagesJson([new ImportMessage(ImportMessage.Error, "The server stopped before this import finished; publish again.", Clock.FromMicros(now))]);
        var marked = await _db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "UPDATE registry_imports SET state = @failed, finished = @now, updated = @now, error_code = 'ImporterError', " +
            "error_description = 'the server stopped before this import finished', messages = @messages WHERE state IN (@waiting, @running)",
            new { failed = ImportState.Failed, now, messages, waiting = ImportState.Waiting, running = ImportState.Running }, tx,
            cancellationToken: ct)), ct).ConfigureAwait(false);
        if (Directory.Exists(StagingPath))
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(StagingPath))
            {
                try
                {
                    if (Directory.Exists(entry))
                    {
                        Directory.Delete(entry, recursive: true);
                    }
                    else
                    {
                        File.Delete(entry);
                    }
                }
                catch (IOException)
                {
                }
            }
        }
        return marked;
    }

    /// <summary>
    /// Deletes artifact files that no version points at and that are older than <paramref name="olderThan"/>: what a
    /// server that died between moving an artifact into place and committing its row left behind (rows are committed
    /// only after their file is in place, so a file without a row is never visible to clients). The age guard keeps a
    /// sweep from taking a file whose row another process is about to commit. Returns how many were deleted.
    /// </summary>
    public async Task<int> RemoveOrphanArtifactsAsync(TimeSpan olderThan, CancellationToken ct = default)
    {
        if (!Directory.Exists(ArtifactsPath))
        {
            return 0;
        }
        HashSet<string> known;
        await using (var c = await _db.OpenConnectionAsync(ct).ConfigureAwait(false))
        {
            known = (await c.QueryAsync<string>(new CommandDefinition("SELECT path FROM registry_versions", cancellationToken: ct))
                .ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        }
        var cutoff = _db.Time.GetUtcNow().UtcDateTime - olderThan;
        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(ArtifactsPath, "*.tar.gz", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(ArtifactsPath, file);
            if (relative.StartsWith(".incoming" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || known.Contains(relative) ||
                File.GetLastWriteTimeUtc(file) > cutoff)
            {
                continue;
            }
            try
            {
                File.Delete(file);
                removed++;
            }
            catch (IOException)
            {
            }
        }
        return removed;
    }

    /// <summary>One import, or null.</summary>
    public async Task<ImportRecord?> GetImportAsync(string id, CancellationToken ct = default)
    {
        await using var c = await _db.OpenConnectionAsync(ct).ConfigureAwait(false);
        var row = await c.QuerySingleOrDefaultAsync<ImportRow>(new CommandDefinition(ImportColumns + " WHERE id = @id", new { id },
            cancellationToken: ct)).ConfigureAwait(false);
        return row?.ToRecord();
    }

    /// <summary>Imports, newest first: <paramref name="user"/>'s, or everyone's when null.</summary>
    public async Task<Paged<ImportRecord>> ListImportsAsync(string? user, int offset = 0, int limit = 100, CancellationToken ct = default)
    {
        (offset, limit) = Clamp(offset, limit);
        var where = user is null ? "" : " WHERE user_name = @user";
        await using var c = await _db.OpenConnectionAsync(ct).ConfigureAwait(false);
        var count = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM registry_imports" + where, new { user },
            cancellationToken: ct)).ConfigureAwait(false);
        var rows = await c.QueryAsync<ImportRow>(new CommandDefinition(
            ImportColumns + where + " ORDER BY created DESC, id LIMIT @limit OFFSET @offset",
            new { user, limit = (long)limit, offset = (long)offset }, cancellationToken: ct)).ConfigureAwait(false);
        return new Paged<ImportRecord>(rows.Select(r => r.ToRecord()).ToList(), count, limit, offset);
    }

    // ---------------------------------------------------------------- helpers

    private const string CollectionColumns =
        "SELECT n.name AS Namespace, c.name AS Name, c.latest_version AS LatestVersion, c.description AS Description, " +
        "c.version_count AS VersionCount, c.created AS Created, c.updated AS Updated ";

    private const string ImportColumns =
        "SELECT id AS Id, state AS State, user_name AS UserName, filename AS Filename, namespace AS Namespace, name AS Name, " +
        "version AS Version, created AS Created, updated AS Updated, started AS Started, finished AS Finished, " +
        "error_code AS ErrorCode, error_description AS ErrorDescription, messages AS Messages FROM registry_imports";

    private static async Task<CollectionVersion?> VersionAsync(DbConnection c, string where, object args, CancellationToken ct)
    {
        var row = await c.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(
            "SELECT n.name AS Namespace, c.name AS Name, v.version AS Version, v.prerelease AS Prerelease, v.filename AS Filename, " +
            "v.path AS Path, v.sha256 AS Sha256, v.size AS Size, v.metadata AS Metadata, v.contents AS Contents, " +
            "v.requires_ansible AS RequiresAnsible, v.readme AS Readme, v.uploader AS Uploader, v.import_id AS ImportId, v.created AS Created " +
            "FROM registry_versions v JOIN registry_collections c ON c.id = v.collection_id JOIN registry_namespaces n ON n.id = c.namespace_id " +
            "WHERE " + where, args, cancellationToken: ct)).ConfigureAwait(false);
        return row?.ToVersion();
    }

    private static async Task<long> NamespaceIdAsync(DbConnection c, DbTransaction? tx, string ns, CancellationToken ct) =>
        await c.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT id FROM registry_namespaces WHERE name = @ns", new { ns }, tx,
            cancellationToken: ct)).ConfigureAwait(false)
        ?? throw new RegistryException(RegistryError.NotFound, $"namespace '{ns}' does not exist");

    private static async Task<long> UserIdAsync(DbConnection c, DbTransaction? tx, string user, CancellationToken ct) =>
        await c.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT id FROM users WHERE name = @user", new { user }, tx,
            cancellationToken: ct)).ConfigureAwait(false)
        ?? throw new RegistryException(RegistryError.NotFound, $"user '{user}' does not exist");

    private static (int Offset, int Limit) Clamp(int offset, int limit) => (Math.Max(0, offset), Math.Clamp(limit, 1, MaxPageSize));

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    internal static string MessagesJson(IReadOnlyList<ImportMessage> messages)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var m in messages)
            {
                w.WriteStartObject();
                w.WriteString("level", m.Level);
                w.WriteString("message", m.Message);
                w.WriteNumber("time", Clock.ToMicros(m.Time));
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal static IReadOnlyList<ImportMessage> ParseMessages(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Select(e => new ImportMessage(
            e.GetProperty("level").GetString() ?? ImportMessage.Info,
            e.GetProperty("message").GetString() ?? "",
            Clock.FromMicros(e.GetProperty("time").GetInt64()))).ToList();
    }

    private sealed class SemVerComparer : IComparer<SemVersion?>
    {
        public static readonly SemVerComparer Instance = new();

        public int Compare(SemVersion? x, SemVersion? y) => x is null ? (y is null ? 0 : -1) : y is null ? 1 : x.CompareTo(y);
    }

    // Rows as Dapper fills them (integers are INTEGER on SQLite and BIGINT on PostgreSQL: both read as long).
    private sealed class UserRow
    {
        public long Id { get; set; }

        // INTEGER on SQLite, BOOLEAN on PostgreSQL.
        public object Admin { get; set; } = 0L;
    }

    private sealed class NamespaceRow
    {
        public long Id { get; set; }

        public string Name { get; set; } = "";

        public string? Description { get; set; }

        public long Created { get; set; }

        public long Collections { get; set; }
    }

    private sealed class CollectionRow
    {
        public string Namespace { get; set; } = "";

        public string Name { get; set; } = "";

        public string? LatestVersion { get; set; }

        public string? Description { get; set; }

        public long VersionCount { get; set; }

        public long Created { get; set; }

        public long Updated { get; set; }

        public CollectionSummary ToSummary() => new(Namespace, Name, LatestVersion, Description, VersionCount,
            Clock.FromMicros(Created), Clock.FromMicros(Updated));
    }

    private sealed class VersionListRow
    {
        public string Version { get; set; } = "";

        public long Prerelease { get; set; }

        public string Sha256 { get; set; } = "";

        public long Size { get; set; }

        public string? Uploader { get; set; }

        public long Created { get; set; }

        public string? RequiresAnsible { get; set; }
    }

    private sealed class VersionRow
    {
        public string Namespace { get; set; } = "";

        public string Name { get; set; } = "";

        public string Version { get; set; } = "";

        public long Prerelease { get; set; }

        public string Filename { get; set; } = "";

        public string Path { get; set; } = "";

        public string Sha256 { get; set; } = "";

        public long Size { get; set; }

        public string Metadata { get; set; } = "{}";

        public string Contents { get; set; } = "[]";

        public string? RequiresAnsible { get; set; }

        public string? Readme { get; set; }

        public string? Uploader { get; set; }

        public string? ImportId { get; set; }

        public long Created { get; set; }

        public CollectionVersion ToVersion() => new()
        {
            Namespace = Namespace,
            Name = Name,
            Version = Version,
            IsPrerelease = Prerelease != 0,
            Filename = Filename,
            RelativePath = Path,
            Sha256 = Sha256,
            Size = Size,
            MetadataJson = Metadata,
            ContentsJson = Contents,
            RequiresAnsible = RequiresAnsible,
            Readme = Readme,
            Uploader = Uploader,
            ImportId = ImportId,
            Created = Clock.FromMicros(Created),
        };
    }
}
