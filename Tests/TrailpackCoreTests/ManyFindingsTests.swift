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
        // Two kinds of damage, alternating, so that no two neighbours join into one finding
        // (``runsOfTheSameProblemAreOneFindingAndEachRuleIsCapped()``).
        for n in 0..<300 { f.rawLine(n % 2 == 0 ? "damaged line \(n)" : "[\(n)]") }
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

/// Bounded findings on a damaged or hostile log: a run of consecutive lines with the same
/// problem is one finding (`line` to `lastLine`), and a pass lists at most
/// ``FindingCap/perRule`` findings of one rule, then one finding saying how many more there are.
/// Before, 2,000,000 blank lines (2 MB) made `verify` hold 2,000,000 findings: 1.56 GB.
struct FindingRunTests {
    @Test func runsOfTheSameProblemAreOneFindingAndEachRuleIsCapped() throws {
        var f = try PackBuilder.source()
        try f.event("record.created", actor: "u:x", subject: PackBuilder.subject("record", "r"))
        for _ in 0..<5 { f.rawLine("") }
        for _ in 0..<3 { f.rawLine("x") }
        f.rawLine("")
        try f.event("record.created", actor: "u:x", subject: PackBuilder.subject("record", "s"))
        try f.write()
        let report = try Trailpack.verify(source: f.url.path, trust: nil)
        let parse = report.findings.filter { $0.rule == .intParse }
        #expect(parse.map(\.location) == ["audit/0001.jsonl:2–6", "audit/0001.jsonl:7–9", "audit/0001.jsonl:10"], "\(parse.map(\.location))")
        #expect(parse.map(\.message) == ["blank line", "not JSON: expected a value but found 'x' at column 1", "blank line"])
        #expect(parse.map(\.lastLine) == [6, 9, nil])
        #expect(parse[0].json["lastLine"] == .integer(6))
        #expect(parse[2].json["lastLine"] == nil)

        // The trail shows the nine lines as one row linking to all three findings.
        let out = f.dir.path("site")
        _ = try SiteBuilding.build(f.url, out: out, pageSize: 100)
        let trail = SiteChecks.text(out, "audit/page-0001.html")
        #expect(trail.contains("audit/0001.jsonl:2–10</a> (9 lines) are not events"))
        #expect(SiteChecks.captures(#"Finding <a href="[^"]*#(f\d+)">INT-PARSE</a>"#, in: trail).count == 3)
        #expect(try SiteChecks.links(out).isEmpty)
    }

    @Test(arguments: [CapCase.linesThatAreNotEvents, .eventsOfOneRule])
    func eachRuleListsAtMostTheCapThenSaysHowManyMore(_ kind: CapCase) throws {
        var f = try PackBuilder.source()
        let extra = 7
        let n = FindingCap.perRule + extra
        switch kind {
        case .linesThatAreNotEvents:
            try f.event("record.created", actor: "u:x", subject: PackBuilder.subject("record", "r"))
            // Neighbours differ, so each line is a finding of its own.
            for i in 0..<n { f.rawLine(i % 2 == 0 ? "x" : "") }
        case .eventsOfOneRule:
            // AT-REASON: a modification without a reason (and AT-CHANGES: without changes).
            for _ in 0..<n { try f.event("record.modified", actor: "u:x", subject: PackBuilder.subject("record", "r")) }
        }
        try f.write()
        let rule: RuleID = kind == .linesThatAreNotEvents ? .intParse : .atReason
        let found = try Trailpack.verify(source: f.url.path, trust: nil).findings.filter { $0.rule == rule }
        #expect(found.count == FindingCap.perRule + 1)
        let summary = try #require(found.last { $0.message.contains("more \(rule.rawValue) findings are not listed") })
        #expect(summary.message.hasPrefix("\(extra) more \(rule.rawValue) findings are not listed"))
        #expect(summary.omitted == extra)
        #expect(summary.json["omitted"] == .integer(Int64(extra)))
        // The counts include the findings left out.
        let counts = FindingCounts(try Trailpack.verify(source: f.url.path, trust: nil).findings)
        #expect((kind == .linesThatAreNotEvents ? counts.critical : counts.major) >= n)
        // It is located where the last one left out was: the log's last line or event.
        switch kind {
        case .linesThatAreNotEvents: #expect(summary.line == n + 1)
        case .eventsOfOneRule:
            #expect(summary.seq == Int64(n))
            // The row of an event whose finding is not listed links to that closing finding.
            let a = try f.analyze()
            #expect(a.omittedSeqs[.atReason] == Array(Int64(FindingCap.perRule + 1)...Int64(n)))
            let out = f.dir.path("site")
            _ = try SiteBuilding.build(f.url, out: out, pageSize: 1000)
            let closing = try #require(a.findings.firstIndex { $0.rule == .atReason && $0.omitted > 0 })
            let page = SiteChecks.text(out, "audit/page-0011.html")  // events 10,001–10,007
            let row = try #require(SiteChecks.captures(#"(<tr id="e10003"[^>]*>[\s\S]*?</tr>)"#, in: page).first)
            #expect(row.contains("#f\(closing + 1)\">AT-REASON</a>"), "\(row)")
            #expect(!SiteChecks.text(out, "audit/page-0010.html").contains("#f\(closing + 1)\""))
            #expect(try SiteChecks.links(out).isEmpty)
        }
    }

    enum CapCase: Sendable, CustomTestStringConvertible {
        case linesThatAreNotEvents, eventsOfOneRule
        var testDescription: String { self == .linesThatAreNotEvents ? "lines that are not events" : "events of one rule" }
    }

    /// One signature must not accept thousands of findings: the finding that closes a capped
    /// list is never waived, even by a waiver naming its location.
    @Test func theFindingThatClosesAListIsNeverWaived() throws {
        var p = try PackBuilder.compliant()
        for _ in 0..<(FindingCap.perRule + 3) { try p.event("record.modified", actor: "u:x", subject: PackBuilder.subject("record", "r")) }
        let closing = try #require(try p.analyze().findings.first { $0.rule == .atReason && $0.omitted > 0 })
        #expect(closing.omitted == 3)
        try p.event("finding.waived", actor: "u:qa", name: "Quinn QA", subject: ["type": "finding", "id": "F1"],
                    data: ["rule": "AT-REASON", "location": .string(JSONString(closing.location))],
                    reason: "accepted for this release", sign: "qa")
        let a = try p.analyze()
        let after = try #require(a.findings.first { $0.rule == .atReason && $0.omitted > 0 })
        #expect(after.waiver == nil)
        #expect(a.unusedWaivers.count == 1)
    }

    @Test func theCapCountsPerRuleAndKeepsOrder() {
        var cap = FindingCap()
        var list: [Finding] = []
        let a = (0..<(FindingCap.perRule + 2)).map { Finding(.atReason, "a\($0)", seq: Int64($0 + 1)) }
        let b = [Finding(.atChanges, "b", seq: 1)]
        cap.append(a + b, to: &list)
        #expect(list.count == FindingCap.perRule + 1)
        #expect(list.last == b[0])
        #expect(cap.summaries.reduce(0) { $0 + $1.omitted } == 2)
        #expect(cap.summaries.map(\.rule) == [.atReason])
        #expect(cap.summaries.first?.seq == Int64(FindingCap.perRule + 2))
        // filter(from:) keeps only what is within the cap, in place.
        var more = [Finding(.atChanges, "c", seq: 2), Finding(.atReason, "d", seq: 3)]
        cap.filter(&more, from: 0)
        #expect(more.map(\.message) == ["c"])
        #expect(cap.summaries.reduce(0) { $0 + $1.omitted } == 3)
    }
}
