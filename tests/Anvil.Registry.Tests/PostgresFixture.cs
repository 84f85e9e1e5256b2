namespace Anvil.Registry.Tests;

/// <summary>One throwaway PostgreSQL 15 cluster for this project's PostgreSQL tests; a fresh database per test.</summary>
public sealed class PostgresFixture : IDisposable
{
    private int _databases;

    internal PostgresCluster Cluster { get; } = new();

    /// <summary>The connection string of a new, empty database.</summary>
    public string NewDatabase()
    {
        var name = "registry" + Interlocked.Increment(ref _databases);
        Cluster.CreateDatabase(name);
        return Cluster.ConnectionString(name);
    }

    public void Dispose() => Cluster.Dispose();
}

[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;
