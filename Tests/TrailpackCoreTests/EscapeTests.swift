import Testing
@testable import TrailpackCore

struct EscapeTests {
    @Test("HTML", arguments: [
        ("", ""),
        ("plain text", "plain text"),
        ("a & b", "a &amp; b"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;"),
        ("&amp;", "&amp;amp;"),
        ("é<ü>😀", "é&lt;ü&gt;😀"),
        ("x\u{0}y", "x\u{0}y"),
    ])
    func html(input: String, expected: String) {
        #expect(Escape.html(input) == expected)
        #expect(Escape.attribute(input) == expected)
    }

    @Test("Markdown text", arguments: [
        ("", ""),
        ("plain words, 3.14 and 2024-01-01", "plain words, 3.14 and 2024-01-01"),
        ("*em* _em_ `code`", "\\*em\\* \\_em\\_ \\`code\\`"),
        ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
        ("![img](x)", "!\\[img\\](x)"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<http://a>", "&lt;http://a&gt;"),
        ("&amp; &#60;", "&amp;amp; &amp;\\#60;"),
        ("# heading", "\\# heading"),
        ("> quote", "&gt; quote"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("= setext", "\\= setext"),
        ("a - b + c = d", "a - b + c = d"),
        ("1. first", "1\\. first"),
        ("12) twelve", "12\\) twelve"),
        ("a1. b", "a1. b"),
        ("    indented", "&#32;   indented"),
        ("\tindented", "&#9;indented"),
        ("a|b ~~s~~ $x$ \\", "a\\|b \\~\\~s\\~\\~ \\$x\\$ \\\\"),
        ("line1\nline2", "line1\\\nline2"),
        ("a\r\nb\rc", "a\\\nb\\\nc"),
        ("a\n\nb", "a\\\n\\\nb"),
        ("x\n- y\n  z", "x\\\n\\- y\\\n&#32; z"),
        ("trailing\n\n", "trailing"),
        ("\nleading", "\\\nleading"),
        ("é ü 😀", "é ü 😀"),
    ])
    func markdownText(input: String, expected: String) {
        #expect(Escape.markdownText(input) == expected)
    }

    @Test("Markdown table cell", arguments: [
        ("", ""),
        ("plain", "plain"),
        ("a|b", "a\\|b"),
        ("a\\|b", "a\\\\\\|b"),
        ("line1\nline2\r\nline3\rline4", "line1 line2 line3 line4"),
        ("</td></table><script>", "&lt;/td&gt;&lt;/table&gt;&lt;script&gt;"),
        ("`a|b`", "\\`a\\|b\\`"),
        ("- x", "\\- x"),
        ("trailing\n", "trailing "),
    ])
    func markdownTableCell(input: String, expected: String) {
        #expect(Escape.markdownTableCell(input) == expected)
    }

    @Test("CSV field", arguments: [
        ("", ""),
        ("plain", "plain"),
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("line1\nline2", "\"line1\nline2\""),
        ("a\rb", "\"a\rb\""),
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "\"'\rx\""),
        ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
        ("a=b", "a=b"),
        (" =x", " =x"),
        ("é,ü", "\"é,ü\""),
    ])
    func csvField(input: String, expected: String) {
        #expect(Escape.csvField(input) == expected)
    }

    @Test func unchangedStringsAreReturnedAsIs() {
        let long = String(repeating: "abc def 123 ", count: 10_000)
        #expect(Escape.html(long) == long)
        #expect(Escape.markdownTableCell(long) == long)
        #expect(Escape.csvField(long) == long)
    }

    @Test func bridgedAndSubstringInputs() {
        let s = String("xx<a & 'b'>xx".dropFirst(2).dropLast(2))
        #expect(Escape.html(s) == "&lt;a &amp; &#39;b&#39;&gt;")
    }
}
