using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Anvil.Server.Auth;

/// <summary>
/// ARA's access rule (its <c>APIAccessPermission</c> with Basic authentication): safe methods need a user only when
/// <see cref="RecordsServerOptions.ReadLoginRequired"/>, others only when
/// <see cref="RecordsServerOptions.WriteLoginRequired"/>; credentials that are sent but wrong are refused even where
/// none are needed. Health checks are always anonymous.
/// </summary>
internal sealed class LoginMiddleware(RequestDelegate next, BasicAuthenticator authenticator, IOptions<RecordsServerOptions> options)
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
        var result = await authenticator.AuthenticateAsync(context.Request.Headers.Authorization);
        switch (result.Outcome)
        {
            case AuthOutcome.Failed:
                await ChallengeAsync(context, result.Error!);
                return;
            case AuthOutcome.Authenticated:
                context.Items[UserItem] = result.User;
                context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, result.User!)], "Basic"));
                break;
            default:
                if (LoginRequired(context.Request.Method, options.Value))
                {
                    await ChallengeAsync(context, "Authentication credentials were not provided.");
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

    private static Task ChallengeAsync(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"api\"";
        return JsonReply.DetailAsync(context, StatusCodes.Status401Unauthorized, detail);
    }
}
