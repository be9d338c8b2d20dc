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

    /// The rendered document: safe HTML and its CommonMark twin.
    static func rendered(_ markdown: String) -> TemplateValue {
        ["html": .string(Markdown.html(markdown)), "md": .string(Markdown.commonmark(markdown))]
    }

    /// Writes a page per document of `docs/` copied into the evidence; returns links to them.
    static func write(_ c: SiteContext, evidence: Evidence, output: inout SiteOutput) throws -> [TemplateValue] {
        var links: [TemplateValue] = []
        for file in evidence.files {
            guard let path = pagePath(forDoc: file.path), let text = read(file.path, source: c.analysis.source) else { continue }
            let title = Markdown.plainText(firstHeading(text) ?? "").isEmpty ? file.path : Markdown.plainText(firstHeading(text) ?? "")
            let page = try c.render(.narrative, path: path, title: title, section: nil, [
                "document": rendered(text), "source": TV.file(file.path, "evidence/" + file.path), "sha256": .string(file.sha256),
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
