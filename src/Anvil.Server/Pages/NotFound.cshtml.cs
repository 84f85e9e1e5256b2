using Anvil.Server.Ui;

namespace Anvil.Server.Pages;

/// <summary>Any address outside the API that no page answers.</summary>
public sealed class NotFoundModel : UiPage
{
    public void OnGet() => NotFoundPage("There is no page at this address.");
}
