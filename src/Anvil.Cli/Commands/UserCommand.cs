using System.CommandLine;
using System.Text.Json;
using Anvil.Data;
using Anvil.Data.Users;
using Spectre.Console;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil user add|list|remove</c>: the users of the records server (HTTP Basic authentication),
/// managed directly in the database, so with or without a running server. Passwords are never printed.</summary>
internal static class UserCommand
{
    public static Command Create() => new("user", "Manage the users who can log in to the records server.")
    {
        Add(), List(), Remove(), ChangePassword(),
    };

    /// <summary>Where a password comes from: <c>--password P</c> (visible to other users in the process list),
    /// <c>--password-stdin</c> (the first line of standard input), or else a prompt on the terminal.</summary>
    private sealed class PasswordOptions
    {
        public Option<string?> Password { get; } = new("--password")
        {
            Description = "the password (other users can see it in the process list: prefer --password-stdin or the prompt)",
            HelpName = "PASSWORD",
        };

        public Option<bool> FromStdin { get; } = new("--password-stdin")
        {
            Description = "read the password from the first line of standard input",
        };

        /// <summary>The password, or null after saying on <paramref name="error"/> why there is none.</summary>
        public async Task<string?> ReadAsync(ParseResult parse, TextWriter error)
        {
            var given = parse.GetValue(Password);
            var stdin = parse.GetValue(FromStdin);
            if (given is not null && stdin)
            {
                await error.WriteLineAsync("anvil: error: give --password or --password-stdin, not both");
                return null;
            }
            if (given is not null)
            {
                return given;
            }
            if (stdin)
            {
                var line = await AnvilCommandLine.Input.ReadLineAsync();
                if (string.IsNullOrEmpty(line))
                {
                    await error.WriteLineAsync("anvil: error: --password-stdin: standard input has no password on its first line");
                    return null;
                }
                return line;
            }
            if (Console.IsInputRedirected || AnvilCommandLine.Input != Console.In)
            {
                await error.WriteLineAsync("anvil: error: no password: use --password-stdin (or --password) when not on a terminal");
                return null;
            }
            var first = AnsiConsole.Prompt(new TextPrompt<string>("Password:").Secret());
            var again = AnsiConsole.Prompt(new TextPrompt<string>("Password (again):").Secret());
            if (first != again)
            {
                await error.WriteLineAsync("anvil: error: the two passwords differ");
                return null;
            }
            return first;
        }
    }

    private static Command Add()
    {
        var name = new Argument<string>("name") { Description = "user name (letters, digits and @ . + - _)" };
        var password = new PasswordOptions();
        var admin = new Option<bool>("--admin") { Description = "make the user an administrator" };
        var database = RecordsDatabaseOption.Create();
        var command = new Command("add", "Add a user (the password is stored only as a PBKDF2 hash).")
        {
            name, password.Password, password.FromStdin, admin, database,
        };
        GroupedHelp.Apply(command, "anvil user add NAME [--password PASSWORD | --password-stdin] [--admin] [--database CONN]",
            ("Options", [password.Password, password.FromStdin, admin, database]));
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (await password.ReadAsync(parse, error) is not { } secret)
            {
                return AnvilCommandLine.InputError;
            }
            await using var db = await RecordsDatabaseOption.OpenAsync(parse.GetValue(database), migrate: true, error, ct);
            if (db is null)
            {
                return AnvilCommandLine.InputError;
            }
            var isAdmin = parse.GetValue(admin);
            try
            {
                await new UserStore(db).AddAsync(parse.GetValue(name)!, secret, isAdmin, ct);
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

    private static Command ChangePassword()
    {
        var name = new Argument<string>("name") { Description = "the user whose password changes" };
        var password = new PasswordOptions();
        var database = RecordsDatabaseOption.Create();
        var command = new Command("passwd", "Change a user's password.") { name, password.Password, password.FromStdin, database };
        GroupedHelp.Apply(command, "anvil user passwd NAME [--password PASSWORD | --password-stdin] [--database CONN]",
            ("Options", [password.Password, password.FromStdin, database]));
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (await password.ReadAsync(parse, error) is not { } secret)
            {
                return AnvilCommandLine.InputError;
            }
            await using var db = await RecordsDatabaseOption.OpenAsync(parse.GetValue(database), migrate: true, error, ct);
            if (db is null)
            {
                return AnvilCommandLine.InputError;
            }
            var user = parse.GetValue(name)!;
            try
            {
                if (!await new UserStore(db).SetPasswordAsync(user, secret, ct))
                {
                    await error.WriteLineAsync($"anvil: error: no user '{user}' in {db.Description}");
                    return AnvilCommandLine.InputError;
                }
            }
            catch (UserStoreException e)
            {
                await error.WriteLineAsync($"anvil: error: {e.Message}");
                return AnvilCommandLine.InputError;
            }
            await parse.InvocationConfiguration.Output.WriteLineAsync($"Changed the password of '{user}' in {db.Description}");
            return 0;
        });
        return command;
    }
}
