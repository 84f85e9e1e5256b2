using System.Data;
using System.Data.Common;

namespace Anvil.Records.Storage;

/// <summary>
/// Plain ADO.NET commands inside one transaction, each SQL text prepared once and reused. The ingestion hot path
/// uses this instead of Dapper: Dapper generates IL for every statement and parameter shape at run time, which the
/// runner would pay in JIT time beside Ansible on every run.
/// </summary>
public sealed class SqlSession(DbConnection connection, DbTransaction? transaction) : IDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    public DbConnection Connection => connection;

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

    public void Dispose()
    {
        foreach (var c in _commands.Values)
        {
            c.Dispose();
        }
        _commands.Clear();
    }
}
