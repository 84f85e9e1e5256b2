using Anvil.Data.Migrations;

namespace Anvil.Records.Storage;

/// <summary>The records' tables (playbooks, plays, tasks, hosts, results, files, labels, run events and their
/// counts): migrations 0001 to 0004, embedded from <c>Storage/Migrations</c>.</summary>
public static class RecordsSchema
{
    /// <summary>Pass to <see cref="Anvil.Data.AnvilDatabase.OpenAsync"/> wherever records are stored or read.</summary>
    public static MigrationSet Migrations { get; } = MigrationSet.FromAssembly(typeof(RecordsSchema).Assembly);
}
