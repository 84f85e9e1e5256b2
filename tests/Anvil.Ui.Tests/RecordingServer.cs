using System.Net.Http.Json;
using System.Text.Json;
using Anvil.Cli;

namespace Anvil.Ui.Tests;

/// <summary>What the UI tests do with an <c>anvil server</c> process (started by Anvil.TestSupport's
/// <see cref="AnvilServerProcess"/>): record runs into it with the CLI's own <c>anvil run --record-to</c>, and read
/// its API.</summary>
internal static class RecordingServer
{
    /// <summary>Runs a playbook of a private data dir with <c>anvil run</c>, recorded into this server; returns the
    /// exit code.</summary>
    public static async Task<int> RecordAsync(this AnvilServerProcess server, string pdd, string playbook, string? ident = null)
    {
        var error = new StringWriter();
        string[] args = ["run", pdd, "-p", playbook, "-q", "--record-to", server.Url, .. ident is null ? Array.Empty<string>() : ["-i", ident]];
        var code = await AnvilCommandLine.InvokeAsync(args, new StringWriter(), error);
        Assert.True(code is 0 or 2, $"anvil run {playbook} exited {code}: {error}");
        return code;
    }

    /// <summary>The id of the newest playbook whose path ends with <paramref name="file"/>.</summary>
    public static async Task<long> PlaybookIdAsync(this AnvilServerProcess server, string file)
    {
        var list = await server.Http.GetFromJsonAsync<JsonElement>($"/api/v1/playbooks?path={Uri.EscapeDataString(file)}&order=-id");
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
    public static Task<JsonElement> ApiAsync(this AnvilServerProcess server, string path) =>
        server.Http.GetFromJsonAsync<JsonElement>(path);
}
