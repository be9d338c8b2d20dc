import Foundation
import Testing
@testable import TrailpackCore

/// One renderer of a diff: the `diff` command's HTML and Markdown are the site's changes page
/// (the theme's `changes` templates) with the standalone layout and no link into a site.
struct ChangesDocumentTests {
    /// `(what, text)` of the headings and column headings of an HTML page, in order.
    static func outline(_ html: String) -> [String] {
        SiteChecks.captures(#"(<h[23][^>]*>[^<]*</h[23]>|<th scope="col">[^<]*</th>)"#, in: html)
            .map { $0.replacingOccurrences(of: #"<[^>]*>"#, with: "", options: .regularExpression) }
    }

    @Test func theDiffDocumentIsTheSitesChangesPageWithoutTheSite() throws {
        let tmp = try TempDir()
        try DiffOutputTests.releases(tmp)
        let d = try Trailpack.diff(old: tmp.path("old"), new: tmp.path("new"), trust: nil)
        let page = try d.document(theme: SiteBuilding.theme())
        try BuildPreviousTests.build(tmp.path("new"), out: tmp.path("site"), previous: tmp.path("old").path)
        let site = try String(contentsOf: tmp.path("site/changes.html"), encoding: .utf8)

        // The same sections, tables and columns, in the same order; the site adds the findings'
        // numbers (a link to its findings page), which the standalone page leaves out.
        let standalone = Self.outline(page.htmlBody)
        #expect(standalone.count > 30 && standalone.contains("Drift monitoring") && standalone.contains("Test newly failing"))
        #expect(Self.outline(site).filter { $0 != "#" && $0 != "Changes since release 2026.1" } == standalone)
        #expect(Self.outline(site).filter { $0 == "#" }.count == 1 && !standalone.contains("#"))

        // Row for row the same words, the site's links aside; except where the site knows more:
        // NEW's source is "this site", an actor has a name, the findings are numbered (a column
        // of their own) and name their event.
        let strip = { (row: String) in row.replacingOccurrences(of: #"<a [^>]*>|</a>"#, with: "", options: .regularExpression) }
        let siteRows = SiteChecks.captures(#"<tr>(.*?)</tr>"#, in: site).map(strip)
        let standaloneRows = SiteChecks.captures(#"<tr>(.*?)</tr>"#, in: page.htmlBody)
        #expect(siteRows.count == standaloneRows.count && siteRows.count > 20)
        let differing = zip(siteRows, standaloneRows).filter { $0 != $1 }
        #expect(differing.first?.0.hasPrefix(#"<th scope="row">Read from</th>"#) == true)
        let named = d.events.byActor.map { "(\($0.key))</th><td class=\"num\">\($0.count)</td>" }
        let findingRows = differing.dropFirst().filter { s, t in
            if named.contains(where: s.hasSuffix) { return false }  // an actor's name and id, and the id alone
            if s.contains(#"<th scope="col">#</th>"#) { #expect(s.replacingOccurrences(of: #"<th scope="col">#</th>"#, with: "") == t); return false }
            return true
        }
        #expect(findingRows.count == d.findings.opened.count + d.findings.persisting.count && findingRows.count > 0)
        for (s, t) in findingRows {
            #expect(s.range(of: #"^<td>\d+</td>"#, options: .regularExpression).map { String(s[$0.upperBound...]) }?.hasPrefix(String(t.prefix(60))) == true,
                    "\(s) \(t)")
        }

        // No link into a site: no href in the HTML, no Markdown link; NEW is named by its source.
        #expect(!page.html.contains("<a ") && !page.html.contains("href="))
        #expect(!page.markdown.contains("]("))
        #expect(page.htmlBody.contains(#"<th scope="row">Read from</th><td class="mono">\#(Escape.html(tmp.path("old").path))</td><td class="mono">\#(Escape.html(tmp.path("new").path))</td>"#))
        #expect(!page.html.contains("this site") && !page.markdown.contains("this site") && !page.html.contains("report.json"))

        // The standalone page: the site's CSP, the title, the body as it is.
        #expect(page.html.hasPrefix("<!DOCTYPE html>") && page.html.contains(page.htmlBody))
        #expect(page.html.contains("<title>Changes since release 2026.1</title>") && page.html.contains("<h1>Changes since release 2026.1</h1>"))
        #expect(page.html.contains(#"<meta http-equiv="Content-Security-Policy" content="\#(ContentSecurityPolicy.value)">"#))
        #expect(page.markdown == "# Changes since release 2026.1\n\n" + page.markdownBody)
    }

    @Test func theCommandPrintsTheDocument() throws {
        let tmp = try TempDir()
        try DiffOutputTests.releases(tmp)
        let old = tmp.path("old").path, new = tmp.path("new").path
        let page = try Trailpack.diff(old: old, new: new, trust: nil).document(theme: SiteBuilding.theme())
        let html = try DiffOutputTests.run(["diff", old, new, "--format", "html"])
        #expect(html.status == 0 && html.out == page.html)
        let md = try DiffOutputTests.run(["diff", old, new, "--format", "markdown"])
        #expect(md.status == 0 && md.out == page.markdown)
        let help = try DiffOutputTests.run(["diff", "--help"])
        #expect(help.out.contains("text|json|markdown|html"))
    }

    @Test func hostileStringsAreEscapedStandingAlone() throws {
        let tmp = try TempDir()
        let evil = "u:<script>alert(1)</script>|*x*"
        var f = try PackBuilder.diffBaseline()
        f.releaseName = "<img src=x onerror=alert(1)>|*r*"
        let oldPath = tmp.path("old <b>|x")
        try f.write(to: oldPath)
        try f.trained("2", actor: evil)
        try f.test("T-<i>1", "2", ["URS-01"], pass: true, actor: evil)
        try f.test("T-2", "1", ["URS-02"], pass: false)
        f.releaseName = "2026.2"
        try f.write(to: tmp.path("new"))
        let d = try Trailpack.diff(old: oldPath.path, new: tmp.path("new").path, trust: nil)
        let page = try d.document(theme: SiteBuilding.theme())
        #expect(!page.html.contains("<script") && !page.html.contains("<img") && !page.html.contains("<b>") && !page.html.contains("<i>1"))
        #expect(page.html.contains("u:&lt;script&gt;alert(1)&lt;/script&gt;|*x*") && page.html.contains("old &lt;b&gt;|x"))
        #expect(page.html.contains("<title>Changes since release &lt;img src=x onerror=alert(1)&gt;|*r*</title>"))
        #expect(!page.markdown.contains("<script") && !page.markdown.contains("<img") && !page.markdown.contains("<b>"))
        #expect(page.markdown.contains(#"u:&lt;script&gt;alert(1)&lt;/script&gt;\|\*x\*"#))
        #expect(page.markdown.hasPrefix(#"# Changes since release &lt;img src=x onerror=alert(1)&gt;\|\*r\*"#))
    }

    @Test func aThemeWithoutTheStandaloneLayoutIsRefused() throws {
        let tmp = try TempDir()
        try DiffOutputTests.releases(tmp)
        let d = try Trailpack.diff(old: tmp.path("old"), new: tmp.path("new"), trust: nil)
        let folder = tmp.path("theme")
        try FileManager.default.copyItem(at: SiteBuilding.templates, to: folder)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("layout-standalone.md.mustache"))
        let theme = try Theme.load(defaultFolder: folder)
        #expect(throws: ThemeError.missingTemplate("layout-standalone.md", folders: [folder.path])) { try d.document(theme: theme) }
        #expect(throws: ThemeError.self) { try d.write(to: tmp.path("out"), theme: theme) }
        #expect(!FileManager.default.fileExists(atPath: tmp.path("out").path))
    }
}
