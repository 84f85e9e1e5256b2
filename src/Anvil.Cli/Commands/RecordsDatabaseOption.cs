using System.CommandLine;
using System.Data.Common;
using System.Net.Sockets;
using Anvil.Data;
using Anvil.Server;

namespace Anvil.Cli.Commands;

/// <summary>The <c>--database</c> option shared by the records commands, and opening the database it names with
/// a one-line error instead of a stack trace.</summary>
internal static class RecordsDatabaseOption
{
    public static Option<string?> Create() => new("--database")
    {
        Description = "records database: a PostgreSQL URL (postgres://user@host/db) or a SQLite file " +
                      "(default: ANVIL_DATABASE, else $ANVIL_HOME/anvil.db)",
        HelpName = "CONN",
    };

    /// <summary>The open database, or null after writing why it could not be opened.</summary>
    public static async Task<AnvilDatabase?> OpenAsync(string? connection, bool migrate, TextWriter error, CancellationToken ct)
    {
        try
        {
            return await AnvilDatabase.OpenAsync(connection, AnvilSchema.All, migrate, ct: ct);
        }
        catch (Exception e) when (IsDatabaseProblem(e))
        {
            await error.WriteLineAsync($"anvil: error: cannot open the records database: {e.Message}");
            return null;
        }
    }

    /// <summary>Failures the user can fix (unreachable server, bad connection string, unwritable path), as opposed
    /// to bugs, which keep their stack trace.</summary>
    public static bool IsDatabaseProblem(Exception e) =>
        e is DbException or SocketException or TimeoutException or ArgumentException or FormatException
            or IOException or UnauthorizedAccessException;
}
