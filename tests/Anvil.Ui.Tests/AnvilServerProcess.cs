using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Anvil.Cli;

namespace Anvil.Ui.Tests;

/// <summary>The built <c>anvil server</c> as a process of its own on a free loopback port, over a SQLite file; its
/// output is kept for the failure message. Runs are recorded into it with the CLI's own <c>anvil run
/// --record-to</c>.</summary>
internal sealed class AnvilServerProcess : IAsyncDisposable
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

    public string Url { get; }

    public string Database { get; }

    public HttpClient Http { get; }

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

    public static Task<AnvilServerProcess> StartAsync(string database, params string[] extra) =>
        StartAsync(database, new Dictionary<string, string>(), extra);

    /// <summary>Starts the server with further environment variables (settings such as <c>Galaxy__ReadLoginRequired</c>).</summary>
    public static async Task<AnvilServerProcess> StartAsync(string database, IReadOnlyDictionary<string, string> environment, params string[] extra)
    {
        // A port picked free can be taken before the server binds it: try a few.
        for (var attempt = 1; ; attempt++)
        {
            var url = $"http://127.0.0.1:{Ports.Free()}";
            var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "anvil"), ["server", "--urls", url, "--database", database, .. extra])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var (name, value) in environment)
            {
                psi.Environment[name] = value;
            }
            var server = new AnvilServerProcess(Process.Start(psi)!, url, database);
            server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
            server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
            server._process.BeginOutputReadLine();
            server._process.BeginErrorReadLine();
            var started = Stopwatch.StartNew();
            while (started.Elapsed < TimeSpan.FromSeconds(60) && !server._process.HasExited)
            {
                try
                {
                    if ((await server.Http.GetAsync("/healthz")).IsSuccessStatusCode)
                    {
                        return server;
                    }
                }
                catch (HttpRequestException)
                {
                }
                await Task.Delay(100);
            }
            var log = server.Log;
            await server.DisposeAsync();
            if (attempt == 3)
            {
                throw new InvalidOperationException("anvil server did not start:\n" + log);
            }
        }
    }

    /// <summary>Runs a playbook of a private data dir with <c>anvil run</c>, recorded into this server; returns the
    /// exit code.</summary>
    public async Task<int> RecordAsync(string pdd, string playbook, string? ident = null)
    {
        var error = new StringWriter();
        string[] args = ["run", pdd, "-p", playbook, "-q", "--record-to", Url, .. ident is null ? Array.Empty<string>() : ["-i", ident]];
        var code = await AnvilCommandLine.InvokeAsync(args, new StringWriter(), error);
        Assert.True(code is 0 or 2, $"anvil run {playbook} exited {code}: {error}");
        return code;
    }

    /// <summary>The id of the newest playbook whose path ends with <paramref name="file"/>.</summary>
    public async Task<long> PlaybookIdAsync(string file)
    {
        var list = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/playbooks?path={Uri.EscapeDataString(file)}&order=-id");
        foreach (var p in list.GetProperty("results").EnumerateArray())
        {
            if (p.GetProperty("path").GetString()!.EndsWith("/" + file, StringComparison.Ordinal))
            {
                return p.GetProperty("id").GetInt64();
            }
        }
        throw new InvalidOperationException($"no playbook {file} recorded");
    }

    /// <summary>The API's JSON for a path.</summary>
    public Task<JsonElement> ApiAsync(string path) => Http.GetFromJsonAsync<JsonElement>(path);

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
