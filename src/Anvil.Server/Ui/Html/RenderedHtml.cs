using Microsoft.AspNetCore.Html;

namespace Anvil.Server.Ui.Html;

/// <summary>
/// The one way markup built by the renderers of this folder reaches a page. <see cref="JsonHtml"/>,
/// <see cref="AnsiHtml"/>, <see cref="YamlHtml"/> and <see cref="MarkdownHtml"/> write their own tags and pass every
/// piece of text through <see cref="Fmt.Escape(string?)"/> (or, for Markdown, through Markdig with raw HTML
/// disabled), so what they produce is already safe; typing it as <see cref="IHtmlContent"/> here means pages never
/// need <c>Html.Raw</c>, and a string that did not come from a renderer cannot be written unencoded by mistake.
/// </summary>
internal static class RenderedHtml
{
    /// <summary>Markup produced by a renderer of this folder (never text from a request or a record).</summary>
    internal static IHtmlContent From(string renderedMarkup) => new HtmlString(renderedMarkup);
}
