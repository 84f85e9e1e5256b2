using Markdig;
using Microsoft.AspNetCore.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Anvil.Server.Ui.Html;

/// <summary>
/// A collection's README (Markdown, written by whoever uploads) as HTML that cannot run or load anything: raw HTML is
/// not parsed (it shows as text), links keep only <c>http</c>, <c>https</c>, <c>mailto</c> and in-page targets
/// (others become their text), images become links to the image (the page's CSP would refuse to load them anyway,
/// and every refusal is a console error), and headings move two levels down, below the page's own "README" heading.
/// Only CommonMark with pipe tables, strikethrough, bare-URL links and task lists: Markdig's generic attributes
/// (<c>{onclick=…}</c>) and similar extensions are deliberately left out.
/// </summary>
internal static class MarkdownHtml
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .UseTaskLists()
        .UseReferralLinks("nofollow", "noopener", "noreferrer")
        .Build();

    private static readonly string[] SafeSchemes = ["http", "https", "mailto"];

    /// <summary>The README as HTML for a page: safe by construction (see the type's summary), hence typed.</summary>
    public static IHtmlContent Content(string markdown) => RenderedHtml.From(Render(markdown));

    /// <summary>The markup of <see cref="Content"/>.</summary>
    public static string Render(string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var heading in document.Descendants<HeadingBlock>())
        {
            heading.Level = Math.Min(6, heading.Level + 2);
        }
        // Collected first: the tree changes while links are unwrapped.
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            if (!IsSafe(link.Url))
            {
                Unwrap(link);
            }
            else if (link.IsImage)
            {
                link.IsImage = false;
                if (link.FirstChild is null)
                {
                    link.AppendChild(new LiteralInline("image"));
                }
            }
        }
        foreach (var link in document.Descendants<AutolinkInline>().ToList())
        {
            if (!link.IsEmail && !IsSafe(link.Url))
            {
                link.ReplaceBy(new LiteralInline(link.Url));
            }
        }
        return document.ToHtml(Pipeline);
    }

    /// <summary>An absolute URL with a safe scheme, or a fragment of this page.</summary>
    internal static bool IsSafe(string? url) =>
        url is not null &&
        (url.StartsWith('#') ||
         Uri.TryCreate(url, UriKind.Absolute, out var uri) && SafeSchemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase));

    /// <summary>Replaces a link with its text (an image with its alternative text).</summary>
    private static void Unwrap(LinkInline link)
    {
        while (link.FirstChild is { } child)
        {
            child.Remove();
            link.InsertBefore(child);
        }
        link.Remove();
    }
}
