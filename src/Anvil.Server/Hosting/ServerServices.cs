using Anvil.Data;
using Anvil.Data.Users;
using Anvil.Records.Api;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Anvil.Server.Hosting;

/// <summary>Registration of what the records server runs on: its options, Kestrel's limits, the shared database and
/// its retention sweep, the records API core, and the users and API tokens that authentication checks.</summary>
internal static class ServerServices
{
    public static IServiceCollection AddRecordsServer(this IServiceCollection services, IConfiguration configuration)
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
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>Framework log lines that repeat what the request log says, or leak what it leaves out.</summary>
    public static ILoggingBuilder AddServerLogFilters(this ILoggingBuilder logging)
    {
        // Kestrel's "Request starting … (with the query string)" lines would duplicate ours and leak query values.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);
        logging.AddFilter("Microsoft.AspNetCore.Mvc", LogLevel.Warning); // OpenAPI's "no action descriptors"
        // "was not authenticated", "was challenged", "Authorization failed": every refused request, said again.
        logging.AddFilter("Microsoft.AspNetCore.Authorization", LogLevel.Warning);
        logging.AddFilter("Microsoft.AspNetCore.Authentication", LogLevel.Warning);
        logging.AddFilter(typeof(Auth.AnvilAuthenticationHandler).FullName, LogLevel.Warning);
        return logging;
    }

    /// <summary>Names the setting that is wrong instead of a generic "validation failed".</summary>
    private sealed class RecordsOptionsValidator : IValidateOptions<RecordsServerOptions>
    {
        public ValidateOptionsResult Validate(string? name, RecordsServerOptions options) =>
            options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
