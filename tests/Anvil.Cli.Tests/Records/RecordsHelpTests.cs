using Anvil.Cli.Commands.Records;
using Anvil.Records.Resources;

namespace Anvil.Cli.Tests.Records;

/// <summary>The filters of <c>records X list</c> are the resource's, from its descriptor: the help's Filters group
/// names every one of them (dashed) and nothing else but the shortcuts listed here, which send values of the
/// resource's filters; <c>--order</c> names the resource's order fields.</summary>
public sealed class RecordsHelpTests
{
    public static TheoryData<string, string, string[]> Lists => new()
    {
        { "playbook", "playbooks", [] },
        { "play", "plays", [] },
        { "task", "tasks", [] },
        { "host", "hosts", ["--with-changed", "--without-changed", "--with-failed", "--without-failed", "--with-unreachable", "--without-unreachable", "--latest"] },
        { "result", "results", [] },
        { "file", "files", [] },
        { "record", "records", [] },
    };

    [Fact]
    public void ListColumns_AreFieldsOfTheDescriptor()
    {
        // Building the command tree builds every list's columns, each checked against its descriptor's fields.
        var root = AnvilCommandLine.Build();
        Assert.Contains(root.Subcommands, c => c.Name == "records");
        var wrong = Assert.Throws<InvalidOperationException>(() =>
            new ListSpec(RecordsResources.Playbooks, "x", [Fields.Id(), Fields.Text("no_such_field")], "-id"));
        Assert.Contains("'no_such_field'", wrong.Message);
        Assert.Contains("records playbook list", wrong.Message);
    }

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task ListHelp_NamesExactlyTheDescribedFilters(string noun, string resourceName, string[] shortcuts)
    {
        var resource = RecordsResources.Find(resourceName)!;
        var r = await Cli.RunAsync("records", noun, "list", "--help");
        Assert.Equal(0, r.Code);
        var lines = r.Out.Split('\n');
        var start = Array.IndexOf(lines, "Filters:");
        Assert.True(start >= 0, r.Out);
        var options = lines.Skip(start + 1).TakeWhile(l => l.Length > 0)
            .Select(l => l.Trim().Split(' ')[0]).ToList();
        string[] expected = [.. resource.Filters.Select(Filter.OptionName), .. shortcuts];
        Assert.Equal(expected.Order(StringComparer.Ordinal), options.Order(StringComparer.Ordinal));
        var order = lines.Single(l => l.TrimStart().StartsWith("--order ", StringComparison.Ordinal));
        Assert.Contains("sort by " + ResourceCommands.Orders(resource), order, StringComparison.Ordinal);
        foreach (var status in resource.StatusChoices)
        {
            Assert.Contains(status, lines.Single(l => l.TrimStart().StartsWith("--status ", StringComparison.Ordinal)), StringComparison.Ordinal);
        }
    }
}
