using System.Globalization;
using Anvil.Records.Views;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Anvil.Server.Ui.Export;

/// <summary>Which playbooks an export covers: the given ids (all when empty), narrowed by the API's playbook filters.</summary>
public sealed record ExportSelection
{
    public IReadOnlyList<long> PlaybookIds { get; init; } = [];
    public IReadOnlyList<string> Statuses { get; init; } = [];
    public string? Label { get; init; }
    public string? Name { get; init; }
    public string? Path { get; init; }

    /// <summary>Only playbooks started in the last this many days.</summary>
    public double? SinceDays { get; init; }
}

public sealed record ExportProgress(int Done, int Total);

public sealed record ExportSummary(string Directory, int Playbooks, int Pages);

/// <summary>A request the export refuses (a bad directory, an unknown playbook, an invalid filter), said in one line.</summary>
public sealed class ExportException(string message) : Exception(message);

/// <summary>
/// Writes a self-contained static copy of the web UI for some playbooks (as ARA's <c>ara-manage generate</c>):
/// <c>index.html</c>, <c>playbooks/N.html</c> (and <c>playbooks/N-output.html</c> for the console),
/// <c>results/N.html</c>, <c>hosts/N.html</c>, <c>files/N.html</c> and <c>assets/</c>, every link relative, so the
/// folder can be opened from the file system or served by any web server. The pages are the server's own, rendered
/// in memory through the same pipeline (<see cref="InProcessServer"/>) in their static form: every result on the
/// playbook page (filtered in the browser), no live updates, no server-side filters.
/// <para>
/// The site is written into a temporary folder next to the target and renamed into place at the end, so a failed or
/// interrupted export leaves nothing half-written, and a previous export in the same place is replaced whole. A
/// directory that is neither empty nor a previous export is refused.
/// </para>
/// </summary>
public static class StaticSiteExporter
{
    /// <summary>The file that marks a directory as an Anvil export (so exporting again may replace it).</summary>
    public const string Marker = ".anvil-export";

    public static async Task<ExportSummary> ExportAsync(string? database, string directory, ExportSelection selection,
        IProgress<ExportProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var target = System.IO.Path.GetFullPath(directory);
        CheckTarget(directory, target);
        var server = new InProcessServer();
        var builder = AnvilServer.CreateBuilder([], new ServerStartOptions
        {
            Database = database,
            ReadLoginRequired = false, // whoever can open the database can read it; there is no HTTP client here
            Settings = new Dictionary<string, string?> { ["Records:ResponseCacheMegabytes"] = "0" },
            ConfigureBuilder = b =>
            {
                b.Logging.ClearProviders();
                b.Services.AddSingleton<IServer>(server);
            },
        });
        await using var app = builder.Build();
        app.MapAnvilServer();
        await app.StartAsync(ct);
        try
        {
            var views = app.Services.GetRequiredService<RecordsViews>();
            var playbooks = await SelectAsync(views, selection, ct);
            var feature = new StaticRenderFeature(playbooks, playbooks.ToHashSet());
            var parent = System.IO.Path.GetDirectoryName(target)!;
            Directory.CreateDirectory(parent);
            var name = System.IO.Path.GetFileName(target);
            var temp = System.IO.Path.Combine(parent, $".{name}.anvil-tmp-{Guid.NewGuid():N}");
            try
            {
                var pages = await WriteSiteAsync(server, views, feature, temp, progress, ct);
                Replace(temp, target, parent, name);
                return new ExportSummary(target, playbooks.Count, pages);
            }
            catch
            {
                TryDelete(temp);
                throw;
            }
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    private static void CheckTarget(string given, string target)
    {
        if (File.Exists(target))
        {
            throw new ExportException($"{given} is a file; give a directory to export into");
        }
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() &&
            !File.Exists(System.IO.Path.Combine(target, Marker)))
        {
            throw new ExportException($"{given} is not empty and holds no earlier Anvil export; give a new or empty directory");
        }
        if (System.IO.Path.GetDirectoryName(target) is not { } parent || System.IO.Path.GetFileName(target).Length == 0)
        {
            throw new ExportException($"cannot export into {given}; give a directory below it");
        }
        if (File.Exists(parent))
        {
            throw new ExportException($"{parent} is a file");
        }
    }

    private static async Task<IReadOnlyList<long>> SelectAsync(RecordsViews views, ExportSelection selection, CancellationToken ct)
    {
        var query = new List<KeyValuePair<string, string>>();
        query.AddRange(selection.Statuses.Select(s => new KeyValuePair<string, string>("status", s)));
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                query.Add(new(key, value));
            }
        }
        Add("label", selection.Label);
        Add("name", selection.Name);
        Add("path", selection.Path);
        if (selection.SinceDays is { } days)
        {
            Add("started_after", (views.Database.Time.GetUtcNow() - TimeSpan.FromDays(days)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        }
        var (selected, errors) = await views.SelectPlaybooksAsync(query, ct);
        if (errors.Count > 0)
        {
            throw new ExportException(string.Join("; ", errors));
        }
        if (selection.PlaybookIds.Count > 0)
        {
            var exist = (await views.PlaybooksByIdAsync(selection.PlaybookIds, ct)).Select(p => p.Id).ToHashSet();
            var missing = selection.PlaybookIds.Where(id => !exist.Contains(id)).Distinct().ToList();
            if (missing.Count > 0)
            {
                throw new ExportException(missing.Count == 1
                    ? $"there is no playbook {missing[0]}"
                    : $"there are no playbooks {string.Join(", ", missing)}");
            }
            var wanted = selection.PlaybookIds.ToHashSet();
            selected = selected.Where(wanted.Contains).ToList();
        }
        if (selected.Count == 0)
        {
            throw new ExportException("no playbook matches the selection");
        }
        return selected;
    }

    private static async Task<int> WriteSiteAsync(InProcessServer server, RecordsViews views, StaticRenderFeature feature,
        string root, IProgress<ExportProgress>? progress, CancellationToken ct)
    {
        foreach (var folder in new[] { "playbooks", "results", "hosts", "files", "assets" })
        {
            Directory.CreateDirectory(System.IO.Path.Combine(root, folder));
        }
        var pages = 0;
        async Task PageAsync(string path, string file, CancellationToken token)
        {
            var (status, body) = await server.GetAsync(path, feature, token);
            if (status != 200)
            {
                throw new InvalidOperationException($"rendering {path} answered {status}");
            }
            await File.WriteAllBytesAsync(System.IO.Path.Combine(root, file), body, token);
            Interlocked.Increment(ref pages);
        }
        await PageAsync("/", "index.html", ct);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct };
        var done = 0;
        progress?.Report(new ExportProgress(0, feature.PlaybookIds.Count));
        foreach (var id in feature.PlaybookIds)
        {
            var n = id.ToString(CultureInfo.InvariantCulture);
            await PageAsync($"/playbooks/{n}", $"playbooks/{n}.html", ct);
            if (await views.PlaybookAsync(id, ct) is { ConsoleEvents: > 0 })
            {
                await PageAsync($"/playbooks/{n}/output", $"playbooks/{n}-output.html", ct);
            }
            var contents = await views.ContentsAsync(id, ct);
            var jobs = contents.Hosts.Select(h => ("hosts", h))
                .Concat(contents.Results.Select(r => ("results", r)))
                .Concat(contents.Files.Select(f => ("files", f)));
            await Parallel.ForEachAsync(jobs, parallel, async (job, token) =>
            {
                var (kind, item) = job;
                var i = item.ToString(CultureInfo.InvariantCulture);
                await PageAsync($"/{kind}/{i}", $"{kind}/{i}.html", token);
            });
            progress?.Report(new ExportProgress(++done, feature.PlaybookIds.Count));
        }
        foreach (var (name, body) in UiAssets.Files)
        {
            await File.WriteAllBytesAsync(System.IO.Path.Combine(root, "assets", name), body, ct);
        }
        await File.WriteAllTextAsync(System.IO.Path.Combine(root, Marker),
            "Written by 'anvil records export html'; exporting into this directory again replaces it.\n", ct);
        return pages;
    }

    /// <summary>Moves the finished site into place; an earlier export there is moved aside first, then deleted.</summary>
    private static void Replace(string temp, string target, string parent, string name)
    {
        if (!Directory.Exists(target))
        {
            Directory.Move(temp, target);
            return;
        }
        var old = System.IO.Path.Combine(parent, $".{name}.anvil-old-{Guid.NewGuid():N}");
        Directory.Move(target, old);
        try
        {
            Directory.Move(temp, target);
        }
        catch
        {
            Directory.Move(old, target); // put the earlier export back
            throw;
        }
        TryDelete(old);
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
