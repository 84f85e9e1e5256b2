using Anvil.Data;
using System.Globalization;
using System.Text;
using Anvil.Records.Views;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Anvil.Server.Ui;

/// <summary>What every UI page model shares: links, the title, the live stream, the query string, and the 404 state.</summary>
public abstract class UiPage : PageModel
{
    private UiLinks? _links;

    public UiLinks Links => _links ??= new UiLinks(HttpContext);

    public string Title { get; protected set; } = "Anvil";

    /// <summary>The live-update stream this page listens to; null when the page does not change by itself.</summary>
    public string? Live { get; protected set; }

    /// <summary>What was asked for and does not exist; the page then says so with a 404.</summary>
    public string? Missing { get; private set; }

    /// <summary>Why this page needs a user the request did not bring; the page then says so with a 401 and a Basic
    /// challenge (the browser asks for a name and password).</summary>
    public string? LoginNeeded { get; private set; }

    /// <summary>The page shows nothing of its own (<see cref="Missing"/> or <see cref="LoginNeeded"/>): the layout says why.</summary>
    public bool Stopped => Missing is not null || LoginNeeded is not null;

    internal RecordsViews Views => HttpContext.RequestServices.GetRequiredService<RecordsViews>();

    /// <summary>The server's clock (quick date ranges, time elapsed while running).</summary>
    internal TimeProvider Time => HttpContext.RequestServices.GetRequiredService<TimeProvider>();

    internal UiOptions Settings => HttpContext.RequestServices.GetRequiredService<IOptions<UiOptions>>().Value;

    protected void NotFoundPage(string what)
    {
        Missing = what;
        Title = "Not found";
        HttpContext.Response.StatusCode = 404;
    }

    protected void LoginPage(string why)
    {
        LoginNeeded = why;
        Title = "Login required";
        HttpContext.Response.StatusCode = 401;
        // The API's realm: a browser that logged in for one sends the same credentials to the other.
        HttpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"api\"";
    }

    /// <summary>A query value, or null when absent or empty.</summary>
    public string? Q(string name) => Request.Query[name] is { Count: > 0 } v && v[^1] is { Length: > 0 } s ? s : null;

    /// <summary>Every value of a repeatable query parameter.</summary>
    public IReadOnlyList<string> All(string name) =>
        Request.Query[name].Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToList();

    public long? Long(string name) =>
        Q(name) is { } s && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>This page's URL with some query parameters replaced (null removes them; an array sets several
    /// values); the others are kept as they are.</summary>
    public string With(params (string Name, object? Value)[] changes) =>
        Query(changes) is var q && q == "?" ? Request.Path.Value ?? "/" : Request.Path.Value + q;

    /// <summary>Like <see cref="With"/>, as a relative URL: the query string alone (<c>?</c> when empty).</summary>
    public string Query(params (string Name, object? Value)[] changes)
    {
        var sb = new StringBuilder();
        var first = true;
        void Add(string name, string value)
        {
            sb.Append(first ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            first = false;
        }
        foreach (var (name, values) in Request.Query)
        {
            if (changes.Any(c => c.Name == name))
            {
                continue;
            }
            foreach (var v in values)
            {
                if (!string.IsNullOrEmpty(v))
                {
                    Add(name, v);
                }
            }
        }
        foreach (var (name, value) in changes)
        {
            switch (value)
            {
                case null:
                    break;
                case IEnumerable<string> many:
                    foreach (var v in many)
                    {
                        Add(name, v);
                    }
                    break;
                default:
                    Add(name, Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
                    break;
            }
        }
        return first ? "?" : sb.ToString();
    }

    /// <summary>The offset a list starts at: <c>offset</c>, else <c>page</c> (from 1) times the page size.</summary>
    protected long OffsetOf(string offsetName, string pageName, int limit)
    {
        if (Long(offsetName) is { } offset)
        {
            return Math.Min(offset, long.MaxValue / 4);
        }
        return Long(pageName) is { } page and > 1 ? Math.Min(page - 1, int.MaxValue) * limit : 0;
    }

    /// <summary>The page size: <c>limit</c> when given (up to the maximum), else the default.</summary>
    protected int LimitOf(string name, int fallback) =>
        Long(name) is { } n and > 0 ? (int)Math.Min(n, Settings.MaxPageSize) : fallback;

    /// <summary>The live stream URL for a view and the version the page was rendered with.</summary>
    protected static string LiveUrl(string what, string? version) =>
        $"{LiveEndpoint.Path}?{what}&v={Uri.EscapeDataString(version ?? "")}";

    /// <summary>Pager state for a paged list, with a link maker for other offsets.</summary>
    public PagerModel Pager<T>(Paged<T> page, string offsetName = "offset", string pageName = "page") =>
        new(page.Total, page.Limit, page.Offset, offset => With((offsetName, offset == 0 ? null : offset), (pageName, null)));
}

/// <summary>Where a paged list is and how to get to other pages.</summary>
public sealed record PagerModel(long Total, int Limit, long Offset, Func<long, string> Link)
{
    public long Last => Total == 0 ? 0 : (Total - 1) / Limit * Limit;
}
