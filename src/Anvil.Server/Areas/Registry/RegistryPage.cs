using Anvil.Registry;
using Anvil.Server.Auth;
using Anvil.Server.Ui;
using Anvil.Server.Registry;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Anvil.Server.Registry;

/// <summary>
/// What the registry's pages share: the store, the user of the request (from the server's login: Basic
/// credentials or a token), and the registry's read rule. When <see cref="RegistryOptions.ReadLoginRequired"/> is
/// set, or the page is one's own (<see cref="NeedsUser"/>), a request without a user gets a 401 challenge before
/// the handler runs, so no registry data is read for it.
/// </summary>
public abstract class RegistryPage : UiPage
{
    internal RegistryStore Store => HttpContext.RequestServices.GetRequiredService<RegistryStore>();

    internal RegistryViews RegistryViews => HttpContext.RequestServices.GetRequiredService<RegistryViews>();

    internal RegistryOptions Galaxy => HttpContext.RequestServices.GetRequiredService<IOptions<RegistryOptions>>().Value;

    /// <summary>The logged-in user, or null.</summary>
    public string? CurrentUser => HttpContext.UserName();

    /// <summary>Pages about the user's own things need a user whatever the read rule.</summary>
    protected virtual bool NeedsUser => false;

    /// <summary>The server's Galaxy API root for clients (<c>ansible-galaxy -s</c>): <c>/api/galaxy/</c>, whose
    /// discovery is anonymous whatever the login settings.</summary>
    public string GalaxyServerUrl => $"{Request.Scheme}://{Request.Host}{Request.PathBase}/api/galaxy/";

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (CurrentUser is null && (NeedsUser || Galaxy.ReadLoginRequired))
        {
            LoginPage(NeedsUser
                ? "This page shows your own imports: log in to see them."
                : "This server's collection registry is readable by its users only (setting Galaxy:ReadLoginRequired).");
            context.Result = Page();
            return;
        }
        await next();
    }

    /// <summary>A page of a registry list from <c>offset</c> or <c>page</c> parameters.</summary>
    protected (int Offset, int Limit) Paging(string offsetName, string pageName, int limit)
    {
        limit = Math.Min(limit, RegistryStore.MaxPageSize);
        return ((int)Math.Min(OffsetOf(offsetName, pageName, limit), int.MaxValue - limit), limit);
    }

}
