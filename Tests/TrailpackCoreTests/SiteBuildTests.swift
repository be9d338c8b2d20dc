import Foundation
import Testing
@testable import TrailpackCore

/// Builds sites from fixtures with the repository's default theme.
enum SiteBuilding {
    static let templates = Shared.repoRoot.appendingPathComponent("templates")

    static func theme(overrides: URL? = nil) throws -> Theme {
        try Theme.load(defaultFolder: templates, overrides: overrides)
    }

    @discardableResult
    static func build(_ source: URL, out: URL, pageSize: Int = 500, overrides: URL? = nil) throws -> BuildResult {
        try Trailpack.build(source: source.path, options: BuildOptions(output: out, theme: theme(overrides: overrides), pageSize: pageSize))
    }

    /// Every file of a site with its bytes.
    static func snapshot(_ site: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for f in try SiteChecks.files(site) { out[f] = try Data(contentsOf: site.appendingPathComponent(f)) }
        return out
    }
}

@Suite("Site build")
struct SiteBuildTests {
    @Test func buildsEveryPageFamilyWithItsTwin() throws {
        let f = try PackBuilder.sample()
        let out = f.dir.path("site")
        let result = try SiteBuilding.build(f.url, out: out, pageSize: 5)
        #expect(result.verifyReport.findings.isEmpty)
        let expected = [
            "index", "audit/index", "audit/page-0001", "audit/page-0004", "audit/model/sepsis-risk/page-0001",
            "audit/action/model.approved/page-0001", "models/sepsis-risk/index", "models/sepsis-risk/versions/3", "traceability",
            "signatures", "integrity", "findings", "capa", "narrative/sepsis-risk/intended-use", "narrative/overview",
        ]
        for page in expected {
            #expect(result.files.contains(page + ".html"), "\(page).html")
            #expect(result.files.contains(page + ".md"), "\(page).md")
        }
        for file in ["style.css", "report.json", "SHA256SUMS", "traceability.csv", "evidence/trailpack.json", "evidence/audit/0001.jsonl",
                     "evidence/keys/qa-lead.pem", "evidence/checkpoints/0001.checkpoint", "evidence/artifacts/t01-report.txt"] {
            #expect(result.files.contains(file), "\(file)")
        }
        #expect(!result.files.contains { $0.contains("trailpack-scratch") })
        #expect(!result.files.contains("audit/page-0005.html"))
        // 19 events on pages of 5: the last page holds 4.
        let last = SiteChecks.text(out, "audit/page-0004.html")
        #expect(SiteChecks.ids(last).filter { $0.hasPrefix("e") } == ["e16", "e17", "e18", "e19"])
        // Pages of events name no page count (issue 12: an append leaves them as they are).
        #expect(last.contains("<p>Page 4 · ") && !last.contains("Page 4 of") && !last.contains("Last page"))
        #expect(SiteChecks.text(out, "audit/page-0001.html").contains("Next page"))
    }

    @Test func twoBuildsOfOneSourceAreByteIdentical() throws {
        let f = try PackBuilder.sample(hostile: true)
        try SiteBuilding.build(f.url, out: f.dir.path("a"), pageSize: 3)
        try SiteBuilding.build(f.url, out: f.dir.path("b"), pageSize: 3)
        let a = try SiteBuilding.snapshot(f.dir.path("a"))
        let b = try SiteBuilding.snapshot(f.dir.path("b"))
        #expect(a.keys.sorted() == b.keys.sorted())
        for (k, v) in a { #expect(b[k] == v, "\(k) differs") }
        // Rebuilding over an existing site gives the same bytes too.
        try SiteBuilding.build(f.url, out: f.dir.path("a"), pageSize: 3)
        #expect(try SiteBuilding.snapshot(f.dir.path("a")) == a)
    }

    @Test("links and anchors resolve, ids are unique", arguments: [1, 4, 500])
    func linksResolve(pageSize: Int) throws {
        let f = try PackBuilder.sample(hostile: true)
        let out = f.dir.path("site")
        try SiteBuilding.build(f.url, out: out, pageSize: pageSize)
        for problems in [try SiteChecks.links(out), try SiteChecks.markdownTables(out), try SiteChecks.tableBalance(out)] {
            #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        }
    }

    @Test func sha256sumsListsEveryOtherFileWithItsDigest() throws {
        let f = try PackBuilder.sample()
        let out = f.dir.path("site")
        try SiteBuilding.build(f.url, out: out)
        let lines = SiteChecks.text(out, "SHA256SUMS").split(separator: "\n").map(String.init)
        let listed = lines.map { String($0.dropFirst(66)) }
        #expect(listed == (try SiteChecks.files(out)).filter { $0 != "SHA256SUMS" }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        for line in lines {
            let hex = String(line.prefix(64))
            #expect(line.dropFirst(64).hasPrefix("  "))
            let path = out.appendingPathComponent(String(line.dropFirst(66))).path
            #expect(FileHashing.sha256(path: path)?.hex == hex, "\(line)")
        }
    }

    @Test func verifyOnTheSiteReportsWhatItReportsOnTheSource() throws {
        var f = try PackBuilder.sample()
        // Some findings, so that there is something to compare: an unsigned approval, a modification without reason.
        try f.event("model.approved", actor: "svc:bot", service: true, subject: PackBuilder.modelSubject("sepsis-risk", "3"))
        try f.event("record.modified", actor: "u:x", subject: PackBuilder.subject("record", "r"))
        try f.write()
        let out = f.dir.path("site")
        let result = try SiteBuilding.build(f.url, out: out)
        #expect(!result.verifyReport.findings.isEmpty)
        let onSource = try Trailpack.verify(source: f.url.path, trust: nil)
        let onSite = try Trailpack.verify(source: out.path, trust: nil)
        #expect(try Trailpack.resolveSource(out.path).lastPathComponent == "evidence")
        #expect(onSite.text == onSource.text)
        #expect(JSONWriter.pretty(onSite.json) == JSONWriter.pretty(onSource.json))
    }

    @Test func reportJSONIsVersionedAndDeterministic() throws {
        let f = try PackBuilder.sample()
        let out = f.dir.path("site")
        try SiteBuilding.build(f.url, out: out)
        let text = SiteChecks.text(out, "report.json")
        let value = try JSONReader().parse(Array(text.utf8))
        #expect(value["schema"]?.stringValue == "trailpack-report/1")
        #expect(value["generator"]?["version"]?.stringValue == Trailpack.version)
        #expect(value["integrity"]?["treeSize"]?.integerValue == Int64(f.lines().count))
        #expect(value["models"]?.arrayValue?.first?["versions"]?.arrayValue?.first?["status"]?["validated"]?.boolValue == true)
        #expect(value["traceability"]?["rows"]?.arrayValue?.count == 2)
        #expect(value["audit"]?["events"]?.integerValue == Int64(f.lines().count))
        #expect(JSONWriter.pretty(value) == text)
    }

    @Test func traceabilityCSVHasAHeaderAndARowPerRequirement() throws {
        let f = try PackBuilder.sample()
        let out = f.dir.path("site")
        try SiteBuilding.build(f.url, out: out)
        let rows = SiteChecks.text(out, "traceability.csv").components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows.count == 3)
        #expect(rows[0].hasPrefix("model,version,requirement,title,status"))
        #expect(rows[1].hasPrefix("sepsis-risk,3,URS-01,Discrimination,passed,T-01,T-01,pass,"))
        #expect(rows[1].contains("artifacts/t01-report.txt sha256:"))
        #expect(rows[1].contains(",verified,"))
    }
}

@Suite("Site build on the demo pack")
struct DemoSiteTests {
    @Test("the demo's site (plain and hostile) has sound links, tables and no active content", arguments: [false, true])
    func demoSite(hostile: Bool) throws {
        let tmp = try TempDir()
        let source = tmp.path("src")
        _ = try Trailpack.demo(out: source.path, options: DemoOptions(events: 3000, seed: 7, hostile: hostile))
        let out = tmp.path("site")
        let result = try SiteBuilding.build(source, out: out, pageSize: 400)
        #expect(result.verifyReport.findings.isEmpty)
        for problems in [try SiteChecks.links(out), try SiteChecks.markdownTables(out), try SiteChecks.tableBalance(out),
                         try SiteChecks.activeContent(out)] {
            #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        }
        #expect(try Trailpack.verify(source: out.path, trust: nil).text == result.verifyReport.text)
    }
}

@Suite("Audit trail pages")
struct AuditTrailPageTests {
    @Test func monthsGetHeadingsAnIndexAndStableAnchors() throws {
        var f = try PackBuilder.source(step: 9 * 86_400)  // 9 days apart: 40 events over 12 months
        f.model("m", requirements: [("R1", "t", "x")], versions: [("1", "none")])
        f.release = [("m", "1")]
        for i in 1...40 {
            try f.event(i.isMultiple(of: 3) ? "model.trained" : "note.added", actor: "u:\(i % 4)",
                    subject: i.isMultiple(of: 3) ? PackBuilder.modelSubject("m", "1") : PackBuilder.subject("note", "n\(i)"))
        }
        try f.write()
        let out = f.dir.path("site")
        try SiteBuilding.build(f.url, out: out, pageSize: 7)
        let files = try SiteChecks.files(out)
        #expect(files.filter { $0.hasPrefix("audit/page-") && $0.hasSuffix(".html") }.count == 6)
        // Page 2 holds events 8 to 14 (Jan 5 + 63..117 days: March to May 2026).
        let page2 = SiteChecks.text(out, "audit/page-0002.html")
        #expect(SiteChecks.ids(page2).filter { $0.hasPrefix("e") } == (8...14).map { "e\($0)" })
        #expect(SiteChecks.ids(page2).filter { $0.hasPrefix("m-") } == ["m-2026-03", "m-2026-04", "m-2026-05"])
        #expect(page2.contains("<h2 id=\"m-2026-03\">March 2026</h2>"))
        let index = SiteChecks.text(out, "audit/index.html")
        #expect(index.contains("<th scope=\"row\">January 2026</th><td class=\"num\">3</td><td>1</td>"))
        #expect(index.contains("href=\"../audit/page-0002.html#m-2026-04\""))
        // Group pages are paginated too: 4 actors of 10 events each, pages of 7.
        #expect(files.filter { $0.hasPrefix("audit/actor/") && $0.hasSuffix(".html") }.count == 8)
        #expect(files.contains("audit/model/m/page-0002.html"))
        for problems in [try SiteChecks.links(out), try SiteChecks.markdownTables(out), try SiteChecks.tableBalance(out)] {
            #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        }
    }

    @Test func aBrokenLogStillGetsEveryLineShownAndEveryLinkRight() throws {
        var f = try PackBuilder.sample()
        f.rawLine("this is not JSON")
        f.rawLine("[1, 2, 3]")
        // From here every seq is two ahead of the event's position in the log (INT-SEQ).
        let id = try f.event("record.modified", actor: "u:x", subject: PackBuilder.subject("record", "r"),
                             refs: ["event": "ev-999"], reason: "why", changes: [["field": "a", "old": 1, "new": 2]])
        let e = (id: id, seq: f.count)
        try f.event("model.trained", actor: "u:y", subject: PackBuilder.modelSubject("ghost", "9"))
        // A CAPA and an exception id used twice: anchors stay unique.
        try f.event("capa.opened", actor: "u:y", subject: PackBuilder.subject("capa", "CAPA-1"), data: ["title": "again"])
        try f.event("exception.raised", actor: "u:y", subject: PackBuilder.subject("exception", "EXC-2"), id: "ev-11")
        try f.write()
        let out = f.dir.path("site")
        let result = try SiteBuilding.build(f.url, out: out, pageSize: 5)
        let rules = Set(result.verifyReport.findings.map(\.rule))
        #expect(rules.isSuperset(of: [.intParse, .intSeq]))
        for problems in [try SiteChecks.links(out), try SiteChecks.markdownTables(out), try SiteChecks.tableBalance(out)] {
            #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        }
        // The event with seq 22 is the 20th event: anchor e20 on page 4; findings about seq 22 link there.
        #expect(e.seq == 22)
        let page4 = SiteChecks.text(out, "audit/page-0004.html")
        #expect(page4.contains("<tr id=\"e20\" class=\"has-finding\">\n<th scope=\"row\" class=\"num\" rowspan=\"2\"><a href=\"#e20\">22</a></th>"))
        // The two lines that are not events, one after the other, are one row.
        #expect(page4.contains("class=\"file\">audit/0001.jsonl:20–21</a> (2 lines) are not events"), "\(page4)")
        #expect(page4.contains("<span class=\"id\">ev-999</span> (no earlier event has this id)"))
        let findings = SiteChecks.text(out, "findings.html")
        // The finding names the event (seq, action, who, when), linked to its row, with its file:line beside it.
        #expect(findings.contains("href=\"audit/page-0004.html#e20\">seq 22</a>: <span class=\"id\">"))
        #expect(findings.contains("<span class=\"small mono\">audit/0001.jsonl:22</span>"))
        #expect(findings.contains("href=\"evidence/audit/0001.jsonl\" class=\"file\">audit/0001.jsonl:20</a>"))
    }
}
