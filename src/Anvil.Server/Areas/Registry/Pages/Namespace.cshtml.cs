using Anvil.Data;
using Anvil.Registry;
using Anvil.Server.Ui;
using Anvil.Server.Registry;

namespace Anvil.Server.Pages.Registry;

/// <summary><c>/collections/{ns}</c>: one namespace, its owners (who may publish to it) and its collections.</summary>
public sealed class NamespaceModel : RegistryPage
{
    public RegistryNamespace Namespace { get; private set; } = null!;

    public Paged<CollectionSummary> Collections { get; private set; } = new([], 0, 1, 0);

    /// <summary>Whether the reader may publish here (an owner; admins may publish anywhere).</summary>
    public bool CanPublish { get; private set; }

    public async Task OnGetAsync(string ns, CancellationToken ct)
    {
        if (await Store.GetNamespaceAsync(ns, ct) is not { } found)
        {
            NotFoundPage($"There is no namespace {ns}.");
            return;
        }
        Namespace = found;
        var (offset, limit) = Paging("offset", "page", LimitOf("limit", Settings.PageSize));
        Collections = await Store.ListCollectionsAsync(ns, offset: offset, limit: limit, ct: ct);
        CanPublish = CurrentUser is { } user && await Store.CanUploadAsync(user, ns, ct);
        Title = $"Namespace {ns}";
    }
}
