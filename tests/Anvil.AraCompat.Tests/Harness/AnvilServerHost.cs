using System.Globalization;
using Anvil.Data;
using Anvil.Data.Users;
using Anvil.Server;
using Microsoft.AspNetCore.Builder;

namespace Anvil.AraCompat.Tests.Harness;

/// <summary>Anvil's server in this process: real Kestrel on 127.0.0.1, a port the OS picks, the given database.</summary>
internal sealed class AnvilServerHost(WebApplication app, Uri baseUrl) : IRecordsServer
{
    public Uri BaseUrl { get; } = baseUrl;

    public string Kind => "anvil";

    public static async Task<IRecordsServer> StartAsync(DatabaseSpec database, ServerSettings settings)
    {
        if (settings.User is { } user)
        {
            // As `anvil user add` does: straight into the database, before the server runs.
            await using var db = await AnvilDatabase.OpenAsync(database.AnvilConnection, AnvilSchema.All);
            await new UserStore(db).AddAsync(user.Name, user.Password);
        }
        var extra = new Dictionary<string, string?>
        {
            // One log line per request would bury the test output; warnings and errors still show.
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (settings.MaxRequestBodyBytes is { } max)
        {
            extra["Records:MaxRequestBodyBytes"] = max.ToString(CultureInfo.InvariantCulture);
        }
        var app = AnvilServer.Build([], new ServerStartOptions
        {
            Urls = "http://127.0.0.1:0",
            Database = database.AnvilConnection,
            WriteLoginRequired = settings.WriteLoginRequired,
            ReadLoginRequired = false,
            Settings = extra,
        });
        try
        {
            await app.StartAsync();
            // With port 0 Kestrel reports the port it bound once started.
            return new AnvilServerHost(app, new Uri(app.Urls.First()));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
