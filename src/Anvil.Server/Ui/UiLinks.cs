using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Anvil.Server.Ui;

/// <summary>
/// Present on requests the static exporter makes: pages render for the file system (relative links to
/// <c>.html</c> files, no live updates, no server-side filters or paging), and the index lists
/// <see cref="PlaybookIds"/>. Only the in-process export server can set it; no HTTP request can.
/// </summary>
public sealed record StaticRenderFeature(IReadOnlyList<long> PlaybookIds, IReadOnlySet<long> ExportedPlaybooks);

/// <summary>
/// Every URL a page writes. On the server they are the stable paths (<c>/playbooks/5</c>); in a static export they are
/// relative file names (<c>../playbooks/5.html</c>) from the page's own folder (the index is at the top, every other
/// page one folder down).
/// </summary>
public sealed class UiLinks
{
    private readonly string _up;

    public UiLinks(HttpContext context)
    {
        Static = context.Features.Get<StaticRenderFeature>();
        var path = context.Request.Path.Value ?? "/";
        _up = Static is null || path == "/" ? "" : "../";
    }

    /// <summary>Set when rendering a static export.</summary>
    public StaticRenderFeature? Static { get; }

    public bool IsStatic => Static is not null;

    public string Home => IsStatic ? _up + "index.html" : "/";

    public string Playbook(long id) => IsStatic ? $"{_up}playbooks/{N(id)}.html" : $"/playbooks/{N(id)}";

    /// <summary>A playbook page link only when that page exists (an export holds the selected playbooks only).</summary>
    public string? PlaybookIfPresent(long id) =>
        Static is null || Static.ExportedPlaybooks.Contains(id) ? Playbook(id) : null;

    public string Output(long id) => IsStatic ? $"{_up}playbooks/{N(id)}-output.html" : $"/playbooks/{N(id)}/output";

    public string Result(long id) => IsStatic ? $"{_up}results/{N(id)}.html" : $"/results/{N(id)}";

    public string Host(long id) => IsStatic ? $"{_up}hosts/{N(id)}.html" : $"/hosts/{N(id)}";

    public string File(long id) => IsStatic ? $"{_up}files/{N(id)}.html" : $"/files/{N(id)}";

    /// <summary>A task's place in its file: the file page scrolled to, and highlighting, that line.</summary>
    public string FileLine(long id, int line) => File(id) + "#line-" + line.ToString(CultureInfo.InvariantCulture);

    public string Asset(string name) => IsStatic ? $"{_up}assets/{name}" : UiAssets.Url(name);

    /// <summary>The matching API URL (shown on the server only).</summary>
    public string? Api(string path) => IsStatic ? null : "/api/v1/" + path;

    private static string N(long id) => id.ToString(CultureInfo.InvariantCulture);
}
