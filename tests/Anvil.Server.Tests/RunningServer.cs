using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using Anvil.Data.Users;
using Anvil.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Anvil.Server.Tests;

/// <summary>The real server on real Kestrel (127.0.0.1, a port the OS picks) over a fresh SQLite file, with every
/// log line it writes kept for inspection.</summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private readonly TempDir _dir;

    private RunningServer(TempDir dir, WebApplication app, LogCapture logs)
    {
        _dir = dir;
        App = app;
        Logs = logs;
        BaseAddress = new Uri(app.Urls.First());
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    public WebApplication App { get; }

    public LogCapture Logs { get; }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    /// <summary>The SQLite file, when no other database was given.</summary>
    public string DatabasePath => Path.Combine(_dir.Path, "db", "records.db");

    public static async Task<RunningServer> StartAsync(bool read = false, bool write = false,
        IReadOnlyDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null,
        string? database = null, params (string Name, string Password)[] users)
    {
        var dir = new TempDir();
        var logs = new LogCapture();
        var app = AnvilServer.Build([], new ServerStartOptions
        {
            Urls = "http://127.0.0.1:0",
            Database = database ?? Path.Combine(dir.Path, "db", "records.db"),
            ReadLoginRequired = read,
            WriteLoginRequired = write,
            Settings = settings,
            ConfigureBuilder = b =>
            {
                b.Logging.ClearProviders();
                b.Logging.AddProvider(logs);
                configure?.Invoke(b);
            },
        });
        try
        {
            await app.StartAsync();
            var server = new RunningServer(dir, app, logs);
            foreach (var (name, password) in users)
            {
                await server.Users.AddAsync(name, password);
            }
            return server;
        }
        catch
        {
            await app.DisposeAsync();
            dir.Dispose();
            throw;
        }
    }

    /// <summary>The server's own user store (changes through it invalidate the server's credential cache).</summary>
    public UserStore Users => App.Services.GetRequiredService<UserStore>();

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, AuthenticationHeaderValue? auth = null,
        string? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (auth is not null)
        {
            request.Headers.Authorization = auth;
        }
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        return await Http.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>A logging provider that keeps every formatted message with its category (a real provider on the real
/// logging pipeline: what it sees is what a console or file logger would write).</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public sealed record Entry(string Category, string Message, string Properties, Exception? Exception);

    /// <summary>Everything logged (messages, structured values, exceptions), as one string.</summary>
    public string All => string.Join("\n", _entries.Select(e => $"{e.Category}: {e.Message} | {e.Properties} {e.Exception}"));

    /// <summary>The request log lines.</summary>
    public IReadOnlyList<string> Requests =>
        _entries.Where(e => e.Category == "Anvil.Server.Hosting.RequestLogging").Select(e => e.Message).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            // Structured values too: a secret must not hide in a property that a JSON logger would write.
            var properties = state is IEnumerable<KeyValuePair<string, object?>> kvs
                ? string.Join(" ", kvs.Select(kv => $"{kv.Key}={kv.Value}"))
                : "";
            entries.Enqueue(new Entry(category, formatter(state, exception), properties, exception));
        }
    }
}
