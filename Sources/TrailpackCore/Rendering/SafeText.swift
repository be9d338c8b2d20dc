/// HTML that may be written out as it is: built only from literals of this code
/// (`StaticString`, which no runtime value can become) and from text escaped on the way in.
/// There is no initializer or append from a plain `String`, so untrusted text cannot reach a
/// page unescaped through it, whatever template includes it.
public struct SafeHTML: Sendable, Hashable {
    /// The UTF-8 bytes.
    public private(set) var bytes: [UInt8] = []

    /// Empty markup.
    public init() {}

    /// `text` escaped for an HTML text node or quoted attribute (``Escape/html(_:)``).
    public init(escaping text: String) { append(escaping: text) }

    /// Bytes this module wrote from a `SafeHTML` earlier (the build's own spool files).
    init(spooled bytes: ArraySlice<UInt8>) { self.bytes = Array(bytes) }

    /// Markup a safe writer of this module produced as a string: libcmark's HTML in safe mode
    /// (``Markdown/html(_:linkTarget:)``, raw HTML and unsafe links removed) or a chart's SVG,
    /// whose every text was escaped as it was written (``DriftChart``). Never a record's text.
    init(rendered markup: String) { self.bytes = Array(markup.utf8) }

    /// Appends markup written in the source code.
    public mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends other safe markup.
    public mutating func append(_ other: SafeHTML) { bytes.append(contentsOf: other.bytes) }

    /// Appends `text` escaped: `&` `<` `>` `"` `'` become character references.
    public mutating func append(escaping text: String) {
        var text = text
        text.withUTF8 { source in
            // Runs of bytes that need no escaping are copied at once.
            var start = 0
            for i in 0..<source.count {
                let replacement: StaticString
                switch source[i] {
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "\""): replacement = "&quot;"
                case UInt8(ascii: "'"): replacement = "&#39;"
                default: continue
                }
                if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[start..<i])) }
                append(replacement)
                start = i + 1
            }
            if start < source.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[start...])) }
        }
    }

    /// Appends a number in decimal.
    public mutating func append(_ number: Int64) { bytes.append(contentsOf: String(number).utf8) }

    /// Appends a literal.
    public static func += (lhs: inout SafeHTML, rhs: StaticString) { lhs.append(rhs) }
}

/// Markdown that may be written out as it is: literals of this code and untrusted text escaped
/// as one cell of a pipe table (``Escape/markdownTableCell(_:)``), the way a Markdown template's
/// `{{name}}` escapes it. There is no initializer or append from a plain `String`.
public struct SafeMarkdown: Sendable, Hashable {
    /// The UTF-8 bytes.
    public private(set) var bytes: [UInt8] = []

    /// Empty text.
    public init() {}

    /// `text` escaped as a table cell.
    public init(escaping text: String) { append(escaping: text) }

    /// Bytes this module wrote from a `SafeMarkdown` earlier (the build's own spool files).
    init(spooled bytes: ArraySlice<UInt8>) { self.bytes = Array(bytes) }

    /// CommonMark that libcmark wrote from a parsed document (``Markdown/commonmark(_:linkTarget:)``:
    /// raw HTML fenced, unsafe links removed). Never a record's text.
    init(rendered markdown: String) { self.bytes = Array(markdown.utf8) }

    /// Appends text written in the source code.
    public mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends other safe Markdown.
    public mutating func append(_ other: SafeMarkdown) { bytes.append(contentsOf: other.bytes) }

    /// Appends `text` escaped as a table cell: literal inline text, no raw HTML, no line break.
    public mutating func append(escaping text: String) {
        bytes.append(contentsOf: Escape.markdownTableCell(text).utf8)
    }

    /// Appends a link target: every byte but `A-Z a-z 0-9 - . _ ~ / #` is percent-encoded, so
    /// the site's own paths (slugs, percent-encoded file paths, anchors) pass unchanged and
    /// nothing else can close the link or start markup.
    public mutating func append(target: String) {
        let hex = Array("0123456789ABCDEF".utf8)
        for b in target.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"), UInt8(ascii: "#"):
                bytes.append(b)
            default:
                bytes += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            }
        }
    }

    /// Appends a literal.
    public static func += (lhs: inout SafeMarkdown, rhs: StaticString) { lhs.append(rhs) }
}

/// A piece of a page rendered by typed code in both formats (an event's row): a template
/// emits the form of its own format, as it is, for `{{name}}`, `{{{name}}}` or a partial
/// the template set renders from fragments (``TemplateSet/fragmentPartials``).
public struct TemplateFragment: Sendable, Hashable {
    /// The HTML form.
    public var html: SafeHTML
    /// The Markdown form.
    public var markdown: SafeMarkdown

    /// A fragment of its two forms.
    public init(html: SafeHTML, markdown: SafeMarkdown) {
        self.html = html
        self.markdown = markdown
    }

    /// A document rendered by libcmark in both forms (see ``SafeHTML/init(rendered:)``): the
    /// template value of its `html` and `md` keys, each emitting its own format's form.
    static func document(html: String, markdown: String) -> TemplateValue {
        let fragment = TemplateValue.fragment(TemplateFragment(html: SafeHTML(rendered: html), markdown: SafeMarkdown(rendered: markdown)))
        return ["html": fragment, "md": fragment]
    }

    /// The form for an output format.
    func bytes(_ escaping: TemplateEscaping) -> [UInt8] {
        escaping == .html ? html.bytes : markdown.bytes
    }
}
