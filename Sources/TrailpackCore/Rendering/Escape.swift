/// Escaping of untrusted text for the output formats of the site: HTML, GitHub-flavoured
/// Markdown and CSV.
///
/// Every function works on the UTF-8 bytes in two passes (measure, then fill one
/// preallocated buffer) and returns its argument unchanged, without allocating, when
/// nothing needs escaping. Non-ASCII bytes are always copied as they are.
public enum Escape {
    /// Escapes text for an HTML text node: `&` `<` `>` `"` `'` become `&amp;` `&lt;` `&gt;`
    /// `&quot;` `&#39;`.
    public static func html(_ s: String) -> String {
        transform(s, extra: htmlExtra, write: writeHTML)
    }

    /// Escapes text for a quoted HTML attribute value (single or double quotes); the same
    /// escapes as ``html(_:)``.
    public static func attribute(_ s: String) -> String {
        html(s)
    }

    /// Escapes untrusted text so that CommonMark and GitHub-flavoured Markdown render it
    /// literally as inline content.
    ///
    /// - Backslash-escapes `\` `` ` `` `*` `_` `[` `]` `#` `|` `~` `$` (GitHub math) anywhere,
    ///   `-` `+` `=` at the start of a line and `.` `)` after a line's leading digits
    ///   (list markers, setext underlines).
    /// - Writes `<` `>` `&` as `&lt;` `&gt;` `&amp;`: no raw HTML, autolink or entity survives.
    /// - The first space or tab of a line becomes `&#32;` / `&#9;` so no line is indented
    ///   into a code block.
    /// - Line breaks (LF, CR, CRLF) become hard breaks (`\` + LF); trailing ones are dropped.
    ///
    /// Bare URLs (`https://…`, `www.…`) may still be auto-linked by GitHub; that is text, not
    /// active content.
    public static func markdownText(_ s: String) -> String {
        markdown(s, tableCell: false)
    }

    /// Escapes untrusted text for one cell of a GitHub-flavoured pipe table: the escapes of
    /// ``markdownText(_:)``, with `|` written `\|` and every line break (LF, CR, CRLF)
    /// replaced by one space, since a cell cannot span lines.
    public static func markdownTableCell(_ s: String) -> String {
        markdown(s, tableCell: true)
    }

    /// Encodes one CSV field (RFC 4180), defended against spreadsheet formula injection.
    ///
    /// A field starting with `=` `+` `-` `@`, tab or CR is prefixed with `'`, so that
    /// spreadsheet programs show it as text instead of evaluating it (OWASP "CSV
    /// injection"). This changes the data: `-5` is written `'-5`. A field containing `,` `"`
    /// CR or LF (or prefixed with `'` and containing them) is enclosed in double quotes, with
    /// each `"` doubled. Other fields are written as they are.
    public static func csvField(_ s: String) -> String {
        var s = s
        return s.withUTF8 { bytes -> String in
            guard let first = bytes.first else { return "" }
            let formula = isFormulaStart(first)
            var quotes = 0
            var needsQuoting = false
            for b in bytes {
                switch b {
                case UInt8(ascii: "\""): quotes += 1; needsQuoting = true
                case UInt8(ascii: ","), 0x0A, 0x0D: needsQuoting = true
                default: break
                }
            }
            if !formula && !needsQuoting { return String(decoding: bytes, as: UTF8.self) }
            let count = bytes.count + quotes + (formula ? 1 : 0) + (needsQuoting ? 2 : 0)
            return String(unsafeUninitializedCapacity: count) { out in
                var i = 0
                if needsQuoting { out[i] = UInt8(ascii: "\""); i += 1 }
                if formula { out[i] = UInt8(ascii: "'"); i += 1 }
                for b in bytes {
                    out[i] = b; i += 1
                    if b == UInt8(ascii: "\"") { out[i] = b; i += 1 }
                }
                if needsQuoting { out[i] = UInt8(ascii: "\""); i += 1 }
                return i
            }
        }
    }

    /// Whether a CSV field starting with this byte could be read as a formula.
    static func isFormulaStart(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: return true
        default: return false
        }
    }

    /// `s` with each line feed written as `U+000A`: for a value from the log quoted on one line
    /// of a text report, so that it cannot start a line that reads as the report's own.
    public static func oneLine(_ s: String) -> String {
        // Scanned as bytes: `String.contains` would go through Foundation's string search.
        s.utf8.contains(0x0A) ? s.replacingOccurrences(of: "\n", with: "U+000A") : s
    }

    /// Shows invisible characters as text: every C0 control but tab and line feed, DEL, and every
    /// character ``isHidden(_:)`` names (C1 controls, format characters such as the bidirectional
    /// embeddings, overrides, isolates and marks, zero-width spaces and joiners, word joiners,
    /// soft hyphens, variation selectors, tag characters, Hangul fillers, line and paragraph
    /// separators) become `U+202E`-style text (`U+E0041` beyond U+FFFF). So a NUL or an escape
    /// sequence never reaches a page raw, and an id such as `u:mallory<U+202E>gnp.exe` or
    /// `u:mkrause<U+2060>` cannot display as another ("Trojan Source", CVE-2021-42574). Applied to
    /// every HTML and Markdown page as it is written; the theme's own files hold none of these.
    public static func visibleControls(_ s: String) -> String {
        var s = s
        return s.withUTF8 { bytes -> String in
            var grow = 0
            var i = 0
            while i < bytes.count {
                if let (length, scalar) = hiddenCharacter(bytes, at: i) {
                    grow += shownWidth(scalar) - length
                    i += length
                } else {
                    i += 1
                }
            }
            if grow == 0 { return String(decoding: bytes, as: UTF8.self) }
            return String(unsafeUninitializedCapacity: bytes.count + grow) { out in
                let hex = Array("0123456789ABCDEF".utf8)
                var i = 0
                var o = 0
                while i < bytes.count {
                    guard let (length, scalar) = hiddenCharacter(bytes, at: i) else {
                        out[o] = bytes[i]
                        o += 1
                        i += 1
                        continue
                    }
                    out[o] = UInt8(ascii: "U")
                    out[o + 1] = UInt8(ascii: "+")
                    o += 2
                    var shift = 4 * (shownWidth(scalar) - 3)
                    while shift >= 0 {
                        out[o] = hex[Int(scalar >> UInt32(shift) & 0xF)]
                        o += 1
                        shift -= 4
                    }
                    i += length
                }
                return o
            }
        }
    }

    /// The length of `U+XXXX` for `scalar`: four hex digits, more beyond U+FFFF.
    @inline(__always)
    private static func shownWidth(_ scalar: UInt32) -> Int { scalar > 0xFFFFF ? 8 : scalar > 0xFFFF ? 7 : 6 }

    /// The invisible character ``visibleControls(_:)`` shows that starts at `bytes[i]`: its
    /// length in bytes and its scalar value; nil for any other (and for bytes that are not UTF-8).
    @inline(__always)
    static func hiddenCharacter(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (Int, UInt32)? {
        let b = bytes[i]
        if b < 0x80 { return isHiddenControl(b) ? (1, UInt32(b)) : nil }
        guard b >= 0xC2 && b <= 0xF4 else { return nil }
        let length = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
        guard i + length <= bytes.count else { return nil }
        var v = UInt32(b) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for k in 1..<length {
            let c = bytes[i + k]
            guard c & 0xC0 == 0x80 else { return nil }
            v = v << 6 | UInt32(c & 0x3F)
        }
        guard let scalar = Unicode.Scalar(v), isHidden(scalar) else { return nil }
        return (length, v)
    }

    /// A character that shows as nothing, or changes how the text around it shows: controls
    /// (but tab and line feed), format characters (Cf: bidirectional controls, zero-width space,
    /// joiners, word joiner, soft hyphen, tags…), line and paragraph separators, variation
    /// selectors, and the rest of Unicode's default-ignorable code points (Hangul fillers,
    /// U+034F, U+115F…). Shown as `U+XXXX` on pages, and refused in ids (INT-PARSE).
    public static func isHidden(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return isHiddenControl(UInt8(s.value)) }
        let p = s.properties
        switch p.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return p.isDefaultIgnorableCodePoint || p.isVariationSelector
        }
    }

    /// A control character that no page shows raw (C0 but tab and LF, and DEL).
    @inline(__always)
    static func isHiddenControl(_ b: UInt8) -> Bool { (b < 0x20 && b != 0x09 && b != 0x0A) || b == 0x7F }

    // MARK: - HTML

    private static func htmlExtra(_ b: UInt8) -> Int {
        switch b {
        case UInt8(ascii: "&"): return 4           // &amp;
        case UInt8(ascii: "<"), UInt8(ascii: ">"): return 3  // &lt; &gt;
        case UInt8(ascii: "\""), UInt8(ascii: "'"): return 5  // &quot; &#39;
        default: return 0
        }
    }

    private static func writeHTML(_ b: UInt8, _ out: UnsafeMutableBufferPointer<UInt8>, _ i: inout Int) {
        switch b {
        case UInt8(ascii: "&"): put("&amp;", out, &i)
        case UInt8(ascii: "<"): put("&lt;", out, &i)
        case UInt8(ascii: ">"): put("&gt;", out, &i)
        case UInt8(ascii: "\""): put("&quot;", out, &i)
        case UInt8(ascii: "'"): put("&#39;", out, &i)
        default: out[i] = b; i += 1
        }
    }

    /// Context-free byte substitution: measures, returns `s` when nothing changes, fills.
    @inline(__always)
    private static func transform(
        _ s: String,
        extra: (UInt8) -> Int,
        write: (UInt8, UnsafeMutableBufferPointer<UInt8>, inout Int) -> Void
    ) -> String {
        var s = s
        let grow = s.withUTF8 { bytes in bytes.reduce(0) { $0 + extra($1) } }
        if grow == 0 { return s }
        return s.withUTF8 { bytes in
            String(unsafeUninitializedCapacity: bytes.count + grow) { out in
                var i = 0
                for b in bytes { write(b, out, &i) }
                return i
            }
        }
    }

    @inline(__always)
    private static func put(_ lit: StaticString, _ out: UnsafeMutableBufferPointer<UInt8>, _ i: inout Int) {
        lit.withUTF8Buffer { src in
            for b in src { out[i] = b; i += 1 }
        }
    }

    // MARK: - Markdown

    /// What one input byte becomes in Markdown, given its context.
    private enum MarkdownOp {
        /// Copy the byte; write `\` and the byte; write an entity; write `\` LF; write the
        /// byte passed to `emit` in place of a different input byte.
        case copy, backslash, entity(StaticString), lineBreak, replace
    }

    /// Scans `bytes`, calling `emit` for every output decision; shared by both passes so
    /// that measuring and writing can never disagree.
    @inline(__always)
    private static func scanMarkdown(
        _ bytes: UnsafeBufferPointer<UInt8>, tableCell: Bool, _ emit: (MarkdownOp, UInt8) -> Void
    ) {
        var lineStart = true       // at the first byte of a line
        var leadingDigits = false  // the line so far is one or more ASCII digits
        var pendingBreaks = 0      // line breaks seen but not yet written (trailing ones are dropped)
        var i = 0
        let n = bytes.count
        while i < n {
            var b = bytes[i]
            var lineBreakAsSpace = false
            i += 1
            if b == 0x0A || b == 0x0D {
                if b == 0x0D && i < n && bytes[i] == 0x0A { i += 1 }
                if tableCell {
                    b = 0x20  // a cell is one line: the break is a space, escaped as one below
                    lineBreakAsSpace = true
                } else {
                    pendingBreaks += 1
                    lineStart = true
                    leadingDigits = false
                    continue
                }
            }
            while pendingBreaks > 0 { emit(.lineBreak, 0x0A); pendingBreaks -= 1 }
            let atStart = lineStart
            let afterDigits = leadingDigits
            lineStart = false
            leadingDigits = false
            switch b {
            case UInt8(ascii: "\\"), UInt8(ascii: "`"), UInt8(ascii: "*"), UInt8(ascii: "_"),
                 UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "#"), UInt8(ascii: "|"),
                 UInt8(ascii: "~"), UInt8(ascii: "$"):
                emit(.backslash, b)
            case UInt8(ascii: "<"): emit(.entity("&lt;"), b)
            case UInt8(ascii: ">"): emit(.entity("&gt;"), b)
            case UInt8(ascii: "&"): emit(.entity("&amp;"), b)
            case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "="):
                emit(atStart ? .backslash : .copy, b)
            case UInt8(ascii: "."), UInt8(ascii: ")"):
                emit(afterDigits ? .backslash : .copy, b)
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                leadingDigits = atStart || afterDigits
                emit(.copy, b)
            case UInt8(ascii: " "): emit(atStart ? .entity("&#32;") : lineBreakAsSpace ? .replace : .copy, b)
            case 0x09: emit(atStart ? .entity("&#9;") : .copy, b)
            default: emit(.copy, b)
            }
        }
    }

    private static func markdown(_ s: String, tableCell: Bool) -> String {
        var s = s
        var changed = false
        var count = 0
        s.withUTF8 { bytes in
            scanMarkdown(bytes, tableCell: tableCell) { op, _ in
                switch op {
                case .copy: count += 1
                case .backslash: count += 2; changed = true
                case .entity(let e): count += e.utf8CodeUnitCount; changed = true
                case .lineBreak: count += 2; changed = true
                case .replace: count += 1; changed = true
                }
            }
        }
        if !changed && count == s.utf8.count { return s }
        return s.withUTF8 { bytes in
            String(unsafeUninitializedCapacity: count) { out in
                var i = 0
                scanMarkdown(bytes, tableCell: tableCell) { op, b in
                    switch op {
                    case .copy: out[i] = b; i += 1
                    case .backslash: out[i] = UInt8(ascii: "\\"); out[i + 1] = b; i += 2
                    case .entity(let e): put(e, out, &i)
                    case .lineBreak: out[i] = UInt8(ascii: "\\"); out[i + 1] = 0x0A; i += 2
                    case .replace: out[i] = b; i += 1
                    }
                }
                return i
            }
        }
    }
}
