using System.CommandLine;
using System.Text.Json;
using Anvil.Records.Storage;
using Anvil.Records.Users;
using Spectre.Console;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil user add|list|remove</c>: the users of the records server (HTTP Basic authentication),
/// managed directly in the database, so with or without a running server. Passwords are never printed.</summary>
internal static class UserCommand
{
    public static Command Create() => new("user", "Manage the users who can log in to the records server.")
    {
        Add(), List(), Remove(),
    };

    private static Command Add()
    {
        var name = new Argument<string>("name") { Description = "user name (letters, digits and @ . + - _)" };
        var password = new Option<string>("--password")
        {
            Description = "the user's password (stored only as a PBKDF2 hash)",
            HelpName = "PASSWORD",
            Required = true,
        };
        var admin = new Option<bool>("--admin") { Description = "make the user an administrator" };
        var database = RecordsDatabaseOption.Create();
        var command = new Command("add", "Add a user.") { name, password, admin, database };
        GroupedHelp.Apply(command, "anvil user add NAME --password PASSWORD [--admin] [--database CONN]",
            ("Options", [password, admin, database]));
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            await using var db = await RecordsDatabaseOption.OpenAsync(parse.GetValue(database), migrate: true, error, ct);
            if (db is null)
            {
                return AnvilCommandLine.InputError;
            }
            var isAdmin = parse.GetValue(admin);
            try
            {
                await new UserStore(db).AddAsync(parse.GetValue(name)!, parse.GetValue(password)!, isAdmin, ct);
            }
            catch (UserStoreException e)
            {
                await error.WriteLineAsync($"anvil: error: {e.Message}");
                return AnvilCommandLine.InputError;
            }
            await parse.InvocationConfiguration.Output.WriteLineAsync(
                $"Added user '{parse.GetValue(name)}'{(isAdmin ? " (admin)" : "")} to {db.Description}");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var format = new Option<string>("--format", "-f")
        {
            Description = "output format: table or json (default: table)",
            HelpName = "FORMAT",
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong("table", "json");
        var database = RecordsDatabaseOption.Create();
        var command = new Command("list", "List the users.") { format, database };
        GroupedHelp.Apply(command, "anvil user list [-f table|json] [--database CONN]", ("Options", [format, database]));
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            await using var db = await RecordsDatabaseOption.OpenAsync(parse.GetValue(database), migrate: true,
                parse.InvocationConfiguration.Error, ct);
            if (db is null)
            {
                return AnvilCommandLine.InputError;
            }
            var users = await new UserStore(db).ListAsync(ct);
            if (parse.GetValue(format) == "json")
            {
                var rows = users.Select(u => new Dictionary<string, object>
                {
                    ["name"] = u.Name,
                    ["admin"] = u.Admin,
                    ["created"] = Clock.Format(Clock.ToMicros(u.Created)),
                });
                await output.WriteLineAsync(JsonSerializer.Serialize(rows));
                return 0;
            }
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
            var table = new Table().AddColumn("name").AddColumn("admin").AddColumn("created");
            foreach (var u in users)
            {
                table.AddRow(Markup.Escape(u.Name), u.Admin ? "yes" : "no", Clock.Format(Clock.ToMicros(u.Created)));
            }
            console.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Remove()
    {
        var name = new Argument<string>("name") { Description = "the user to remove" };
        var database = RecordsDatabaseOption.Create();
        var command = new Command("remove", "Remove a user.") { name, database };
        GroupedHelp.Apply(command, "anvil user remove NAME [--database CONN]", ("Options", [database]));
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            await using var db = await RecordsDatabaseOption.OpenAsync(parse.GetValue(database), migrate: true, error, ct);
            if (db is null)
            {
                return AnvilCommandLine.InputError;
            }
            var user = parse.GetValue(name)!;
            if (!await new UserStore(db).RemoveAsync(user, ct))
            {
                await error.WriteLineAsync($"anvil: error: no user '{user}' in {db.Description}");
                return AnvilCommandLine.InputError;
            }
            await parse.InvocationConfiguration.Output.WriteLineAsync($"Removed user '{user}' from {db.Description}");
            return 0;
        });
        return command;
    }
}
