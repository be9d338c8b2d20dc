import Foundation
import Testing
@testable import TrailpackCore

@Suite("Site safety")
struct SiteSafetyTests {
    @Test func hostileTextRendersAsTextInEveryPageAndTwin() throws {
        let f = try PackBuilder.sample(hostile: true)
        let out = f.dir.path("site")
        try SiteBuilding.build(f.url, out: out, pageSize: 4)
        for problems in [try SiteChecks.activeContent(out), try SiteChecks.tableBalance(out), try SiteChecks.markdownTables(out),
                         try SiteChecks.links(out)] {
            #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        }
        // The payload is there, as text.
        let index = SiteChecks.text(out, "index.html")
        #expect(index.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(index.contains("&lt;/td&gt;&lt;/table&gt;"))
        let twin = SiteChecks.text(out, "index.md")
        #expect(twin.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(twin.contains("\\[click\\](javascript:alert(1))"))
        // The hostile actor id became a slugged folder, listed and linked.
        let actorPages = try SiteChecks.files(out).filter { $0.hasPrefix("audit/actor/u-img-src-x-onerror-alert-1") }
        #expect(actorPages.count == 2)
        // The intended use (Markdown) lost its raw HTML and its javascript: link, kept the https one.
        let model = SiteChecks.text(out, "models/sepsis-risk/index.html")
        #expect(model.contains("<!-- raw HTML omitted -->"))
        #expect(model.contains("href=\"https://example.com/protocol\""))
        #expect(!model.lowercased().contains("javascript:alert(1)\""))
    }

    @Test func aSyntaxErrorInATemplateStopsTheBuildBeforeAnythingIsWritten() throws {
        let f = try PackBuilder.sample()
        let site = f.dir.path("site")
        try SiteBuilding.build(f.url, out: site)
        let before = try SiteBuilding.snapshot(site)
        let bad = try f.dir.write("bad/findings.html.mustache", "{{<layout.html}}{{$main}}{{#findings}}{{/main}}{{/layout.html}}")
        #expect(throws: ThemeError.self) { try SiteBuilding.theme(overrides: bad.deletingLastPathComponent()) }
        do {
            _ = try SiteBuilding.theme(overrides: bad.deletingLastPathComponent())
        } catch {
            #expect(error.localizedDescription.contains("findings.html.mustache:1:"), "\(error.localizedDescription)")
        }
        #expect(try SiteBuilding.snapshot(site) == before)
    }

    @Test func aFailureWhileRenderingLeavesThePreviousSiteIntact() throws {
        let f = try PackBuilder.sample()
        let site = f.dir.path("site")
        try SiteBuilding.build(f.url, out: site)
        let before = try SiteBuilding.snapshot(site)
        // Parses, but names a partial that does not exist: strict rendering fails mid-build.
        let dir = f.dir.path("bad")
        try f.dir.write("bad/capa.html.mustache", "{{<layout.html}}{{$main}}{{> missing.html}}{{/main}}{{/layout.html}}")
        #expect(throws: TemplateError.missingPartial("missing.html", SourceLocation(file: "capa.html", line: 1, column: 26))) {
            try SiteBuilding.build(f.url, out: site, overrides: dir)
        }
        #expect(try SiteBuilding.snapshot(site) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.url.path).filter { $0.contains("trailpack-tmp") } == [])
    }

    @Test func anUnreadableSourceWritesNothing() throws {
        let f = try PackBuilder.sample()
        try f.dir.write("trailpack.json", #"{"title": "x", "origin": "o", "release": {"name": "r", "models": {}}, "polcy": {}}"#)
        let out = f.dir.path("out/site")
        #expect(throws: SourceError.self) { try SiteBuilding.build(f.url, out: out) }
        #expect(!FileManager.default.fileExists(atPath: f.dir.path("out").path))
        #expect(throws: SourceError.self) { try SiteBuilding.build(f.dir.path("nope"), out: out) }
        #expect(!FileManager.default.fileExists(atPath: f.dir.path("out").path))
    }

    @Test("an output folder inside a copied folder of the source is refused", arguments: ["docs/site", "audit", "."])
    func outputInsideTheSource(relative: String) throws {
        let f = try PackBuilder.sample()
        #expect(throws: BuildError.self) { try SiteBuilding.build(f.url, out: f.url.appendingPathComponent(relative)) }
    }

    /// A theme that writes a record's text with `{{{ }}}` or `{{& }}` still gets it escaped: only
    /// markup the build made (fragments: typed rows, libcmark's safe output, charts) goes out as
    /// it is. Before, a pack title `<script>…` went raw into every page of such a theme.
    @Test func aThemesTripleMustacheCannotSendARecordsTextOutRaw() throws {
        var f = try PackBuilder.sample(hostile: true)
        f.title = "<script>alert(1)</script> & 'x'"
        try f.write()
        let dir = f.dir.path("theme")
        let layout = try String(contentsOf: SiteBuilding.templates.appendingPathComponent("layout.html.mustache"), encoding: .utf8)
        let raw = layout.replacingOccurrences(of: "{{site.title}}", with: "{{{site.title}}}")
            .replacingOccurrences(of: "<h1>{{page.title}}</h1>", with: "<h1>{{& page.title}}</h1>")
        #expect(raw != layout)
        try f.dir.write("theme/layout.html.mustache", raw)
        let layoutMD = try String(contentsOf: SiteBuilding.templates.appendingPathComponent("layout.md.mustache"), encoding: .utf8)
        try f.dir.write("theme/layout.md.mustache", "{{{site.title}}}\n\n" + layoutMD)
        let out = f.dir.path("site")
        try SiteBuilding.build(f.url, out: out, overrides: dir)
        let index = SiteChecks.text(out, "index.html")
        #expect(index.contains("<title>Inspection summary · &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;x&#39;</title>"))
        #expect(SiteChecks.text(out, "index.md").hasPrefix("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;x&#39;\n"))
        #expect(try SiteChecks.activeContent(out).isEmpty)
        // The markup the build made still goes out as it is: the narrative's HTML, the catalogue.
        #expect(SiteChecks.text(out, "findings.html").contains("<td class=\"inline-md\"><p>"))
    }

    @Test func overridesReplaceTemplatesAndAssetsByFileName() throws {
        let f = try PackBuilder.sample()
        try SiteBuilding.build(f.url, out: f.dir.path("plain"))
        let dir = f.dir.path("theme")
        try f.dir.write("theme/badge.html.mustache", #"<b class="mine">{{label}}</b>"#)
        try f.dir.write("theme/style.css", "body { color: black }\n")
        try f.dir.write("theme/extra.md.mustache", "unused")
        try f.dir.write("theme/notes.txt", "not a theme file")
        let theme = try SiteBuilding.theme(overrides: dir)
        #expect(theme.origins["badge.html.mustache"] == dir.path)
        #expect(theme.origins["layout.html.mustache"] == SiteBuilding.templates.path)
        try SiteBuilding.build(f.url, out: f.dir.path("custom"), overrides: dir)
        let plain = try SiteBuilding.snapshot(f.dir.path("plain"))
        let custom = try SiteBuilding.snapshot(f.dir.path("custom"))
        #expect(SiteChecks.text(f.dir.path("custom"), "index.html").contains(#"<b class="mine">✔ No findings</b>"#))
        #expect(custom["style.css"] == Data("body { color: black }\n".utf8))
        #expect(custom["notes.txt"] == nil)
        #expect(custom["index.md"] == plain["index.md"])  // twins use their own templates
        #expect(custom["audit/page-0001.html"] != plain["audit/page-0001.html"])
    }

    @Test func theDefaultThemeIsFoundBesideTheExecutable() throws {
        let tmp = try TempDir()
        try tmp.write("share/trailpack/templates/layout.html.mustache", "x")
        #expect(try Theme.findDefaultFolder(executable: tmp.path("bin/trailpack")).path == tmp.path("share/trailpack/templates").path)
        try tmp.write("checkout/templates/layout.html.mustache", "x")
        let exe = tmp.path("checkout/.build/x86_64-unknown-linux-gnu/release/trailpack")
        #expect(try Theme.findDefaultFolder(executable: exe).path == tmp.path("checkout/templates").path)
        let nowhere = tmp.path("a/b/c/d/trailpack")
        #expect(throws: ThemeError.notFound(tried: Theme.defaultFolderCandidates(executable: nowhere).map(\.path))) {
            try Theme.findDefaultFolder(executable: nowhere)
        }
    }

    /// A theme's files go into the site: a link (to /etc/passwd, to a private key), a special
    /// file, a file holding a private key and an asset under a name the build writes itself are
    /// refused, naming the file, before anything is written.
    @Test(arguments: ["link to a file outside", "linked template", "private key copy", "named pipe", "reserved name"])
    func aThemeCannotPublishWhatIsNotItsOwn(_ kind: String) throws {
        let outside = try TempDir()
        let theme = try TempDir()
        let secret = try outside.write("demo.key", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n")
        let expected: String
        switch kind {
        case "link to a file outside":
            try FileManager.default.createSymbolicLink(at: theme.url.appendingPathComponent("leak.css"), withDestinationURL: secret)
            expected = theme.path("leak.css").path + ": cannot be read: a symbolic link, which a theme may not hold"
        case "linked template":
            let hostname = try outside.write("hostname", "host")
            try FileManager.default.createSymbolicLink(at: theme.url.appendingPathComponent("capa.html.mustache"), withDestinationURL: hostname)
            expected = theme.path("capa.html.mustache").path + ": cannot be read: a symbolic link, which a theme may not hold"
        case "private key copy":
            try FileManager.default.copyItem(at: secret, to: theme.url.appendingPathComponent("copy.png"))
            expected = theme.path("copy.png").path + ": cannot be read: holds a private key"
        case "named pipe":
            #expect(mkfifo(theme.path("pipe.css").path, 0o600) == 0)
            expected = theme.path("pipe.css").path + ": cannot be read: not a regular file (a named pipe, socket or device)"
        default:
            try theme.write("trailpack-print.css", "body {}")
            expected = theme.path("trailpack-print.css").path + ": cannot be read: trailpack-print.css is a name the build writes itself"
        }
        do {
            _ = try Theme.load(defaultFolder: SiteBuilding.templates, overrides: theme.url)
            Issue.record("\(kind): accepted")
        } catch {
            #expect(error.localizedDescription.hasPrefix(expected), "\(error.localizedDescription)")
        }
    }

    @Test func aMissingPageTemplateIsNamed() throws {
        let tmp = try TempDir()
        for name in try FileManager.default.contentsOfDirectory(atPath: SiteBuilding.templates.path) where name != "capa.md.mustache" {
            try FileManager.default.copyItem(at: SiteBuilding.templates.appendingPathComponent(name), to: tmp.path(name))
        }
        #expect(throws: ThemeError.missingTemplate("capa.md", folders: [tmp.url.path])) { try Theme.load(defaultFolder: tmp.url) }
    }
}

@Suite("Links inside documents")
struct DocumentLinkTests {
    static let files: Set<String> = ["docs/plan.md", "docs/m/use.md", "docs/m/chart.png", "artifacts/report.pdf", "docs/a b.md"]

    static let cases: [(url: String, image: Bool, page: String, ext: String, expected: String)] = [
        ("../plan.md", false, "models/m/index", ".html", "../../narrative/plan.html"),
        ("../plan.md#scope", false, "narrative/m/use", ".md", "../../narrative/plan.md"),
        ("chart.png", true, "models/m/index", ".html", "../../evidence/docs/m/chart.png"),
        ("chart.png", false, "narrative/m/use", ".html", "../../evidence/docs/m/chart.png"),
        ("../../artifacts/report.pdf", false, "index", ".html", "evidence/artifacts/report.pdf"),
        ("../a%20b.md", false, "index", ".html", "narrative/" + PathNames.slug("a b") + ".html"),
        ("../../../etc/passwd", false, "index", ".html", ""),
        ("missing.md", false, "index", ".html", ""),
        ("/docs/plan.md", false, "index", ".html", ""),
        ("#heading", false, "index", ".html", ""),
        ("https://example.com/x.md", false, "index", ".html", "https://example.com/x.md"),
        ("mailto:qa@example.com", false, "index", ".md", "mailto:qa@example.com"),
    ]

    @Test("relative links lead to pages and evidence copies, never outside", arguments: cases)
    func target(c: (url: String, image: Bool, page: String, ext: String, expected: String)) {
        let got = NarrativePages.linkTarget(c.url, image: c.image, doc: "docs/m/use.md", page: c.page, ext: c.ext, files: Self.files)
        #expect(got == c.expected)
    }
}

@Suite("Site build with a trust list")
struct SiteTrustTests {
    @Test func keysOutsideTheTrustListAreShownAsNotTrusted() throws {
        let f = try PackBuilder.sample()
        let a = try Trailpack.analyze(source: f.url, trust: nil)
        let qa = try #require(a.integrity.keyring.keys.first { $0.name == "qa-lead" })
        let trust = TrustList(path: "trusted.txt", fingerprints: [qa.fingerprint])
        let out = f.dir.path("site")
        var options = BuildOptions(output: out, theme: try SiteBuilding.theme(), trust: trust)
        options.pageSize = 10
        let result = try Trailpack.build(source: f.url.path, options: options)
        // The checkpoint's key is not trusted: its signature no longer counts.
        #expect(result.verifyReport.findings.map(\.rule) == [.intCheckpointSig])
        let integrity = SiteChecks.text(out, "integrity.html")
        #expect(integrity.contains("listed in trusted.txt"))
        #expect(integrity.contains("✖ Not trusted"))
        #expect(SiteChecks.text(out, "report.json").contains("\"trustList\": \"trusted.txt\""))
    }
}
