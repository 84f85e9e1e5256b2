using Anvil.Yaml;

namespace Anvil.Yaml.Tests;

public class DocumentTests
{
    private static Yaml11MappingNode Map(string text) => Assert.IsType<Yaml11MappingNode>(Yaml11Document.Load(text));

    private static string Get(Yaml11MappingNode map, string key) =>
        Assert.IsType<Yaml11ScalarNode>(map.Entries.Last(e => e.Key.Scalar.Text == key).Value).Scalar.PythonStr;

    [Fact]
    public void Empty_IsNull()
    {
        Assert.Null(Yaml11Document.Load(""));
        Assert.Null(Yaml11Document.Load("# only a comment\n"));
    }

    [Fact]
    public void Lines_AreOneBased()
    {
        var map = Map("a: 1\nb:\n  - x\n  - y\n");
        Assert.Equal(1, map.Line);
        var b = map.Entries[1];
        Assert.Equal(2, b.Key.Line);
        var seq = Assert.IsType<Yaml11SequenceNode>(b.Value);
        Assert.Equal(4, seq.Items[1].Line);
        Assert.Equal(5, seq.Items[1].Column);
    }

    [Fact]
    public void DuplicateKeys_LastWins_AsInPython()
    {
        var map = Map("a: 1\na: 2\n");
        Assert.Equal(2, map.Entries.Count);
        Assert.Equal("2", Get(map, "a"));
    }

    [Fact]
    public void AliasesAndMergeKeys_AreApplied()
    {
        var map = Map("base: &b {x: 1, y: 2}\nother: &o {y: 9, z: 3}\nc:\n  <<: [*b, *o]\n  x: 7\nd: *b\n");
        var c = Assert.IsType<Yaml11MappingNode>(map.Entries[2].Value);
        Assert.Equal("7", Get(c, "x"));
        Assert.Equal("2", Get(c, "y")); // the first merged mapping wins over the second
        Assert.Equal("3", Get(c, "z"));
        Assert.IsType<Yaml11MappingNode>(map.Entries[3].Value);
    }

    [Fact]
    public void TwoDocuments_AreAnError() =>
        Assert.Equal(2, Assert.Throws<Yaml11Exception>(() => Yaml11Document.Load("a: 1\n---\nb: 2\n")).Line);

    [Fact]
    public void BadYaml_NamesTheLine()
    {
        var e = Assert.Throws<Yaml11Exception>(() => Yaml11Document.Load("a: 1\nb: [1, 2\nc: 3\n"));
        Assert.InRange(e.Line, 2, 4);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ScalarErrors_CarryTheirPosition()
    {
        var e = Assert.Throws<Yaml11Exception>(() => Yaml11Document.Load("a: 1\nb: =\n"));
        Assert.Equal(2, e.Line);
        Assert.Equal(4, e.Column);
    }

    [Fact]
    public void ListKey_IsAnError() =>
        Assert.Contains("mapping key", Assert.Throws<Yaml11Exception>(() => Yaml11Document.Load("? [a, b]\n: 1\n")).Message);
}
