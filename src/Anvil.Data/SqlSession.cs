using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Anvil.Data;

/// <summary>
/// An open connection (and, for writes, its transaction) plus the dialect: what code needs to run SQL on Anvil's
/// database. Two ways in: Dapper (<see cref="ReaderAsync"/>, <see cref="ScalarAsync{T}"/>,
/// <see cref="ExecuteAsync(string, object?, CancellationToken)"/>) for the API and the stores, and plain ADO.NET
/// commands, each SQL text prepared once and reused (<see cref="ExecuteAsync(string, ValueTuple{string, object?}[])"/>,
/// <see cref="LongAsync"/>, <see cref="StringAsync"/>), for the ingestion hot path: Dapper generates IL for every
/// statement and parameter shape at run time, which the runner would pay in JIT time beside Ansible on every run.
/// Dispose it to release the prepared commands.
/// </summary>
public sealed class SqlSession(DbConnection connection, DbTransaction? transaction, SqlDialect dialect) : IDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>The open connection.</summary>
    public DbConnection Connection => connection;

    /// <summary>The transaction every command runs in, or null outside one.</summary>
    public DbTransaction? Transaction => transaction;

    /// <summary>The database's SQL flavour.</summary>
    public SqlDialect Dialect => dialect;

    /// <summary>True on PostgreSQL.</summary>
    public bool Postgres => dialect == SqlDialect.Postgres;

    /// <summary>Sees every Dapper query with its arguments (tests check the query plans of the hot ones).</summary>
    public Action<string, object?>? Observer { get; init; }

    // ---------------------------------------------------------------- Dapper

    /// <summary>Runs a query and returns its reader.</summary>
    public Task<DbDataReader> ReaderAsync(string sql, object? args, CancellationToken ct)
    {
        Observer?.Invoke(sql, args);
        return connection.ExecuteReaderAsync(new CommandDefinition(sql, args, transaction, cancellationToken: ct));
    }

    /// <summary>The first column of the first row.</summary>
    public Task<T?> ScalarAsync<T>(string sql, object? args, CancellationToken ct)
    {
        Observer?.Invoke(sql, args);
        return connection.ExecuteScalarAsync<T>(new CommandDefinition(sql, args, transaction, cancellationToken: ct));
    }

    /// <summary>Runs a statement; returns the rows it changed.</summary>
    public Task<int> ExecuteAsync(string sql, object? args, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(sql, args, transaction, cancellationToken: ct));

    /// <summary>True when <paramref name="table"/> has a row of that id.</summary>
    public async Task<bool> ExistsAsync(string table, long id, CancellationToken ct) =>
        await ScalarAsync<long?>($"SELECT id FROM {table} WHERE id = @id", new { id }, ct).ConfigureAwait(false) is not null;

    /// <summary><c>column IN (ids)</c> for a <c>long[]</c> parameter: Dapper expands the list on SQLite and sends a
    /// PostgreSQL array, which needs <c>= ANY</c>.</summary>
    public string In(string column, string parameter) => Postgres ? $"{column} = ANY({parameter})" : $"{column} IN {parameter}";

    /// <summary>SQLite sorts NULL first ascending and last descending; ARA's default database is SQLite, so
    /// PostgreSQL is told to do the same for nullable sort keys.</summary>
    public string NullsOrder(bool descending) => Postgres ? descending ? " NULLS LAST" : " NULLS FIRST" : "";

    // ---------------------------------------------------------------- prepared commands

    /// <summary>Runs a statement through a prepared command; returns the rows it changed.</summary>
    public async Task<int> ExecuteAsync(string sql, params (string Name, object? Value)[] parameters) =>
        await Bind(sql, parameters).ExecuteNonQueryAsync().ConfigureAwait(false);

    /// <summary>The first column of the first row as a 64-bit integer, or null when there is no row or it is NULL.</summary>
    public async Task<long?> LongAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        var value = await Bind(sql, parameters).ExecuteScalarAsync().ConfigureAwait(false);
        return value is null or DBNull ? null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The first column of the first row as text, or null.</summary>
    public async Task<string?> StringAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        var value = await Bind(sql, parameters).ExecuteScalarAsync().ConfigureAwait(false);
        return value as string;
    }

    private DbCommand Bind(string sql, (string Name, object? Value)[] parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = transaction;
            _commands[sql] = command;
        }
        foreach (var (name, value) in parameters)
        {
            DbParameter p;
            if (command.Parameters.Contains(name))
            {
                p = command.Parameters[name];
            }
            else
            {
                p = command.CreateParameter();
                p.ParameterName = name;
                command.Parameters.Add(p);
            }
            // Every NULL the ingestion sends is text; saying so lets PostgreSQL type the parameter.
            p.DbType = value switch
            {
                null or string => DbType.String,
                bool => DbType.Boolean,
                int => DbType.Int32,
                _ => DbType.Int64,
            };
            p.Value = value ?? DBNull.Value;
        }
        return command;
    }

    /// <summary>Releases the prepared commands (not the connection, which belongs to the caller).</summary>
    public void Dispose()
    {
        foreach (var c in _commands.Values)
        {
            c.Dispose();
        }
        _commands.Clear();
    }

    // ---------------------------------------------------------------- SQL text and errors

    /// <summary>A unique constraint (or primary key) violated by an insert or update; not any other constraint
    /// (NOT NULL, CHECK, foreign key, a trigger's RAISE), which SQLite reports with the same primary code.</summary>
    public static bool IsUniqueViolation(Exception e) => e switch
    {
        // SQLITE_CONSTRAINT_UNIQUE (2067) and SQLITE_CONSTRAINT_PRIMARYKEY (1555) of SQLITE_CONSTRAINT (19).
        SqliteException s => s.SqliteErrorCode == 19 && s.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary><paramref name="text"/> as a literal inside a <c>LIKE</c> pattern written with <c>ESCAPE '\'</c>:
    /// backslash, <c>%</c> and <c>_</c> lose their meaning.</summary>
    public static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal);
}

/// <summary>Typed column access by ordinal; booleans are INTEGER on SQLite and BOOLEAN on PostgreSQL.</summary>
public static class ReaderExtensions
{
    /// <summary>The column as a 64-bit integer, or null.</summary>
    public static long? GetInt64OrNull(this DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    /// <summary>The column as text, or null.</summary>
    public static string? GetStringOrNull(this DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    /// <summary>The column as a boolean, whichever way the dialect stores it.</summary>
    public static bool GetBool(this DbDataReader r, int i) => r.GetValue(i) switch
    {
        bool b => b,
        long l => l != 0,
        int n => n != 0,
        var v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) != 0,
    };

    /// <summary>The column as a 64-bit integer, whether the driver read it as INTEGER or BIGINT.</summary>
    public static long GetLong(this DbDataReader r, int i) => r.GetValue(i) switch
    {
        long l => l,
        int n => n,
        var v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture),
    };
}
