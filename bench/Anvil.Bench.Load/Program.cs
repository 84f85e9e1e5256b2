using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Anvil.Bench.Load;

/// <summary>Command-line settings of one measurement.</summary>
internal sealed record LoadOptions(Uri Server, IReadOnlyList<string> Paths, int Concurrency, int Requests, int Warmup,
    TimeSpan MaxTime, string? Label, IReadOnlyList<KeyValuePair<string, string>> Headers, string? ServerTiming);

/// <summary>Latencies of one path under load.</summary>
internal sealed record PathResult(string Path, int Requests, int Errors, double P50, double P90, double P99, double Max,
    double PerSecond, long BodyBytes, string? FirstError, ServerTimes? Server);

/// <summary>Percentiles of the durations a server reported itself (one Server-Timing metric), and how many measured
/// answers lacked that metric.</summary>
internal sealed record ServerTimes(double P50, double P90, double P99, double Max, int Missing);

/// <summary>
/// Sends GET requests to a server on the loopback interface with a fixed number of concurrent clients, each waiting
/// for its answer before sending the next (closed loop), and prints latency percentiles per path as a TSV line:
/// label, path, requests, errors, p50, p90, p99, max (ms), requests/s, body bytes of the first answer; with
/// --server-timing, then the server's own p50, p90, p99, max (ms) and the number of answers without that metric.
/// </summary>
internal static class Program
{
    private const string Usage = """
        Usage: Anvil.Bench.Load --server http://127.0.0.1:PORT --path /api/v1/... [--path ...] [options]

          --server URL        server base URL; must be a loopback address (127.0.0.1, ::1, localhost)
          --path PATH         path and query to GET; repeat for several (measured one after the other)
          --concurrency N     concurrent clients, each with one request in flight (default 20)
          --requests N        measured requests per path (default 2000, at most 1,000,000)
          --warmup N          unmeasured requests per path first (default 100)
          --max-seconds S     stop a path's measurement after S seconds even if requests remain (default 60)
          --label TEXT        first column of the output (default: the server URL)
          --header 'N: V'     send this request header; repeat for several (an Accept header replaces the default
                              "Accept: application/json")
          --server-timing M   also record the dur of the Server-Timing metric M of every measured answer and print
                              its p50, p90, p99, max (ms) and how many answers lacked it, as five more columns
        Exit code 1 when a path answered anything but 200.
        """;

    public static async Task<int> Main(string[] args)
    {
        LoadOptions options;
        try
        {
            options = Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync("Anvil.Bench.Load: " + e.Message + "\n\n" + Usage);
            return 2;
        }
        if (options.Paths.Count == 0)
        {
            Console.WriteLine(Usage);
            return 0;
        }

        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        };
        using var http = new HttpClient(handler) { BaseAddress = options.Server, Timeout = TimeSpan.FromSeconds(60) };
        if (!options.Headers.Any(h => h.Key.Equals("Accept", StringComparison.OrdinalIgnoreCase)))
        {
            http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        }
        foreach (var (name, value) in options.Headers)
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }

        var failed = false;
        foreach (var path in options.Paths)
        {
            var result = await MeasureAsync(http, path, options);
            failed |= result.Errors > 0;
            var columns = new List<string>
            {
                options.Label ?? options.Server.ToString(), result.Path,
                result.Requests.ToString(CultureInfo.InvariantCulture), result.Errors.ToString(CultureInfo.InvariantCulture),
                F(result.P50), F(result.P90), F(result.P99), F(result.Max), result.PerSecond.ToString("F1", CultureInfo.InvariantCulture),
                result.BodyBytes.ToString(CultureInfo.InvariantCulture),
            };
            if (result.Server is { } st)
            {
                columns.AddRange([F(st.P50), F(st.P90), F(st.P99), F(st.Max), st.Missing.ToString(CultureInfo.InvariantCulture)]);
            }
            Console.WriteLine(string.Join('\t', columns));
            if (result.FirstError is not null)
            {
                await Console.Error.WriteLineAsync($"Anvil.Bench.Load: {path}: {result.Errors} errors, first: {result.FirstError}");
            }
        }
        return failed ? 1 : 0;
    }

    private static string F(double ms) => ms.ToString("F2", CultureInfo.InvariantCulture);

    private static async Task<PathResult> MeasureAsync(HttpClient http, string path, LoadOptions options)
    {
        // The first answer shows the size of what is measured (and fails fast on a wrong path).
        long bodyBytes;
        using (var first = await http.GetAsync(path))
        {
            bodyBytes = (await first.Content.ReadAsByteArrayAsync()).LongLength;
        }
        await RunAsync(http, path, options.Warmup, options.Concurrency, TimeSpan.FromSeconds(30), null, null, null);

        var latencies = new double[options.Requests];
        var serverTimes = options.ServerTiming is null ? null : new double[options.Requests];
        var sw = Stopwatch.StartNew();
        var (done, errors, firstError) = await RunAsync(http, path, options.Requests, options.Concurrency, options.MaxTime,
            latencies, options.ServerTiming, serverTimes);
        var elapsed = sw.Elapsed.TotalSeconds;
        var measured = latencies.AsSpan(0, done).ToArray();
        Array.Sort(measured);
        ServerTimes? server = null;
        if (serverTimes is not null)
        {
            var reported = serverTimes.AsSpan(0, done).ToArray().Where(d => !double.IsNaN(d)).ToArray();
            Array.Sort(reported);
            server = new ServerTimes(Percentile(reported, 0.50), Percentile(reported, 0.90), Percentile(reported, 0.99),
                reported.Length == 0 ? 0 : reported[^1], done - reported.Length);
        }
        return new PathResult(path, done, errors, Percentile(measured, 0.50), Percentile(measured, 0.90),
            Percentile(measured, 0.99), measured.Length == 0 ? 0 : measured[^1], done / elapsed, bodyBytes, firstError, server);
    }

    /// <summary>The dur (ms) of the metric <paramref name="metric"/> in the answer's Server-Timing headers
    /// ("app;dur=12.3, db;dur=4"), or NaN when the answer has none.</summary>
    internal static double ServerTimingDuration(HttpResponseMessage response, string metric)
    {
        if (!response.Headers.TryGetValues("Server-Timing", out var values))
        {
            return double.NaN;
        }
        foreach (var entry in values.SelectMany(v => v.Split(',')))
        {
            var parts = entry.Split(';', StringSplitOptions.TrimEntries);
            if (!parts[0].Equals(metric, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            foreach (var parameter in parts.Skip(1))
            {
                if (parameter.StartsWith("dur=", StringComparison.OrdinalIgnoreCase)
                    && double.TryParse(parameter.AsSpan(4), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms))
                {
                    return ms;
                }
            }
        }
        return double.NaN;
    }

    /// <summary>Sends <paramref name="total"/> requests from <paramref name="concurrency"/> workers; records each
    /// latency (ms) in <paramref name="latencies"/> at the request's index, and the dur of the Server-Timing metric
    /// <paramref name="metric"/> (NaN if absent) in <paramref name="serverTimes"/>.</summary>
    private static async Task<(int Done, int Errors, string? FirstError)> RunAsync(HttpClient http, string path, int total,
        int concurrency, TimeSpan maxTime, double[]? latencies, string? metric, double[]? serverTimes)
    {
        var next = -1;
        var done = 0;
        var errors = 0;
        string? firstError = null;
        using var deadline = new CancellationTokenSource(maxTime);
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (!deadline.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= total)
                {
                    return;
                }
                var start = Stopwatch.GetTimestamp();
                string? error = null;
                var serverTime = double.NaN;
                try
                {
                    using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        error = $"HTTP {(int)response.StatusCode}";
                    }
                    if (metric is not null)
                    {
                        serverTime = ServerTimingDuration(response, metric);
                    }
                }
                catch (HttpRequestException e)
                {
                    error = e.Message;
                }
                catch (TaskCanceledException)
                {
                    error = "timeout";
                }
                if (latencies is not null)
                {
                    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
                if (serverTimes is not null)
                {
                    serverTimes[i] = serverTime;
                }
                Interlocked.Increment(ref done);
                if (error is not null && Interlocked.Increment(ref errors) == 1)
                {
                    firstError = error;
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        // Indices are taken in order and every taken one completes, so latencies[0..done) are all set.
        return (done, errors, firstError);
    }

    private static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }
        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    private static LoadOptions Parse(string[] args)
    {
        Uri? server = null;
        var paths = new List<string>();
        int concurrency = 20, requests = 2000, warmup = 100, maxSeconds = 60;
        string? label = null, serverTiming = null;
        var headers = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int(int min, int max)
            {
                var name = args[i];
                var v = Value();
                return int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                    ? n
                    : throw new ArgumentException($"{name} must be an integer from {min} to {max}: {v}");
            }
            switch (args[i])
            {
                case "--server":
                    server = Uri.TryCreate(Value(), UriKind.Absolute, out var u) ? u : throw new ArgumentException("--server: not a URL");
                    break;
                case "--path":
                    var p = Value();
                    paths.Add(p.StartsWith('/') ? p : throw new ArgumentException($"--path must start with '/': {p}"));
                    break;
                case "--concurrency": concurrency = Int(1, 512); break;
                case "--requests": requests = Int(1, 1_000_000); break;
                case "--warmup": warmup = Int(0, 100_000); break;
                case "--max-seconds": maxSeconds = Int(1, 3600); break;
                case "--label": label = Value(); break;
                case "--header":
                    var h = Value();
                    var colon = h.IndexOf(':');
                    headers.Add(colon > 0
                        ? new(h[..colon].Trim(), h[(colon + 1)..].Trim())
                        : throw new ArgumentException($"--header must be 'Name: value': {h}"));
                    break;
                case "--server-timing":
                    serverTiming = Value();
                    if (serverTiming.Length == 0 || serverTiming.Any(c => c is ',' or ';' or '=' || char.IsWhiteSpace(c)))
                    {
                        throw new ArgumentException($"--server-timing needs a metric name: '{serverTiming}'");
                    }
                    break;
                case "-h" or "--help": return new LoadOptions(new Uri("http://127.0.0.1"), [], 1, 1, 0, TimeSpan.FromSeconds(1), null, [], null);
                default: throw new ArgumentException($"unknown argument: {args[i]}");
            }
        }
        if (server is null)
        {
            throw new ArgumentException("--server is required");
        }
        // Load is only ever aimed at this machine.
        if (!server.IsLoopback)
        {
            throw new ArgumentException($"--server must be a loopback address, not {server.Host}");
        }
        return new LoadOptions(server, paths, concurrency, requests, warmup, TimeSpan.FromSeconds(maxSeconds), label, headers,
            serverTiming);
    }
}
