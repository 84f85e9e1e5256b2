using System.Diagnostics;
using System.Text;

namespace Anvil.Tests.Shared;

/// <summary>
/// The built <c>anvil server</c> (the <c>anvil</c> program next to the test assembly) as a process of its own on a
/// loopback port, over a given database, started and waited for until <c>/healthz</c> answers. Its output is kept
/// for failure messages. The one way the tests start Anvil's server as a process; an in-process server
/// (<c>AnvilServer.Build</c> then <c>StartAsync</c>) needs no waiting, since Kestrel listens when it returns.
/// </summary>
public sealed class AnvilServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private AnvilServerProcess(Process process, string url, string database)
    {
        _process = process;
        Url = url;
        Database = database;
        Http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The base URL, <c>http://127.0.0.1:PORT</c> (no trailing slash).</summary>
    public string Url { get; }

    /// <summary>What <c>--database</c> was given.</summary>
    public string Database { get; }

    /// <summary>A client on <see cref="Url"/>.</summary>
    public HttpClient Http { get; }

    /// <summary>Whether the process has ended (killed, or failed).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Everything the server wrote to stdout and stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts <c>anvil server --urls URL --database DATABASE EXTRA…</c> with further environment variables
    /// (settings such as <c>Galaxy__ReadLoginRequired</c>) and waits until it answers. Without <paramref name="url"/>
    /// it picks a free port, and another when the port was taken before the server bound it.</summary>
    public static async Task<AnvilServerProcess> StartAsync(string database, IReadOnlyDictionary<string, string>? environment = null,
        IEnumerable<string>? extra = null, string? url = null)
    {
        var arguments = extra?.ToArray() ?? [];
        for (var attempt = 1; ; attempt++)
        {
            var server = Start(url ?? $"http://127.0.0.1:{Ports.Free()}", database, environment, arguments);
            try
            {
                await Wait.UntilServingAsync(new Uri(server.Url + "/healthz"), TimeSpan.FromSeconds(60), () => server.Log, server._process);
                return server;
            }
            catch (ServerExitedException) when (url is null && attempt < 3)
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    private static AnvilServerProcess Start(string url, string database, IReadOnlyDictionary<string, string>? environment, string[] extra)
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "anvil"), ["server", "--urls", url, "--database", database, .. extra])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }
        var server = new AnvilServerProcess(Process.Start(psi) ?? throw new InvalidOperationException("cannot start anvil server"), url, database);
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        return server;
    }

    /// <summary>SIGKILL (no goodbye) and wait until the process has gone.</summary>
    public async Task KillAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            // A long run's request log is not needed; the start and any error are.
            if (_log.Length < 200_000)
            {
                _log.AppendLine(line);
            }
        }
    }

    /// <summary>Kills the server and releases the process.</summary>
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await KillAsync();
        _process.Dispose();
    }
}
