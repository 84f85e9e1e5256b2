using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Anvil.Cli.Recording;
using Anvil.Client;

namespace Anvil.Cli.Commands.Records;

/// <summary>A failure the user can act on, said in one line (<c>anvil: error: …</c>, exit 1).</summary>
internal sealed class RecordsCliException(string message) : Exception(message);

/// <summary>
/// Where a records command reads and writes: the local database through the API core in this process
/// (<see cref="RecordsClient.Offline"/>, the default), or a server over HTTP (<see cref="RecordsClient.Http"/>) with
/// <c>--server</c> or <c>ANVIL_SERVER</c>. Either way every call goes through the records API.
/// </summary>
internal sealed class RecordsConnection
{
    public const string ServerVariable = "ANVIL_SERVER";

    public Option<string?> Server { get; } = new("--server")
    {
        Description = "ask this Anvil (or ARA) server instead of the local database (default: ANVIL_SERVER; " +
                      "credentials from ANVIL_USERNAME/ANVIL_PASSWORD)",
        HelpName = "URL",
    };

    public Option<string?> Database { get; } = RecordsDatabaseOption.Create();

    public Option<int> Timeout { get; } = new("--timeout")
    {
        Description = "seconds to wait for each answer of a server (default: 30)",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => 30,
    };

    public RecordsConnection()
    {
        Timeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--timeout must be at least 1 second");
            }
        });
    }

    public Option[] Options => [Server, Database, Timeout];

    public void AddTo(Command command)
    {
        foreach (var o in Options)
        {
            command.Options.Add(o);
        }
    }

    /// <summary>Sets the command's action: opens the client, runs <paramref name="body"/>, and turns every failure the
    /// user can fix into one line on stderr and exit code 1.</summary>
    public void SetAction(Command command, Func<RecordsSession, Task<int>> body) =>
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            string? where = null;
            try
            {
                var (client, description) = await OpenAsync(parse, ct);
                where = description;
                await using (client)
                {
                    return await body(new RecordsSession(parse, client, description, parse.InvocationConfiguration.Output, ct));
                }
            }
            catch (Exception e) when (Describe(e, where, parse.GetValue(Timeout)) is { } message)
            {
                await error.WriteLineAsync("anvil: error: " + message);
                return AnvilCommandLine.InputError;
            }
        });

    private async Task<(RecordsClient Client, string Description)> OpenAsync(ParseResult parse, CancellationToken ct)
    {
        var server = parse.GetValue(Server);
        var database = parse.GetValue(Database);
        if (server is not null && database is not null)
        {
            throw new RecordsCliException("--server and --database cannot be used together");
        }
        // An explicit --database wins over a server named in the environment.
        server ??= database is null && Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } env ? env : null;
        if (server is null)
        {
            var client = await RecordsClient.Offline(database, ct);
            var description = client.Transport is Anvil.Records.Api.RecordsApi api ? api.Database.Description : "the records database";
            return (client, description);
        }
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new RecordsCliException($"--server must be an http:// or https:// URL (got '{server}')");
        }
        if (uri.UserInfo.Length > 0)
        {
            // The URL ends up in messages; a password in it would be printed.
            throw new RecordsCliException("put the credentials in ANVIL_USERNAME and ANVIL_PASSWORD, not in the --server URL");
        }
        var user = Environment.GetEnvironmentVariable(RecordingTarget.UserVariable);
        var password = Environment.GetEnvironmentVariable(RecordingTarget.PasswordVariable);
        if (string.IsNullOrEmpty(user) != string.IsNullOrEmpty(password))
        {
            throw new RecordsCliException(string.IsNullOrEmpty(user)
                ? $"{RecordingTarget.PasswordVariable} is set but {RecordingTarget.UserVariable} is not"
                : $"{RecordingTarget.UserVariable} is set but {RecordingTarget.PasswordVariable} is not");
        }
        var http = RecordsClient.Http(server, NullIfEmpty(user), NullIfEmpty(password), TimeSpan.FromSeconds(parse.GetValue(Timeout)));
        return (http, server.TrimEnd('/'));
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    /// <summary>The one-line message for a failure the user can act on; null for a bug (which keeps its stack trace).</summary>
    private static string? Describe(Exception e, string? where, int timeout) => e switch
    {
        RecordsCliException => e.Message,
        RecordsApiException api => DescribeApi(api, where ?? "the server"),
        HttpRequestException http => $"cannot reach {where}: {http.Message}",
        TaskCanceledException when e.InnerException is TimeoutException => $"{where} did not answer within {timeout} s",
        // Something answered, but not with the records API's JSON (a --server that is some other web site).
        JsonException or KeyNotFoundException => $"{where} did not answer as a records API does: {e.Message}",
        _ when RecordsDatabaseOption.IsDatabaseProblem(e) => $"{(where is null ? "cannot open the records database" : where)}: {e.Message}",
        _ => null,
    };

    private static string DescribeApi(RecordsApiException e, string where)
    {
        var detail = ErrorText(e.Body);
        var (method, path) = SplitRequest(e.Message);
        return e.Status switch
        {
            400 => detail ?? $"{where} refused {method} {path}",
            401 when Environment.GetEnvironmentVariable(RecordingTarget.UserVariable) is not { Length: > 0 } =>
                $"{where} requires a login: set {RecordingTarget.UserVariable} and {RecordingTarget.PasswordVariable}",
            401 => $"{where} refused the login in {RecordingTarget.UserVariable}/{RecordingTarget.PasswordVariable}: {detail ?? "401"}",
            403 => $"{where} does not allow {method} {path}: {detail ?? "403"}",
            404 => $"{path} not found on {where}",
            _ => $"{where} answered {e.Status} to {method} {path}" + (detail is null ? "" : ": " + detail),
        };
    }

    /// <summary>The method and path back out of <see cref="RecordsApiException"/>'s message ("GET /api/v1/x failed …").</summary>
    private static (string Method, string Path) SplitRequest(string message)
    {
        var parts = message.Split(' ', 3);
        return parts.Length >= 2 ? (parts[0], parts[1]) : ("", "");
    }

    /// <summary>An API error body in one line: <c>{"detail": "…"}</c> is its text; field errors
    /// (<c>{"order": ["Select a valid choice. …"]}</c>) are <c>order: Select a valid choice. …</c>, joined.</summary>
    internal static string? ErrorText(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            var parts = new List<string>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                var messages = p.Value.ValueKind == JsonValueKind.Array
                    ? string.Join(" ", p.Value.EnumerateArray().Select(m => m.ValueKind == JsonValueKind.String ? m.GetString() : m.GetRawText()))
                    : p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText();
                parts.Add(p.Name == "detail" ? messages ?? "" : $"{p.Name}: {messages}");
            }
            return parts.Count == 0 ? null : string.Join("; ", parts);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>One command's connection: the parse result, the client, and the calls the commands share.</summary>
internal sealed record RecordsSession(ParseResult Parse, RecordsClient Client, string Where, TextWriter Output, CancellationToken Ct)
{
    /// <summary>Up to <paramref name="limit"/> items of a list endpoint (following pages, whatever the server's page
    /// size), and the total count the server reports.</summary>
    public async Task<(List<JsonElement> Items, long Count)> ListAsync(string path, IReadOnlyList<(string Name, string Value)> query, int limit)
    {
        var items = new List<JsonElement>();
        long count = 0;
        var offset = 0;
        while (items.Count < limit)
        {
            var pageSize = Math.Min(limit - items.Count, 1000);
            var page = await Client.SendAsync("GET", path,
                [.. query, ("limit", Text(pageSize)), ("offset", Text(offset))], null, Ct);
            count = page.GetProperty("count").GetInt64();
            var results = page.GetProperty("results");
            foreach (var item in results.EnumerateArray())
            {
                if (items.Count < limit)
                {
                    items.Add(item);
                }
            }
            offset += results.GetArrayLength();
            if (results.GetArrayLength() == 0 || page.GetProperty("next").ValueKind == JsonValueKind.Null)
            {
                break;
            }
        }
        return (items, count);
    }

    /// <summary>How many items a list endpoint has for these filters (one request for one item).</summary>
    public async Task<long> CountAsync(string path, IReadOnlyList<(string Name, string Value)> query)
    {
        var page = await Client.SendAsync("GET", path, [.. query, ("limit", "1")], null, Ct);
        return page.GetProperty("count").GetInt64();
    }

    /// <summary>One object, or a one-line "not found" naming it.</summary>
    public async Task<JsonElement> DetailAsync(string resource, string noun, long id)
    {
        try
        {
            return await Client.SendAsync("GET", $"/api/v1/{resource}/{Text(id)}", [], null, Ct);
        }
        catch (RecordsApiException e) when (e.Status == 404)
        {
            throw new RecordsCliException($"{noun} {Text(id)} not found");
        }
    }

    public static string Text(long n) => n.ToString(CultureInfo.InvariantCulture);
}
