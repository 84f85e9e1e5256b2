using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Anvil.Tests.Shared;

/// <summary>
/// A throwaway PostgreSQL 15 cluster for tests: <c>initdb</c> into a temporary directory, started by <c>pg_ctl</c> on
/// 127.0.0.1 and a free port with trust authentication, stopped and deleted on dispose (or when the test process
/// exits). As root, the server programs run as user <c>postgres</c> through <c>su</c>, since PostgreSQL refuses to
/// run as root. Needs no client library: databases are created with <c>psql</c>. Use it as an xunit collection
/// fixture, one cluster per test collection.
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _dir;
    private readonly Lock _gate = new();
    private bool _running;

    public PostgresCluster()
    {
        Tools.Require(Path.Combine(Bin, "initdb"), "postgresql-15");
        _dir = Directory.CreateTempSubdirectory("anvil-pg-").FullName;
        try
        {
            if (Environment.IsPrivilegedProcess)
            {
                Run("chown", ["postgres:postgres", _dir]);
            }
            Server($"'{Bin}/initdb' -D '{_dir}/data' -A trust -U postgres --no-sync -E UTF8 --locale=C");
            // A port picked free can be taken before the server binds it: try a few.
            for (var attempt = 1; ; attempt++)
            {
                Port = Ports.Free();
                try
                {
                    Server($"'{Bin}/pg_ctl' -D '{_dir}/data' -l '{_dir}/log' -w -t 60 start -o " +
                        $"\"-p {Port} -c listen_addresses=127.0.0.1 -k '{_dir}' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\"");
                    break;
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                }
            }
            _running = true;
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Port { get; private set; }

    /// <summary>A key-value connection string for one database of the cluster (user postgres, no password).</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database}";

    /// <summary>Creates a database, optionally as a copy of <paramref name="template"/> (which must have no open
    /// connections). Names are made of letters, digits and underscores only.</summary>
    public void CreateDatabase(string name, string? template = null)
    {
        if (!IsSafeName(name) || template is not null && !IsSafeName(template))
        {
            throw new ArgumentException("database names are letters, digits and underscores", nameof(name));
        }
        Run(Path.Combine(Bin, "psql"),
        [
            "-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres",
            "-v", "ON_ERROR_STOP=1", "-q", "-c", $"CREATE DATABASE {name}" + (template is null ? "" : $" TEMPLATE {template}"),
        ]);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_running)
            {
                _running = false;
                try
                {
                    Server($"'{Bin}/pg_ctl' -D '{_dir}/data' -m immediate -w stop");
                }
                catch (InvalidOperationException)
                {
                    // Already gone; the directory still goes.
                }
            }
            if (Directory.Exists(_dir))
            {
                try
                {
                    Directory.Delete(_dir, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static bool IsSafeName(string name) =>
        name.Length is > 0 and < 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !char.IsAsciiDigit(name[0]);

    /// <summary>Runs a server program: as user postgres when this process is root.</summary>
    private static void Server(string command)
    {
        if (Environment.IsPrivilegedProcess)
        {
            Run("su", ["postgres", "-c", command]);
        }
        else
        {
            Run("/bin/sh", ["-c", command]);
        }
    }

    private static void Run(string program, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} timed out");
        }
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({p.ExitCode}): {stderr.Result}{stdout.Result}");
        }
    }

}
