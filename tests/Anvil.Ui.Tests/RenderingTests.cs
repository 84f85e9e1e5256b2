using Anvil.Server.Ui.Html;

namespace Anvil.Ui.Tests;

/// <summary>The C# renderers: ANSI to HTML, YAML and JSON highlighting, always escaped.</summary>
[Trait("Category", "Integration")]
public sealed class RenderingTests
{
    [Fact]
    public void Ansi_ColoursBecomeClasses_TextIsEscaped_OtherEscapesVanish()
    {
        Assert.Equal("<span class=\"a-f2\">ok: [web]</span> done",
            AnsiHtml.Render("\u001b[0;32mok: [web]\u001b[0m done"));
        Assert.Equal("<span class=\"a-b a-f9\">fatal</span>", AnsiHtml.Render("\u001b[1;31mfatal\u001b[0m"));
        Assert.Equal("&lt;b&gt; &amp; &quot;x&quot;", AnsiHtml.Render("<b> & \"x\""));
        Assert.Equal("ab", AnsiHtml.Render("a\u001b[2Kb\u0007")); // erase-line and bell dropped
        Assert.Equal("<span class=\"a-f4 a-g3\">x</span>", AnsiHtml.Render("\u001b[38;5;4;43mx"));
        Assert.Equal("x", AnsiHtml.Render("\u001b[38;2;1;2;3mx")); // true colour is not kept
        Assert.Equal("<span class=\"a-f1\">&lt;script&gt;</span>", AnsiHtml.Render("\u001b[31m<script>"));
        Assert.Equal("cut", AnsiHtml.Render("cut\u001b[3")); // a sequence cut short
    }

    [Fact]
    public void Ansi_ColourCarriesOverAcrossAppends()
    {
        var sb = new System.Text.StringBuilder();
        var ansi = new AnsiHtml();
        ansi.Append(sb, "\u001b[33mone");
        ansi.Close(sb);
        sb.Append('|');
        ansi.Append(sb, "two\u001b[0m three");
        ansi.Close(sb);
        Assert.Equal("<span class=\"a-f3\">one</span>|<span class=\"a-f3\">two</span> three", sb.ToString());
    }

    [Fact]
    public void Yaml_HighlightsKeysStringsLiteralsJinjaAndComments_LineByLine()
    {
        var lines = YamlHtml.Lines("""
            ---
            # a comment
            - name: "say {{ greeting }}"
              hosts: all
              gather_facts: false
              vars: {port: 8080, tags: [a, b]}
              shell: |
                echo <hi> # not a comment
              when: x # comment
            """);
        Assert.Equal(9, lines.Count);
        Assert.Equal("<span class=\"y-p\">---</span>", lines[0]);
        Assert.Equal("<span class=\"y-c\"># a comment</span>", lines[1]);
        Assert.Equal("<span class=\"y-p\">-</span> <span class=\"y-k\">name</span><span class=\"y-p\">:</span> <span class=\"y-s\">&quot;say <span class=\"y-j\">{{ greeting }}</span>&quot;</span>", lines[2]);
        Assert.Contains("<span class=\"y-n\">false</span>", lines[4], StringComparison.Ordinal);
        Assert.Contains("<span class=\"y-k\">port</span><span class=\"y-p\">:</span> <span class=\"y-n\">8080</span>", lines[5], StringComparison.Ordinal);
        Assert.Contains("<span class=\"y-p\">|</span>", lines[6], StringComparison.Ordinal);
        Assert.Equal("<span class=\"y-s\">    echo &lt;hi&gt; # not a comment</span>", lines[7]);
        Assert.EndsWith("<span class=\"y-c\"># comment</span>", lines[8], StringComparison.Ordinal);
    }

    [Fact]
    public void Json_IsCollapsibleEscapedAndTyped()
    {
        var html = JsonHtml.Render("""{"a":[1,true,null],"s":"<x>","m":"l1\nl2","e":{}}""");
        Assert.StartsWith("<details class=\"j\" open><summary>{ 4 keys }</summary>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"j-n\">1</span>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"j-b\">true</span>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"j-s\">&lt;x&gt;</span>", html, StringComparison.Ordinal);
        Assert.Contains("<pre class=\"j-pre\">l1\nl2</pre>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"j-z\">{}</span>", html, StringComparison.Ordinal);
        Assert.Equal("<pre class=\"j-pre\">not &lt;json&gt;</pre>", JsonHtml.Render("not <json>"));
    }

    [Fact]
    public void Json_FieldsPutWhatMattersFirst_AndFlattenFacts()
    {
        var fields = JsonHtml.Fields("""{"changed":false,"stdout":"x","msg":"m","stdout_lines":["x"]}""", ["msg", "stdout"]);
        Assert.Equal(["msg", "stdout", "changed", "stdout_lines"], fields.Select(f => f.Key));
        Assert.StartsWith("<details class=\"j\">", fields[3].Html, StringComparison.Ordinal); // closed: it repeats stdout

        var facts = JsonHtml.Flatten("""{"a":{"b":1,"c":"x"},"ips":["1.1.1.1"],"mounts":[{"dev":"/"}]}""");
        Assert.Equal([("a.b", "1"), ("a.c", "x"), ("ips", "[\"1.1.1.1\"]"), ("mounts[0].dev", "/")], facts);
        Assert.Empty(JsonHtml.Flatten("{}"));
    }

    [Fact]
    public void Durations_ReadAsPeopleSayThem()
    {
        Assert.Equal("0.42 s", Fmt.Duration(420_000));
        Assert.Equal("12.3 s", Fmt.Duration(12_300_000));
        Assert.Equal("4 m 05 s", Fmt.Duration(245_000_000));
        Assert.Equal("2 h 03 m", Fmt.Duration((2 * 3600 + 3 * 60) * 1_000_000L));
        Assert.Equal("", Fmt.Duration(null));
    }
}
