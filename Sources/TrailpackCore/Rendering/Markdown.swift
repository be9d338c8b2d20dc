import CCmark
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CommonMark rendering of untrusted Markdown through libcmark, to HTML and back to
/// normalised CommonMark, with no active content in either output.
///
/// Each output is rendered from a parse (UTF-8 validated, smart punctuation off) whose tree
/// is cleaned first: every link and image URL that is not relative, `http:`, `https:` or
/// `mailto:` (or, for images, a `data:image/{png,gif,jpeg,webp}` URL) is replaced by the
/// empty URL. The check ignores ASCII case, leading spaces and control characters, and tabs
/// and line breaks anywhere, as browsers do. Tables and other GitHub extensions are not
/// parsed: a pipe table stays a paragraph of text.
public enum Markdown {
    /// Maps a safe link URL (`image` for an image source) to the URL to write.
    public typealias LinkTarget = (_ url: String, _ image: Bool) -> String

    /// Renders Markdown to an HTML fragment. Raw HTML blocks and inline HTML are replaced by
    /// `<!-- raw HTML omitted -->` (libcmark's safe mode); text is HTML-escaped.
    ///
    /// `linkTarget`, when given, maps every link and image URL that passed the safety check
    /// (for example a relative link between documents to the page rendered from the target);
    /// its result is checked again.
    public static func html(_ markdown: String, linkTarget: LinkTarget? = nil) -> String {
        let rendered = withDocument(markdown) { root -> String? in
            sanitize(root, replaceRawHTML: false, linkTarget: linkTarget)
            // Since libcmark 0.29 safe mode is the default and CMARK_OPT_SAFE a no-op; it is
            // passed to state intent. CMARK_OPT_UNSAFE must never be passed.
            return take(cmark_render_html(root, CMARK_OPT_SAFE))
        }
        return rendered.flatMap { $0 } ?? "<pre>" + Escape.html(markdown) + "</pre>\n"
    }

    /// Renders Markdown back to normalised CommonMark for the Markdown twin of a page.
    ///
    /// Raw HTML is kept as visible text: an HTML block becomes a code block, inline HTML
    /// becomes escaped text. Unsafe URLs are emptied as for ``html(_:)``. The result is parsed
    /// again and checked: it holds no raw HTML and no unsafe URL under any CommonMark reader.
    /// Should the check ever fail, the whole input is returned as one code block instead.
    /// `linkTarget` maps link and image URLs as for ``html(_:linkTarget:)``.
    public static func commonmark(_ markdown: String, linkTarget: LinkTarget? = nil) -> String {
        if let twin = renderTwin(markdown, linkTarget: linkTarget), isInert(twin) { return twin }
        let block = codeBlock(markdown)
        if let block, isInert(block) { return block }
        return Escape.markdownText(markdown)
    }

    /// The text of rendered Markdown on one line, without markup: for titles, link labels
    /// and alt text. Raw HTML is dropped; line breaks and block boundaries become single spaces.
    /// The result is plain text: escape it for the output format.
    public static func plainText(_ markdown: String) -> String {
        let text = withDocument(markdown) { root -> String in
            var out: [UInt8] = []
            walk(root) { node, entering in
                switch cmark_node_get_type(node) {
                case CMARK_NODE_TEXT, CMARK_NODE_CODE:
                    if let p = cmark_node_get_literal(node) { appendCString(p, to: &out) }
                case CMARK_NODE_CODE_BLOCK:
                    if let p = cmark_node_get_literal(node) { appendCString(p, to: &out) }
                    out.append(0x20)
                case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK:
                    out.append(0x20)
                case let t where t.rawValue <= CMARK_NODE_LAST_BLOCK.rawValue && !entering:
                    out.append(0x20)
                default:
                    break
                }
            }
            return collapseSpaces(out)
        }
        return text ?? collapseSpaces(Array(markdown.utf8))
    }

    // MARK: - Twin

    /// The sanitised CommonMark re-render, not yet checked.
    static func renderTwin(_ markdown: String, linkTarget: LinkTarget? = nil) -> String? {
        withDocument(markdown) { root -> String? in
            sanitize(root, replaceRawHTML: true, linkTarget: linkTarget)
            return take(cmark_render_commonmark(root, CMARK_OPT_DEFAULT, 0))
        }.flatMap { $0 }
    }

    /// Whether CommonMark text parses to a tree without raw HTML (but for libcmark's own
    /// `<!-- end list -->` separator comment) and without a URL that the sanitiser would change.
    static func isInert(_ commonmark: String) -> Bool {
        withDocument(commonmark) { root -> Bool in
            var inert = true
            walk(root) { node, entering in
                guard entering else { return }
                switch cmark_node_get_type(node) {
                case CMARK_NODE_HTML_BLOCK:
                    // libcmark writes this comment between two adjacent lists to keep them apart.
                    if cString(cmark_node_get_literal(node)) != "<!-- end list -->\n" { inert = false }
                case CMARK_NODE_HTML_INLINE, CMARK_NODE_CUSTOM_BLOCK, CMARK_NODE_CUSTOM_INLINE:
                    inert = false
                case CMARK_NODE_LINK, CMARK_NODE_IMAGE:
                    let url = cString(cmark_node_get_url(node))
                    if safeURL(url, image: cmark_node_get_type(node) == CMARK_NODE_IMAGE) != url { inert = false }
                default:
                    break
                }
            }
            return inert
        } ?? false
    }

    /// The input as one code block, rendered by libcmark (which picks a fence it cannot contain).
    static func codeBlock(_ markdown: String) -> String? {
        guard let doc = cmark_node_new(CMARK_NODE_DOCUMENT) else { return nil }
        defer { cmark_node_free(doc) }
        guard let block = cmark_node_new(CMARK_NODE_CODE_BLOCK), cmark_node_append_child(doc, block) == 1 else { return nil }
        let text = markdown.replacingNUL()
        cmark_node_set_literal(block, text.hasSuffix("\n") || text.isEmpty ? text : text + "\n")
        cmark_node_set_fence_info(block, "text")
        return take(cmark_render_commonmark(doc, CMARK_OPT_DEFAULT, 0))
    }

    // MARK: - Tree

    /// Parses `markdown` and runs `body` on the document node, which is freed afterwards.
    private static func withDocument<R>(_ markdown: String, _ body: (OpaquePointer) -> R) -> R? {
        var text = markdown
        return text.withUTF8 { bytes -> R? in
            let root = bytes.withMemoryRebound(to: CChar.self) { chars -> OpaquePointer? in
                guard let base = chars.baseAddress else { return cmark_parse_document("", 0, CMARK_OPT_VALIDATE_UTF8) }
                return cmark_parse_document(base, chars.count, CMARK_OPT_VALIDATE_UTF8)
            }
            guard let root else { return nil }
            defer { cmark_node_free(root) }
            return body(root)
        }
    }

    /// Calls `visit` for every node in document order (`entering` false on leaving a container).
    private static func walk(_ root: OpaquePointer, _ visit: (OpaquePointer, Bool) -> Void) {
        guard let iter = cmark_iter_new(root) else { return }
        defer { cmark_iter_free(iter) }
        while true {
            let event = cmark_iter_next(iter)
            if event == CMARK_EVENT_DONE || event == CMARK_EVENT_NONE { return }
            if let node = cmark_iter_get_node(iter) { visit(node, event == CMARK_EVENT_ENTER) }
        }
    }

    /// Empties unsafe URLs; with `replaceRawHTML`, turns raw HTML into literal text.
    private static func sanitize(_ root: OpaquePointer, replaceRawHTML: Bool, linkTarget: LinkTarget? = nil) {
        var rawHTML: [OpaquePointer] = []
        walk(root) { node, entering in
            guard entering else { return }
            let type = cmark_node_get_type(node)
            switch type {
            case CMARK_NODE_LINK, CMARK_NODE_IMAGE:
                let url = cString(cmark_node_get_url(node))
                let image = type == CMARK_NODE_IMAGE
                var safe = safeURL(url, image: image)
                if let linkTarget, !safe.isEmpty { safe = safeURL(linkTarget(safe, image), image: image) }
                if safe != url { cmark_node_set_url(node, safe) }
            case CMARK_NODE_HTML_BLOCK, CMARK_NODE_HTML_INLINE:
                if replaceRawHTML { rawHTML.append(node) }
            default:
                break
            }
        }
        // Modified after the walk: the iterator must not see nodes replaced under it.
        for node in rawHTML { replaceByText(node) }
    }

    /// Replaces a raw HTML node by a code block (block) or text and soft breaks (inline).
    private static func replaceByText(_ node: OpaquePointer) {
        let literal = cString(cmark_node_get_literal(node))
        if cmark_node_get_type(node) == CMARK_NODE_HTML_BLOCK {
            if let block = cmark_node_new(CMARK_NODE_CODE_BLOCK) {
                cmark_node_set_literal(block, literal)
                cmark_node_replace(node, block)
            } else {
                cmark_node_unlink(node)
            }
        } else {
            var lines = literal.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.last?.isEmpty == true { lines.removeLast() }
            for (n, line) in lines.enumerated() {
                if n > 0, let br = cmark_node_new(CMARK_NODE_SOFTBREAK) { cmark_node_insert_before(node, br) }
                let text = line.hasSuffix("\r") ? line.dropLast() : line
                guard !text.isEmpty, let t = cmark_node_new(CMARK_NODE_TEXT) else { continue }
                cmark_node_set_literal(t, String(text))
                cmark_node_insert_before(node, t)
            }
            cmark_node_unlink(node)
        }
        cmark_node_free(node)
    }

    // MARK: - URLs

    /// `url` if it is safe to link (or, with `image`, to embed), otherwise "". Spaces,
    /// control characters, `<` and `>` are percent-encoded, as browsers would, so that the
    /// CommonMark renderer never writes them inside an autolink.
    static func safeURL(_ url: String, image: Bool) -> String {
        let bytes = Array(url.utf8)
        // What a browser parses: leading C0 controls and spaces stripped, tabs and line
        // breaks removed anywhere.
        let start = bytes.firstIndex { $0 > 0x20 } ?? bytes.endIndex
        let parsed = bytes[start...].filter { $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        // The same after percent-decoding (`java%0ascript:` is `javascript:` to some readers).
        let decoded = percentDecoded(parsed)
        let decodedStart = decoded.firstIndex { $0 > 0x20 } ?? decoded.endIndex
        let decodedParsed = decoded[decodedStart...].filter { $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        for candidate in [parsed, decodedParsed] {
            guard let scheme = scheme(candidate) else { continue }
            let rest = String(decoding: candidate.dropFirst(scheme.count + 1), as: UTF8.self).lowercased()
            let allowed: Bool
            switch scheme {
            case "http", "https", "mailto": allowed = true
            case "data": allowed = image && ["image/png", "image/gif", "image/jpeg", "image/webp"].contains { rest.hasPrefix($0) }
            default: allowed = false
            }
            if !allowed { return "" }
        }
        guard bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) else {
            return url
        }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        for b in bytes {
            if b <= 0x20 || b == 0x7F || b == UInt8(ascii: "<") || b == UInt8(ascii: ">") {
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `%XX` sequences decoded (others kept as they are).
    private static func percentDecoded(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(UInt8(ascii: "%")) else { return bytes }
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x41 + 10
            case 0x61...0x66: return b - 0x61 + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let h = hex(bytes[i + 1]), let l = hex(bytes[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    /// The lowercased scheme of a URL (`[A-Za-z][A-Za-z0-9+.-]*` before `:`), or nil if relative.
    private static func scheme(_ bytes: [UInt8]) -> String? {
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return nil }
        let name = bytes[..<colon]
        guard let first = name.first, isAlpha(first),
              name.allSatisfy({ isAlpha($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E })
        else { return nil }
        return String(decoding: name, as: UTF8.self).lowercased()
    }

    private static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

    // MARK: - C strings

    /// Copies and frees a string allocated by libcmark.
    private static func take(_ p: UnsafeMutablePointer<CChar>?) -> String? {
        guard let p else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    private static func cString(_ p: UnsafePointer<CChar>?) -> String {
        p.map { String(cString: $0) } ?? ""
    }

    private static func appendCString(_ p: UnsafePointer<CChar>, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: p, count: strlen(p)).lazy.map { UInt8(bitPattern: $0) })
    }

    /// Trims and collapses runs of ASCII whitespace to single spaces.
    private static func collapseSpaces(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var space = false
        for b in bytes {
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                space = !out.isEmpty
            } else {
                if space { out.append(0x20); space = false }
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

private extension String {
    /// The string with U+0000 replaced by U+FFFD, as CommonMark requires (and C strings need).
    func replacingNUL() -> String {
        guard utf8.contains(0) else { return self }
        var scalars = String.UnicodeScalarView()
        for s in unicodeScalars { scalars.append(s == "\0" ? "\u{FFFD}" : s) }
        return String(scalars)
    }
}
