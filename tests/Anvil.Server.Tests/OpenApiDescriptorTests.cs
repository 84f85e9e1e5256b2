using System.Net;
using System.Text.Json;
using Anvil.Records.Resources;

namespace Anvil.Server.Tests;

/// <summary>The OpenAPI document is written from the resource descriptors: each list endpoint's parameters are
/// paging, order and exactly the resource's filters, in its order, each with its kind; status filters offer the
/// resource's statuses; the order parameter names the resource's order fields.</summary>
public class OpenApiDescriptorTests
{
    [Fact]
    public async Task ListParameters_AreTheDescribedFilters()
    {
        await using var server = await RunningServer.StartAsync();
        using var response = await server.Http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("paths");
        foreach (var resource in RecordsResources.All)
        {
            var list = paths.GetProperty($"/api/v1/{resource.Name}");
            Assert.Equal(!resource.ReadOnly, list.TryGetProperty("post", out _));
            var parameters = list.GetProperty("get").GetProperty("parameters").EnumerateArray().ToList();
            Assert.Equal(["limit", "offset", "order", .. resource.Filters.Select(f => f.Name)],
                parameters.Select(p => p.GetProperty("name").GetString()));
            var order = parameters[2].GetProperty("description").GetString()!;
            Assert.EndsWith(": " + string.Join(", ", resource.Orders.Select(o => o.Name)), order);
            foreach (var (filter, p) in resource.Filters.Zip(parameters.Skip(3)))
            {
                var schema = p.GetProperty("schema");
                var type = schema.GetProperty("type").GetString();
                switch (filter.Kind)
                {
                    case FilterKind.Status:
                        Assert.Equal("array", type);
                        Assert.Equal(filter.Choices, schema.GetProperty("items").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
                        break;
                    case FilterKind.Id or FilterKind.Number:
                        Assert.Equal("integer", type);
                        break;
                    case FilterKind.Bool:
                        Assert.Equal("boolean", type);
                        break;
                    default:
                        Assert.Equal("string", type);
                        break;
                }
                Assert.Equal($"{resource.Name} {filter.Description}", p.GetProperty("description").GetString());
            }
            Assert.True(paths.TryGetProperty($"/api/v1/{resource.Name}/{{{resource.Key}}}", out _), resource.Name);
        }
    }
}
