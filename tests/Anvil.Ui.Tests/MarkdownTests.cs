using Anvil.Server.Registry;
using Anvil.Server.Ui;
using Anvil.Server.Ui.Html;

namespace Anvil.Ui.Tests;

/// <summary>The README renderer: Markdown becomes HTML, and nothing in it can become script or load anything.</summary>
[Trait("Category", "Integration")]
public sealed class MarkdownTests
{
    [Fact]
    public void Markdown_IsRendered_WithTablesStrikethroughTaskListsAndCode()
    {
        var html = MarkdownHtml.Render("""
            # Title

            Some *em*, **strong**, ~~old~~ and `code`; see https://example.com/x.

            | a | b |
            |---|---|
            | 1 | 2 |

            - [x] done

            ```yaml
            key: <value>
            ```
            """);
        Assert.Contains("<h3>Title</h3>", html, StringComparison.Ordinal); // two levels below the page's own headings
        Assert.Contains("<em>em</em>, <strong>strong</strong>, <del>old</del> and <code>code</code>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://example.com/x\" rel=\"nofollow noopener noreferrer\">https://example.com/x</a>", html, StringComparison.Ordinal);
        Assert.Contains("<td>2</td>", html, StringComparison.Ordinal);
        Assert.Contains("type=\"checkbox\"", html, StringComparison.Ordinal);
        Assert.Contains("<code class=\"language-yaml\">key: &lt;value&gt;", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<div onclick=\"alert(1)\">x</div>")]
    [InlineData("text <img src=x onerror=alert(1)> text")]
    [InlineData("<iframe src=\"https://example.com\"></iframe>")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>")]
    public void RawHtml_IsText(string markdown)
    {
        var html = MarkdownHtml.Render(markdown);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<iframe", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<div", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<a ", html, StringComparison.Ordinal);
        Assert.Contains("&lt;", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[x](javascript:alert(1))", "x")]
    [InlineData("[x](JavaScript:alert(1))", "x")]
    [InlineData("[x](&#106;avascript:alert(1))", "x")]
    [InlineData("[x](data:text/html;base64,PHNjcmlwdD4=)", "x")]
    [InlineData("[x](vbscript:msgbox)", "x")]
    [InlineData("[x][r]\n\n[r]: javascript:alert(1)", "x")]
    [InlineData("<javascript:alert(1)>", "javascript:alert(1)")]
    [InlineData("[relative](docs/usage.md)", "relative")]
    [InlineData("![alt](javascript:alert(1))", "alt")]
    public void UnsafeOrRelativeLinks_BecomeTheirText(string markdown, string text)
    {
        var html = MarkdownHtml.Render(markdown);
        Assert.DoesNotContain("<a", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Contains(text, html, StringComparison.Ordinal);
    }

    [Fact]
    public void SafeLinksStay_AndImagesBecomeLinks()
    {
        Assert.Contains("<a href=\"mailto:ops@example.com\"", MarkdownHtml.Render("[mail](mailto:ops@example.com)"), StringComparison.Ordinal);
        Assert.Contains("<a href=\"#usage\"", MarkdownHtml.Render("[usage](#usage)"), StringComparison.Ordinal);
        var image = MarkdownHtml.Render("![build status](https://ci.example.com/badge.svg) ![](https://example.com/a.png)");
        Assert.DoesNotContain("<img", image, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://ci.example.com/badge.svg\" rel=\"nofollow noopener noreferrer\">build status</a>", image, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://example.com/a.png\" rel=\"nofollow noopener noreferrer\">image</a>", image, StringComparison.Ordinal);
    }

    [Fact]
    public void Attributes_CannotBeInjected()
    {
        // Markdig's generic attributes extension is not enabled: {…} stays text.
        var html = MarkdownHtml.Render("# Title {onclick=\"alert(1)\"}\n\n[x](https://example.com \"t\\\" onmouseover=\\\"alert(1)\")");
        Assert.DoesNotContain("onclick=\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("onmouseover=\"", html, StringComparison.Ordinal);
        Assert.Contains("title=\"t&quot; onmouseover=&quot;alert(1)\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Metadata_IsReadLeniently()
    {
        var m = CollectionMetadata.Parse("""
            {"authors": ["A", 3], "license": "MIT", "tags": null, "dependencies": {"b.c": ">=1.0.0", "a.b": "*"},
             "repository": "https://x.example/r", "documentation": "", "homepage": 5}
            """);
        Assert.Equal(["A"], m.Authors);
        Assert.Equal(["MIT"], m.License);
        Assert.Empty(m.Tags);
        Assert.Equal(["a.b", "b.c"], m.Dependencies.Select(d => d.Name));
        Assert.Equal("https://x.example/r", m.Repository);
        Assert.Null(m.Documentation);
        Assert.Null(m.Homepage);
        Assert.True(CollectionMetadata.IsWebUrl("https://x.example/r"));
        Assert.False(CollectionMetadata.IsWebUrl("javascript:alert(1)"));
        Assert.Empty(CollectionMetadata.Parse("[]").Authors);
        Assert.Equal([new ContentEntry("echo", "module"), new ContentEntry("web", "role")],
            CollectionMetadata.ParseContents("""[{"name": "web", "content_type": "role"}, {"name": "echo", "content_type": "module"}, 4]"""));
    }
}
