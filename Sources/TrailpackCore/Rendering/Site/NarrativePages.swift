import Foundation

/// The pack's Markdown narrative (`docs/**/*.md`), rendered through libcmark in safe mode:
/// one page per document, the twin being the normalised CommonMark.
enum NarrativePages {
    /// `docs/a/b.md` -> `narrative/a/b`, every component slugged; nil for other paths.
    static func pagePath(forDoc path: String) -> String? {
        guard path.hasPrefix("docs/"), path.hasSuffix(".md"), ArtifactChecker.isSafeRelativePath(path) else { return nil }
        var parts = path.dropFirst(5).dropLast(3).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let last = parts.popLast(), !last.isEmpty else { return nil }
        return (["narrative"] + parts.map { PathNames.slug($0) } + [PathNames.slug(last)]).joined(separator: "/")
    }

    /// The text of a Markdown file inside the pack source, or nil when the path is unsafe,
    /// leaves the source (through a link) or cannot be read.
    static func read(_ path: String, source: URL) -> String? {
        guard ArtifactChecker.isSafeRelativePath(path) else { return nil }
        let full = source.appendingPathComponent(path).path
        guard let real = ArtifactChecker.realPath(full),
              let root = ArtifactChecker.realPath(source.path), real.hasPrefix(root + "/"),
              let data = FileManager.default.contents(atPath: real) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The rendered document `doc` (a source-relative path) shown on the page `page`: safe HTML
    /// and its CommonMark twin, with relative links mapped by ``linkTarget(_:image:doc:page:ext:files:)``.
    static func rendered(_ markdown: String, doc: String, page: String, files: Set<String>) -> TemplateValue {
        TemplateFragment.document(
            html: Markdown.html(markdown) { url, image in linkTarget(url, image: image, doc: doc, page: page, ext: ".html", files: files) },
            markdown: Markdown.commonmark(markdown) { url, image in linkTarget(url, image: image, doc: doc, page: page, ext: ".md", files: files) })
    }

    /// Where a link of the document `doc` leads from `page`: URLs with a scheme stay; a relative
    /// link to another document of docs/ leads to its page (`ext` chooses the HTML page or the
    /// twin); a link to another file of the source leads to its evidence copy (images too);
    /// anything else (outside the source, missing, absolute, a fragment of the document, whose
    /// headings have no anchors) becomes the empty URL.
    static func linkTarget(_ url: String, image: Bool, doc: String, page: String, ext: String, files: Set<String>) -> String {
        if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/"), !url[..<colon].contains("#"), !url[..<colon].contains("?") {
            return url
        }
        if url.hasPrefix("/") || url.hasPrefix("#") || url.hasPrefix("?") { return "" }
        let pathPart = url.split(whereSeparator: { $0 == "#" || $0 == "?" }).first.map(String.init) ?? ""
        guard !pathPart.isEmpty else { return "" }
        let decoded = pathPart.removingPercentEncoding ?? pathPart
        var parts = doc.split(separator: "/").dropLast().map(String.init)
        for c in decoded.split(separator: "/", omittingEmptySubsequences: false).map(String.init) {
            if c == ".." {
                guard !parts.isEmpty else { return "" }
                parts.removeLast()
            } else if c != "." && !c.isEmpty {
                parts.append(c)
            }
        }
        let target = parts.joined(separator: "/")
        // Evidence a browser would open as an active document is never linked (``Evidence/opensAsDocument(_:)``).
        guard files.contains(target), image || !Evidence.opensAsDocument(target) else { return "" }
        if !image, let p = pagePath(forDoc: target) { return SiteLinks.root(of: page) + p + ext }
        return SiteLinks.root(of: page) + SiteLinks.percentEncoded("evidence/" + target)
    }

    /// Writes a page per document of `docs/` copied into the evidence; returns links to them.
    static func write(_ c: SiteContext, evidence: Evidence, output: inout SiteOutput) throws -> [TemplateValue] {
        var links: [TemplateValue] = []
        let files = evidence.paths
        for file in evidence.files {
            guard let path = pagePath(forDoc: file.path), let text = read(file.path, source: c.analysis.source) else { continue }
            let title = Markdown.plainText(firstHeading(text) ?? "").isEmpty ? file.path : Markdown.plainText(firstHeading(text) ?? "")
            let page = try c.render(.narrative, path: path, title: title, section: nil, [
                "document": rendered(text, doc: file.path, page: path, files: files), "source": TV.file(file.path, "evidence/" + file.path), "sha256": .string(file.sha256),
            ])
            try output.write(page)
            links.append(["link": TV.page(title, path), "path": .string(file.path)])
        }
        return links
    }

    /// The text of the first ATX heading line (`# Title`), if any.
    static func firstHeading(_ text: String) -> String? {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).prefix(40) {
            let t = line.drop { $0 == " " }
            if t.hasPrefix("#") {
                let body = t.drop { $0 == "#" }
                if body.first == " " { return String(body.dropFirst()) }
            }
        }
        return nil
    }
}
