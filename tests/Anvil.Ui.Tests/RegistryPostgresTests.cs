using System.Net;
using Anvil.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Anvil.Ui.Tests;

/// <summary>The registry's pages on PostgreSQL: their own queries (import lists, hosted dependencies) run there too.</summary>
[Trait("Category", "Integration")]
public sealed class RegistryPostgresTests
{
    [Fact]
    public async Task RegistryPages_WorkOnPostgres()
    {
        using var cluster = new PostgresCluster();
        cluster.CreateDatabase("registry_ui");
        await using var server = await LocalServer.StartAsync(database: cluster.ConnectionString("registry_ui"));
        await server.AddUserAsync("carol", "carol-pw");
        var store = server.App.Services.GetRequiredService<RegistryStore>();
        await store.CreateNamespaceAsync("pgns", "carol", "On PostgreSQL");
        foreach (var (name, version, dependencies) in new[]
                 {
                     ("lib", "1.0.0", "{}"), ("lib", "1.1.0-rc.1", "{}"),
                     ("app", "2.0.0", "{\"pgns.lib\": \">=1.0.0\", \"elsewhere.thing\": \"*\"}"),
                 })
        {
            var import = await store.CreateImportAsync("carol", $"pgns-{name}-{version}.tar.gz", "pgns", name, version);
            Directory.CreateDirectory(store.StagingPath);
            var staged = Path.Combine(store.StagingPath, Guid.NewGuid().ToString("N"));
            await File.WriteAllTextAsync(staged, "artifact bytes");
            await store.AddVersionAsync(new NewVersion
            {
                Namespace = "pgns",
                Name = name,
                Version = version,
                Sha256 = new string('b', 64),
                Size = 14,
                MetadataJson = $"{{\"namespace\": \"pgns\", \"name\": \"{name}\", \"version\": \"{version}\", \"dependencies\": {dependencies}, \"license\": [\"MIT\"]}}",
                Description = $"{name} on postgres",
                Uploader = "carol",
                ImportId = import.Id,
                Readme = "# Hello\n\n<b>raw</b>",
            }, staged);
            await store.UpdateImportAsync(import.Id, ImportState.Completed, [new ImportMessage(ImportMessage.Info, "done", DateTimeOffset.UtcNow)]);
        }
        var refused = await store.CreateImportAsync("carol", "pgns-lib-9.0.0.tar.gz", "pgns", "lib", "9.0.0");
        await store.UpdateImportAsync(refused.Id, ImportState.Failed,
            [new ImportMessage(ImportMessage.Error, "pg refusal", DateTimeOffset.UtcNow)], "ImporterError", "pg refusal");

        var list = await server.Http.GetStringAsync("/collections?q=postgres");
        Assert.Contains("href=\"/collections/pgns/lib/1.0.0\">1.0.0</a>", list, StringComparison.Ordinal); // not the rc
        Assert.Contains("<span class=\"label\">carol</span>", list, StringComparison.Ordinal);
        var app = await server.Http.GetStringAsync("/collections/pgns/app");
        Assert.Contains("<td><a href=\"/collections/pgns/lib\">pgns.lib</a></td>", app, StringComparison.Ordinal);
        Assert.Contains("<td>elsewhere.thing</td>", app, StringComparison.Ordinal);
        Assert.Contains("<h3>Hello</h3>", app, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;raw&lt;/b&gt;", app, StringComparison.Ordinal);
        var lib = await server.Http.GetStringAsync("/collections/pgns/lib");
        Assert.Contains("pre-release", lib, StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/imports");
        request.Headers.Authorization = LocalServer.Basic("carol", "carol-pw");
        using var response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var imports = await response.Content.ReadAsStringAsync();
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(imports, "href=\"/imports/[0-9a-f-]+\">pgns\\.").Count);
        Assert.Contains("<span class=\"msg\">pg refusal</span>", imports, StringComparison.Ordinal);
        // Newest first: the refused import was made last.
        Assert.True(imports.IndexOf(refused.Id, StringComparison.Ordinal) < imports.IndexOf("pgns.app", StringComparison.Ordinal));
    }
}
