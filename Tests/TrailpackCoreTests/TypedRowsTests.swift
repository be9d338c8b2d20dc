import Foundation
import Testing
@testable import TrailpackCore

/// The audit trail's rows rendered by typed code (``EventRows``) against the same rows rendered
/// through the default Mustache templates: a theme that overrides a row template with a copy of
/// the default one takes the Mustache path, and must give the same bytes.
@Suite("Typed rows")
struct TypedRowsTests {
    /// An override folder holding copies of every default template that shapes a row.
    static func copiesOfRowTemplates(_ dir: TempDir) throws -> URL {
        let folder = dir.path("row-copies")
        for name in Theme.typedRowTemplates {
            for ext in [".html.mustache", ".md.mustache"] {
                let text = try String(contentsOf: SiteBuilding.templates.appendingPathComponent(name + ext), encoding: .utf8)
                try dir.write("row-copies/" + name + ext, text)
            }
        }
        return folder
    }

    static func compare(source: URL, dir: TempDir, pageSize: Int, trust: TrustList? = nil) throws {
        let overrides = try copiesOfRowTemplates(dir)
        let typedTheme = try SiteBuilding.theme()
        let mustacheTheme = try SiteBuilding.theme(overrides: overrides)
        #expect(typedTheme.typedRows)
        #expect(!mustacheTheme.typedRows)
        let typed = dir.path("typed")
        let mustache = dir.path("mustache")
        _ = try Trailpack.build(source: source.path, options: BuildOptions(output: typed, theme: typedTheme, pageSize: pageSize, trust: trust))
        _ = try Trailpack.build(source: source.path, options: BuildOptions(output: mustache, theme: mustacheTheme, pageSize: pageSize, trust: trust))
        let a = try SiteBuilding.snapshot(typed)
        let b = try SiteBuilding.snapshot(mustache)
        #expect(a.keys.sorted() == b.keys.sorted())
        #expect(a.keys.contains { $0.hasPrefix("audit/actor/") })
        // build-state.json records the theme (its page keys differ by design), and SHA256SUMS its digest.
        func withoutState(_ sums: Data?) -> [Substring] {
            String(decoding: sums ?? Data(), as: UTF8.self).split(separator: "\n").filter { !$0.hasSuffix("  " + BuildState.fileName) }
        }
        #expect(withoutState(a["SHA256SUMS"]) == withoutState(b["SHA256SUMS"]))
        for (path, bytes) in a.sorted(by: { $0.key < $1.key }) where b[path] != bytes && path != BuildState.fileName && path != "SHA256SUMS" {
            Issue.record("\(path) differs between typed rows and the default row templates")
        }
    }

    @Test func hostileTextGivesTheSameBytesAsTheTemplates() throws {
        let f = try PackBuilder.sample(hostile: true)
        try Self.compare(source: f.url, dir: f.dir, pageSize: 4)
    }

    @Test func theDemoGivesTheSameBytesAsTheTemplates() throws {
        let dir = try TempDir()
        let source = dir.path("demo")
        _ = try DemoGenerator.generate(into: source, options: DemoOptions())
        // Lines that are not canonical (read by the full reader) and not events at all.
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: source.appendingPathComponent("audit").path).sorted().last)
        let handle = try FileHandle(forWritingTo: source.appendingPathComponent("audit/" + segment))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("not an event\n{\"seq\": 1,  \"actor\": {\"id\": \"u:x\"}}\n".utf8))
        try handle.close()
        try Self.compare(source: source, dir: dir, pageSize: 50)
    }

    @Test func anOverriddenRowTemplateIsUsed() throws {
        let f = try PackBuilder.sample()
        try f.dir.write("t/compact-row.html.mustache", "<tr><td>CUSTOM {{time}}</td></tr>\n")
        let theme = try SiteBuilding.theme(overrides: f.dir.path("t"))
        #expect(!theme.typedRows)
        let out = f.dir.path("site")
        try SiteBuilding.build(f.url, out: out, overrides: f.dir.path("t"))
        #expect(SiteChecks.text(out, "audit/action/model.approved/page-0001.html").contains("<tr><td>CUSTOM "))
    }

    @Test func safeTextEscapesEveryStringAndFragmentsPassAsTheyAre() throws {
        var h = SafeHTML()
        h += "<b>"
        h.append(escaping: Hostile.payload)
        h += "</b>"
        let html = String(decoding: h.bytes, as: UTF8.self)
        #expect(html.hasPrefix("<b>&lt;script&gt;") && !html.dropFirst(3).dropLast(4).contains("<"))
        var m = SafeMarkdown()
        m.append(escaping: Hostile.payload)
        m.append(target: "x) [y](javascript:alert(1)")
        let md = String(decoding: m.bytes, as: UTF8.self)
        #expect(!md.contains("<script") && md.hasSuffix("x%29%20%5By%5D%28javascript%3Aalert%281%29"))
        var set = try TemplateSet(sources: ["a": "{{x}}|{{{x}}}|{{#x}}{{>row}}{{/x}}", "row": "TEMPLATE"], strict: true)
        let value: TemplateValue = ["x": .fragment(TemplateFragment(html: h, markdown: m))]
        #expect(try set.render("a", value) == "\(html)|\(html)|TEMPLATE")
        set.fragmentPartials = ["row"]
        #expect(try set.render("a", value) == "\(html)|\(html)|\(html)")
        set.escaping = .markdown
        #expect(try set.render("a", value) == "\(md)|\(md)|\(md)")
    }

    @Test func aCutTypedSpoolRowIsAnError() throws {
        let dir = try TempDir()
        var spool = GroupSpool(folder: dir.url.path, framed: true)
        let row = GroupSpool.frame(TemplateFragment(html: SafeHTML(escaping: "a"), markdown: SafeMarkdown(escaping: "b")))
        try spool.add(.actor, key: Array("u:x".utf8), row: row)
        try spool.add(.actor, key: Array("u:x".utf8), row: Array(row.dropLast()))
        try spool.flushAll()
        var seen = 0
        #expect(throws: SpoolError.unreadableRow(group: "actor/u:x")) {
            try spool.forEachFragment(.actor, 0, group: "actor/u:x") { f in
                seen += 1
                #expect(f.html.bytes == Array("a".utf8))
            }
        }
        #expect(seen == 1)
    }

    @Test func workersWriteReservedPagesConcurrently() throws {
        let dir = try TempDir()
        let target = dir.path("site")
        let paths = (0..<64).map { "audit/g\($0 % 5)/page-\($0)" }
        let files = try SiteWriter.build(target: target, marks: []) { writer in
            var output = SiteOutput(writer)
            defer { writer = output.writer }
            let sink = try output.reserve(pages: paths)
            #expect(throws: SiteWriterError.duplicatePath(paths[3] + ".html")) { try output.writer.reserve(paths[3] + ".html") }
            let written = try Parallel.map(paths.count) { i in
                try sink.write(RenderedPage(path: paths[i], html: "<p>\(i)</p>", markdown: "\(i)\u{7}"))
            }
            for w in written { output.record(w) }
            #expect(output.digests.count == 128 && output.bytes > 0)
        }
        #expect(files.count == 128)
        #expect(try String(contentsOf: target.appendingPathComponent("audit/g2/page-7.md"), encoding: .utf8) == "7U+0007")
    }
}
