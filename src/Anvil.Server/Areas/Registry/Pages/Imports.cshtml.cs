using Anvil.Data;
using Anvil.Registry;
using Anvil.Server.Ui;
using Anvil.Server.Registry;

namespace Anvil.Server.Pages.Registry;

/// <summary><c>/imports</c>: the logged-in user's imports, newest first; an administrator may ask for everyone's
/// (<c>?all=1</c>).</summary>
public sealed class ImportsModel : RegistryPage
{
    protected override bool NeedsUser => true;

    public Paged<ImportSummary> Imports { get; private set; } = new([], 0, 1, 0);

    public bool IsAdmin { get; private set; }

    /// <summary>Everyone's imports are shown (an administrator asked for them).</summary>
    public bool Everyone { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var user = CurrentUser!;
        IsAdmin = await Store.IsAdminAsync(user, ct);
        Everyone = IsAdmin && Q("all") is "1" or "true";
        var (offset, limit) = Paging("offset", "page", LimitOf("limit", Settings.PageSize));
        Imports = await RegistryViews.ImportsAsync(Everyone ? null : user, offset, limit, ct);
        Title = Everyone ? "All imports" : "My imports";
    }
}
