/// The Content-Security-Policy of every HTML page trailpack writes, defined once: the site's
/// layout and the `diff` command's standalone layout write it through `{{site.csp}}`. No
/// script, styles and images from the site itself only (images also as `data:`), no base URL,
/// no form target.
enum ContentSecurityPolicy {
    /// The policy (a literal: it reaches pages unescaped).
    static let value: StaticString =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"

    /// The policy as a template value, written as it is by `{{site.csp}}` (an attribute value
    /// in double quotes: it holds no `"`, `&`, `<` or `>`).
    static var templateValue: TemplateValue {
        var html = SafeHTML()
        html.append(value)
        var markdown = SafeMarkdown()
        markdown.append(value)
        return .fragment(TemplateFragment(html: html, markdown: markdown))
    }
}
