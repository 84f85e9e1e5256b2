using Anvil.Data;
using System.Globalization;
using System.Text.RegularExpressions;
using Anvil.Records.Resources;
using Anvil.Records.Views;
using Anvil.Server.Ui;

namespace Anvil.Server.Pages;

/// <summary><c>/</c>: the playbooks, newest first, with the API's filters, sorting, paging and a search box.</summary>
public sealed partial class IndexModel : UiPage
{
    /// <summary>The query parameters that narrow the list: the API's playbook filters, plus <c>q</c>.</summary>
    public static readonly string[] FilterNames = ["q", .. RecordsResources.Playbooks.Filters.Select(f => f.Name)];

    /// <summary>The status checkboxes: the playbook statuses.</summary>
    public static IReadOnlyList<string> Statuses => RecordsResources.Playbooks.StatusChoices;

    /// <summary>The text inputs of the filters form: every text filter of the API's playbooks, labelled by name.</summary>
    public static IReadOnlyList<(string Name, string Label)> TextFilters { get; } =
    [
        .. RecordsResources.Playbooks.Filters.Where(f => f.Kind == FilterKind.String)
            .Select(f => (f.Name, char.ToUpperInvariant(f.Name[0]) + f.Name[1..].Replace('_', ' '))),
    ];

    public PlaybookListing Listing { get; private set; } = new(new Paged<PlaybookSummary>([], 0, 1, 0), []);

    public bool Filtered { get; private set; }

    /// <summary>Nothing recorded at all: the page explains how to record a first run.</summary>
    public bool EmptyDatabase { get; private set; }

    public string Order => Q("order") ?? "-started";

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (Links.Static is { } export)
        {
            var all = await Views.PlaybooksByIdAsync(export.PlaybookIds, ct);
            Listing = new PlaybookListing(new Paged<PlaybookSummary>(all, all.Count, Math.Max(1, all.Count), 0), []);
            Title = $"Playbooks: {all.Count}";
            return;
        }
        var query = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in Request.Query)
        {
            foreach (var value in values)
            {
                if (!string.IsNullOrEmpty(value))
                {
                    query.Add(new(name, DayBound(name, value)));
                }
            }
        }
        Filtered = FilterNames.Any(f => Q(f) is not null);
        Listing = await Views.PlaybooksAsync(query, Settings.PageSize, Settings.MaxPageSize, ct);
        var page = Listing.Page;
        EmptyDatabase = !Filtered && page.Total == 0 && page.Offset == 0 && Listing.Errors.Count == 0;
        Title = page.Total == 0 ? "Playbooks" : $"Playbooks: {page.Offset + 1}–{page.Offset + page.Items.Count} of {page.Total}";
        Live = LiveUrl("list=1", await Views.ListVersionAsync(ct));
    }

    /// <summary>A date picker sends a day; the API wants an instant: the day's start for <c>_after</c>, its end for
    /// <c>_before</c> (UTC).</summary>
    private static string DayBound(string name, string value) =>
        !Day().IsMatch(value) ? value
        : name.EndsWith("_after", StringComparison.Ordinal) ? value + "T00:00:00"
        : name.EndsWith("_before", StringComparison.Ordinal) ? value + "T23:59:59.999999"
        : value;

    /// <summary>A date input when the filter holds a day (or nothing), a text input when it holds an instant (as the
    /// quick ranges set), so that submitting the form again keeps it.</summary>
    public string DateInputType(string name) => Q(name) is not { } v || Day().IsMatch(v) ? "date" : "text";

    /// <summary>Links for the last hour, day, week and month.</summary>
    public IEnumerable<(string Label, string Url)> QuickRanges()
    {
        var now = Time.GetUtcNow();
        foreach (var (label, span) in new[] { ("Last hour", TimeSpan.FromHours(1)), ("24 hours", TimeSpan.FromDays(1)),
                     ("7 days", TimeSpan.FromDays(7)), ("30 days", TimeSpan.FromDays(30)) })
        {
            var after = (now - span).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            yield return (label, With(("started_after", after), ("offset", null), ("page", null)));
        }
    }

    /// <summary>The header link that sorts by <paramref name="field"/>: descending first, then flips.</summary>
    public string SortLink(string field) =>
        With(("order", Order == "-" + field ? field : "-" + field), ("offset", null), ("page", null));

    public string SortMark(string field) => Order == field ? " ▲" : Order == "-" + field ? " ▼" : "";

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex Day();
}
