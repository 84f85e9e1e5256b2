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
        var overrides = new Dictionary<string, string?>(options.Settings ?? new Dictionary<string, string?>());
        if (options.Database is not null)
        {
            overrides[$"{RecordsServerOptions.Section}:{nameof(RecordsServerOptions.Database)}"] = options.Database;
        }
        if (options.ReadLoginRequired is { } read)
        {
            overrides[$"{RecordsServerOptions.Section}:{nameof(RecordsServerOptions.ReadLoginRequired)}"] = read ? "true" : "false";
        }
        if (options.WriteLoginRequired is { } write)
        {
            overrides[$"{RecordsServerOptions.Section}:{nameof(RecordsServerOptions.WriteLoginRequired)}"] = write ? "true" : "false";
        }
        builder.Configuration.AddInMemoryCollection(overrides);
        var urls = options.Urls ?? builder.Configuration[WebHostDefaults.ServerUrlsKey];
        builder.WebHost.UseUrls(string.IsNullOrWhiteSpace(urls) ? DefaultUrl : urls);
        builder.Services.AddAnvilServer(builder.Configuration);
        builder.WebHost.UseSockets(s => s.NoDelay = true); // the default, stated: Nagle would add ~40 ms per small reply
        // Kestrel's "Request starting … (with the query string)" lines would duplicate ours and leak query values.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Mvc", LogLevel.Warning); // OpenAPI's "no action descriptors"
        // "was not authenticated", "was challenged", "Authorization failed": every refused request, said again.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Authorization", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Authentication", LogLevel.Warning);
        builder.Logging.AddFilter(typeof(AnvilAuthenticationHandler).FullName, LogLevel.Warning);
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
        services.AddOptions<RecordsServerOptions>()
            .Bind(configuration.GetSection(RecordsServerOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RecordsServerOptions>, RecordsOptionsValidator>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<RecordsServerOptions>>((kestrel, records) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = records.Value.MaxRequestBodyBytes;
        });

        services.AddSingleton<AnvilDatabaseHost>();
        services.AddHostedService(sp => sp.GetRequiredService<AnvilDatabaseHost>());
        services.AddSingleton(sp => sp.GetRequiredService<AnvilDatabaseHost>().Database);
        // After the database host: hosted services start in order, so the database is open when the first sweep runs.
        services.AddHostedService<RetentionService>();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<RecordsServerOptions>>().Value;
            return new RecordsApi(sp.GetRequiredService<AnvilDatabase>(),
                new RecordsApiOptions
                {
                    PageSize = o.PageSize,
                    MaxPageSize = o.MaxPageSize,
                    ResponseCacheBytes = o.ResponseCacheMegabytes * 1024L * 1024,
                });
        });
        services.AddSingleton<IRecordsTransport>(sp => sp.GetRequiredService<RecordsApi>());
        services.AddSingleton(sp => new UserStore(sp.GetRequiredService<AnvilDatabase>()));
        services.AddSingleton(sp => new TokenStore(sp.GetRequiredService<AnvilDatabase>()));
        services.AddAnvilRegistry(configuration);
        services.AddSingleton(TimeProvider.System);
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

    /// <summary>The collection registry: its options (section <c>Galaxy</c>), store and import queue.</summary>
    private static IServiceCollection AddAnvilRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RegistryOptions>()
            .Bind(configuration.GetSection(RegistryOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RegistryOptions>, GalaxyOptionsValidator>();
        services.AddSingleton(sp => new RegistryStore(sp.GetRequiredService<AnvilDatabase>(),
            sp.GetRequiredService<IOptions<RegistryOptions>>().Value.ArtifactsPath));
        services.AddSingleton<ImportQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<ImportQueue>());
        return services;
    }

    private sealed class GalaxyOptionsValidator : IValidateOptions<RegistryOptions>
    {
        public ValidateOptionsResult Validate(string? name, RegistryOptions options) =>
            options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }

    /// <summary>Names the setting that is wrong instead of a generic "validation failed".</summary>
    private sealed class RecordsOptionsValidator : IValidateOptions<RecordsServerOptions>
    {
        public ValidateOptionsResult Validate(string? name, RecordsServerOptions options) =>
            options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
