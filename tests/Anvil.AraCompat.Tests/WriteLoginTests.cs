using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Anvil.AraCompat.Tests.Harness;

namespace Anvil.AraCompat.Tests;

/// <summary>A server on SQLite that needs a login for writes (ARA's WRITE_LOGIN_REQUIRED), with one user.</summary>
public sealed class WriteLoginServer : IAsyncLifetime
{
    public const string User = "recorder";
    public const string Password = "c0rrect-horse-battery";

    private readonly TempDir _dir = new();
    private IRecordsServer? _server;

    internal IRecordsServer Server => _server ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() =>
        _server = await RecordsServers.StartAsync(new DatabaseSpec.Sqlite(Path.Combine(_dir.Path, "records.db")),
            new ServerSettings { WriteLoginRequired = true, User = (User, Password) });

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _dir.Dispose();
    }
}

/// <summary>Writes without credentials are refused with ARA's 401; ARA's callback records with them and reports
/// (in the output the other tests check) when it has none.</summary>
[Trait("Category", "Integration")]
public sealed class WriteLoginTests(WriteLoginServer fixture) : IClassFixture<WriteLoginServer>
{
    private static readonly string[] TaggedRun = ["-e", "ara_playbook_name=auth-run", "-e", "run_tag=auth"];

    [Fact]
    public async Task AWriteWithoutCredentials_IsA401WithABasicChallenge()
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        using var response = await http.PostAsync("/api/v1/labels", Json(new { name = "anonymous" }));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic realm=\"api\"", response.Headers.WwwAuthenticate.ToString());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Authentication credentials were not provided.", body.GetProperty("detail").GetString());

        // Reads stay open, and the refused write left nothing.
        using var read = await http.GetAsync("/api/v1/labels?order=id&limit=1000");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var names = JsonDocument.Parse(await read.Content.ReadAsStringAsync()).RootElement.GetProperty("results")
            .EnumerateArray().Select(l => l.GetProperty("name").GetString());
        Assert.DoesNotContain("anonymous", names);
    }

    [Fact]
    public async Task WrongCredentials_AreA401AndRightOnesWrite()
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        using (var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/v1/labels") { Content = Json(new { name = "wrong" }) })
        {
            wrong.Headers.Authorization = Basic(WriteLoginServer.User, "not-the-password");
            using var response = await http.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal("Invalid username/password.", JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString());
            Assert.DoesNotContain("not-the-password", text, StringComparison.Ordinal);
        }
        using (var right = new HttpRequestMessage(HttpMethod.Post, "/api/v1/labels") { Content = Json(new { name = "authorised" }) })
        {
            right.Headers.Authorization = Basic(WriteLoginServer.User, WriteLoginServer.Password);
            using var response = await http.SendAsync(right);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        using var check = await http.GetAsync("/api/v1/labels?order=id&limit=1000");
        var names = JsonDocument.Parse(await check.Content.ReadAsStringAsync()).RootElement.GetProperty("results")
            .EnumerateArray().Select(l => l.GetProperty("name").GetString());
        Assert.Contains("authorised", names);
        Assert.DoesNotContain("wrong", names);
    }

    [Fact]
    public async Task AraCallback_RecordsWithCredentialsAndReportsFailuresWithout()
    {
        var withLogin = await Ara.RunPlaybookAsync(fixture.Server.BaseUrl, "concurrent.yml", TaggedRun,
            WriteLoginServer.User, WriteLoginServer.Password);
        Assert.True(withLogin.Result.ExitCode == 0, withLogin.Result.ToString());
        Assert.Empty(Ara.RecordingErrors(withLogin.Result.Output));
        using var api = new ApiReader(fixture.Server.BaseUrl);
        var playbooks = await api.ListAllAsync("/api/v1/playbooks?name=auth-run");
        var playbook = Assert.Single(playbooks);
        Assert.Equal("completed", playbook.GetProperty("status").GetString());
        Assert.Equal(Concurrent.ResultsPerRun, await api.CountAsync($"/api/v1/results?playbook={playbook.GetProperty("id").GetInt64()}"));

        // Without credentials ARA's callback cannot write: the run still completes, and the failures show in its
        // output. This is the negative control for the "no recording errors" checks of the other tests.
        var anonymous = await Ara.RunPlaybookAsync(fixture.Server.BaseUrl, "concurrent.yml",
            ["-e", "ara_playbook_name=anonymous-run"]);
        Assert.NotEmpty(Ara.RecordingErrors(anonymous.Result.Output));
        Assert.Equal(0, await api.CountAsync("/api/v1/playbooks?name=anonymous-run"));
        Assert.DoesNotContain(WriteLoginServer.Password, anonymous.Result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(WriteLoginServer.Password, withLogin.Result.Output, StringComparison.Ordinal);
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}
