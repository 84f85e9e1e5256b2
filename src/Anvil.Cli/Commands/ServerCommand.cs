using System.CommandLine;
using Anvil.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil server</c>: serves the records API (ARA-compatible) and the web UI until Ctrl-C.</summary>
internal static class ServerCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls")
        {
            Description = $"address(es) to listen on, separated by ';' (default: {AnvilServer.DefaultUrl})",
            HelpName = "URLS",
        };
        var database = RecordsDatabaseOption.Create();
        var readLogin = new Option<bool>("--read-login-required")
        { Description = "require a user (HTTP Basic) for reads (also: Records__ReadLoginRequired=true)" };
        var writeLogin = new Option<bool>("--write-login-required")
        { Description = "require a user (HTTP Basic) for writes (also: Records__WriteLoginRequired=true)" };
        var command = new Command("server", "Serve the records API (ARA 1.7 compatible) and the web UI until Ctrl-C; users come from 'anvil user'.")
        {
            urls, database, readLogin, writeLogin,
        };
        GroupedHelp.Apply(command, "anvil server [--urls URLS] [--database CONN] [--read-login-required] [--write-login-required]",
            ("Options", [urls, database, readLogin, writeLogin]));
        command.SetAction(async (parse, ct) =>
        {
            return await ServeAsync(new ServerStartOptions
            {
                Urls = parse.GetValue(urls),
                Database = parse.GetValue(database),
                // A flag that is not given leaves the setting to configuration.
                ReadLoginRequired = parse.GetValue(readLogin) ? true : null,
                WriteLoginRequired = parse.GetValue(writeLogin) ? true : null,
            }, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct);
        });
        return command;
    }

    /// <summary>Starts the server, says where it listens, and serves until Ctrl-C or <paramref name="ct"/>.</summary>
    public static async Task<int> ServeAsync(ServerStartOptions options, TextWriter output, TextWriter error, CancellationToken ct)
    {
        WebApplication app;
        try
        {
            app = AnvilServer.Build([], options with
            {
                ConfigureBuilder = b =>
                {
                    b.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
                    // A failed start is reported below in one line; the host's own report is a stack trace.
                    b.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
                    options.ConfigureBuilder?.Invoke(b);
                },
            });
        }
        catch (Exception e) when (RecordsDatabaseOption.IsDatabaseProblem(e) || e is OptionsValidationException)
        {
            await error.WriteLineAsync($"anvil: error: {e.Message}");
            return AnvilCommandLine.InputError;
        }
        await using (app)
        {
            try
            {
                await app.StartAsync(ct);
            }
            catch (Exception e) when (RecordsDatabaseOption.IsDatabaseProblem(e) || e is OptionsValidationException ||
                                      e is IOException)
            {
                await error.WriteLineAsync($"anvil: error: cannot start the server: {e.Message}");
                return AnvilCommandLine.InputError;
            }
            var db = app.Services.GetRequiredService<Anvil.Data.AnvilDatabase>();
            await output.WriteLineAsync($"Anvil records server on {string.Join(", ", app.Urls)}");
            await output.WriteLineAsync($"Web UI: {app.Urls.First().TrimEnd('/')}/ · API: {app.Urls.First().TrimEnd('/')}/api/v1/");
            await output.WriteLineAsync($"Database: {db.Description}");
            await output.WriteLineAsync("Press Ctrl-C to stop.");
            // The host's console lifetime stops the server on SIGINT/SIGTERM.
            await app.WaitForShutdownAsync(ct);
            return 0;
        }
    }
}
