using System.Text.Json;
using System.Text.RegularExpressions;

namespace Anvil.Records.Tests;

/// <summary>
/// Replays what ARA 1.7.4 recorded (its callback's requests for a sample run, then a write/error transcript) and
/// compares every answer with ARA's own: status, keys in order, values, and for the transcript the exact bytes.
/// Only the server's clock (<c>created</c>, <c>updated</c>) differs.
/// </summary>
public abstract partial class ConformanceTests(PostgresFixture? postgres) : ApiTestBase(postgres)
{
    private static string Samples => Path.Combine(RepoPaths.Samples, "ara", "v1.7.4");

    [Fact]
    public async Task CallbackRequestsOfTheSampleRun_GetAraStatusCodes()
    {
        var count = await ReplaySampleRunAsync();
        Assert.Equal(59, count);
    }

    [Fact]
    public async Task EverySampleResponse_IsReproducedKeyByKey()
    {
        await ReplaySampleRunAsync();
        var samples = Directory.GetFiles(Samples, "GET_*.json");
        Assert.True(samples.Length >= 25);
        foreach (var file in samples)
        {
            var path = SamplePath(Path.GetFileNameWithoutExtension(file));
            var reply = await Get(path);
            Assert.True(reply.Status == 200, $"{path}: {reply}");
            // The sample's playbook text was edited after recording (a label renamed), so its hash is that of the
            // text the callback sent.
            using var expected = JsonDocument.Parse(File.ReadAllText(file)
                .Replace("342d48fc27d505f1403692a3471ffcd6cfc5a2da", "3de1ac70bb8b02030c33d5d730f6009b66458375", StringComparison.Ordinal));
            AssertSame(expected.RootElement, reply.Json, path);
        }
    }

    [Fact]
    public async Task WriteAndErrorTranscript_IsReproducedByteForByte()
    {
        await ReplaySampleRunAsync();
        var steps = ParseTranscript(File.ReadAllText(Path.Combine(Samples, "api-exercise.txt")));
        Assert.True(steps.Count > 40);
        var fileChanged = false;
        foreach (var step in steps)
        {
            var reply = await Send(step.Method, step.Path, step.Request);
            var what = $"{step.Method} {step.Path} {step.Request}";
            if (step.Status == 500)
            {
                // ARA's unique constraint fires on a changed file body; Anvil records the new content instead.
                Assert.True(reply.Status == 201, $"{what}: {reply}");
                Assert.Equal("{\"id\":3,\"sha1\":\"f7d7980463d37d3131fd604870a61bbb1f3157cb\",\"content\":\"- hosts: changed\\n\",\"created\":\"T\"," +
                    "\"updated\":\"T\",\"path\":\"/srv/ara/manual.yml\",\"playbook\":2}", WithoutClock(reply.Text));
                fileChanged = true;
                continue;
            }
            var response = fileChanged
                ? step.Response.Replace("cc6bc51d200550b3b6b7e44896db5a0e3f8377a5", "f7d7980463d37d3131fd604870a61bbb1f3157cb", StringComparison.Ordinal)
                    .Replace("\"content\":\"- hosts: all\\n\"", "\"content\":\"- hosts: changed\\n\"", StringComparison.Ordinal)
                : step.Response;

            Assert.True(step.Status == reply.Status, $"{what}: expected {step.Status}, got {reply}");
            if (response.StartsWith('<'))
            {
                // ARA's unrouted paths answer an HTML page; Anvil answers JSON.
                Assert.Equal("{\"detail\":\"Not found.\"}", reply.Text);
            }
            else if (step.Method == "OPTIONS")
            {
                using var expected = JsonDocument.Parse(response);
                Assert.Equal(expected.RootElement.GetProperty("name").GetString(), reply["name"].GetString());
                Assert.Equal("", reply["description"].GetString());
                Assert.Equal("[\"application/json\"]", reply["renders"].GetRawText());
            }
            else
            {
                Assert.True(WithoutClock(response) == WithoutClock(reply.Text), $"{what}\nexpected {response}\nactual   {reply.Text}");
            }
        }
    }

    /// <summary>Sends every request ARA's callback made during the sample run; asserts ARA's status for each.</summary>
    private async Task<int> ReplaySampleRunAsync()
    {
        var count = 0;
        foreach (var line in File.ReadLines(Path.Combine(Samples, "callback-requests-sample-run.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            var method = e.GetProperty("method").GetString()!;
            var path = e.GetProperty("path").GetString()!;
            var body = e.TryGetProperty("body", out var b) && b.ValueKind == JsonValueKind.Object ? b.GetRawText() : null;
            var reply = await Send(method, path, body);
            Assert.True(reply.Status == e.GetProperty("status").GetInt32(), $"{method} {path}: {reply}");
            count++;
        }
        return count;
    }

    /// <summary><c>GET_tasks_playbook_1</c> → <c>/api/v1/tasks?playbook=1</c>, <c>GET_root</c> → <c>/api/v1/</c>.</summary>
    private static string SamplePath(string name)
    {
        var parts = name["GET_".Length..].Split('_');
        return parts switch
        {
            ["root"] => "/api/v1/",
            [var resource] => $"/api/v1/{resource}",
            [var resource, var key] => $"/api/v1/{resource}/{key}",
            [var resource, var filter, var value] => $"/api/v1/{resource}?{filter}={value}",
            _ => throw new InvalidOperationException(name),
        };
    }

    /// <summary>Same kinds, same keys in the same order, same values; <c>created</c>/<c>updated</c> only need to be
    /// ARA datetimes.</summary>
    internal static void AssertSame(JsonElement expected, JsonElement actual, string where)
    {
        Assert.True(expected.ValueKind == actual.ValueKind, $"{where}: {expected.ValueKind} expected, got {actual.ValueKind}");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var keys = expected.EnumerateObject().Select(p => p.Name).ToList();
                var actualKeys = actual.EnumerateObject().Select(p => p.Name).ToList();
                Assert.True(keys.SequenceEqual(actualKeys), $"{where}: keys\n  expected {string.Join(",", keys)}\n  actual   {string.Join(",", actualKeys)}");
                foreach (var p in expected.EnumerateObject())
                {
                    var value = actual.GetProperty(p.Name);
                    if (p.Name is "created" or "updated" && p.Value.ValueKind == JsonValueKind.String)
                    {
                        Assert.Matches(AraTime(), value.GetString());
                    }
                    else
                    {
                        AssertSame(p.Value, value, where + "." + p.Name);
                    }
                }
                break;
            case JsonValueKind.Array:
                Assert.True(expected.GetArrayLength() == actual.GetArrayLength(), $"{where}: array length");
                var i = 0;
                foreach (var (e, a) in expected.EnumerateArray().Zip(actual.EnumerateArray()))
                {
                    AssertSame(e, a, $"{where}[{i++}]");
                }
                break;
            case JsonValueKind.String:
                Assert.True(expected.GetString() == actual.GetString(), $"{where}: \"{expected.GetString()}\" expected, got \"{actual.GetString()}\"");
                break;
            default:
                Assert.True(expected.GetRawText() == actual.GetRawText(), $"{where}: {expected.GetRawText()} expected, got {actual.GetRawText()}");
                break;
        }
    }

    private static string WithoutClock(string json) => ClockFields().Replace(json, "\"$1\":\"T\"");

    private sealed record Step(string Method, string Path, string? Request, int Status, string Response);

    private static List<Step> ParseTranscript(string text)
    {
        var steps = new List<Step>();
        foreach (var block in text.Split("### ", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            var head = lines[0].Trim().Split(' ', 2);
            string? request = null;
            var status = 0;
            var response = new List<string>();
            var inResponse = false;
            foreach (var line in lines.Skip(1))
            {
                if (inResponse)
                {
                    response.Add(line);
                }
                else if (line.StartsWith("REQUEST: ", StringComparison.Ordinal))
                {
                    request = line["REQUEST: ".Length..];
                }
                else if (line.StartsWith("STATUS: ", StringComparison.Ordinal))
                {
                    status = int.Parse(line["STATUS: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("RESPONSE:", StringComparison.Ordinal))
                {
                    inResponse = true;
                    response.Add(line["RESPONSE:".Length..]);
                }
            }
            steps.Add(new Step(head[0], head[1], request, status, string.Join('\n', response).Trim()));
        }
        return steps;
    }

    [GeneratedRegex("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?Z$")]
    private static partial Regex AraTime();

    [GeneratedRegex("\"(created|updated)\":\"[^\"]*\"")]
    private static partial Regex ClockFields();
}

public sealed class ConformanceTestsOnSqlite() : ConformanceTests(null);

[Collection("postgres")]
public sealed class ConformanceTestsOnPostgres(PostgresFixture postgres) : ConformanceTests(postgres);
