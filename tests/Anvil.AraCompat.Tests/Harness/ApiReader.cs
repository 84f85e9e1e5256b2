using System.Net;
using System.Text.Json;

namespace Anvil.AraCompat.Tests.Harness;

/// <summary>Reads a records server through its HTTP API, as any ARA client would.</summary>
internal sealed class ApiReader(Uri baseUrl) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };

    public HttpClient Http => _http;

    /// <summary>GET that must answer 200 with JSON.</summary>
    public async Task<JsonElement> GetAsync(string pathAndQuery)
    {
        using var response = await _http.GetAsync(pathAndQuery);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {pathAndQuery} → {(int)response.StatusCode}: {Clip(body)}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The <c>count</c> of a list endpoint.</summary>
    public async Task<int> CountAsync(string pathAndQuery) =>
        (await GetAsync(pathAndQuery)).GetProperty("count").GetInt32();

    /// <summary>Every item of a list endpoint, following <c>next</c> links (bounded, in case they never end).</summary>
    public async Task<List<JsonElement>> ListAllAsync(string pathAndQuery)
    {
        var items = new List<JsonElement>();
        string? next = pathAndQuery;
        for (var page = 0; next is not null; page++)
        {
            Assert.True(page < 1000, $"more than 1000 pages following next links from {pathAndQuery}");
            var json = await GetAsync(next);
            items.AddRange(json.GetProperty("results").EnumerateArray());
            next = json.GetProperty("next").ValueKind == JsonValueKind.String ? json.GetProperty("next").GetString() : null;
        }
        Assert.Equal((await GetAsync(pathAndQuery)).GetProperty("count").GetInt32(), items.Count);
        return items;
    }

    public static string Clip(string s) => s.Length <= 2000 ? s : s[..2000] + "…";

    public void Dispose() => _http.Dispose();
}
