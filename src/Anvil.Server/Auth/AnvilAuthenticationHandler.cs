using System.Security.Claims;
using System.Text.Encodings.Web;
using Anvil.Server.Registry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Anvil.Server.Auth;

/// <summary>
/// The server's one authentication scheme: HTTP Basic against the users in the database and
/// <c>Authorization: Token …</c> against the registry's API tokens, both through <see cref="BasicAuthenticator"/>
/// (and its credential cache). No header, or another scheme, is no result (anonymous); credentials that are sent but
/// wrong are a failure, which <see cref="AccessRequirement"/> refuses wherever it applies, as Django REST framework
/// does. The challenge is ARA's 401: <c>WWW-Authenticate: Basic realm="api"</c> and DRF's <c>{"detail": …}</c>, or
/// Galaxy's error shape on the registry's endpoints (those carrying <see cref="GalaxyErrorShape"/>).
/// </summary>
internal sealed class AnvilAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, BasicAuthenticator authenticator)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Anvil";

    private const string NotProvided = "Authentication credentials were not provided.";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var result = await authenticator.AuthenticateAsync(Request.Headers.Authorization);
        return result.Outcome switch
        {
            AuthOutcome.Authenticated => AuthenticateResult.Success(new AuthenticationTicket(
                new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, result.User!)], "Basic")), SchemeName)),
            AuthOutcome.Failed => AuthenticateResult.Fail(result.Error!),
            _ => AuthenticateResult.NoResult(),
        };
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var detail = result.Failure?.Message ?? NotProvided;
        Response.Headers.WWWAuthenticate = "Basic realm=\"api\"";
        if (Context.GetEndpoint()?.Metadata.GetMetadata<GalaxyErrorShape>() is not null)
        {
            await GalaxyJson.ErrorAsync(Context, StatusCodes.Status401Unauthorized, "not_authenticated", detail);
        }
        else
        {
            await JsonReply.DetailAsync(Context, StatusCodes.Status401Unauthorized, detail);
        }
    }
}

/// <summary>Endpoint metadata: errors of this endpoint, the 401 challenge included, are answered in Galaxy's
/// <c>{"errors": [...]}</c> shape (ansible-galaxy prints their <c>detail</c>).</summary>
internal sealed class GalaxyErrorShape
{
    public static readonly GalaxyErrorShape Instance = new();
}

/// <summary>The user of the request.</summary>
internal static class CurrentUser
{
    /// <summary>The authenticated user name, or null for an anonymous request.</summary>
    public static string? UserName(this HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, Name: { } name } ? name : null;
}
