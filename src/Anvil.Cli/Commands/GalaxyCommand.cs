using System.CommandLine;
using System.Text.Json;
using Anvil.Registry;
using Anvil.Data;
using Spectre.Console;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil galaxy namespace create|add-owner|remove-owner|list</c>: the collection registry's namespaces and
/// who may upload to them, managed directly in the database (with or without a running server), as the
/// <c>user</c> commands are.</summary>
internal static class GalaxyCommand
{
    public static Command Create() => new("galaxy", "Manage the collection registry of the Anvil server (namespaces and their owners).")
    {
        new Command("namespace", "Create and list namespaces, and choose who may upload to them.")
        {
            CreateNamespace(), AddOwner(), RemoveOwner(), ListNamespaces(),
        },
    };

    /// <summary>Opens the database and runs <paramref name="body"/>; a refused operation is one line and exit 1.</summary>
    internal static async Task<int> WithStoreAsync(ParseResult parse, Option<string?> database, CancellationToken ct,
        Func<AnvilDatabase, TextWriter, Task<int>> body)
    {
        var error = parse.InvocationConfiguration.Error;
        await using var db = await RecordsDatabaseOption.OpenAsync(parse.GetValue(database), migrate: true, error, ct);
        if (db is null)
        {
            return AnvilCommandLine.InputError;
        }
        try
        {
            return await body(db, parse.InvocationConfiguration.Output);
        }
        catch (RegistryException e)
        {
            await error.WriteLineAsync($"anvil: error: {e.Message}");
            return AnvilCommandLine.InputError;
        }
        catch (Anvil.Data.Users.UserStoreException e)
        {
            await error.WriteLineAsync($"anvil: error: {e.Message}");
            return AnvilCommandLine.InputError;
        }
    }

    private static Command CreateNamespace()
    {
        var name = new Argument<string>("namespace") { Description = "the namespace (lower-case letters, digits and _, starting with a letter)" };
        var owner = new Option<string>("--owner") { Description = "the user who owns it (may upload to it)", HelpName = "USER", Required = true };
        var description = new Option<string?>("--description") { Description = "a short description", HelpName = "TEXT" };
        var database = RecordsDatabaseOption.Create();
        var command = new Command("create", "Create a namespace owned by a user.") { name, owner, description, database };
        GroupedHelp.Apply(command, "anvil galaxy namespace create NAMESPACE --owner USER [--description TEXT] [--database CONN]",
            ("Options", [owner, description, database]));
        command.SetAction((parse, ct) => WithStoreAsync(parse, database, ct, async (db, output) =>
        {
            var ns = await new RegistryStore(db).CreateNamespaceAsync(parse.GetValue(name)!, parse.GetValue(owner)!, parse.GetValue(description), ct);
            await output.WriteLineAsync($"Created namespace '{ns.Name}' owned by '{ns.Owners[0]}' in {db.Description}");
            return 0;
        }));
        return command;
    }

    private static Command AddOwner()
    {
        var ns = new Argument<string>("namespace") { Description = "the namespace" };
        var user = new Argument<string>("user") { Description = "the user who becomes an owner" };
        var database = RecordsDatabaseOption.Create();
        var command = new Command("add-owner", "Let another user upload to a namespace.") { ns, user, database };
        GroupedHelp.Apply(command, "anvil galaxy namespace add-owner NAMESPACE USER [--database CONN]", ("Options", [database]));
        command.SetAction((parse, ct) => WithStoreAsync(parse, database, ct, async (db, output) =>
        {
            var added = await new RegistryStore(db).AddOwnerAsync(parse.GetValue(ns)!, parse.GetValue(user)!, ct);
            await output.WriteLineAsync(added
                ? $"'{parse.GetValue(user)}' now owns namespace '{parse.GetValue(ns)}'"
                : $"'{parse.GetValue(user)}' already owns namespace '{parse.GetValue(ns)}'");
            return 0;
        }));
        return command;
    }

    private static Command RemoveOwner()
    {
        var ns = new Argument<string>("namespace") { Description = "the namespace" };
        var user = new Argument<string>("user") { Description = "the owner to remove" };
        var database = RecordsDatabaseOption.Create();
        var command = new Command("remove-owner", "Stop a user from uploading to a namespace.") { ns, user, database };
        GroupedHelp.Apply(command, "anvil galaxy namespace remove-owner NAMESPACE USER [--database CONN]", ("Options", [database]));
        command.SetAction((parse, ct) => WithStoreAsync(parse, database, ct, async (db, output) =>
        {
            if (!await new RegistryStore(db).RemoveOwnerAsync(parse.GetValue(ns)!, parse.GetValue(user)!, ct))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(
                    $"anvil: error: '{parse.GetValue(user)}' does not own namespace '{parse.GetValue(ns)}'");
                return AnvilCommandLine.InputError;
            }
            await output.WriteLineAsync($"'{parse.GetValue(user)}' no longer owns namespace '{parse.GetValue(ns)}'");
            return 0;
        }));
        return command;
    }

    private static Command ListNamespaces()
    {
        var format = FormatOption();
        var database = RecordsDatabaseOption.Create();
        var command = new Command("list", "List the namespaces with their owners and collection counts.") { format, database };
        GroupedHelp.Apply(command, "anvil galaxy namespace list [-f table|json] [--database CONN]", ("Options", [format, database]));
        command.SetAction((parse, ct) => WithStoreAsync(parse, database, ct, async (db, output) =>
        {
            var all = await new RegistryStore(db).ListNamespacesAsync(ct);
            if (parse.GetValue(format) == "json")
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(all.Select(n => new Dictionary<string, object?>
                {
                    ["name"] = n.Name,
                    ["description"] = n.Description,
                    ["owners"] = n.Owners,
                    ["collections"] = n.CollectionCount,
                    ["created"] = Clock.Format(Clock.ToMicros(n.Created)),
                })));
                return 0;
            }
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
            var table = new Table().AddColumn("namespace").AddColumn("owners").AddColumn("collections").AddColumn("created");
            foreach (var n in all)
            {
                table.AddRow(Markup.Escape(n.Name), Markup.Escape(string.Join(", ", n.Owners)),
                    n.CollectionCount.ToString(System.Globalization.CultureInfo.InvariantCulture), Clock.Format(Clock.ToMicros(n.Created)));
            }
            console.Write(table);
            return 0;
        }));
        return command;
    }

    internal static Option<string> FormatOption()
    {
        var format = new Option<string>("--format", "-f")
        {
            Description = "output format: table or json (default: table)",
            HelpName = "FORMAT",
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong("table", "json");
        return format;
    }
}
