using System.Data.Common;
using Anvil.Records.Resources;

namespace Anvil.Records.Api;

/// <summary><c>/api/v1/latesthosts</c> (read-only): the most recent host row of each host name, looked up by name.</summary>
public sealed partial class RecordsApi
{
    private const string LatestHostColumns = "lh.name, lh.created, lh.updated, " + HostColumns + ", h.facts";
    private const string LatestHostFrom = "latest_hosts lh JOIN hosts h ON h.id = lh.host_id";

    private sealed record LatestHostRow(string Name, long Created, long Updated, HostRow Host);

    private static LatestHostRow ReadLatestHost(DbDataReader r) =>
        new(r.GetString(0), r.GetInt64(1), r.GetInt64(2), ReadHostRow(r, at: 3, withFacts: true));

    private async Task<ApiResponse> ListLatestHostsAsync(ApiRequest r, CancellationToken ct)
    {
        var (c, db) = await ReadAsync(ct).ConfigureAwait(false);
        await using (c)
        {
            var q = new ListQuery(r, db);
            q.Filter(RecordsResources.LatestHosts);
            q.Order(RecordsResources.LatestHosts);
            var playbooks = new Dictionary<long, PlaybookView>();
            return await RunListAsync(r, db, q, LatestHostColumns, LatestHostFrom, "", ReadLatestHost,
                async rows =>
                {
                    foreach (var (id, playbook) in await LoadPlaybooksAsync(db, Ids(rows, l => l.Host.PlaybookId), ct).ConfigureAwait(false))
                    {
                        playbooks[id] = playbook;
                    }
                },
                (o, l) => WriteLatestHost(o, l, playbooks[l.Host.PlaybookId]), ct).ConfigureAwait(false);
        }
    }

    private async Task<ApiResponse> LatestHostAsync(string name, CancellationToken ct)
    {
        var (c, db) = await ReadAsync(ct).ConfigureAwait(false);
        await using (c)
        {
            LatestHostRow latest;
            await using (var reader = await db.ReaderAsync($"SELECT {LatestHostColumns} FROM {LatestHostFrom} WHERE lh.name = @name",
                new { name }, ct).ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    return Replies.NotFound();
                }
                latest = ReadLatestHost(reader);
            }
            var playbook = (await LoadPlaybooksAsync(db, [latest.Host.PlaybookId], ct).ConfigureAwait(false))[latest.Host.PlaybookId];
            using var o = new JsonOut();
            WriteLatestHost(o, latest, playbook);
            return o.Finish(200);
        }
    }

    /// <summary>List item and detail: <c>name, host{detailed host}, created, updated</c>.</summary>
    private static void WriteLatestHost(JsonOut o, LatestHostRow l, PlaybookView playbook)
    {
        o.W.WriteStartObject();
        o.String("name", l.Name);
        o.W.WritePropertyName("host");
        WriteDetailedHost(o, l.Host, playbook);
        o.Time("created", l.Created);
        o.Time("updated", l.Updated);
        o.W.WriteEndObject();
    }
}
