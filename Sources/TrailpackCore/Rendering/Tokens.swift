import Foundation

/// Ids, times and digests are single tokens: the pages mark each (`<span class="id">`,
/// `<time>`, `<span class="digest">`) and never break one across lines (issue 13 item 3). Where a
/// column is too narrow for a full digest, the short form is shown and the full value is given
/// where there is room (docs/site.md, "Ids, times and digests").
enum Tokens {
    /// How a value of an event's `data` is shown: as a digest, as a time, or as plain data.
    enum DataKind: Sendable, Equatable { case digest, time, plain }

    /// Digests are 32 to 128 lowercase hex digits, optionally after an algorithm name
    /// (`sha256:…`, as datasets record them).
    static func isDigest(_ s: String) -> Bool {
        var b = Substring(s)
        for prefix in ["sha1:", "sha256:", "sha384:", "sha512:", "md5:"] where b.hasPrefix(prefix) {
            b = b.dropFirst(prefix.count)
            break
        }
        guard (32...128).contains(b.utf8.count) else { return false }
        return b.utf8.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }
    }

    /// The kind of a data value: a string that is a digest or an RFC 3339 time; anything else plain.
    static func dataKind(_ v: JSONValue) -> DataKind {
        guard case .string(let s) = v else { return .plain }
        if isDigest(s.string) { return .digest }
        if case .valid = Timestamp.parse(s.string) { return .time }
        return .plain
    }

    /// A digest in short: its first 12 hex digits and "…" (`ab12cd34ef56…`), or the text as it
    /// is when it has no more than 12 characters.
    static func short(_ digest: String) -> String {
        digest.utf8.count <= 12 ? digest : String(digest.prefix(12)) + "…"
    }

    /// Times (RFC 3339 or `2026-01-05 06:02:59Z`, with an optional fraction and offset) and
    /// digests (16 or more hex digits, one of them a letter) inside a sentence of ours.
    private static let inText: NSRegularExpression? = try? NSRegularExpression(pattern:
        #"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?|(?<![0-9A-Za-z])(?=[0-9a-f]*[a-f])[0-9a-f]{16,}(?![0-9A-Za-z])"#)

    /// A sentence (a finding's message) as a fragment: in HTML every time in it is a `<time>`
    /// and every digest a `<span class="digest">`, the rest escaped; in Markdown the text escaped.
    static func marked(_ text: String) -> TemplateFragment {
        var h = SafeHTML()
        let ns = text as NSString
        var at = 0
        for m in inText?.matches(in: text, range: NSRange(location: 0, length: ns.length)) ?? [] {
            h.append(escaping: ns.substring(with: NSRange(location: at, length: m.range.location - at)))
            let token = ns.substring(with: m.range)
            let isTime = token.contains(":")
            h += isTime ? "<time>" : "<span class=\"digest\">"
            h.append(escaping: token)
            h += isTime ? "</time>" : "</span>"
            at = m.range.location + m.range.length
        }
        h.append(escaping: ns.substring(from: at))
        return TemplateFragment(html: h, markdown: SafeMarkdown(escaping: text))
    }
}
