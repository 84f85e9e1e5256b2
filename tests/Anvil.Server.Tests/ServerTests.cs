using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Anvil.Records.Api;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Anvil.Server.Tests;

public class ServerTests
{
    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task Healthz_DatabaseAnswers_Returns200WithItsDescription()
    {
        await using var server = await RunningServer.StartAsync();
        using var response = await server.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal("sqlite:" + server.DatabasePath, body.GetProperty("database").GetString());

        foreach (var path in new[] { "/healthcheck/", "/healthcheck" })
        {
            using var ara = await server.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, ara.StatusCode);
            Assert.Equal("{\"DatabaseBackend\":\"working\"}", await ara.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Healthz_DatabaseGone_Returns503()
    {
        await using var server = await RunningServer.StartAsync();
        var dbDir = Path.GetDirectoryName(server.DatabasePath)!;
        // Close pooled connections, then put a plain file where the database's directory was: opening fails.
        SqliteConnection.ClearAllPools();
        Directory.Move(dbDir, dbDir + "-moved");
        await File.WriteAllTextAsync(dbDir, "not a directory");

        using var response = await server.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("unavailable", body.GetProperty("status").GetString());
        Assert.Equal("sqlite:" + server.DatabasePath, body.GetProperty("database").GetString());

        using var ara = await server.Http.GetAsync("/healthcheck/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ara.StatusCode);
        Assert.Equal("unavailable", (await JsonAsync(ara)).GetProperty("DatabaseBackend").GetString());

        File.Delete(dbDir);
        Directory.Move(dbDir + "-moved", dbDir);
        using var back = await server.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
    }

    [Fact]
    public async Task OversizedBody_Declared_Gets413Json()
    {
        await using var server = await RunningServer.StartAsync(
            settings: new Dictionary<string, string?> { ["Records:MaxRequestBodyBytes"] = "1024" });
        using var response = await server.SendAsync(HttpMethod.Post, "/api/v1/labels",
            body: "{\"name\":\"" + new string('x', 2000) + "\"}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("Request body too large.", (await JsonAsync(response)).GetProperty("detail").GetString());

        // At the limit it goes through to the API.
        using var fits = await server.SendAsync(HttpMethod.Post, "/api/v1/labels",
            body: "{\"name\":\"" + new string('x', 1024 - 11) + "\"}");
        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, fits.StatusCode);
    }

    [Fact]
    public async Task OversizedBody_Chunked_Gets413Json()
    {
        await using var server = await RunningServer.StartAsync(
            settings: new Dictionary<string, string?> { ["Records:MaxRequestBodyBytes"] = "1024" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/labels")
        {
            // No Content-Length: the size is only known while reading.
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(new string('y', 5000)))),
        };
        request.Headers.TransferEncodingChunked = true;
        using var response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("Request body too large.", (await JsonAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task InvalidSetting_StartFails_NamingIt()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            RunningServer.StartAsync(settings: new Dictionary<string, string?> { ["Records:PageSize"] = "0" }));
        Assert.Contains("Records:PageSize", error.Message);
    }

    [Fact]
    public async Task OpenApi_DescribesTheResources()
    {
        await using var server = await RunningServer.StartAsync();
        using var response = await server.Http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString());
        var paths = doc.GetProperty("paths");
        foreach (var resource in new[] { "labels", "playbooks", "plays", "tasks", "hosts", "results", "files", "records" })
        {
            var list = paths.GetProperty($"/api/v1/{resource}");
            Assert.True(list.TryGetProperty("get", out var get));
            Assert.True(list.TryGetProperty("post", out _));
            var parameters = get.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
            Assert.Contains("limit", parameters);
            Assert.Contains("offset", parameters);
            Assert.Contains("order", parameters);
            var detail = paths.GetProperty($"/api/v1/{resource}/{{id}}");
            foreach (var method in new[] { "get", "put", "patch", "delete" })
            {
                Assert.True(detail.TryGetProperty(method, out _), $"{resource}: {method}");
            }
        }
        var results = paths.GetProperty("/api/v1/results").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Contains("status", results);
        Assert.Contains("ignore_errors", results);
        // latesthosts is read-only and keyed by host name.
        var latest = paths.GetProperty("/api/v1/latesthosts/{name}");
        Assert.True(latest.TryGetProperty("get", out _));
        Assert.False(latest.TryGetProperty("delete", out _));
        Assert.False(paths.GetProperty("/api/v1/latesthosts").TryGetProperty("post", out _));
        Assert.True(paths.TryGetProperty("/healthz", out _));
        Assert.Equal("basic", doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("basic").GetProperty("scheme").GetString());
        // The catch-all that serves them is not described as an endpoint of its own.
        Assert.False(paths.TryGetProperty("/api/{rest}", out _));
    }

    [Fact]
    public async Task Logs_OneLinePerRequest_WithoutSecrets()
    {
        const string password = "hunter2-Pa55";
        await using var server = await RunningServer.StartAsync(write: true, users: ("alice", password));
        var auth = RunningServer.Basic("alice", password);
        using (await server.SendAsync(HttpMethod.Get, "/api/v1/playbooks?name=site&password=q-secret-1&api_token=q-secret-2&status=failed", auth))
        {
        }
        using (await server.SendAsync(HttpMethod.Post, "/api/v1/labels", auth, body: "{\"name\":\"body-secret-3\"}"))
        {
        }
        using (await server.SendAsync(HttpMethod.Post, "/api/v1/labels", RunningServer.Basic("alice", "wrong-" + password)))
        {
        }

        var lines = server.Logs.Requests;
        Assert.Equal(3, lines.Count);
        Assert.Matches(@"^GET /api/v1/playbooks\?name=site&password=\*\*\*&api_token=\*\*\*&status=failed [1-5]\d\d \d+(\.\d+)? ms$", lines[0]);
        Assert.Matches(@"^POST /api/v1/labels [1-5]\d\d \d+(\.\d+)? ms$", lines[1]);
        Assert.Matches(@"^POST /api/v1/labels 401 \d+(\.\d+)? ms$", lines[2]);
        var all = server.Logs.All;
        foreach (var secret in new[] { password, "q-secret-1", "q-secret-2", "body-secret-3", auth.Parameter!, "Basic " })
        {
            Assert.DoesNotContain(secret, all, StringComparison.Ordinal);
        }
    }

    /// <summary>Answers with the request it was given, to check the HTTP → <see cref="ApiRequest"/> mapping, which
    /// the API core cannot show (it never echoes the user or the base URL).</summary>
    private sealed class EchoTransport : IRecordsTransport
    {
        public Task<ApiResponse> SendAsync(ApiRequest request, CancellationToken ct = default)
        {
            if (request.Method == "DELETE")
            {
                return Task.FromResult(new ApiResponse(204, default));
            }
            if (request.Path.EndsWith("/output", StringComparison.Ordinal))
            {
                return Task.FromResult(new ApiResponse(200, "PLAY RECAP"u8.ToArray())
                {
                    Headers = new Dictionary<string, string> { ["Content-Type"] = "text/plain; charset=utf-8" },
                });
            }
            var json = JsonSerializer.SerializeToUtf8Bytes(new
            {
                method = request.Method,
                path = request.Path,
                query = request.Query.Select(kv => new[] { kv.Key, kv.Value }),
                body = Encoding.UTF8.GetString(request.Body.Span),
                baseUrl = request.BaseUrl,
                user = request.User,
            });
            return Task.FromResult(new ApiResponse(207, json)
            {
                Headers = new Dictionary<string, string> { ["Allow"] = "GET, HEAD, OPTIONS" },
            });
        }
    }

    [Fact]
    public async Task ApiRequests_ReachTheApiCore_WithMethodPathQueryBodyBaseUrlAndUser()
    {
        await using var server = await RunningServer.StartAsync(
            configure: b => b.Services.AddSingleton<IRecordsTransport, EchoTransport>(), users: ("bob", "pw-bob-1"));
        using var response = await server.SendAsync(HttpMethod.Patch, "/api/v1/tasks/7?status=failed&status=ok&name=a%20b",
            RunningServer.Basic("bob", "pw-bob-1"), "{\"name\":\"é\"}");
        Assert.Equal((HttpStatusCode)207, response.StatusCode);
        Assert.Equal("GET, HEAD, OPTIONS", response.Content.Headers.Allow.ToString());
        var echo = await JsonAsync(response);
        Assert.Equal("PATCH", echo.GetProperty("method").GetString());
        Assert.Equal("/api/v1/tasks/7", echo.GetProperty("path").GetString());
        Assert.Equal([["status", "failed"], ["status", "ok"], ["name", "a b"]],
            echo.GetProperty("query").EnumerateArray().Select(p => p.EnumerateArray().Select(v => v.GetString()).ToArray()).ToArray());
        Assert.Equal("{\"name\":\"é\"}", echo.GetProperty("body").GetString());
        Assert.Equal($"http://127.0.0.1:{server.BaseAddress.Port}", echo.GetProperty("baseUrl").GetString());
        Assert.Equal("bob", echo.GetProperty("user").GetString());

        using var root = await server.Http.GetAsync("/api");
        var anonymous = await JsonAsync(root);
        Assert.Equal("/api", anonymous.GetProperty("path").GetString());
        Assert.Equal(JsonValueKind.Null, anonymous.GetProperty("user").ValueKind);

        using var text = await server.Http.GetAsync("/api/v1/anvil/playbooks/1/output");
        Assert.Equal("text/plain; charset=utf-8", text.Content.Headers.ContentType?.ToString());
        Assert.Equal("PLAY RECAP", await text.Content.ReadAsStringAsync());

        using var deleted = await server.SendAsync(HttpMethod.Delete, "/api/v1/tasks/7");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(await deleted.Content.ReadAsByteArrayAsync());
        Assert.Null(deleted.Content.Headers.ContentType);
    }

    /// <summary>End to end through the real API core: passes once RecordsApi serves <c>/api/</c>.</summary>
    [Fact]
    public async Task ApiIndex_EndToEnd_AnswersAsAra()
    {
        await using var server = await RunningServer.StartAsync();
        using var response = await server.Http.GetAsync("/api/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("ara", body.GetProperty("kind").GetString());
        Assert.Equal($"http://127.0.0.1:{server.BaseAddress.Port}/api/v1/",
            body.GetProperty("api").EnumerateArray().Single().GetString());
    }
}
