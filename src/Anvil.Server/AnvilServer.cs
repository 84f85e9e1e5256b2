using Anvil.Records.Api;
using Anvil.Data;
using Anvil.Data.Users;
using Anvil.Registry;
using Anvil.Server.Auth;
using Anvil.Server.Registry;
using Anvil.Server.Hosting;
using Anvil.Server.Ui;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Anvil.Server;

/// <summary>Settings given by the host program (the <c>anvil server</c> command, tests); each one set here wins over
/// configuration.</summary>
public sealed record ServerStartOptions
{
    /// <summary>Addresses to listen on, separated by <c>;</c>. Default: configuration's <c>urls</c>, else
    /// <see cref="AnvilServer.DefaultUrl"/>.</summary>
    public string? Urls { get; init; }

    /// <summary>Overrides <see cref="RecordsServerOptions.Database"/>.</summary>
    public string? Database { get; init; }

    /// <summary>Overrides <see cref="RecordsServerOptions.ReadLoginRequired"/>.</summary>
    public bool? ReadLoginRequired { get; init; }

    /// <summary>Overrides <see cref="RecordsServerOptions.WriteLoginRequired"/>.</summary>
    public bool? WriteLoginRequired { get; init; }

    /// <summary>Further settings as configuration keys (<c>Records:MaxRequestBodyBytes</c>, <c>Logging:…</c>).</summary>
    public IReadOnlyDictionary<string, string?>? Settings { get; init; }

    /// <summary>Runs last on the builder, e.g. to add a logging provider.</summary>
    public Action<WebApplicationBuilder>? ConfigureBuilder { get; init; }

    /// <summary>These settings as configuration keys, layered over the host's configuration.</summary>
    internal Dictionary<string, string?> ConfigurationOverrides()
    {
        var overrides = new Dictionary<string, string?>(Settings ?? new Dictionary<string, string?>());
        if (Database is not null)
        {
            overrides[$"{RecordsServerOptions.Section}:{nameof(RecordsServerOptions.Database)}"] = Database;
        }
        if (ReadLoginRequired is { } read)
        {
            overrides[$"{RecordsServerOptions.Section}:{nameof(RecordsServerOptions.ReadLoginRequired)}"] = read ? "true" : "false";
        }
        if (WriteLoginRequired is { } write)
        {
            overrides[$"{RecordsServerOptions.Section}:{nameof(RecordsServerOptions.WriteLoginRequired)}"] = write ? "true" : "false";
        }
        return overrides;
    }
}

/// <summary>
/// The Anvil server as a library: the records API (ARA-compatible) with its health checks, OpenAPI document, HTTP
/// Basic and token authentication and request log, the web UI, and the collection registry (Galaxy v3 API). The CLI (<c>anvil server</c>) hosts it; there is no Program of its own.
/// </summary>
public static class AnvilServer
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>A builder with the server's services registered; call <see cref="MapAnvilServer"/> on what it builds
    /// (or use <see cref="Build"/>, which does both).</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args, ServerStartOptions? options = null)
    {
        options ??= new ServerStartOptions();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // The CLI runs from anywhere: do not pick up an appsettings.json from the current directory.
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(options.ConfigurationOverrides());
        var urls = options.Urls ?? builder.Configuration[WebHostDefaults.ServerUrlsKey];
        builder.WebHost.UseUrls(string.IsNullOrWhiteSpace(urls) ? DefaultUrl : urls);
        builder.Services.AddAnvilServer(builder.Configuration);
        builder.WebHost.UseSockets(s => s.NoDelay = true); // the default, stated: Nagle would add ~40 ms per small reply
        builder.Logging.AddServerLogFilters();
        options.ConfigureBuilder?.Invoke(builder);
        return builder;
    }

    /// <summary>The configured server, ready to <c>RunAsync</c> or <c>StartAsync</c>.</summary>
    public static WebApplication Build(string[] args, ServerStartOptions? options = null)
    {
        var app = CreateBuilder(args, options).Build();
        app.MapAnvilServer();
        return app;
    }

    /// <summary>Registers the server's services: options, the shared database, the API core, users and authentication,
    /// OpenAPI, and Kestrel limits.</summary>
    public static IServiceCollection AddAnvilServer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRecordsServer(configuration);
        services.AddAnvilRegistry(configuration);
        services.AddAnvilAuth();
        services.AddOpenApi("v1", o => o.AddDocumentTransformer(RecordsOpenApi.TransformAsync));
        services.AddAnvilUi(configuration);
        return services;
    }

    /// <summary>The request pipeline (log, errors, UI response headers, login) and the endpoints: health, OpenAPI,
    /// the API under <c>/api</c>, and the web UI everywhere else.</summary>
    public static WebApplication MapAnvilServer(this WebApplication app)
    {
        app.UseMiddleware<RequestLogging>();
        app.UseMiddleware<ErrorHandling>();
        app.UseMiddleware<UiResponses>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealth();
        app.MapOpenApi("/openapi/{documentName}.json").RequireAuthorization(AccessPolicies.Records);
        app.MapGalaxy();
        app.MapRecordsApi();
        app.MapAnvilUi();
        return app;
    }
}
