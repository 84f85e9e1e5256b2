using Anvil.Data.Migrations;

namespace Anvil.Registry;

/// <summary>The registry's tables (<c>registry_*</c>): migration 0005, embedded from <c>Migrations</c>.</summary>
public static class RegistrySchema
{
    /// <summary>Pass to <see cref="Anvil.Data.AnvilDatabase.OpenAsync"/> wherever the registry is used.</summary>
    public static MigrationSet Migrations { get; } = MigrationSet.FromAssembly(typeof(RegistrySchema).Assembly);
}
