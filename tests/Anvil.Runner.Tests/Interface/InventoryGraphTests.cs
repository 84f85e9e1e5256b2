using Anvil.Runner.Interface;

namespace Anvil.Runner.Tests.Interface;

public class InventoryGraphTests
{
    [Fact]
    public void Parse_BuildsTheTreeWithVars()
    {
        const string text = """
            @all:
              |--@ungrouped:
              |  |--localhost
              |  |  |--{ansible_connection = local}
              |--@web:
              |  |--@frontends:
              |  |  |--web1
              |  |  |  |--{ansible_host = 10.0.0.1}
              |  |  |  |--{port = 80}
              |  |--web2
              |--@empty:

            """;
        var graph = InventoryGraph.Parse(text);
        var all = graph.Root;
        Assert.Equal(("all", true), (all.Name, all.IsGroup));
        Assert.Equal(["ungrouped", "web", "empty"], all.Children.Select(c => c.Name));
        var localhost = Assert.Single(all.Children[0].Children);
        Assert.Equal(("localhost", false), (localhost.Name, localhost.IsGroup));
        Assert.Equal("local", localhost.Vars["ansible_connection"]);
        var web = all.Children[1];
        Assert.Equal(["frontends", "web2"], web.Children.Select(c => c.Name));
        var web1 = Assert.Single(web.Children[0].Children);
        Assert.Equal(new Dictionary<string, string> { ["ansible_host"] = "10.0.0.1", ["port"] = "80" }, web1.Vars);
        Assert.Empty(all.Children[2].Children);
        Assert.Equal(text, graph.Text);
    }
}
