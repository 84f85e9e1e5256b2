using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Anvil.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Anvil.Ui.Tests;

/// <summary>The server in this process on real Kestrel over a fresh SQLite file, filled through the API: for lists too
/// long to record with Ansible.</summary>
internal sealed class LocalServer : IAsyncDisposable
{
    private readonly TempDir _dir;

    private LocalServer(TempDir dir, WebApplication app)
    {
        _dir = dir;
        App = app;
        Http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public string Database => Path.Combine(_dir.Path, "records.db");

    /// <summary>Starts on a fresh SQLite file, or on <paramref name="database"/> (a PostgreSQL database).</summary>
    public static async Task<LocalServer> StartAsync(bool readLoginRequired = false, string? database = null)
    {
        var dir = new TempDir();
        var app = AnvilServer.Build([], new ServerStartOptions
        {
            Urls = "http://127.0.0.1:0",
            Database = database ?? Path.Combine(dir.Path, "records.db"),
            ReadLoginRequired = readLoginRequired,
            ConfigureBuilder = b => b.Logging.ClearProviders(),
        });
        await app.StartAsync();
        return new LocalServer(dir, app);
    }

    public Task AddUserAsync(string name, string password) =>
        App.Services.GetRequiredService<Anvil.Data.Users.UserStore>().AddAsync(name, password);

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));

    public async Task<long> PostAsync(string resource, object body)
    {
        using var response = await Http.PostAsJsonAsync($"/api/v1/{resource}", body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"POST {resource}: {json}");
        return json.GetProperty("id").GetInt64();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        _dir.Dispose();
    }
}
