using Anvil.Data.Migrations;
using Anvil.Records.Storage;
using Anvil.Registry;

namespace Anvil.Server;

/// <summary>The migrations of every part that keeps tables in Anvil's database. The server, the CLI and their tests
/// open the database with this one list, so that a part added later is added here once, not at each opening.</summary>
public static class AnvilSchema
{
    /// <summary>Records and registry (Anvil.Data's own users and tokens are always added by the database).</summary>
    public static IReadOnlyList<MigrationSet> All { get; } = [MigrationSet.Data, RecordsSchema.Migrations, RegistrySchema.Migrations];
}
