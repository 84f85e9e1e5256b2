using Anvil.Data;
using Anvil.Registry;
using Anvil.Server.Ui;
using Anvil.Server.Registry;

namespace Anvil.Server.Pages.Registry;

/// <summary><c>/collections</c>: the registry's collections (searched with <c>q</c>, paged), each with its latest
/// version, description and last update, and its namespaces with their owners and collection counts.</summary>
public sealed class CollectionsModel : RegistryPage
{
    public Paged<CollectionSummary> Collections { get; private set; } = new([], 0, 1, 0);

    public IReadOnlyList<RegistryNamespace> Namespaces { get; private set; } = [];

    /// <summary>No namespace at all: the page explains how to start.</summary>
    public bool Empty { get; private set; }

    public string? Search => Q("q")?.Trim() is { Length: > 0 } q ? q : null;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var (offset, limit) = Paging("offset", "page", LimitOf("limit", Settings.PageSize));
        Collections = await Store.ListCollectionsAsync(search: Search, offset: offset, limit: limit, ct: ct);
        var namespaces = await Store.ListNamespacesAsync(ct);
        Empty = namespaces.Count == 0;
        Namespaces = Search is not { } q ? namespaces : namespaces.Where(n =>
            n.Name.Contains(q, StringComparison.OrdinalIgnoreCase) ||
            (n.Description?.Contains(q, StringComparison.OrdinalIgnoreCase) ?? false) ||
            n.Owners.Any(o => o.Contains(q, StringComparison.OrdinalIgnoreCase))).ToList();
        var page = Collections;
        Title = page.Total == 0 ? "Collections"
            : page.Total <= page.Limit && page.Offset == 0 ? $"Collections: {page.Total}"
            : $"Collections: {page.Offset + 1}–{page.Offset + page.Items.Count} of {page.Total}";
    }
}
