import Foundation
import Testing
@testable import TrailpackCore

/// Helpers for the PostgreSQL store tests: every test starts its own throwaway cluster.
enum PG {
    /// Copies a pack source without its audit/ folder.
    static func copyWithoutAudit(_ from: URL, to: URL) throws {
        try FileManager.default.copyItem(at: from, to: to)
        try? FileManager.default.removeItem(at: to.appendingPathComponent("audit"))
    }

    /// The events of a file store's segments with seq, prev and hash removed (record input).
    static func recordInput(_ source: URL) throws -> [JSONObject] {
        var out: [JSONObject] = []
        for seg in try DemoTamperTests.segments(source) {
            for l in try DemoTamperTests.lines(seg) {
                var o = try #require(try JSONReader().parse(l).objectValue)
                o["seq"] = nil
                o["prev"] = nil
                o["hash"] = nil
                out.append(o)
            }
        }
        return out
    }

    /// A finding without its store-specific location: rule, seq, file (when not a segment), message.
    static func key(_ f: Finding) -> String {
        let file = (f.file ?? "").hasPrefix("audit/") ? "" : (f.file ?? "")
        return "\(f.rule.rawValue) seq=\(f.seq.map(String.init) ?? "-") \(file) \(f.message) waived=\(f.waiver != nil)"
    }

    /// Rows of a table, via psql.
    static func count(_ cluster: PostgresCluster, _ db: String) throws -> Int {
        Int(try cluster.psql(database: db, ["-c", "SELECT count(*) FROM trailpack_events"]).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}

struct PostgresStoreTests {
    @Test(.timeLimit(.minutes(5)))
    func demoMovedIntoPostgreSQLVerifiesAlikeAndExportsTheSameSegments() throws {
        let cluster = try PostgresCluster()
        try cluster.createDatabase("demo")
        let dir = try DemoTamperTests.demo()
        let files = dir.url.appendingPathComponent("src")
        let pg = dir.url.appendingPathComponent("pg")
        try PG.copyWithoutAudit(files, to: pg)
        let conninfo = cluster.conninfo(database: "demo")
        let r = try Trailpack.storeInit(source: pg.path, conninfo: conninfo, dryRun: false)
        #expect(r.schemaVersion == PostgresStore.schemaVersion)
        #expect(try Config.load(from: pg).store?.postgresql == conninfo)

        // The demo's events, re-recorded through record's append path in batches.
        let events = try PG.recordInput(files)
        var at = 0
        while at < events.count {
            let batch = Array(events[at..<min(events.count, at + 250)])
            let result = try Trailpack.record(source: pg.path, input: Array(jsonl(batch).utf8), inputName: "<demo>", signKey: nil)
            #expect(result.firstSeq == Int64(at + 1))
            at += batch.count
        }
        #expect(try PG.count(cluster, "demo") == events.count)
        #expect(!FileManager.default.fileExists(atPath: pg.appendingPathComponent("audit").path))
        // record --dry-run: checked under the head lock, then rolled back.
        let next = ev("dry-run-1", time: "2026-12-01T00:00:00Z")
        let dryRecord = try Trailpack.record(source: pg.path, input: Array(jsonl([next]).utf8), inputName: "<dry>", signKey: nil, dryRun: true)
        #expect(dryRecord.firstSeq == Int64(events.count + 1) && dryRecord.treeSize == events.count + 1
            && dryRecord.segment == "the PostgreSQL audit store")
        #expect(try PG.count(cluster, "demo") == events.count)
        #expect(throws: RecordError.self) {
            try Trailpack.record(source: pg.path, input: Array(jsonl([events[0]]).utf8), inputName: "<dry>", signKey: nil, dryRun: true)
        }

        // The demo is clean: an edited document gives both stores findings located at events.
        for src in [files, pg] {
            let h = try FileHandle(forWritingTo: src.appendingPathComponent("docs/validation-plan.md"))
            try h.seekToEnd()
            try h.write(contentsOf: Data("\nedited after approval\n".utf8))
            try h.close()
        }
        let a = try Trailpack.analyze(source: files, trust: nil)
        let b = try Trailpack.analyze(source: pg, trust: nil)
        #expect(a.integrity.treeSize == events.count && b.integrity.treeSize == events.count)
        #expect(a.integrity.root == b.integrity.root)
        #expect(a.integrity.checkpoints.map(\.consistent) == b.integrity.checkpoints.map(\.consistent))
        #expect(a.integrity.checkpoints.count >= 1)
        #expect(a.findings.contains { $0.rule == .intArtifact && $0.seq != nil && ($0.file ?? "").hasPrefix("audit/") })
        #expect(a.findings.map(PG.key).sorted() == b.findings.map(PG.key).sorted())
        // Event findings are located by seq in PostgreSQL.
        #expect(b.findings.allSatisfy { !($0.file ?? "").hasPrefix("audit/") })

        // export: the same segment files, byte for byte.
        let out = dir.url.appendingPathComponent("exported")
        let dry = try Trailpack.export(source: pg.path, out: out.path, dryRun: true)
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let exported = try Trailpack.export(source: pg.path, out: out.path, dryRun: false)
        #expect(exported == dry)
        let original = try DemoTamperTests.segments(files).map(\.lastPathComponent)
        #expect(exported.segments == original)
        for name in original {
            let x = try Data(contentsOf: files.appendingPathComponent("audit/\(name)"))
            let y = try Data(contentsOf: out.appendingPathComponent(name))
            #expect(x == y, "\(name) differs")
        }
        // build: the evidence is segment files and a trailpack.json without the store, so
        // `verify SITE` needs no database; every page equals the file store's site.
        let theme = try Theme.load(defaultFolder: Shared.repoRoot.appendingPathComponent("templates"))
        let siteFiles = dir.url.appendingPathComponent("site-files"), sitePG = dir.url.appendingPathComponent("site-pg")
        _ = try Trailpack.build(source: files.path, options: BuildOptions(output: siteFiles, theme: theme))
        _ = try Trailpack.build(source: pg.path, options: BuildOptions(output: sitePG, theme: theme))
        for name in original {
            #expect(try Data(contentsOf: sitePG.appendingPathComponent("evidence/audit/\(name)")) == Data(contentsOf: files.appendingPathComponent("audit/\(name)")))
        }
        let evidenceConfig = try String(contentsOf: sitePG.appendingPathComponent("evidence/trailpack.json"), encoding: .utf8)
        #expect(!evidenceConfig.contains("store") && !evidenceConfig.contains(cluster.socketDir.path))
        let fromSite = try Trailpack.verify(source: sitePG.path, trust: nil)
        #expect(fromSite.integrity.root == a.integrity.root)
        for page in ["index.html", "audit/page-0001.html", "findings.html"] {
            let x = FileManager.default.contents(atPath: siteFiles.appendingPathComponent(page).path)
            #expect(x != nil && x == FileManager.default.contents(atPath: sitePG.appendingPathComponent(page).path), "\(page) differs")
        }
        // diff from the file store to the same log in PostgreSQL: nothing changed.
        #expect(try Trailpack.diff(old: files.path, new: pg.path, trust: nil).isUnchanged)

        // A second store init on the same database is refused, changing nothing.
        let again = dir.url.appendingPathComponent("again")
        try PG.copyWithoutAudit(files, to: again)
        #expect(throws: PostgresStoreError.self) { try Trailpack.storeInit(source: again.path, conninfo: conninfo, dryRun: false) }
        #expect(try Config.load(from: again).store == nil)
        // …and so is its dry run (it checks the database as store init does).
        #expect(throws: PostgresStoreError.self) { try Trailpack.storeInit(source: again.path, conninfo: conninfo, dryRun: true) }
    }

    /// Segments by UTC month of `time`; an event never goes back to an earlier month's segment.
    @Test func exportNamesSegmentsByMonthAndNeverGoesBack() throws {
        let f = try PackBuilder.writeSide(clockSkewSeconds: 86_400)
        try f.record([
            ev("a", time: "2026-02-28T23:30:00-01:00"),  // 2026-03-01T00:30Z: March in UTC
            ev("b", time: "2026-03-01T02:00:00Z"),
            ev("c", time: "2026-02-28T23:00:00Z"),       // earlier month, within the skew: stays in March
            ev("d", time: "2026-04-01T00:00:00Z"),
        ])
        let out = f.outside.url.appendingPathComponent("out")
        let r = try Trailpack.export(source: f.url.path, out: out.path, dryRun: false)
        #expect(r.segments == ["2026-03.jsonl", "2026-04.jsonl"] && r.events == 4)
        let march = try DemoTamperTests.lines(out.appendingPathComponent("2026-03.jsonl"))
        #expect(march.count == 3)
        let all = try DemoTamperTests.lines(f.url.appendingPathComponent("audit/\(Trailpack.firstSegmentName)"))
        #expect(march + (try DemoTamperTests.lines(out.appendingPathComponent("2026-04.jsonl"))) == all)
        // The output folder must be new or empty.
        #expect(throws: ExportError.self) { try Trailpack.export(source: f.url.path, out: out.path, dryRun: false) }
    }

    /// A waiver may name a finding about an event by `file:line` or by `seq N` (contract section 10).
    @Test func aWaiverMayNameAnEventFindingBySeq() throws {
        var p = try PackBuilder.compliant()
        try p.event("config.modified", actor: "u:dev", subject: PackBuilder.subject("config", "c1"), reason: "tuning")
        let seq = p.count
        var a = try p.analyze()
        let finding = try #require(a.findings.first { $0.rule == .atChanges && $0.seq == Int64(seq) })
        #expect(finding.location.hasPrefix("audit/") && finding.waiver == nil)
        try p.event("finding.waived", actor: "u:qa", name: "Quinn QA", subject: PackBuilder.subject("finding", "F1"),
                    data: obj([("rule", JSONValue("AT-CHANGES")), ("location", JSONValue("seq \(seq)"))]),
                    reason: "the change is recorded in the change request", sign: "qa")
        a = try p.analyze()
        #expect(a.findings.first { $0.rule == .atChanges && $0.seq == Int64(seq) }?.waiver?.name == "Quinn QA")
        #expect(a.unusedWaivers.isEmpty)
    }
}
