using System.Text.Json;
using Anvil.Galaxy.Versioning;

namespace Anvil.Galaxy.Tests;

[Trait("Category", "Integration")]
public class VersioningTests
{
    [Theory]
    [InlineData("1.0.0")]
    [InlineData("0.0.1-alpha.1+build.5")]
    [InlineData("10.20.30-rc.1")]
    [InlineData("1.0.0-0A.is.legal")]
    public void Parse_AcceptsSemanticVersions(string text) => Assert.True(SemVersion.TryParse(text, out _));

    [Theory]
    [InlineData("1.0")]
    [InlineData("v1.0.0")]
    [InlineData("01.0.0")]
    [InlineData("1.0.0-01")]
    [InlineData("1.0.0-")]
    [InlineData("1.0.0+")]
    [InlineData(" 1.0.0")]
    [InlineData("1.0.0.0")]
    public void Parse_RefusesWhatIsNotSemver(string text) => Assert.False(SemVersion.TryParse(text, out _));

    [Fact]
    public void Ordering_FollowsSemver_PrereleasesBeforeTheRelease_BuildIgnored()
    {
        string[] ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0"];
        for (var i = 0; i + 1 < ordered.Length; i++)
        {
            Assert.True(SemVersion.Parse(ordered[i]) < SemVersion.Parse(ordered[i + 1]), $"{ordered[i]} < {ordered[i + 1]}");
        }
        Assert.Equal(SemVersion.Parse("1.0.0+a"), SemVersion.Parse("1.0.0+b"));
    }

    [Theory]
    [InlineData("1.2.0", "==1.2", true)]
    [InlineData("1.0.1", ">1", true)]
    [InlineData("1.0.0", ">1", false)]
    [InlineData("1.5.0", ">=1.0.0,<2.0.0", true)]
    [InlineData("2.0.0", ">=1.0.0,<2.0.0", false)]
    [InlineData("2.0.0-beta.1", "<2.0.0", true)]
    [InlineData("3.0.0", "*", true)]
    [InlineData("1.0.0", "!=1.0.0", false)]
    [InlineData("1.0.0", "1.0.0", true)]
    [InlineData("1.0.0", "=1.0.0", true)]
    [InlineData("1.2.3", "<=1.2", false)]
    public void Range_MeetsAsAnsibleGalaxy(string version, string range, bool expected) =>
        Assert.Equal(expected, VersionRange.Parse(range).IsSatisfiedBy(version));

    [Theory]
    [InlineData(">= 1.0.0")]
    [InlineData("~1.0")]
    [InlineData("^1.0")]
    [InlineData("1.0.0,")]
    [InlineData("")]
    [InlineData(">=")]
    public void Range_RefusesWhatAnsibleGalaxyCannotRead(string range)
    {
        Assert.False(VersionRange.TryParse(range, out _, out var error));
        Assert.Contains("'", error);
    }

    [Theory]
    [InlineData("*", false)]
    [InlineData(">=1.0.0", false)]
    [InlineData("<2.0.0", false)]
    [InlineData("!=1.0.0", false)]
    [InlineData("==2.0.0-beta.1", true)]
    [InlineData("2.0.0-beta.1", true)]
    public void Range_AllowsPrereleasesOnlyWhenPinned(string range, bool pinned) =>
        Assert.Equal(pinned, VersionRange.Parse(range).AllowsPrereleases);

    /// <summary>The same answers as ansible-core's own code (meets_requirements and is_pre_release), run by the
    /// Python that runs ansible-galaxy, on a table of versions and ranges.</summary>
    [Fact]
    [Trait("Category", "Interop")]
    public async Task Range_AgreesWithAnsibleCore()
    {
        string[] versions = ["0.9.0", "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0-beta.1", "2.0.0-rc.2", "2.0.0", "2.0.1+build", "10.0.0"];
        string[] ranges = ["*", "1.0.0", "==1.2", "=1.0.0", "!=1.0.0", ">1", ">=1.0.0", "<2", "<=1.2.0", ">=1.0.0,<2.0.0", ">1.0.0,!=1.2.0,<10",
            "==2.0.0-beta.1", "<2.0.0-rc.1", ">=2.0.0-beta", "1.0.0.5", "2.0.1", ">=1.0.0-0", "==1"];
        var pairs = versions.SelectMany(v => ranges.Select(r => new[] { v, r })).ToList();
        var script = """
            import json, sys
            from ansible.galaxy.dependency_resolution.versioning import meets_requirements, is_pre_release
            pairs = json.load(sys.stdin)
            print(json.dumps([[meets_requirements(v, r), is_pre_release(v)] for v, r in pairs]))
            """;
        var input = Path.GetTempFileName();
        await File.WriteAllTextAsync(input, JsonSerializer.Serialize(pairs));
        try
        {
            var (code, output, error) = await Tools.RunAsync("/bin/sh", ["-c", $"/usr/bin/python3 -c \"$0\" < {input}", script]);
            Assert.True(code == 0, error);
            var answers = JsonSerializer.Deserialize<bool[][]>(output)!;
            for (var i = 0; i < pairs.Count; i++)
            {
                var (v, r) = (pairs[i][0], pairs[i][1]);
                Assert.True(answers[i][0] == VersionRange.Parse(r).IsSatisfiedBy(v), $"{v} against '{r}': ansible-core says {answers[i][0]}");
                Assert.Equal(answers[i][1], SemVersion.Parse(v).IsPrerelease);
            }
        }
        finally
        {
            File.Delete(input);
        }
    }

    [Theory]
    [InlineData("acme.demo", true)]
    [InlineData("Acme.Demo_2", true)]
    [InlineData("acme", false)]
    [InlineData("acme.demo.x", false)]
    [InlineData("1acme.demo", false)]
    [InlineData("acme.class", false)]
    [InlineData("acme-x.demo", false)]
    public void CollectionName_IsAPythonIdentifierPair(string text, bool valid) =>
        Assert.Equal(valid, CollectionName.TryParse(text, out _));

    [Theory]
    [InlineData("acme", null)]
    [InlineData("acme_2", null)]
    [InlineData("Acme", "must be lower-case letters, digits and _, starting with a letter")]
    [InlineData("_acme", "must be lower-case letters, digits and _, starting with a letter")]
    [InlineData("ac__me", "contains '__'")]
    public void GalaxyRule_IsTheServersRule(string name, string? why) => Assert.Equal(why, CollectionName.GalaxyRuleViolation(name));
}
