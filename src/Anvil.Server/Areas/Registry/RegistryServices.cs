using Anvil.Data;
using Anvil.Registry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Anvil.Server.Registry;

/// <summary>Registration of the collection registry's services.</summary>
internal static class RegistryServices
{
    /// <summary>The collection registry: its options (section <c>Galaxy</c>), store and import queue.</summary>
    public static IServiceCollection AddAnvilRegistry(this IServiceCollection services, IConfiguration configuration)
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
}
