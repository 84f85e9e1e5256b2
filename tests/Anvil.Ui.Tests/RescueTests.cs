using System.Text.RegularExpressions;
using Anvil.Tests.Shared;

namespace Anvil.Ui.Tests;

/// <summary>A failure that a block's rescue handled is not what failed: the playbook page's failures box labels it
/// "rescued", next to the failure that did stop the run (a real run, recorded by <c>anvil run</c>; plain HTTP).</summary>
[Trait("Category", "Integration")]
public sealed class RescueTests
{
    [Fact]
    public async Task WhatFailed_LabelsRescuedFailures_AndKeepsTheOthersFailed()
    {
        using var home = new TempDir();
        using var pdd = new TempDir(RepoPaths.FixturePdd);
        pdd.File("project/rescue_then_fail.yml", """
            ---
            - name: rescue then fail
              hosts: localhost
              gather_facts: false
              tasks:
                - name: a block with a rescue
                  block:
                    - name: rescued task
                      ansible.builtin.fail:
                        msg: handled by the rescue
                  rescue:
                    - name: the rescue
                      ansible.builtin.debug:
                        msg: rescued
                - name: unrescued task
                  ansible.builtin.fail:
                    msg: nothing handles this
            """);
        await using var server = await AnvilServerProcess.StartAsync(Path.Combine(home.Path, "records.db"));
        Assert.Equal(2, await server.RecordAsync(pdd.Path, "rescue_then_fail.yml"));
        var id = await server.PlaybookIdAsync("rescue_then_fail.yml");
        var html = await server.Http.GetStringAsync($"/playbooks/{id}");

        // The run failed: the box is "What failed", and lists both failed results.
        var box = html[html.IndexOf("What failed", StringComparison.Ordinal)..html.IndexOf("id=\"hosts\"", StringComparison.Ordinal)];
        var items = Regex.Matches(box, "<li>.*?</li>", RegexOptions.Singleline).Select(m => m.Value).ToList();
        Assert.Equal(2, items.Count);
        var rescued = Assert.Single(items, i => i.Contains(">rescued task</a>", StringComparison.Ordinal));
        Assert.StartsWith("<li><span class=\"st rescued\">rescued</span> ", rescued, StringComparison.Ordinal);
        Assert.Contains("handled by the rescue", rescued, StringComparison.Ordinal);
        var failed = Assert.Single(items, i => i.Contains(">unrescued task</a>", StringComparison.Ordinal));
        Assert.StartsWith("<li><span class=\"st failed\">failed</span> ", failed, StringComparison.Ordinal);

        // What the label rests on: the host's recap counts one rescued and one failed.
        var host = (await server.ApiAsync($"/api/v1/hosts?playbook={id}")).GetProperty("results")[0];
        Assert.Equal(1, host.GetProperty("failed").GetInt32());
        // The API result keeps ARA's status: a rescued failure is a failed result there.
        var results = (await server.ApiAsync($"/api/v1/results?playbook={id}&status=failed")).GetProperty("count").GetInt32();
        Assert.Equal(2, results);
    }
}
