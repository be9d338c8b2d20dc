import Foundation
@testable import TrailpackCore

/// Checks over a built site: links and anchors, active content, table structure, Markdown
/// tables. Each returns a list of problems (empty when the site is sound), naming file and place.
enum SiteChecks {
    /// Relative paths of every file under `root`, sorted.
    static func files(_ root: URL) throws -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        for rel in try fm.subpathsOfDirectory(atPath: root.path) {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: root.appendingPathComponent(rel).path, isDirectory: &isDir), !isDir.boolValue { out.append(rel) }
        }
        return out.sorted()
    }

    static func text(_ root: URL, _ rel: String) -> String {
        (try? String(contentsOf: root.appendingPathComponent(rel), encoding: .utf8)) ?? ""
    }

    /// Pages: the HTML files and Markdown twins we render (not the evidence copy).
    static func pages(_ root: URL, ext: String) throws -> [String] {
        try files(root).filter { $0.hasSuffix("." + ext) && !$0.hasPrefix("evidence/") }
    }

    /// All matches of capture group 1 of `pattern`.
    static func captures(_ pattern: String, in text: String) -> [String] {
        guard let re = try? NSRegularExpression(pattern: pattern) else { return [] }
        let ns = text as NSString
        return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range(at: 1)) }
    }

    static func ids(_ text: String) -> [String] { captures(#"\bid="([^"]*)""#, in: text) }

    /// The link checker: every relative link of every page (HTML `href`, Markdown `](…)`) leads
    /// to a file of the site, never outside it, and every `#fragment` to an element with that id
    /// in the target page; ids are unique per page.
    static func links(_ root: URL) throws -> [String] {
        var problems: [String] = []
        var idCache: [String: Set<String>] = [:]
        func idsOf(_ rel: String) -> Set<String> {
            if let c = idCache[rel] { return c }
            let s = Set(ids(text(root, rel)))
            idCache[rel] = s
            return s
        }
        let existing = Set(try files(root))
        for page in try pages(root, ext: "html") + pages(root, ext: "md") {
            let body = text(root, page)
            let all = ids(body)
            if Set(all).count != all.count {
                let dups = Dictionary(grouping: all, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
                problems.append("\(page): duplicate ids \(dups.prefix(5))")
            }
            let hrefs = page.hasSuffix(".html") ? captures(#"href="([^"]*)""#, in: body) : captures(#"(?<!\\)\]\(([^)\s]*)\)"#, in: body)
            let dir = (page as NSString).deletingLastPathComponent
            for raw in hrefs {
                let href = raw.replacingOccurrences(of: "&amp;", with: "&")
                let lower = href.lowercased()
                if lower.hasPrefix("http:") || lower.hasPrefix("https:") || lower.hasPrefix("mailto:") { continue }
                if lower.contains(":") { problems.append("\(page): link with a scheme: \(href)"); continue }
                let parts = href.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let pathPart = parts[0].removingPercentEncoding ?? parts[0]
                let fragment = parts.count > 1 ? parts[1] : nil
                var target = page
                if !pathPart.isEmpty {
                    var comps = dir.isEmpty ? [] : dir.split(separator: "/").map(String.init)
                    for c in pathPart.split(separator: "/", omittingEmptySubsequences: false).map(String.init) {
                        if c == ".." {
                            if comps.isEmpty { problems.append("\(page): link leaves the site: \(href)"); comps = ["<outside>"]; break }
                            comps.removeLast()
                        } else if c != "." { comps.append(c) }
                    }
                    target = comps.joined(separator: "/")
                }
                guard existing.contains(target) else { problems.append("\(page): broken link \(href) (no \(target))"); continue }
                if let fragment, target.hasSuffix(".html") || target.hasSuffix(".md"), !idsOf(target).contains(fragment) {
                    problems.append("\(page): \(href): no id \"\(fragment)\" in \(target)")
                }
            }
        }
        return problems
    }

    /// Active content: script-like elements, event-handler attributes, and `javascript:` (or
    /// any non-relative, non-http(s)/mailto) URLs in `href`/`src`, in HTML pages and in the raw
    /// HTML and link destinations of Markdown twins. Inline `style` attributes (the CSP blocks
    /// them) are problems too. The one SVG allowed is a drift chart in an HTML page, and only
    /// with the elements and attributes of ``svgElements`` and ``svgAttributes``.
    static func activeContent(_ root: URL) throws -> [String] {
        var problems: [String] = []
        let dangerous: Set<String> = ["script", "iframe", "object", "embed", "form", "base", "frame", "svg", "math", "style", "link", "meta"]
        for page in try pages(root, ext: "html") + pages(root, ext: "md") {
            var body = text(root, page)
            if page.hasSuffix(".md") { body = withoutCodeBlocks(body) }
            // In Markdown, `\<` is an escaped, literal `<`.
            let tagPattern = page.hasSuffix(".md") ? #"(?<!\\)<([A-Za-z][^>]*)>?"# : #"<([A-Za-z][^>]*)>?"#
            for tag in captures(tagPattern, in: body) {
                let name = String(tag.prefix { $0.isLetter || $0.isNumber }).lowercased()
                let allowedHead = page.hasSuffix(".html") && ["link", "meta"].contains(name)
                let chart = page.hasSuffix(".html") && name == "svg" && tag.contains(#"class="drift-chart""#)
                if dangerous.contains(name) && !allowedHead && !chart { problems.append("\(page): <\(name)> element") }
                let attrs = captures(#"\s([A-Za-z_:][-A-Za-z0-9_:.]*)\s*="#, in: " " + tag.dropFirst(name.count))
                for a in attrs where a.lowercased().hasPrefix("on") { problems.append("\(page): event handler \(a) in <\(tag.prefix(60))>") }
                if attrs.contains(where: { $0.lowercased() == "style" }) { problems.append("\(page): inline style in <\(tag.prefix(60))>") }
                if name == "link", !tag.contains("rel=\"stylesheet\"") { problems.append("\(page): unexpected <link>") }
            }
            if page.hasSuffix(".html") {
                for svg in svgBlocks(body) { problems += svgProblems(svg).map { "\(page): \($0)" } }
            }
            let urls = captures(#"(?:href|src)\s*=\s*"([^"]*)""#, in: body)
                + (page.hasSuffix(".md") ? captures(#"(?<!\\)\]\(\s*<?([^)\s>]*)"#, in: body) : [])
            for u in urls {
                let l = u.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "&#58;", with: ":")
                if let colon = l.firstIndex(of: ":"), !l[..<colon].contains("/"), !l[..<colon].contains("#"),
                   !["http", "https", "mailto"].contains(String(l[..<colon])) {
                    problems.append("\(page): URL with scheme \(l[..<colon]): \(u.prefix(60))")
                }
            }
        }
        return problems
    }

    /// The elements and attributes a drift chart may use: drawing and text only, no links,
    /// references, animation, scripts or styles.
    static let svgElements: Set<String> = ["svg", "title", "desc", "g", "line", "polyline", "path", "circle", "text"]
    static let svgAttributes: Set<String> = [
        "xmlns", "viewbox", "width", "height", "role", "aria-labelledby", "class", "font-family", "font-size", "id", "x", "y",
        "x1", "y1", "x2", "y2", "cx", "cy", "r", "d", "points", "fill", "stroke", "stroke-width", "stroke-dasharray",
        "text-anchor", "data-value", "data-window-start", "data-window-end",
    ]

    /// The `<svg>…</svg>` blocks of a page.
    static func svgBlocks(_ text: String) -> [String] {
        captures(#"(<svg[\s>][\s\S]*?</svg>)"#, in: text)
    }

    /// Problems of one inline SVG: an element or attribute outside the allowed sets.
    static func svgProblems(_ svg: String) -> [String] {
        var problems: [String] = []
        for tag in captures(#"<([A-Za-z][^>]*)>"#, in: svg) {
            let name = String(tag.prefix { $0.isLetter || $0.isNumber }).lowercased()
            if !svgElements.contains(name) { problems.append("<\(name)> in an SVG") }
            for a in captures(#"\s([A-Za-z_:][-A-Za-z0-9_:.]*)\s*="#, in: " " + tag.dropFirst(name.count))
            where !svgAttributes.contains(a.lowercased()) {
                problems.append("attribute \(a) on <\(name)> in an SVG")
            }
        }
        return problems
    }

    /// Markdown without its fenced code blocks (their content is literal text).
    static func withoutCodeBlocks(_ text: String) -> String {
        var out: [Substring] = []
        var fence: Substring?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            if let f = fence {
                if trimmed.hasPrefix(f) { fence = nil }
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fence = trimmed.prefix { $0 == trimmed.first }
                continue
            }
            out.append(line)
        }
        return out.joined(separator: "\n")
    }

    /// HTML table structure: per page, as many `<table`/`<tr`/`<td` as `</table>`/`</tr>`/`</td>`.
    static func tableBalance(_ root: URL) throws -> [String] {
        var problems: [String] = []
        for page in try pages(root, ext: "html") {
            let body = text(root, page)
            for t in ["table", "tr", "td", "th", "thead", "tbody"] {
                let open = captures("(<\(t)[\\s>])", in: body).count
                let close = captures("(</\(t)>)", in: body).count
                if open != close { problems.append("\(page): \(open) <\(t)> but \(close) </\(t)>") }
            }
        }
        return problems
    }

    /// Markdown pipe tables: every row of a table has as many cells as its header.
    static func markdownTables(_ root: URL) throws -> [String] {
        var problems: [String] = []
        func cells(_ line: Substring) -> Int {
            var n = 0
            var escaped = false
            for ch in line {
                if escaped { escaped = false; continue }
                if ch == "\\" { escaped = true } else if ch == "|" { n += 1 }
            }
            return n
        }
        for page in try pages(root, ext: "md") {
            let lines = text(root, page).split(separator: "\n", omittingEmptySubsequences: false)
            var i = 0
            while i + 1 < lines.count {
                if lines[i].hasPrefix("|"), lines[i + 1].hasPrefix("|---") {
                    let width = cells(lines[i])
                    if cells(lines[i + 1]) != width { problems.append("\(page):\(i + 2): delimiter row width") }
                    var j = i + 2
                    while j < lines.count, lines[j].hasPrefix("|") {
                        if cells(lines[j]) != width { problems.append("\(page):\(j + 1): \(cells(lines[j])) pipes, header has \(width)") }
                        j += 1
                    }
                    i = j
                } else {
                    i += 1
                }
            }
        }
        return problems
    }
}
