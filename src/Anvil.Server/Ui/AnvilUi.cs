using Anvil.Server.Auth;
using Anvil.Data;
using Anvil.Records.Views;
using Microsoft.AspNetCore.Builder;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.Extensions.WebEncoders;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Anvil.Server.Ui;

/// <summary>The web UI: Razor Pages over <see cref="RecordsViews"/> (and the registry's store and views), its assets
/// and its live-update stream.</summary>
internal static class AnvilUi
{
    public static IServiceCollection AddAnvilUi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<UiOptions>().Bind(configuration.GetSection(UiOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<UiOptions>, UiOptionsValidator>();
        services.AddSingleton(sp => new RecordsViews(sp.GetRequiredService<AnvilDatabase>()));
        services.AddSingleton(sp => new Anvil.Registry.RegistryViews(sp.GetRequiredService<AnvilDatabase>()));
        // Razor escapes every non-ASCII character by default (é as &#xE9;); only markup characters need it, and
        // recorded names and output are often not English.
        // Nothing the UI serves is protected (no cookies, no forms that post), but Razor Pages bring data protection,
        // whose key ring would otherwise be written to a file in the user's home on first start: keep it in memory.
        services.AddDataProtection();
        services.Configure<KeyManagementOptions>(o =>
        {
            o.XmlRepository = new MemoryXmlRepository();
            o.XmlEncryptor = new NullXmlEncryptor(); // it never leaves the process
        });
        services.AddLogging(b => b.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Warning)); // "Creating key …"
        services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        services.AddRazorPages(o =>
            {
                // ARA's page addresses, so that links into an ARA server keep working against Anvil.
                o.Conventions.AddPageRoute("/Playbook", "playbooks/{id:long}.html");
                o.Conventions.AddPageRoute("/Result", "results/{id:long}.html");
                o.Conventions.AddPageRoute("/Host", "hosts/{id:long}.html");
                o.Conventions.AddPageRoute("/File", "files/{id:long}.html");
            })
            .ConfigureApplicationPartManager(parts =>
            {
                // The pages are compiled into this library; a host program (the CLI, a test runner) does not always
                // list it among its application parts.
                var assembly = typeof(AnvilUi).Assembly;
                foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(assembly).GetApplicationParts(assembly))
                {
                    if (!parts.ApplicationParts.Any(p => p.GetType() == part.GetType() && p.Name == part.Name))
                    {
                        parts.ApplicationParts.Add(part);
                    }
                }
            });
        return services;
    }

    public static WebApplication MapAnvilUi(this WebApplication app)
    {
        app.MapUiAssets();
        app.MapLive();
        app.MapRazorPages().RequireAuthorization(AccessPolicies.Records);
        app.MapFallbackToPage("{*path}", "/NotFound").RequireAuthorization(AccessPolicies.Records);
        return app;
    }

    private sealed class MemoryXmlRepository : IXmlRepository
    {
        private readonly List<XElement> _elements = [];
        private readonly Lock _lock = new();

        public IReadOnlyCollection<XElement> GetAllElements()
        {
            lock (_lock)
            {
                return _elements.Select(e => new XElement(e)).ToList();
            }
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            lock (_lock)
            {
                _elements.Add(new XElement(element));
            }
        }
    }

    private sealed class UiOptionsValidator : IValidateOptions<UiOptions>
    {
        public ValidateOptionsResult Validate(string? name, UiOptions options) =>
            options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
