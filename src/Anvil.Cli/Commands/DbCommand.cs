using System.CommandLine;
using Anvil.Data;
using Anvil.Data.Migrations;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil db migrate</c>: brings the records database's schema up to date.</summary>
internal static class DbCommand
{
    public static Command Create()
    {
        var database = RecordsDatabaseOption.Create();
        var migrate = new Command("migrate", "Apply the records database's pending migrations (the server also does it on start).")
        {
            database,
        };
        GroupedHelp.Apply(migrate, "anvil db migrate [--database CONN]", ("Options", [database]));
        migrate.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            await using var db = await RecordsDatabaseOption.OpenAsync(parse.GetValue(database), migrate: false, error, ct);
            if (db is null)
            {
                return AnvilCommandLine.InputError;
            }
            IReadOnlyList<Migration> applied;
            try
            {
                applied = await new Migrator(db).MigrateAsync(ct);
            }
            catch (Exception e) when (RecordsDatabaseOption.IsDatabaseProblem(e))
            {
                await error.WriteLineAsync($"anvil: error: cannot migrate {db.Description}: {e.Message}");
                return AnvilCommandLine.InputError;
            }
            if (applied.Count == 0)
            {
                await output.WriteLineAsync($"{db.Description}: up to date");
            }
            foreach (var m in applied)
            {
                await output.WriteLineAsync($"{db.Description}: applied {m.Name}");
            }
            return 0;
        });
        return new Command("db", "Manage the records database.") { migrate };
    }
}
