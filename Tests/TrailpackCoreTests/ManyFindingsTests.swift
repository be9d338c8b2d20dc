import Foundation
import Testing
@testable import TrailpackCore

/// A pack with thousands of findings (a systematic gap, or a damaged segment of which every line
/// is INT-PARSE): the findings are listed on pages of ``FindingsPage/pageSize``, every link to a
/// finding leads to its page, and a run of lines that are not events is one row of the trail.
/// Before, one findings page held every finding and one trail page every such line (200,000
/// damaged lines: a 127 MB findings page, a 56 MB trail page, 1.2 GB of memory).
struct ManyFindingsTests {
    @Test func findingsArePagedAndEveryLinkLeadsToItsPage() throws {
        var f = try PackBuilder.sample()
        // A lone line that is not an event keeps its one-line row.
        f.rawLine("lonely damaged line")
        // Each: AT-REASON and AT-CHANGES (a modification without reason or changes).
        for _ in 0..<1100 { try f.event("record.modified", actor: "u:x", subject: PackBuilder.subject("record", "r")) }
        for n in 0..<300 { f.rawLine("damaged line \(n)") }
        try f.write()
        let out = f.dir.path("site")
        _ = try SiteBuilding.build(f.url, out: out, pageSize: 100)
        let report = try Trailpack.verify(source: f.url.path, trust: nil)
        let total = report.findings.count
        #expect(total >= 2500, "\(total)")
        let pages = (total + FindingsPage.pageSize - 1) / FindingsPage.pageSize
        var rows = 0
        for n in 1...pages {
            let path = SiteLinks.findingsPage(n) + ".html"
            let text = SiteChecks.text(out, path)
            let count = SiteChecks.captures(#"<tr id="(f\d+)">"#, in: text).count
            #expect(count == (n < pages ? FindingsPage.pageSize : total - (pages - 1) * FindingsPage.pageSize), "\(path)")
            rows += count
            #expect(text.contains("Rule catalogue") == (n == 1), "\(path)")
            #expect(text.contains("Page \(n) of \(pages)"), "\(path)")
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(SiteLinks.findingsPage(n) + ".md").path))
        }
        #expect(rows == total)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(SiteLinks.findingsPage(pages + 1) + ".html").path))
        #expect(SiteChecks.text(out, "findings/page-0002.html").contains("href=\"../findings.html#rules\""))
        // Every finding link (event rows, notes, drift, summary) resolves to an anchor on its page.
        let broken = try SiteChecks.links(out)
        #expect(broken.isEmpty, "\(broken.prefix(5))")
        // The 300 damaged lines at the end of the segment are one row of the trail.
        let lastPage = try #require(try SiteChecks.pages(out, ext: "html").filter { $0.hasPrefix("audit/page-") }.max())
        let trail = SiteChecks.text(out, lastPage)
        #expect(SiteChecks.captures(#"(<tr class="note">)"#, in: trail).count == 1)
        #expect(trail.contains("(300 lines) are not events"))
        #expect(SiteChecks.captures(#"Finding <a href="[^"]*#(f\d+)">INT-PARSE</a>"#, in: trail).count == AuditTrail.noteLinks)
        let lone = try SiteChecks.pages(out, ext: "html").filter { $0.hasPrefix("audit/page-") }
            .filter { SiteChecks.text(out, $0).contains("is not an event (not one JSON object); it takes no seq") }
        #expect(lone.count == 1)
    }
}
