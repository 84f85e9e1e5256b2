using System.Data.Common;
using Anvil.Records.Storage;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Anvil.Records.Api;

/// <summary>An open connection (and, for writes, its transaction) plus the dialect: what a handler needs for SQL.</summary>
internal sealed record Db(DbConnection Connection, DbTransaction? Transaction, SqlDialect Dialect)
{
    public bool Postgres => Dialect == SqlDialect.Postgres;

    /// <summary>Sees every query with its arguments (tests check the query plans of the hot ones).</summary>
    public Action<string, object?>? Observer { get; init; }

    public Task<DbDataReader> ReaderAsync(string sql, object? args, CancellationToken ct)
    {
        Observer?.Invoke(sql, args);
        return Connection.ExecuteReaderAsync(new CommandDefinition(sql, args, Transaction, cancellationToken: ct));
    }

    public Task<T?> ScalarAsync<T>(string sql, object? args, CancellationToken ct)
    {
        Observer?.Invoke(sql, args);
        return Connection.ExecuteScalarAsync<T>(new CommandDefinition(sql, args, Transaction, cancellationToken: ct));
    }

    public Task<int> ExecuteAsync(string sql, object? args, CancellationToken ct) =>
        Connection.ExecuteAsync(new CommandDefinition(sql, args, Transaction, cancellationToken: ct));

    public async Task<bool> ExistsAsync(string table, long id, CancellationToken ct) =>
        await ScalarAsync<long?>($"SELECT id FROM {table} WHERE id = @id", new { id }, ct).ConfigureAwait(false) is not null;

    /// <summary><c>column IN (ids)</c> for a <c>long[]</c> parameter: Dapper expands the list on SQLite and sends a
    /// PostgreSQL array, which needs <c>= ANY</c>.</summary>
    public string In(string column, string parameter) => Postgres ? $"{column} = ANY({parameter})" : $"{column} IN {parameter}";

    /// <summary>SQLite sorts NULL first ascending and last descending; ARA's default database is SQLite, so
    /// PostgreSQL is told to do the same for nullable sort keys.</summary>
    public string NullsOrder(bool descending) => Postgres ? descending ? " NULLS LAST" : " NULLS FIRST" : "";

    /// <summary>Runs a write that a concurrent writer can make violate a unique constraint (the API checks first,
    /// but another connection can win the race): the violation becomes the same 400 the check gives.</summary>
    public static async Task<T> UniqueOr400<T>(Task<T> write, string field, string message)
    {
        try
        {
            return await write.ConfigureAwait(false);
        }
        catch (DbException e) when (IsUniqueViolation(e))
        {
            throw FieldErrors.One(field, message);
        }
    }

    /// <summary>A unique constraint (or primary key) violated by an insert or update.</summary>
    public static bool IsUniqueViolation(Exception e) => e switch
    {
        SqliteException s => s.SqliteErrorCode == 19 && s.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };
}

/// <summary>Typed column access by ordinal; booleans are INTEGER on SQLite and BOOLEAN on PostgreSQL.</summary>
internal static class ReaderExtensions
{
    public static long? GetInt64OrNull(this DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    public static string? GetStringOrNull(this DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    public static bool GetBool(this DbDataReader r, int i) => r.GetValue(i) switch
    {
        bool b => b,
        long l => l != 0,
        int n => n != 0,
        var v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) != 0,
    };

    public static long GetLong(this DbDataReader r, int i) => r.GetValue(i) switch
    {
        long l => l,
        int n => n,
        var v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture),
    };
}
