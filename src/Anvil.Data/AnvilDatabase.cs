using System.Data.Common;
using Microsoft.Data.Sqlite;
using Anvil.Data.Migrations;
using Npgsql;

namespace Anvil.Data;

/// <summary>The SQL flavour of an <see cref="AnvilDatabase"/>.</summary>
public enum SqlDialect
{
    /// <summary>Embedded SQLite (Microsoft.Data.Sqlite), one file.</summary>
    Sqlite,

    /// <summary>PostgreSQL (Npgsql).</summary>
    Postgres,
}

/// <summary>
/// Anvil's database, one for every part (records, registry, users): embedded SQLite by default
/// (<c>$ANVIL_HOME/anvil.db</c>, <c>~/.anvil</c> when unset), or PostgreSQL when given a connection string. Opening
/// applies the pending migrations of the parts it is opened for (<see cref="Schema"/>).
/// </summary>
public sealed class AnvilDatabase : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly NpgsqlDataSource? _postgres;

    // SQLite allows one writer at a time; queueing writers here avoids "database is locked" under load.
    private readonly SemaphoreSlim _sqliteWriter = new(1, 1);

    private AnvilDatabase(SqlDialect dialect, string connectionString, string description)
    {
        Dialect = dialect;
        Time = TimeProvider.System;
        Schema = [];
        _connectionString = connectionString;
        Description = description;
        if (dialect == SqlDialect.Postgres)
        {
            _postgres = NpgsqlDataSource.Create(connectionString);
        }
    }

    /// <summary>Which SQL the connections speak; chosen by the connection string given to <see cref="OpenAsync"/>.</summary>
    public SqlDialect Dialect { get; }

    /// <summary>The clock for the times written to this database (created, updated, last use …):
    /// <see cref="TimeProvider.System"/> unless <see cref="OpenAsync"/> was given another.</summary>
    public TimeProvider Time { get; private set; }

    /// <summary>The current time of <see cref="Time"/> as stored: microseconds since the epoch.</summary>
    public long NowMicros() => Clock.NowMicros(Time);

    /// <summary>The migrations of the parts this database was opened for, Anvil.Data's own first (always there:
    /// every part refers to its users). <see cref="Migrator"/> applies these.</summary>
    public IReadOnlyList<MigrationSet> Schema { get; private set; }

    /// <summary>Where the data lives, safe to print (no password).</summary>
    public string Description { get; }

    /// <summary>The directory for Anvil's own files: <c>ANVIL_HOME</c>, else <c>~/.anvil</c>.</summary>
    public static string Home =>
        Environment.GetEnvironmentVariable("ANVIL_HOME") is { Length: > 0 } home
            ? home
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".anvil");

    /// <summary>
    /// Opens (and migrates) a database. <paramref name="connection"/>: null or empty for the default SQLite file
    /// (or <c>ANVIL_DATABASE</c> when set); a PostgreSQL URL (<c>postgres://user:pw@host:port/db</c>) or key-value
    /// string (<c>Host=…;Database=…</c>); or a SQLite path (<c>sqlite:/path/file.db</c> or a path ending in <c>.db</c>).
    /// <paramref name="schema"/>: the migration sets of the parts the caller uses (each part exposes one, such as
    /// <c>RecordsSchema.Migrations</c>); Anvil.Data's own is added when missing. There is no default on purpose: a
    /// composition root says which parts it stores. <paramref name="migrate"/>: false to leave the schema as it is
    /// (default true). <paramref name="time"/>: the clock for the times written (<see cref="Time"/>), default
    /// <see cref="TimeProvider.System"/>.
    /// </summary>
    public static async Task<AnvilDatabase> OpenAsync(string? connection, IEnumerable<MigrationSet> schema, bool migrate = true,
        TimeProvider? time = null, CancellationToken ct = default)
    {
        var db = Create(connection);
        db.Schema = MigrationSet.WithData(schema);
        db.Time = time ?? TimeProvider.System;
        try
        {
            if (migrate)
            {
                await new Migrator(db).MigrateAsync(ct).ConfigureAwait(false);
            }
            return db;
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal static AnvilDatabase Create(string? connection)
    {
        connection = string.IsNullOrWhiteSpace(connection)
            ? Environment.GetEnvironmentVariable("ANVIL_DATABASE")
            : connection;
        if (string.IsNullOrWhiteSpace(connection))
        {
            Directory.CreateDirectory(Home);
            return Sqlite(Path.Combine(Home, "anvil.db"));
        }
        if (connection.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
            connection.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return Postgres(FromUrl(connection));
        }
        if (connection.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            return Sqlite(connection["sqlite:".Length..]);
        }
        if (connection.Contains("Host=", StringComparison.OrdinalIgnoreCase))
        {
            return Postgres(connection);
        }
        return Sqlite(connection);
    }

    private static AnvilDatabase Sqlite(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var cs = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 30,
        }.ToString();
        return new AnvilDatabase(SqlDialect.Sqlite, cs, "sqlite:" + full);
    }

    private static AnvilDatabase Postgres(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return new AnvilDatabase(SqlDialect.Postgres, b.ConnectionString,
            $"postgres://{b.Username}@{b.Host}:{b.Port}/{b.Database}");
    }

    private static string FromUrl(string url)
    {
        var uri = new Uri(url);
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.Port > 0 ? uri.Port : 5432,
            Database = uri.AbsolutePath.Trim('/') is { Length: > 0 } db ? db : "postgres",
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length > 1)
            {
                b.Password = Uri.UnescapeDataString(parts[1]);
            }
        }
        return b.ConnectionString;
    }

    /// <summary>An open connection; dispose it when done. For SQLite, WAL mode and a busy timeout are set.</summary>
    public async Task<DbConnection> OpenConnectionAsync(CancellationToken ct = default)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(ct).ConfigureAwait(false);
        }
        var c = new SqliteConnection(_connectionString);
        await c.OpenAsync(ct).ConfigureAwait(false);
        if (Interlocked.Exchange(ref _walSet, 1) == 0)
        {
            // WAL is a property of the database file: once is enough (and it costs a file check every time).
            await PragmaAsync(c, "PRAGMA journal_mode=WAL;", ct).ConfigureAwait(false);
        }
        // Pragmas belong to the physical connection, which the pool hands out again: set them once per handle, not
        // on every open (that was a statement per API request).
        if (c.Handle is { } handle && !_configured.TryGetValue(handle, out _))
        {
            await PragmaAsync(c, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;", ct).ConfigureAwait(false);
            _configured.AddOrUpdate(handle, Configured);
        }
        return c;
    }

    private static readonly object Configured = new();
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = new();

    private int _walSet;

    private static async Task PragmaAsync(DbConnection c, string sql, CancellationToken ct)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> in a transaction, committed when it returns. On SQLite, writers are
    /// queued so that they never fail with "database is locked".</summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default)
    {
        var sqlite = Dialect == SqlDialect.Sqlite;
        if (sqlite)
        {
            await _sqliteWriter.WaitAsync(ct).ConfigureAwait(false);
        }
        try
        {
            await using var c = await OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var tx = await c.BeginTransactionAsync(ct).ConfigureAwait(false);
            var result = await work(c, tx).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return result;
        }
        finally
        {
            if (sqlite)
            {
                _sqliteWriter.Release();
            }
        }
    }

    private readonly Lock _watchLock = new();
    private SqliteConnection? _watch;
    private SqliteCommand? _dataVersion;

    /// <summary>A number that changes whenever a change is committed to the database by any connection, in any
    /// process; null where there is no cheap way to tell (PostgreSQL). Read caches are keyed on it.</summary>
    public long? ChangeStamp()
    {
        if (Dialect != SqlDialect.Sqlite)
        {
            return null;
        }
        lock (_watchLock)
        {
            if (_dataVersion is null)
            {
                // A connection of its own that never writes: SQLite's data_version counts other connections' commits.
                _watch = new SqliteConnection(_connectionString);
                _watch.Open();
                _dataVersion = _watch.CreateCommand();
                _dataVersion.CommandText = "PRAGMA data_version";
            }
            return (long)_dataVersion.ExecuteScalar()!;
        }
    }

    /// <summary>Closes the PostgreSQL data source and the change-watch connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync().ConfigureAwait(false);
        }
        lock (_watchLock)
        {
            _dataVersion?.Dispose();
            _watch?.Dispose();
            _dataVersion = null;
            _watch = null;
        }
        _sqliteWriter.Dispose();
    }
}
