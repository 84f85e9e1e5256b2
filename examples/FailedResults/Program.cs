// The ARA 1.0 announcement's client example, in C#: failed playbooks -> their failed results -> task, file and host.
// Runs against a server (--server URL) or, with no server at all, on the local records database (the default).
using Anvil.Client;

var server = args.SkipWhile(a => a != "--server").Skip(1).FirstOrDefault();
var database = args.SkipWhile(a => a != "--database").Skip(1).FirstOrDefault();

await using var client = server is not null
    ? RecordsClient.Http(server, Environment.GetEnvironmentVariable("ANVIL_USERNAME"), Environment.GetEnvironmentVariable("ANVIL_PASSWORD"))
    : await RecordsClient.Offline(database);

// Get a list of failed playbooks: /api/v1/playbooks?status=failed
var playbooks = await client.GetAsync("/api/v1/playbooks", ("status", "failed"));

// If there are any failed playbooks, retrieve their failed results and provide some insight.
foreach (var playbook in playbooks.GetProperty("results").EnumerateArray())
{
    // /api/v1/results?playbook=<:id>&status=failed
    var results = await client.GetAsync("/api/v1/results",
        ("playbook", playbook.GetProperty("id").ToString()), ("status", "failed"));

    foreach (var result in results.GetProperty("results").EnumerateArray())
    {
        // The task that produced this result, the file it is defined in, and the host it ran on.
        var task = await client.GetAsync($"/api/v1/tasks/{result.GetProperty("task")}");
        var file = await client.GetAsync($"/api/v1/files/{task.GetProperty("file").GetProperty("id")}");
        var host = await client.GetAsync($"/api/v1/hosts/{result.GetProperty("host")}");

        Console.WriteLine($"Failure on {host.GetProperty("name")}: '{task.GetProperty("name")}' " +
                          $"({file.GetProperty("path")}:{task.GetProperty("lineno")})");
    }
}
