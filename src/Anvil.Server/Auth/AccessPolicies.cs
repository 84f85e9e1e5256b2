using Anvil.Server.Registry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Anvil.Server.Auth;

/// <summary>The authorization policies the endpoint groups and pages name.</summary>
internal static class AccessPolicies
{
    /// <summary>ARA's <c>APIAccessPermission</c>: safe methods (GET, HEAD, OPTIONS) need a user only when
    /// <see cref="RecordsServerOptions.ReadLoginRequired"/>, others only when
    /// <see cref="RecordsServerOptions.WriteLoginRequired"/>. The records API, the web UI, its assets and OpenAPI; also
    /// the fallback for any endpoint that names no policy.</summary>
    public const string Records = "Records";

    /// <summary>The API index <c>/api/</c>, which is also a Galaxy discovery document: <see cref="Records"/>, but on
    /// GET and HEAD wrong credentials count as none while reads are public (ansible-galaxy sends its token there too and reports
    /// a 401 without its reason; the next request's error is the one it prints).</summary>
    public const string ApiIndex = "ApiIndex";

    /// <summary>The registry: reads need a user when <see cref="RegistryOptions.ReadLoginRequired"/>, every other
    /// method always.</summary>
    public const string RegistryRead = "RegistryRead";

    /// <summary>Publishing a collection: always a user (ownership is checked by the handler).</summary>
    public const string RegistryPublish = "RegistryPublish";

    /// <summary>The authentication scheme, <see cref="AccessRequirement"/>'s handler and the policies.</summary>
    public static IServiceCollection AddAnvilAuth(this IServiceCollection services)
    {
        services.AddSingleton<BasicAuthenticator>();
        services.AddAuthentication(AnvilAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, AnvilAuthenticationHandler>(AnvilAuthenticationHandler.SchemeName, null);
        services.AddSingleton<IAuthorizationHandler, AccessRequirementHandler>();
        var records = Policy(new AccessRequirement(Access.Records));
        services.AddAuthorizationBuilder()
            .AddPolicy(Records, records)
            .AddPolicy(ApiIndex, Policy(new AccessRequirement(Access.ApiIndex)))
            .AddPolicy(RegistryRead, Policy(new AccessRequirement(Access.RegistryRead)))
            .AddPolicy(RegistryPublish, Policy(new AccessRequirement(Access.RegistryPublish)))
            .SetFallbackPolicy(records);
        return services;
    }

    private static AuthorizationPolicy Policy(AccessRequirement requirement) =>
        new AuthorizationPolicyBuilder(AnvilAuthenticationHandler.SchemeName).AddRequirements(requirement).Build();
}

internal enum Access
{
    Records,
    ApiIndex,
    RegistryRead,
    RegistryPublish,
}

/// <summary>Who may pass: a user always; an anonymous request when the rule of <see cref="Access"/> needs no login
/// for its method; a request with wrong credentials never (except <see cref="Access.ApiIndex"/> while reads are
/// public). Failing it challenges, which answers 401.</summary>
internal sealed record AccessRequirement(Access Access) : IAuthorizationRequirement;

internal sealed class AccessRequirementHandler(IOptions<RecordsServerOptions> records, IOptions<RegistryOptions> registry)
    : AuthorizationHandler<AccessRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AccessRequirement requirement)
    {
        if (context.Resource is not HttpContext http)
        {
            return;
        }
        if (http.UserName() is not null)
        {
            context.Succeed(requirement);
            return;
        }
        var safe = HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) ||
                   HttpMethods.IsOptions(http.Request.Method);
        var loginRequired = requirement.Access switch
        {
            Access.Records => safe ? records.Value.ReadLoginRequired : records.Value.WriteLoginRequired,
            Access.ApiIndex => safe ? records.Value.ReadLoginRequired : records.Value.WriteLoginRequired,
            Access.RegistryRead => !safe || registry.Value.ReadLoginRequired,
            _ => true,
        };
        if (loginRequired)
        {
            return;
        }
        // Cached by the handler: this is the result the policy evaluator already has, not a second check.
        var result = await http.AuthenticateAsync(AnvilAuthenticationHandler.SchemeName);
        if (result.Failure is null ||
            requirement.Access == Access.ApiIndex && (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)))
        {
            context.Succeed(requirement);
        }
    }
}
