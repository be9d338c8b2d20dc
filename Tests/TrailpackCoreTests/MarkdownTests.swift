import Foundation
import Testing
@testable import TrailpackCore

/// A small deterministic generator (SplitMix64) for the property tests.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
}

struct MarkdownTests {
    static let attacks = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "</td></table>",
        "text </td></table> <script>alert(1)</script> inline",
        "[x](java&#x09;script:alert(1))",
        "[x](&#x20;javascript:alert(1))",
        "<javascript:alert(1)>",
        "[x](vbscript:msgbox(1)) [y](file:///etc/passwd) [z](data:text/html,<script>alert(1)</script>)",
        "![x](javascript:alert(1))",
        "[x]: javascript:alert(1)\n\n[x]",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<!-- comment --><?php x ?><![CDATA[y]]>",
        "<div>\n<script>alert(1)</script>\n</div>",
        "- <svg onload=alert(1)>\n- ok",
        // libcmark writes an autolink verbatim: without percent-encoding this URL the twin
        // would read back as `<http:<img src=x onerror=alert(1)>>`.
        "[http:&lt;img src=x onerror=alert(1)&gt;](<http:&lt;img src=x onerror=alert(1)&gt;>)",
        "~~~ a`b\n<script>alert(1)</script>\n~~~\n",
    ]

    @Test func rendersCommonMark() {
        #expect(Markdown.html("# Title\n\nSome *em* and **strong** `code`.\n\n- a\n- b\n\n1. one\n")
            == "<h1>Title</h1>\n<p>Some <em>em</em> and <strong>strong</strong> <code>code</code>.</p>\n"
            + "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<ol>\n<li>one</li>\n</ol>\n")
        #expect(Markdown.html("> quote\n\n    code\n") == "<blockquote>\n<p>quote</p>\n</blockquote>\n<pre><code>code\n</code></pre>\n")
        #expect(Markdown.html("[a](https://example.org/?q=1&r=\"2\" \"t\")")
            == "<p><a href=\"https://example.org/?q=1&amp;r=%222%22\" title=\"t\">a</a></p>\n")
        #expect(Markdown.html("") == "")
    }

    @Test func noTablesNoSmartPunctuation() {
        #expect(Markdown.html("| a | b |\n|---|---|\n| 1 | 2 |") == "<p>| a | b |\n|---|---|\n| 1 | 2 |</p>\n")
        #expect(Markdown.html("\"quotes\" -- dash...") == "<p>&quot;quotes&quot; -- dash...</p>\n")
    }

    @Test func invalidInputIsReplacedNotDropped() {
        #expect(Markdown.html("a\u{0}b") == "<p>a\u{FFFD}b</p>\n")
    }

    @Test("No active content in the HTML", arguments: attacks)
    func htmlIsInert(input: String) {
        let html = Markdown.html(input)
        #expect(!html.lowercased().contains("<script"), "\(html)")
        #expect(!Self.hasEventHandler(html), "\(html)")
        #expect(!html.lowercased().contains("<svg"), "\(html)")
        #expect(!html.contains("</table>"), "\(html)")
        #expect(!html.contains("</td>"), "\(html)")
        #expect(!html.lowercased().contains("href=\"javascript:"), "\(html)")
        #expect(!html.lowercased().contains("href=\"vbscript:"), "\(html)")
        #expect(!html.lowercased().contains("href=\"file:"), "\(html)")
        #expect(!html.lowercased().contains("href=\"data:"), "\(html)")
        #expect(!html.lowercased().contains("src=\"javascript:"), "\(html)")
        #expect(Self.onlyCmarkTags(html), "\(html)")
    }

    @Test("No active content in the Markdown twin", arguments: attacks)
    func twinIsInert(input: String) throws {
        let unchecked = try #require(Markdown.renderTwin(input))
        #expect(Markdown.isInert(unchecked), "\(unchecked)")
        let twin = Markdown.commonmark(input)
        #expect(twin == unchecked)
        // What a viewer shows of the twin: rendering it again is as inert as the page.
        let html = Markdown.html(twin)
        #expect(!html.contains("raw HTML omitted"), "\(html)")
        #expect(!html.lowercased().contains("<script"), "\(html)")
        #expect(!Self.hasEventHandler(html), "\(html)")
        #expect(!html.lowercased().contains("href=\"javascript:"), "\(html)")
        #expect(Self.onlyCmarkTags(html), "\(html)")
    }

    @Test func rawHTMLStaysVisibleInTheTwin() {
        #expect(Markdown.commonmark("<script>alert(1)</script>") == "``` \n<script>alert(1)</script>\n```\n")
        #expect(Markdown.commonmark("a <b>bold</b>") == "a \\<b\\>bold\\</b\\>\n")
        #expect(Markdown.commonmark("[x](javascript:alert(1))") == "[x]()\n")
        #expect(Markdown.commonmark("[http:&lt;x&gt;](<http:&lt;x&gt;>)") == "[http:\\<x\\>](http:%3Cx%3E)\n")
    }

    @Test func inertnessCheck() {
        #expect(!Markdown.isInert("<b>x</b>"))
        #expect(!Markdown.isInert("[x](javascript:y)"))
        #expect(Markdown.isInert("<http://x> <a@b.c>"))
        #expect(Markdown.isInert("<!-- end list -->\n"))
        #expect(!Markdown.isInert("<!-- other -->\n"))
    }

    @Test("Fallback code block holds anything", arguments: attacks + ["```\n<script>x</script>\n````", "\u{0}<b>", ""])
    func fallbackCodeBlock(input: String) throws {
        let block = try #require(Markdown.codeBlock(input))
        #expect(Markdown.isInert(block), "\(block)")
        #expect(Markdown.plainText(block) == Self.collapse(input.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")))
    }

    @Test("Safe URLs", arguments: [
        ("https://example.org/a?b#c", false, "https://example.org/a?b#c"),
        ("HTTP://x", false, "HTTP://x"),
        ("mailto:a@b.c", false, "mailto:a@b.c"),
        ("relative/path.html", false, "relative/path.html"),
        ("#frag", false, "#frag"),
        ("/abs", false, "/abs"),
        ("a b<c>", false, "a%20b%3Cc%3E"),
        ("javascript:alert(1)", false, ""),
        ("  JavaScript:alert(1)", false, ""),
        ("java\tscript:alert(1)", false, ""),
        ("\u{1}javascript:alert(1)", false, ""),
        ("vbscript:x", false, ""),
        ("file:///etc/passwd", false, ""),
        ("ms-msdt:/id", false, ""),
        ("data:image/png;base64,AA", true, "data:image/png;base64,AA"),
        ("data:image/png;base64,AA", false, ""),
        ("data:image/svg+xml,<svg>", true, ""),
        ("data:text/html,x", true, ""),
        ("./javascript:alert(1)", false, "./javascript:alert(1)"),
    ])
    func safeURL(url: String, image: Bool, expected: String) {
        #expect(Markdown.safeURL(url, image: image) == expected)
    }

    @Test func plainText() {
        #expect(Markdown.plainText("# Title *with* `code`\n\nPara\nnext <b>x</b> [link](http://x)") == "Title with code Para next x link")
        #expect(Markdown.plainText("") == "")
    }

    /// Random Markdown-like inputs: the unchecked twin is always inert and the HTML only
    /// holds tags libcmark writes.
    @Test func randomInputsStayInert() {
        let tokens = ["<", ">", "`", "```", "~~~", "[", "]", "](", "(", ")", "javascript:", "http:", "ab:",
                      "<script>", "</script>", "<!--", "-->", "<?", "<![CDATA[", "<div>", "<a href=x>", "\n", "\n\n",
                      " ", "    ", "\t", "&lt;", "&#x3C;", "&amp;", "\\", "*", "_", "-", "+", "=", "1.", "> ",
                      "- ", "|", "!", "\"", "'", "x", "é", "<http://x>", "<x@y.z>", "&#0;", "\r", "#", "---",
                      "<img src=x onerror=alert(1)>", "[a]: ", "\u{0}", "<b", "  \n"]
        var rng = SplitMix64(state: 1)
        for _ in 0..<5_000 {
            let input = (0..<Int(rng.next() % 20 + 1)).map { _ in rng.pick(tokens) }.joined()
            let twin = Markdown.renderTwin(input) ?? ""
            #expect(Markdown.isInert(twin), "\(input.debugDescription) -> \(twin.debugDescription)")
            let html = Markdown.html(input)
            #expect(Self.onlyCmarkTags(html), "\(input.debugDescription) -> \(html.debugDescription)")
        }
    }

    /// Text escaped with `Escape.markdownText` / `markdownTableCell` reads back as the same text.
    @Test func escapedTextRendersLiterally() {
        let pieces = ["<", ">", "&", "&amp;", "&#60;", "`", "*", "_", "[", "]", "(", ")", "!", "#", "-", "+", "=",
                      "|", "~", "$", "\\", ".", "1", "42", " ", "    ", "\t", "\n", "\r\n", "\n\n", "x", "é", "😀",
                      "<script>", "javascript:", "](", "---", "***", "> ", "- ", "1. ", "```", "~~~", "<http://x>"]
        var rng = SplitMix64(state: 2)
        for _ in 0..<5_000 {
            let text = (0..<Int(rng.next() % 16 + 1)).map { _ in rng.pick(pieces) }.joined()
            let expected = Self.collapse(text)
            #expect(Markdown.plainText(Escape.markdownText(text)) == expected, "\(text.debugDescription)")
            #expect(Markdown.plainText(Escape.markdownTableCell(text)) == expected, "\(text.debugDescription)")
            #expect(Markdown.isInert(Escape.markdownText(text)))
            #expect(!Markdown.html(Escape.markdownText(text)).contains("<a "))
        }
    }

    static func collapse(_ s: String) -> String {
        s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).joined(separator: " ")
    }

    /// Whether a tag in `html` has an `on…=` attribute (text such as `&lt;img onerror=` is inert).
    static func hasEventHandler(_ html: String) -> Bool {
        html.range(of: "<[a-zA-Z][^>]*\\son[a-zA-Z]+\\s*=", options: .regularExpression) != nil
    }

    /// Whether every tag in `html` is one libcmark writes, with only its attributes, quoted.
    static func onlyCmarkTags(_ html: String) -> Bool {
        let allowed: Set<String> = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre",
                                    "code", "em", "strong", "a", "img", "hr", "br"]
        guard let tag = try? NSRegularExpression(pattern: "<(/?)([^\\s>/]+)([^>]*)>"),
              let attrs = try? NSRegularExpression(pattern: "^(?: (?:href|src|alt|title|class|start)=\"[^\"<>]*\")*(?: /)?$")
        else { return false }
        let ns = html as NSString
        for m in tag.matches(in: html, range: NSRange(location: 0, length: ns.length)) {
            let whole = ns.substring(with: m.range)
            if whole == "<!-- raw HTML omitted -->" { continue }
            let name = ns.substring(with: m.range(at: 2))
            let rest = ns.substring(with: m.range(at: 3))
            if !allowed.contains(name) { return false }
            if attrs.firstMatch(in: rest, range: NSRange(location: 0, length: (rest as NSString).length)) == nil { return false }
        }
        return true
    }
}

@Suite("Markdown link targets")
struct MarkdownLinkTargetTests {
    @Test func safeURLsAreMappedAndTheResultIsCheckedAgain() {
        let text = "[plan](../plan.md) [ext](https://example.com) [bad](javascript:alert(1)) ![img](a.png) [evil](x)"
        var seen: [String] = []
        let map: Markdown.LinkTarget = { url, image in
            seen.append(url + (image ? " (image)" : ""))
            if url == "x" { return "javascript:alert(2)" }
            return url.hasPrefix("http") ? url : "mapped/" + url
        }
        let html = Markdown.html(text, linkTarget: map)
        #expect(html.contains(#"<a href="mapped/../plan.md">plan</a>"#))
        #expect(html.contains(#"<a href="https://example.com">ext</a>"#))
        #expect(html.contains(#"<img src="mapped/a.png" alt="img" />"#))
        #expect(html.contains(#"<a href="">evil</a>"#))
        #expect(!html.contains("javascript"))
        #expect(seen == ["../plan.md", "https://example.com", "a.png (image)", "x"])
        let twin = Markdown.commonmark(text, linkTarget: map)
        #expect(twin.contains("[plan](mapped/../plan.md)"))
        #expect(!twin.contains("javascript"))
    }
}
