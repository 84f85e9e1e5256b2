using System.Net;
using System.Text;
using System.Text.Json;

namespace Anvil.AraCompat.Tests.Harness;

/// <summary>A small recorded playbook written through the API, the way ARA's callback writes one.</summary>
internal sealed record SeededPlaybook(long Playbook, long Play, long Task, long Host, int Results);

internal static class Seed
{
    /// <summary>POST that must answer 201; returns the new object.</summary>
    public static async Task<JsonElement> PostAsync(HttpClient http, string path, object body)
    {
        using var content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {path} → {(int)response.StatusCode}: {ApiReader.Clip(text)}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>One playbook, play, file, task and host, and <paramref name="results"/> results cycling through
    /// ok, failed, skipped and unreachable.</summary>
    public static async Task<SeededPlaybook> PlaybookAsync(HttpClient http, string name, int results = 12)
    {
        static long Id(JsonElement e) => e.GetProperty("id").GetInt64();
        var now = DateTimeOffset.UtcNow;
        var playbook = Id(await PostAsync(http, "/api/v1/playbooks", new
        {
            ansible_version = "2.14.18",
            path = $"/srv/{name}.yml",
            name,
            status = "completed",
            labels = new[] { "seeded" },
            started = now.ToString("O"),
        }));
        var play = Id(await PostAsync(http, "/api/v1/plays", new
        {
            name = "seeded play",
            uuid = Guid.NewGuid().ToString(),
            playbook,
            status = "completed",
            started = now.ToString("O"),
        }));
        var file = Id(await PostAsync(http, "/api/v1/files", new { playbook, path = $"/srv/{name}.yml", content = "- hosts: all\n" }));
        var task = Id(await PostAsync(http, "/api/v1/tasks", new
        {
            name = "seeded task",
            action = "debug",
            lineno = 1,
            handler = false,
            play,
            file,
            playbook,
            tags = new[] { "t" },
            started = now.ToString("O"),
        }));
        var host = Id(await PostAsync(http, "/api/v1/hosts", new { name = "seeded-host", playbook }));
        string[] statuses = ["ok", "failed", "skipped", "unreachable"];
        for (var i = 0; i < results; i++)
        {
            await PostAsync(http, "/api/v1/results", new
            {
                playbook,
                play,
                task,
                host,
                status = statuses[i % statuses.Length],
                changed = i % 2 == 0,
                ignore_errors = false,
                content = new { msg = $"result {i}" },
                delegated_to = Array.Empty<long>(),
                started = now.ToString("O"),
                ended = now.AddSeconds(1).ToString("O"),
            });
        }
        return new SeededPlaybook(playbook, play, task, host, results);
    }
}
