import Foundation
import Testing
@testable import TrailpackCore

/// The GxP view of the trail (issue 13, item 2): by month, only what people did and what the
/// rules care about, each row linked to its place in the complete trail.
struct GxPViewTests {
    /// One event of the fixture and whether the view lists it.
    struct Case: CustomStringConvertible {
        var action: String
        var service = true
        var signed = false
        var time: String? = nil
        var listed: Bool
        var description: String { "\(action) by \(service ? "service" : "person")\(signed ? ", signed" : "")" }
    }

    static let cases: [Case] = [
        Case(action: "monitoring.heartbeat", listed: false),
        Case(action: "code.changed", service: false, listed: true),
        Case(action: "monitoring.batch_scored", signed: true, listed: true),
        Case(action: "drift.detected", listed: true),
        Case(action: "pipeline.run_completed", listed: false),
        Case(action: "test.executed", listed: true),  // in policy.requireSigned
        Case(action: "record.modified", listed: true),
        Case(action: "monitoring.feature_stats", listed: false),
        // A day before the event above it: INT-TIME names it, so the view lists it.
        Case(action: "monitoring.heartbeat", time: "2026-01-04T08:00:00Z", listed: true),
        Case(action: "capa.opened", listed: true),
        Case(action: "monitoring.heartbeat", time: "2026-02-02T10:00:00Z", listed: false),
        Case(action: "model.approved", service: false, signed: true, time: "2026-02-02T11:00:00Z", listed: true),
        Case(action: "dataset.curated", service: false, time: "2026-02-02T12:00:00Z", listed: true),
        Case(action: "model.stage_changed", service: false, time: "2026-02-02T13:00:00Z", listed: true),
    ]

    static func pack() throws -> PackBuilder {
        var p = try PackBuilder.source()
        p.policy = ["requireSigned": ["test.executed"]]
        try p.registerKey("k", owner: "u:qa")
        for c in cases {
            let actor = c.service ? "svc:robot" : "u:qa"
            try p.event(c.action, actor: actor, service: c.service, subject: ["type": "thing", "id": "x"],
                        reason: c.action.hasSuffix(".modified") || c.action.hasSuffix(".stage_changed") ? "because" : nil,
                        changes: c.action.hasSuffix(".modified") ? [["field": "a", "old": "1", "new": "2"]] : nil,
                        sign: c.signed ? "k" : nil, time: c.time)
        }
        return p
    }

    /// The seqs of the rows of a page, with the target of each seq's link.
    static func rows(_ html: String) -> [(seq: Int, href: String)] {
        var out: [(Int, String)] = []
        let marked = html.replacingOccurrences(of: "<th scope=\"row\" class=\"num\" rowspan=\"2\"><a href=\"", with: "<th scope=\"row\" class=\"num\"><a href=\"")
        for part in marked.components(separatedBy: "<th scope=\"row\" class=\"num\"><a href=\"").dropFirst() {
            guard let q = part.firstIndex(of: "\""), let gt = part.firstIndex(of: ">"), let lt = part.firstIndex(of: "<"),
                  let seq = Int(part[part.index(after: gt)..<lt]) else { continue }
            out.append((seq, String(part[..<q])))
        }
        return out
    }

    @Test func listsExactlyPersonAndRuleRelevantEventsByMonthLinkedToTheTrail() throws {
        let p = try Self.pack()
        let site = try ComplianceSiteTests.build(p)
        // seq 1 is the key registration (by a person): listed.
        let first = 2
        var expected: [String: [Int]] = ["2026-01": [1]]
        for (i, c) in Self.cases.enumerated() where c.listed {
            expected[c.time.map { String($0.prefix(7)) } ?? "2026-01", default: []].append(first + i)
        }
        for (month, seqs) in expected {
            let page = site.appendingPathComponent("audit/gxp-\(month)-page-0001.html")
            let html = try String(contentsOf: page, encoding: .utf8)
            let rows = Self.rows(html)
            #expect(rows.map(\.seq) == seqs.sorted(), "\(month)")
            for r in rows {
                #expect(r.href == "../audit/page-0001.html#e\(r.seq)")
                let trail = try String(contentsOf: site.appendingPathComponent("audit/page-0001.html"), encoding: .utf8)
                #expect(trail.contains("<tr id=\"e\(r.seq)\""))
            }
            let md = try String(contentsOf: page.deletingPathExtension().appendingPathExtension("md"), encoding: .utf8)
            for s in seqs { #expect(md.contains("[\(s)](../audit/page-0001.md#e\(s))")) }
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: site.appendingPathComponent("audit").path).filter { $0.hasPrefix("gxp-") }
        #expect(Set(files) == Set(expected.keys.flatMap { ["gxp-\($0)-page-0001.html", "gxp-\($0)-page-0001.md"] }))
        // The row an INT-TIME finding names is marked, and the index counts what is listed.
        let january = try String(contentsOf: site.appendingPathComponent("audit/gxp-2026-01-page-0001.html"), encoding: .utf8)
        #expect(january.contains("<tr id=\"e10\" class=\"has-finding\">"))
        let index = try String(contentsOf: site.appendingPathComponent("audit/index.html"), encoding: .utf8)
        let listed = expected.values.reduce(0) { $0 + $1.count }
        #expect(index.contains("\(listed) of the \(Self.cases.count + 1) events"))
        #expect(index.contains("<a href=\"../audit/gxp-2026-02-page-0001.html\">February 2026</a></th><td class=\"num\">\(expected["2026-02"]?.count ?? 0)</td><td class=\"num\">4</td>"))
        #expect(try SiteChecks.links(site).isEmpty)
    }

    @Test func aMonthLongerThanAPageIsPaginated() throws {
        var p = try PackBuilder.source()
        for _ in 0..<5 { try p.event("code.changed", actor: "u:dev", subject: ["type": "repo", "id": "r"]) }
        try p.write()
        let out = p.url.appendingPathComponent("site-out")
        let theme = try Theme.load(defaultFolder: Shared.repoRoot.appendingPathComponent("templates"))
        _ = try Trailpack.build(source: p.url.path, options: BuildOptions(output: out, theme: theme, pageSize: 2))
        let pages = (1...3).map { out.appendingPathComponent("audit/gxp-2026-01-page-000\($0).html") }
        let seqs = try pages.map { Self.rows(try String(contentsOf: $0, encoding: .utf8)).map(\.seq) }
        #expect(seqs == [[1, 2], [3, 4], [5]])
        #expect(seqs.flatMap { $0 }.map { SiteLinks.auditPage(($0 - 1) / 2 + 1) } == ["audit/page-0001", "audit/page-0001", "audit/page-0002", "audit/page-0002", "audit/page-0003"])
        let second = try String(contentsOf: pages[1], encoding: .utf8)
        #expect(second.contains("<title>GxP trail, January 2026, page 2 of 3"))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("audit/gxp-2026-01-page-0004.html").path))
        #expect(try SiteChecks.links(out).isEmpty)
    }
}
