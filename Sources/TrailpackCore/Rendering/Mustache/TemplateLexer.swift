/// One lexical piece of a template: a run of text within a line, a line break, or a tag.
struct TemplateToken: Sendable {
    enum Kind: Sendable {
        /// Text without line breaks.
        case text
        /// `\n` or `\r\n`.
        case newline
        case variable(TemplateName, escaped: Bool)
        case sectionOpen(TemplateName, inverted: Bool)
        case blockOpen(String)
        case parentOpen(PartialName)
        /// A closing tag with its normalized content (a dynamic name keeps its `*`).
        case close(String)
        case partial(PartialName)
        case comment
        case delimiters
    }

    var kind: Kind
    /// Byte range in the source.
    var start: Int
    var end: Int
    /// For text: only spaces and tabs.
    var isBlank: Bool = false

    var isTag: Bool {
        switch kind {
        case .text, .newline: return false
        default: return true
        }
    }
}

/// Splits a template's UTF-8 source into tokens, following set-delimiter tags as it goes.
struct TemplateLexer {
    let bytes: [UInt8]
    let templateName: String
    /// Byte offset of the start of every line.
    private(set) var lineStarts: [Int] = [0]

    init(source: String, templateName: String) {
        self.bytes = Array(source.utf8)
        self.templateName = templateName
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { lineStarts.append(i + 1) }
    }

    /// The 1-based line and column (counted in Unicode scalars) of a byte offset.
    func location(_ offset: Int) -> SourceLocation {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        var column = 1
        var i = lineStarts[low]
        while i < offset && i < bytes.count {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return SourceLocation(file: templateName, line: low + 1, column: column)
    }

    /// The source text of a byte range.
    func text(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<end], as: UTF8.self)
    }

    func tokenize() throws(TemplateError) -> [TemplateToken] {
        var tokens: [TemplateToken] = []
        var open = Array("{{".utf8)
        var close = Array("}}".utf8)
        var textStart = 0
        var i = 0
        let n = bytes.count

        func flushText(upTo end: Int) {
            guard textStart < end else { return }
            let blank = bytes[textStart..<end].allSatisfy { $0 == 0x20 || $0 == 0x09 }
            tokens.append(TemplateToken(kind: .text, start: textStart, end: end, isBlank: blank))
        }

        while i < n {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") || (b == UInt8(ascii: "\r") && i + 1 < n && bytes[i + 1] == UInt8(ascii: "\n")) {
                flushText(upTo: i)
                let width = b == UInt8(ascii: "\n") ? 1 : 2
                tokens.append(TemplateToken(kind: .newline, start: i, end: i + width))
                i += width
                textStart = i
            } else if b == open[0] && matches(open, at: i) {
                flushText(upTo: i)
                let token = try tag(at: i, open: &open, close: &close)
                tokens.append(token)
                i = token.end
                textStart = i
            } else {
                i += 1
            }
        }
        flushText(upTo: n)
        return tokens
    }

    private func matches(_ needle: [UInt8], at offset: Int) -> Bool {
        guard offset + needle.count <= bytes.count else { return false }
        for k in 0..<needle.count where bytes[offset + k] != needle[k] { return false }
        return true
    }

    private func find(_ needle: [UInt8], from offset: Int) -> Int? {
        var i = offset
        while i + needle.count <= bytes.count {
            if bytes[i] == needle[0] && matches(needle, at: i) { return i }
            i += 1
        }
        return nil
    }

    /// Lexes the tag whose opening delimiter starts at `start`.
    private func tag(at start: Int, open: inout [UInt8], close: inout [UInt8]) throws(TemplateError) -> TemplateToken {
        var p = start + open.count
        while p < bytes.count, Self.isSpace(bytes[p]) { p += 1 }
        guard p < bytes.count else { throw .unclosedTag(location(start)) }
        let sigil = bytes[p]

        // The terminator depends on the sigil: `=}}` for delimiters, `}}}` for a triple mustache.
        var terminator = close
        if sigil == UInt8(ascii: "=") || sigil == UInt8(ascii: "{") {
            terminator = [sigil == UInt8(ascii: "=") ? UInt8(ascii: "=") : UInt8(ascii: "}")] + close
        }
        let contentStart = Self.sigils.contains(sigil) ? p + 1 : p
        guard let contentEnd = find(terminator, from: contentStart) else { throw .unclosedTag(location(start)) }
        let end = contentEnd + terminator.count
        let content = Self.trim(text(contentStart, contentEnd))
        // Where the tag is, for a message: counted only when one is thrown (counting columns
        // for every tag took line length x tags on a long line).
        func here() -> SourceLocation { location(start) }

        func name() throws(TemplateError) -> TemplateName {
            guard !content.isEmpty else { throw .emptyTag(here()) }
            guard let name = TemplateName(content) else { throw .invalidName(content, here()) }
            return name
        }
        func partialName() throws(TemplateError) -> PartialName {
            guard !content.isEmpty else { throw .emptyTag(here()) }
            if content.hasPrefix("*") {
                let rest = Self.trim(String(content.dropFirst()))
                guard let name = TemplateName(rest) else { throw .invalidName(content, here()) }
                return .dynamic(name)
            }
            guard !content.contains(where: { $0.isWhitespace }) else { throw .invalidName(content, here()) }
            return .fixed(content)
        }
        func plainName() throws(TemplateError) -> String {
            guard !content.isEmpty else { throw .emptyTag(here()) }
            guard !content.contains(where: { $0.isWhitespace }) else { throw .invalidName(content, here()) }
            return content
        }

        let kind: TemplateToken.Kind
        switch sigil {
        case UInt8(ascii: "!"):
            kind = .comment
        case UInt8(ascii: "="):
            let parts = content.split(whereSeparator: { $0.isWhitespace })
            guard parts.count == 2, !parts.contains(where: { $0.contains("=") }) else {
                throw .invalidDelimiters(content, here())
            }
            open = Array(parts[0].utf8)
            close = Array(parts[1].utf8)
            kind = .delimiters
        case UInt8(ascii: "{"), UInt8(ascii: "&"):
            kind = .variable(try name(), escaped: false)
        case UInt8(ascii: "#"), UInt8(ascii: "^"):
            kind = .sectionOpen(try name(), inverted: sigil == UInt8(ascii: "^"))
        case UInt8(ascii: "$"):
            kind = .blockOpen(try plainName())
        case UInt8(ascii: "<"):
            kind = .parentOpen(try partialName())
        case UInt8(ascii: ">"):
            kind = .partial(try partialName())
        case UInt8(ascii: "/"):
            if content.hasPrefix("*") {
                kind = .close("*" + Self.trim(String(content.dropFirst())))
            } else {
                kind = .close(try plainName())
            }
        default:
            kind = .variable(try name(), escaped: true)
        }
        return TemplateToken(kind: kind, start: start, end: end)
    }

    private static let sigils: Set<UInt8> = Set("!={&#^$</>".utf8)

    private static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
    }

    static func trim(_ s: String) -> String {
        guard let first = s.firstIndex(where: { !$0.isWhitespace }),
              let last = s.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(s[first...last])
    }
}
