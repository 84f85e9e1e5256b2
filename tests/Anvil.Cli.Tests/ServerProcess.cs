using System.Diagnostics;
using Anvil.Cli.Tests.Records;

namespace Anvil.Cli.Tests;

/// <summary>The built <c>anvil server</c> as a real process, for the commands that talk to a server.</summary>
internal static class ServerProcess
{
    /// <summary>Starts <c>anvil server --urls URL</c> with <paramref name="args"/> and waits until <c>/healthz</c>
    /// answers; the caller kills it.</summary>
    public static async Task<Process> StartAsync(string url, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "anvil"), ["server", "--urls", url, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }
        var p = Process.Start(psi)!;
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        using var http = new HttpClient();
        await Eventually.TrueAsync(async () =>
        {
            Assert.False(p.HasExited, "anvil server exited");
            try
            {
                return (await http.GetAsync(url + "/healthz")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "anvil server answers /healthz");
        return p;
    }
}
