using Npgsql;

namespace Anvil.AraCompat.Tests.Harness;

/// <summary>Where a server keeps its records: a SQLite file or a PostgreSQL database.</summary>
internal abstract record DatabaseSpec
{
    /// <summary>The connection text Anvil takes (<c>--database</c>, <c>Records:Database</c>).</summary>
    public abstract string AnvilConnection { get; }

    public sealed record Sqlite(string Path) : DatabaseSpec
    {
        public override string AnvilConnection => "sqlite:" + Path;
    }

    /// <param name="ConnectionString">An Npgsql key-value connection string (Host=…;Port=…;Database=…).</param>
    public sealed record Postgres(string ConnectionString) : DatabaseSpec
    {
        public override string AnvilConnection => ConnectionString;
    }
}

/// <summary>What a test needs from the server it starts.</summary>
internal sealed record ServerSettings
{
    public bool WriteLoginRequired { get; init; }

    /// <summary>Null: the server's default.</summary>
    public long? MaxRequestBodyBytes { get; init; }

    /// <summary>A user created before the server starts (for <see cref="WriteLoginRequired"/>).</summary>
    public (string Name, string Password)? User { get; init; }
}

/// <summary>A running records server on 127.0.0.1.</summary>
internal interface IRecordsServer : IAsyncDisposable
{
    Uri BaseUrl { get; }

    /// <summary>"anvil" or "ara" (the reference server).</summary>
    string Kind { get; }
}

/// <summary>
/// Starts the server under test: Anvil's, in this process. With <c>ANVIL_ARA_COMPAT_REFERENCE=1</c> it starts ARA's
/// own server instead (<c>ara-manage runserver</c> from Debian's ara-server package), on the same database kind, so
/// that the harness itself can be checked: every ARA-behaviour assertion must pass against the reference too.
/// </summary>
internal static class RecordsServers
{
    public static bool Reference => Environment.GetEnvironmentVariable("ANVIL_ARA_COMPAT_REFERENCE") == "1";

    public static async Task<IRecordsServer> StartAsync(DatabaseSpec database, ServerSettings? settings = null)
    {
        settings ??= new ServerSettings();
        return Reference
            ? await AraReferenceServer.StartAsync(database, settings)
            : await AnvilServerHost.StartAsync(database, settings);
    }
}

/// <summary>ARA's server (Django development server) on a free port, its settings and SQLite file in a temp dir.</summary>
internal sealed class AraReferenceServer : IRecordsServer
{
    private readonly System.Diagnostics.Process _process;
    private readonly TempDir _baseDir;
    private readonly System.Text.StringBuilder _log = new();

    private AraReferenceServer(System.Diagnostics.Process process, TempDir baseDir, Uri baseUrl)
    {
        _process = process;
        _baseDir = baseDir;
        BaseUrl = baseUrl;
    }

    /// <summary>What ara-manage does, without its refusal of psycopg2 ≥ 2.9: that check dates from Django 2.2 and
    /// stops Debian's ara-server (on Django 3.2) from using PostgreSQL at all.</summary>
    private static readonly string[] Manage =
    [
        "-c",
        "import os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ara.server.settings'); " +
        "from django.core.management import execute_from_command_line; execute_from_command_line(['ara-manage'] + sys.argv[1:])",
    ];

    public Uri BaseUrl { get; }

    public string Kind => "ara";

    public static async Task<IRecordsServer> StartAsync(DatabaseSpec database, ServerSettings settings)
    {
        var baseDir = new TempDir();
        var env = new Dictionary<string, string?>
        {
            ["ARA_BASE_DIR"] = baseDir.Path,
            ["ARA_WRITE_LOGIN_REQUIRED"] = settings.WriteLoginRequired ? "true" : "false",
            ["ARA_READ_LOGIN_REQUIRED"] = "false",
            ["ARA_DEBUG"] = "false",
            ["ARA_LOG_LEVEL"] = "WARNING",
        };
        switch (database)
        {
            case DatabaseSpec.Sqlite s:
                env["ARA_DATABASE_ENGINE"] = "django.db.backends.sqlite3";
                env["ARA_DATABASE_NAME"] = s.Path;
                break;
            case DatabaseSpec.Postgres p:
                var b = new NpgsqlConnectionStringBuilder(p.ConnectionString);
                env["ARA_DATABASE_ENGINE"] = "django.db.backends.postgresql";
                env["ARA_DATABASE_NAME"] = b.Database;
                env["ARA_DATABASE_HOST"] = b.Host;
                env["ARA_DATABASE_PORT"] = b.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                env["ARA_DATABASE_USER"] = b.Username;
                env["ARA_DATABASE_PASSWORD"] = b.Password ?? "";
                break;
        }
        // Two reference servers may share one database: migrating twice is harmless (the second finds nothing to do).
        var migrate = await Proc.RunAsync(Ara.Python, [.. Manage, "migrate"], env, baseDir.Path, TimeSpan.FromMinutes(3));
        if (migrate.ExitCode != 0)
        {
            throw new InvalidOperationException("ara-manage migrate failed (is Debian's ara-server installed?)\n" + migrate);
        }
        if (settings.User is { } user)
        {
            var userEnv = new Dictionary<string, string?>(env) { ["DJANGO_SUPERUSER_PASSWORD"] = user.Password };
            var create = await Proc.RunAsync(Ara.Python,
                [.. Manage, "createsuperuser", "--noinput", "--username", user.Name, "--email", user.Name + "@example.org"],
                userEnv, baseDir.Path, TimeSpan.FromMinutes(1));
            if (create.ExitCode != 0)
            {
                throw new InvalidOperationException("ara-manage createsuperuser failed\n" + create);
            }
        }
        var port = Ports.Free(); // runserver cannot bind port 0 and report it
        var psi = new System.Diagnostics.ProcessStartInfo(Ara.Python)
        {
            ArgumentList = { Manage[0], Manage[1], "runserver", "--noreload", $"127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = baseDir.Path,
        };
        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }
        var process = System.Diagnostics.Process.Start(psi)!;
        var server = new AraReferenceServer(process, baseDir, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // Any status will do: the API root answers 401 when a login is required.
            await Wait.UntilServingAsync(new Uri(server.BaseUrl, "/api/"), TimeSpan.FromSeconds(60), server.Log, process, anyStatus: true);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            // The access log of a whole run is not needed; the start and any traceback are.
            if (_log.Length < 200_000)
            {
                _log.AppendLine(line);
            }
        }
    }

    private string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _baseDir.Dispose();
    }
}
