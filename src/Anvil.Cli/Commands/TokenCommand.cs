using System.CommandLine;
using System.Text.Json;
using Anvil.Data;
using Anvil.Data.Users;
using Spectre.Console;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil token create|revoke|list</c>: API tokens for the collection registry
/// (<c>Authorization: Token …</c>, ansible-galaxy's <c>token</c> setting), managed directly in the database. A new
/// token is printed once, on the last line; the database keeps only its SHA-256.</summary>
internal static class TokenCommand
{
    public static Command Create() => new("token", "Manage API tokens for the collection registry (ansible-galaxy's 'token').")
    {
        Make(), Revoke(), List(),
    };

    private static Command Make()
    {
        var user = new Option<string>("--user") { Description = "the user the token acts as", HelpName = "USER", Required = true };
        var name = new Option<string?>("--name") { Description = "a name to recognise it by in 'token list'", HelpName = "NAME" };
        var database = RecordsDatabaseOption.Create();
        var command = new Command("create", "Create a token; it is printed once, on the last line, and cannot be shown again.") { user, name, database };
        GroupedHelp.Apply(command, "anvil token create --user USER [--name NAME] [--database CONN]", ("Options", [user, name, database]));
        command.SetAction((parse, ct) => GalaxyCommand.WithStoreAsync(parse, database, ct, async (db, output) =>
        {
            var made = await new TokenStore(db).CreateAsync(parse.GetValue(user)!, parse.GetValue(name), ct);
            await output.WriteLineAsync($"Created token {made.Token.Id} for '{made.Token.User}' in {db.Description}; " +
                                        "keep it secret, it is shown only now:");
            await output.WriteLineAsync(made.Secret);
            return 0;
        }));
        return command;
    }

    private static Command Revoke()
    {
        var which = new Argument<string>("token") { Description = "the token itself, or its id (from 'token list')" };
        var database = RecordsDatabaseOption.Create();
        var command = new Command("revoke", "Revoke a token: it stops working at once.") { which, database };
        GroupedHelp.Apply(command, "anvil token revoke TOKEN|ID [--database CONN]", ("Options", [database]));
        command.SetAction((parse, ct) => GalaxyCommand.WithStoreAsync(parse, database, ct, async (db, output) =>
        {
            var arg = parse.GetValue(which)!.Trim();
            var byId = arg.All(char.IsAsciiDigit);
            if (!await new TokenStore(db).RevokeAsync(arg, ct))
            {
                // Never echo a token: it may be a real one mistyped.
                await parse.InvocationConfiguration.Error.WriteLineAsync(byId
                    ? $"anvil: error: no active token with id {arg} in {db.Description}"
                    : $"anvil: error: no active token matches the one given (in {db.Description})");
                return AnvilCommandLine.InputError;
            }
            await output.WriteLineAsync(byId ? $"Revoked token {arg}" : "Revoked the token");
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var user = new Option<string?>("--user") { Description = "only this user's tokens", HelpName = "USER" };
        var format = GalaxyCommand.FormatOption();
        var database = RecordsDatabaseOption.Create();
        var command = new Command("list", "List tokens (never their secrets).") { user, format, database };
        GroupedHelp.Apply(command, "anvil token list [--user USER] [-f table|json] [--database CONN]", ("Options", [user, format, database]));
        command.SetAction((parse, ct) => GalaxyCommand.WithStoreAsync(parse, database, ct, async (db, output) =>
        {
            var tokens = await new TokenStore(db).ListAsync(parse.GetValue(user), ct);
            static string? Time(DateTimeOffset? t) => t is { } v ? Clock.Format(Clock.ToMicros(v)) : null;
            if (parse.GetValue(format) == "json")
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(tokens.Select(t => new Dictionary<string, object?>
                {
                    ["id"] = t.Id,
                    ["user"] = t.User,
                    ["name"] = t.Name,
                    ["created"] = Time(t.Created),
                    ["last_used"] = Time(t.LastUsed),
                    ["revoked"] = Time(t.Revoked),
                })));
                return 0;
            }
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
            var table = new Table().AddColumn("id").AddColumn("user").AddColumn("name").AddColumn("created").AddColumn("last used").AddColumn("state");
            foreach (var t in tokens)
            {
                table.AddRow(t.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(t.User), Markup.Escape(t.Name ?? ""),
                    Time(t.Created)!, Time(t.LastUsed) ?? "never", t.IsRevoked ? $"revoked {Time(t.Revoked)}" : "active");
            }
            console.Write(table);
            return 0;
        }));
        return command;
    }
}
