using System.Text.Json;
using System.Text.Json.Nodes;
using Anvil.Client;
using Anvil.Server;
using Microsoft.AspNetCore.Builder;

namespace Anvil.Client.Tests;

/// <summary>The offline client and the HTTP client (against a real Kestrel server on the same database file) give
/// the same answers, because both end in the same API code.</summary>
public sealed class RecordsClientTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private WebApplication? _server;
    private string _url = "";

    private string Database => Path.Combine(_dir.Path, "records.db");

    public async Task InitializeAsync()
    {
        _server = AnvilServer.Build([], new ServerStartOptions { Urls = "http://127.0.0.1:0", Database = Database });
        await _server.StartAsync();
        _url = _server.Urls.First();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
        }
        _dir.Dispose();
    }

    [Fact]
    public async Task OfflineAndHttp_WriteAndReadTheSameRecords()
    {
        await using var offline = await RecordsClient.Offline(Database);
        await using var http = RecordsClient.Http(_url);

        var created = await offline.PostAsync("/api/v1/playbooks",
            new JsonObject { ["ansible_version"] = "2.14.18", ["path"] = "/srv/site.yml", ["status"] = "failed", ["labels"] = new JsonArray("nightly") });
        var id = created.GetProperty("id").GetInt64();
        await http.PatchAsync($"/api/v1/playbooks/{id}", new JsonObject { ["name"] = "patched over http" });

        var viaOffline = await offline.GetAsync($"/api/v1/playbooks/{id}");
        var viaHttp = await http.GetAsync($"/api/v1/playbooks/{id}");
        Assert.Equal("patched over http", viaOffline.GetProperty("name").GetString());
        Assert.Equal(viaOffline.GetRawText(), viaHttp.GetRawText());

        var failedOffline = await offline.GetAsync("/api/v1/playbooks", ("status", "failed"));
        var failedHttp = await http.GetAsync("/api/v1/playbooks", ("status", "failed"));
        Assert.Equal(1, failedOffline.GetProperty("count").GetInt32());
        Assert.Equal(failedOffline.GetProperty("results").GetRawText(), failedHttp.GetProperty("results").GetRawText());
    }

    [Fact]
    public async Task ListAll_FollowsPages()
    {
        await using var http = RecordsClient.Http(_url);
        for (var i = 0; i < 7; i++)
        {
            await http.PostAsync("/api/v1/labels", new JsonObject { ["name"] = $"label-{i}" });
        }
        var names = new List<string>();
        await foreach (var label in http.ListAllAsync("/api/v1/labels", ("limit", "3")))
        {
            names.Add(label.GetProperty("name").GetString()!);
        }
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"label-{i}").Order(), names.Order());
    }

    [Fact]
    public async Task Errors_CarryTheStatusAndTheServersExplanation()
    {
        await using var offline = await RecordsClient.Offline(Database);
        await using var http = RecordsClient.Http(_url);
        foreach (var client in new[] { offline, http })
        {
            var missing = await Assert.ThrowsAsync<RecordsApiException>(() => client.GetAsync("/api/v1/playbooks/999999"));
            Assert.Equal(404, missing.Status);
            var invalid = await Assert.ThrowsAsync<RecordsApiException>(() => client.PostAsync("/api/v1/playbooks", new JsonObject { ["path"] = "x" }));
            Assert.Equal(400, invalid.Status);
            Assert.Contains("ansible_version", invalid.Body);
        }
    }

    [Fact]
    public async Task Http_ToANonexistentServer_FailsWithAClearException()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        await using var client = RecordsClient.Http($"http://127.0.0.1:{port}", timeout: TimeSpan.FromSeconds(3));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/api/v1/playbooks"));
    }
}
