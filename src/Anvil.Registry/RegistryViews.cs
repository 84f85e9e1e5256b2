using Anvil.Data;
using Dapper;

namespace Anvil.Registry;

/// <summary>An import as a list shows it: what, whose, when and how it ended, without its log.</summary>
public sealed record ImportSummary(
    string Id,
    string State,
    string User,
    string Filename,
    string? Namespace,
    string? Name,
    string? Version,
    DateTimeOffset Created,
    DateTimeOffset? Finished,
    string? ErrorCode,
    string? ErrorDescription);

/// <summary>
/// Read-only registry queries that only the web UI asks, beside <see cref="RegistryStore"/> (which the API shares):
/// import lists without their logs, and which of a version's dependencies this registry hosts. Each walks an index.
/// </summary>
public sealed class RegistryViews(AnvilDatabase database)
{
    /// <summary>Imports, newest first: <paramref name="user"/>'s, or everyone's when null. Logs are not read (a list
    /// of 50 imports would otherwise parse 50 logs).</summary>
    public async Task<Paged<ImportSummary>> ImportsAsync(string? user, int offset, int limit, CancellationToken ct = default)
    {
        offset = Math.Max(0, offset);
        limit = Math.Clamp(limit, 1, RegistryStore.MaxPageSize);
        var where = user is null ? "" : " WHERE user_name = @user";
        await using var c = await database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var rows = (await c.QueryAsync<ImportRow>(new CommandDefinition(
            "SELECT id AS Id, state AS State, user_name AS UserName, filename AS Filename, namespace AS Namespace, name AS Name, " +
            "version AS Version, created AS Created, finished AS Finished, error_code AS ErrorCode, error_description AS ErrorDescription " +
            $"FROM registry_imports{where} ORDER BY created DESC, id LIMIT @limit OFFSET @offset",
            new { user, limit = (long)limit, offset = (long)offset }, cancellationToken: ct)).ConfigureAwait(false)).ToList();
        // A short page tells the total without counting.
        var count = rows.Count > 0 && rows.Count < limit || rows.Count == 0 && offset == 0
            ? offset + rows.Count
            : await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM registry_imports" + where, new { user },
                cancellationToken: ct)).ConfigureAwait(false);
        return new Paged<ImportSummary>(rows.Select(r => r.ToSummary()).ToList(), count, limit, offset);
    }

    /// <summary>Which of <paramref name="fullNames"/> (<c>namespace.name</c>) are collections of this registry with at
    /// least one version: the dependencies a page can link to.</summary>
    public async Task<IReadOnlySet<string>> HostedAsync(IEnumerable<string> fullNames, CancellationToken ct = default)
    {
        var wanted = new HashSet<string>(fullNames, StringComparer.Ordinal);
        var namespaces = wanted.Select(n => n.Split('.')[0]).Distinct(StringComparer.Ordinal).ToList();
        if (namespaces.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }
        // Npgsql takes the list as one array parameter (= ANY); Dapper expands it into IN (…) for SQLite.
        var inList = database.Dialect == SqlDialect.Postgres ? "= ANY(@namespaces)" : "IN @namespaces";
        await using var c = await database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var found = await c.QueryAsync<string>(new CommandDefinition(
            "SELECT n.name || '.' || c.name FROM registry_collections c JOIN registry_namespaces n ON n.id = c.namespace_id " +
            $"WHERE n.name {inList} AND c.version_count > 0", new { namespaces = namespaces.ToArray() }, cancellationToken: ct)).ConfigureAwait(false);
        return found.Where(wanted.Contains).ToHashSet(StringComparer.Ordinal);
    }
}
