namespace Anvil.Tests.Shared;

/// <summary>The one polling loop of the tests: waits for a condition, never for a length of time.</summary>
public static class Wait
{
    /// <summary>How often a condition is checked.</summary>
    public static TimeSpan Interval { get; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Checks <paramref name="condition"/> every <see cref="Interval"/> until it holds; throws a
    /// <see cref="TimeoutException"/> carrying <paramref name="message"/> when <paramref name="timeout"/> has passed
    /// (the bound only turns a hang into a failure: nothing is asserted about how long it took). An exception the
    /// condition throws ends the wait with that exception.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string message,
        CancellationToken cancellationToken = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed >= timeout)
            {
                throw new TimeoutException($"gave up waiting after {timeout}: {message}");
            }
            await Task.Delay(Interval, cancellationToken);
        }
    }

    /// <inheritdoc cref="UntilAsync(Func{Task{bool}}, TimeSpan, string, CancellationToken)"/>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string message,
        CancellationToken cancellationToken = default) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, message, cancellationToken);

    /// <summary>Waits until an HTTP server answers <paramref name="url"/>: with a success status, or with any status
    /// when <paramref name="anyStatus"/>. When <paramref name="process"/> (the server) exits first, fails at once with
    /// a <see cref="ServerExitedException"/>; <paramref name="diagnostics"/> (its output, say) goes into the
    /// failure message.</summary>
    public static async Task UntilServingAsync(Uri url, TimeSpan timeout, Func<string>? diagnostics = null,
        System.Diagnostics.Process? process = null, bool anyStatus = false)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await UntilAsync(async () =>
            {
                if (process is { HasExited: true })
                {
                    throw new ServerExitedException($"the server exited ({process.ExitCode}) before {url} answered\n{diagnostics?.Invoke()}");
                }
                try
                {
                    using var response = await http.GetAsync(url);
                    return anyStatus || response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
                catch (TaskCanceledException)
                {
                    return false;
                }
            }, timeout, $"nothing answered {url}");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{diagnostics?.Invoke()}", e);
        }
    }
}

/// <summary>A server process ended before it answered.</summary>
public sealed class ServerExitedException(string message) : Exception(message);
