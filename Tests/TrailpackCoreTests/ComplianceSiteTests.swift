import Foundation
import Testing
@testable import TrailpackCore

/// The compliance findings and coverage figures agree across `verify --format json`, the findings
/// page, the traceability page, its CSV and `report.json`.
struct ComplianceSiteTests {
    static func build(_ p: PackBuilder, trust: TrustList? = nil) throws -> URL {
        try p.write()
        let out = p.url.appendingPathComponent("site-out")
        let theme = try Theme.load(defaultFolder: Shared.repoRoot.appendingPathComponent("templates"))
        _ = try Trailpack.build(source: p.url.path, options: BuildOptions(output: out, theme: theme, trust: trust))
        return out
    }

    /// RFC 4180 fields of one CSV text (quotes, doubled quotes, commas and newlines in quotes).
    static func csv(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var it = Array(text).makeIterator()
        var pending: Character?
        while let c = pending ?? it.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let n = it.next() { if n == "\"" { field.append("\"") } else { quoted = false; pending = n } } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true
            } else if c == "," { row.append(field); field = ""
            } else if c == "\n" || c == "\r\n" { row.append(field); rows.append(row); row = []; field = ""
            } else { field.append(c) }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    @Test func coverageAgreesAcrossCSVHTMLAndReport() throws {
        var p = try PackBuilder.compliant()
        // One requirement fails its latest test, so the figures are not all equal.
        try p.event("test.executed", actor: "svc:ci", service: true, subject: ["type": "test", "id": "T2"],
                    refs: ["model": "m@1", "requirements": ["R2"]], data: ["result": "fail"])
        let site = try Self.build(p)
        let rows = Self.csv(try String(contentsOf: site.appendingPathComponent("traceability.csv"), encoding: .utf8))
        let header = try #require(rows.first)
        let status = try #require(header.firstIndex(of: "status"))
        let body = rows.dropFirst()
        let csvCounts = (passed: body.filter { $0[status] == "passed" }.count, failed: body.filter { $0[status] == "failed" }.count,
                         untested: body.filter { $0[status] == "untested" }.count, total: body.count)
        #expect(csvCounts == (1, 1, 0, 2))
        let report = try JSONReader().parse(Data(contentsOf: site.appendingPathComponent("report.json")))
        let cov = try #require(report["traceability"]?["coverage"]?.arrayValue?.first)
        #expect(cov["requirements"]?.integerValue == Int64(csvCounts.total))
        #expect(cov["passed"]?.integerValue == Int64(csvCounts.passed))
        #expect(cov["failed"]?.integerValue == Int64(csvCounts.failed))
        #expect(cov["untested"]?.integerValue == Int64(csvCounts.untested))
        #expect(cov["tested"]?.integerValue == Int64(csvCounts.passed + csvCounts.failed))
        let html = try String(contentsOf: site.appendingPathComponent("traceability.html"), encoding: .utf8)
        let row = try #require(html.components(separatedBy: "<tr><th scope=\"row\"><a href=\"models/m/versions/1.html\">m@1</a></th>").dropFirst().first)
        let cells = row.components(separatedBy: "<td class=\"num\">").dropFirst().prefix(5).map { $0.prefix { $0 != "<" } }
        #expect(cells.map(String.init) == ["2", "2", "1", "1", "0"])
    }

    struct Violation: Sendable, CustomStringConvertible {
        var name: String
        var rule: RuleID
        var change: @Sendable (inout PackBuilder) throws -> Void
        var description: String { name }
    }

    static let violations: [Violation] = [
        Violation(name: "deployed without an earlier signed approval", rule: .relApproval) { p in
            ComplianceTests.dropEvent(&p, "model.approved")
        },
        Violation(name: "approved by its own trainer", rule: .sigSOD) { p in
            try p.registerKey("ds", owner: "u:ds")
            try p.event("model.approved", actor: "u:ds", subject: PackBuilder.versionSubject, sign: "ds")
        },
        Violation(name: "failed latest test", rule: .trcFailed) { p in
            try p.event("test.executed", actor: "svc:ci", service: true, subject: ["type": "test", "id": "T1"],
                        refs: ["model": "m@1", "requirements": ["R1"]], data: ["result": "fail"])
        },
        Violation(name: "registry stage no event explains", rule: .relRegistry) { p in
            p.models = [ComplianceTests.replacingStage(PackBuilder.model, "archived")]
        },
        Violation(name: "CAPA past due", rule: .capaOverdue) { p in
            let x = try p.event("exception.raised", actor: "u:qa", subject: ["type": "exception", "id": "X1"], reason: "job failed")
            try p.event("capa.opened", actor: "u:qa", subject: ["type": "capa", "id": "C1"], refs: ["event": .string(JSONString(x))],
                        data: ["due": "2026-01-01T00:20:00Z"])
            p.step = 7200
            try p.event("dataset.curated", actor: "u:ds", subject: ["type": "dataset", "id": "d"])
        },
        Violation(name: "modification without a reason", rule: .atReason) { p in
            try p.event("record.modified", actor: "u:ds", subject: ["type": "dataset", "id": "d"],
                        changes: [["field": "rows", "old": 1, "new": 2]])
        },
    ]

    @Test("a violation shows in verify's JSON and on the findings page", arguments: violations)
    func violationIsReported(v: Violation) throws {
        var p = try PackBuilder.compliant()
        try v.change(&p)
        let site = try Self.build(p)
        let json = try JSONReader().parse(Array(JSONWriter.pretty(try Trailpack.verify(source: p.url.path, trust: nil).json).utf8))
        let finding = try #require(json["findings"]?.arrayValue?.first { $0["rule"]?.stringValue == v.rule.rawValue }, "\(v.name)")
        let location = try #require(finding["location"]?.stringValue)
        #expect(finding["file"] != nil || finding["seq"] != nil)
        let page = try String(contentsOf: site.appendingPathComponent("findings.html"), encoding: .utf8)
        #expect(page.contains(v.rule.rawValue), "\(v.name)")
        #expect(page.contains(Escape.html(location)), "\(v.name): \(location)")
        #expect(page.contains(Escape.html(v.rule.rule.clause)), "\(v.name)")
    }
}
