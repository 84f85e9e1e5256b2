using System.Security.Claims;
using Anvil.Server.Registry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Anvil.Server.Auth;

/// <summary>
/// ARA's access rule (its <c>APIAccessPermission</c> with Basic authentication): safe methods need a user only when
/// <see cref="RecordsServerOptions.ReadLoginRequired"/>, others only when
/// <see cref="RecordsServerOptions.WriteLoginRequired"/>; credentials that are sent but wrong are refused even where
/// none are needed. Health checks are always anonymous. The collection registry's paths (<c>/api/v3/…</c>,
/// <c>/api/galaxy/…</c>) follow <see cref="RegistryLoginRequired"/> instead, and answer in Galaxy's error shape.
/// </summary>
internal sealed class LoginMiddleware(RequestDelegate next, BasicAuthenticator authenticator, IOptions<RecordsServerOptions> options,
    IOptions<Registry.RegistryOptions> galaxy)
{
    /// <summary>The key under which the authenticated user name is kept in <see cref="HttpContext.Items"/>.</summary>
    public const string UserItem = "anvil.user";

    public async Task InvokeAsync(HttpContext context)
    {
        if (HealthEndpoints.IsHealthPath(context.Request.Path))
        {
            await next(context);
            return;
        }
        var registry = GalaxyEndpoints.IsGalaxyPath(context.Request.Path);
        var result = await authenticator.AuthenticateAsync(context.Request.Headers.Authorization);
        if (result.Outcome == AuthOutcome.Failed && IsOpenDiscovery(context.Request))
        {
            // ansible-galaxy sends its token with discovery too, and reports a 401 there without the reason; answered
            // anonymously, the wrong token is refused at the next request, whose error the client prints.
            result = new AuthResult(AuthOutcome.Anonymous);
        }
        switch (result.Outcome)
        {
            case AuthOutcome.Failed:
                await ChallengeAsync(context, result.Error!, registry);
                return;
            case AuthOutcome.Authenticated:
                context.Items[UserItem] = result.User;
                context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, result.User!)], "Basic"));
                break;
            default:
                if (registry ? RegistryLoginRequired(context.Request, galaxy.Value) : LoginRequired(context.Request.Method, options.Value))
                {
                    await ChallengeAsync(context, "Authentication credentials were not provided.", registry);
                    return;
                }
                break;
        }
        await next(context);
    }

    /// <summary>Whether a request with this method needs a user (Django REST framework's SAFE_METHODS are the reads).</summary>
    public static bool LoginRequired(string method, RecordsServerOptions options) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
            ? options.ReadLoginRequired
            : options.WriteLoginRequired;

    /// <summary>A discovery document that anyone may read: <c>/api/galaxy/</c> always, the API index <c>/api/</c>
    /// when records reads are public.</summary>
    private bool IsOpenDiscovery(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) &&
        (GalaxyEndpoints.IsDiscovery(request.Path) || request.Path.Value is "/api" or "/api/" && !options.Value.ReadLoginRequired);

    /// <summary>The registry's rule: discovery is always anonymous (ansible-galaxy fails every command on a 401 there),
    /// reads need a user when <see cref="Registry.RegistryOptions.ReadLoginRequired"/>, uploads always.</summary>
    public static bool RegistryLoginRequired(HttpRequest request, Registry.RegistryOptions options) =>
        !GalaxyEndpoints.IsDiscovery(request.Path) &&
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            ? options.ReadLoginRequired
            : true);

    private static Task ChallengeAsync(HttpContext context, string detail, bool registry)
    {
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"api\"";
        return registry
            ? Registry.GalaxyJson.ErrorAsync(context, StatusCodes.Status401Unauthorized, "not_authenticated", detail)
            : JsonReply.DetailAsync(context, StatusCodes.Status401Unauthorized, detail);
    }
}
