import Foundation
import Testing
@testable import TrailpackCore

struct MLflowSiteTests {
    @Test func theSiteShowsTheSourceOccurredUnmappedActorsAndMLflowRunAndTagsBesideTheSignatures() throws {
        let pack = try freshPack()
        _ = try Trailpack.importMLflow(source: pack.url.path, trackingURI: MLflowSample.sqliteURI, models: [], dryRun: false)
        let out = pack.path("site-out")
        let theme = try Theme.load(defaultFolder: Shared.repoRoot.appendingPathComponent("templates"))
        _ = try Trailpack.build(source: pack.url.path, options: BuildOptions(output: out, theme: theme))
        let audit = try String(contentsOf: out.appendingPathComponent("audit/page-0001.html"), encoding: .utf8)
        #expect(audit.contains("recorded; occurred <time>2026-11-24T04:28:01.176Z</time> in mlflow"))
        #expect(audit.contains("<span class=\"small\">source</span> mlflow <span class=\"id\">ae-classifier/2#stage</span>"))
        #expect(audit.contains("<span class=\"small mono\">\(MLflowSample.sqliteURI)</span>"))
        #expect(audit.components(separatedBy: "not mapped by identities").count - 1 == 2)
        let version = try String(contentsOf: out.appendingPathComponent("models/ae-classifier/versions/2.html"), encoding: .utf8)
        #expect(version.contains("mlflow run b5d84d37e86644ee8bc9ddf724e13fa5"))
        #expect(version.contains("mlflow tags of ae-classifier/2"))
        #expect(version.contains(": recorded in mlflow as a tag, not an e-signature"))
        #expect(version.contains("<th scope=\"row\" class=\"mono\">approval.by</th><td class=\"mono\">qa.bob</td>"))
        #expect(version.contains("<th scope=\"row\" class=\"mono\">metric train_loss</th><td class=\"mono\">0.175</td>"))
        let index = try String(contentsOf: out.appendingPathComponent("index.md"), encoding: .utf8)
        #expect(index.contains("ae-classifier@2 given the production alias champion without an earlier signed approval"))
    }
}

struct MLflowAlreadyExplainedTests {
    /// A trail that already holds what the SQLite sample shows, recorded by the process itself:
    /// the same versions, commits and runs, stage and alias changes with reasons, signed approvals.
    static func explainedPack() throws -> PackBuilder {
        var p = try PackBuilder.writeSide()
        try p.installKey("qa")
        let v = { (n: String) in "{\"type\": \"model\", \"id\": \"ae-classifier\", \"version\": \"\(n)\"}" }
        try p.record("""
            {"id": "k1", "time": "2026-11-24T04:00:00Z", "actor": {"id": "u:admin"}, "action": "key.registered", "subject": {"type": "key", "id": "qa"}, "data": {"owner": "u:qa"}}
            {"id": "d1", "time": "2026-11-24T04:27:00Z", "actor": {"id": "u:ds"}, "action": "dataset.registered", "subject": {"type": "dataset", "id": "ae_train_v3", "version": "32130fc4"}}
            {"id": "t1", "time": "2026-11-24T04:28:00Z", "actor": {"id": "u:ds"}, "action": "model.trained", "subject": \(v("1")), "refs": {"run": "mlflow:ca5e4d9f77ab4bba9ba22e18ebacb369", "commit": "3f2c1ab"}}
            {"id": "t2", "time": "2026-11-24T04:28:01Z", "actor": {"id": "u:ds"}, "action": "model.trained", "subject": \(v("2")), "refs": {"run": "mlflow:b5d84d37e86644ee8bc9ddf724e13fa5", "commit": "3f2c1ab"}}
            {"id": "r1", "time": "2026-11-24T04:28:02Z", "actor": {"id": "u:ds"}, "action": "model.registered", "subject": \(v("1"))}
            {"id": "r2", "time": "2026-11-24T04:28:03Z", "actor": {"id": "u:ds"}, "action": "model.registered", "subject": \(v("2"))}
            {"id": "a2", "time": "2026-11-24T04:29:00Z", "actor": {"id": "u:qa", "name": "Quinn QA"}, "action": "model.approved", "subject": \(v("2")), "signature": {"signer": "u:qa", "name": "Quinn QA", "meaning": "approval", "time": "2026-11-24T04:29:00Z", "key": "qa"}}
            {"id": "s1", "time": "2026-11-24T04:30:00Z", "actor": {"id": "u:qa"}, "action": "model.stage_changed", "subject": \(v("1")), "reason": "OQ passed", "data": {"from": "none", "to": "staging"}}
            {"id": "s2", "time": "2026-11-24T04:30:01Z", "actor": {"id": "u:qa"}, "action": "model.stage_changed", "subject": \(v("2")), "reason": "QA-APP-0042", "data": {"from": "none", "to": "production"}}
            {"id": "l1", "time": "2026-11-24T04:30:02Z", "actor": {"id": "u:qa"}, "action": "model.alias_changed", "subject": \(v("2")), "reason": "QA-APP-0042", "data": {"alias": "champion", "from": null, "to": "2"}}
            {"id": "l2", "time": "2026-11-24T04:30:03Z", "actor": {"id": "u:qa"}, "action": "model.alias_changed", "subject": \(v("1")), "reason": "challenger for A/B", "data": {"alias": "challenger", "from": null, "to": "1"}}

            """, signKey: "qa")
        return p
    }

    @Test func aTrailThatExplainsMLflowGetsNothingAndAnOutsideMoveIsCaught() throws {
        let p = try Self.explainedPack()
        let before = p.snapshot()
        let dry = try Trailpack.importMLflow(source: p.url.path, trackingURI: MLflowSample.sqliteURI, models: [], dryRun: true)
        #expect(dry.events.isEmpty, "\(dry.text)")
        let real = try Trailpack.importMLflow(source: p.url.path, trackingURI: MLflowSample.sqliteURI, models: [], dryRun: false)
        #expect(real.events.isEmpty)
        #expect(p.snapshot() == before)

        // Version 1 (no approval in the trail) moved to Production in MLflow, outside the process.
        var snap = try MLflowSQLReader.read(try SQLiteDatabase(path: MLflowSample.db), place: MLflowSample.db)
        let i = try #require(snap.versions.firstIndex { $0.version == "1" })
        snap.versions[i].currentStage = "Production"
        snap.versions[i].lastUpdatedTime = 1_795_600_000_000
        let facts = try MLflowMapping.facts(snap, models: [], place: MLflowSample.sqliteURI)
        let origin = ImportOrigin(system: "mlflow", uri: MLflowSample.sqliteURI)
        let config = try Config.load(from: p.url)
        let moved = try ImportRunner(sourceURL: p.url, config: config, origin: origin, dryRun: true).run(facts)
        #expect(moved.events.map(\.action) == ["model.stage_changed"])
        #expect(moved.text.contains("would add model.stage_changed ae-classifier@1"))
        #expect(moved.text.contains("stage staging -> production, observed (MLflow updated 2026-11-25T09:46:40Z)"))
        _ = try ImportRunner(sourceURL: p.url, config: config, origin: origin, dryRun: false).run(facts)
        let approval = try p.verify().findings.filter { $0.rule == .relApproval }
        #expect(approval.map(\.message) == ["ae-classifier@1 moved to production without an earlier signed approval: no model.approved before it"])
        #expect(approval.allSatisfy { $0.severity == .critical })
    }
}

struct MLflowAliasLostTests {
    @Test func anAliasTheTrailGivesButMLflowNoLongerHasIsWrittenAsLost() throws {
        let p = try MLflowAlreadyExplainedTests.explainedPack()
        try p.record("""
            {"id": "l3", "time": "2026-11-24T04:31:00Z", "actor": {"id": "u:qa"}, "action": "model.alias_changed", "subject": {"type": "model", "id": "ae-classifier", "version": "1"}, "reason": "shadow", "data": {"alias": "shadow", "from": null, "to": "1"}}

            """)
        let dry = try Trailpack.importMLflow(source: p.url.path, trackingURI: MLflowSample.sqliteURI, models: [], dryRun: true)
        #expect(dry.events.map(\.detail) == ["alias shadow: 1 -> none, observed (MLflow updated 2026-11-24T04:28:01.176Z)"])
        #expect(dry.events.map(\.subject) == ["ae-classifier@1"])
        _ = try Trailpack.importMLflow(source: p.url.path, trackingURI: MLflowSample.sqliteURI, models: [], dryRun: false)
        #expect(try Trailpack.importMLflow(source: p.url.path, trackingURI: MLflowSample.sqliteURI, models: [], dryRun: true).events.isEmpty)
        // Another model's import leaves it alone.
        #expect(try Trailpack.importMLflow(source: p.url.path, trackingURI: MLflowSample.sqliteURI, models: ["ae-classifier"], dryRun: true).events.isEmpty)
    }
}

struct MLflowRegistryAliasTests {
    @Test func registryAliasesMustMatchTheAliasEvents() throws {
        let pack = try freshPack()
        _ = try Trailpack.importMLflow(source: pack.url.path, trackingURI: MLflowSample.sqliteURI, models: [], dryRun: false)
        #expect(try Trailpack.verify(source: pack.url.path, trust: nil).findings.filter { $0.rule == .relRegistry }.isEmpty)
        let path = pack.path("registry/models/ae-classifier.json")
        let text = try String(contentsOf: path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"champion\"", with: "\"prod\"").write(to: path, atomically: true, encoding: .utf8)
        let found = try Trailpack.verify(source: pack.url.path, trust: nil).findings.filter { $0.rule == .relRegistry }.map(\.message)
        #expect(found == ["registry aliases of ae-classifier@2 are prod, but the model.alias_changed events give it champion"])
    }
}

struct MLflowCLITests {
    @Test func importExitsZeroOneOrTwoAndPrintsJSON() throws {
        _ = try #require(TrailpackBinary.url)
        let pack = try freshPack()
        var r = try TrailpackBinary.run(["import", "mlflow", pack.url.path, "--tracking-uri", MLflowSample.sqliteURI, "--dry-run"])
        #expect(r.status == 1 && r.stdout.contains("would add 9 events") && r.stdout.contains("dry run: nothing written"), "\(r.stdout)\(r.stderr)")
        r = try TrailpackBinary.run(["import", "mlflow", pack.url.path, "--tracking-uri", MLflowSample.sqliteURI, "--model", "ae-classifier"])
        #expect(r.status == 0 && r.stdout.contains("added 9 events") && r.stdout.contains("recorded seq 1-9"), "\(r.stdout)\(r.stderr)")
        r = try TrailpackBinary.run(["import", "mlflow", pack.url.path, "--tracking-uri", MLflowSample.sqliteURI, "--dry-run", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONReader().parse(Array(r.stdout.utf8))
        #expect(json["events"] == .array([]) && json["alreadyPresent"] == .integer(9) && json["dryRun"] == .bool(true))
        r = try TrailpackBinary.run(["import", "mlflow", pack.url.path, "--tracking-uri", "postgresql://bob:s3cret@db/mlflow"])
        #expect(r.status == 2 && r.stderr.hasPrefix("trailpack: --tracking-uri postgresql://db/mlflow: the URI carries a password"))
        #expect(!r.stderr.contains("s3cret") && !r.stderr.contains("\n\n"))
        r = try TrailpackBinary.run(["import", "svn", pack.url.path, "--tracking-uri", "x"])
        #expect(r.status == 2 && r.stderr.contains("unknown system \"svn\""))
        r = try TrailpackBinary.run(["import", "--help"])
        #expect(r.status == 0 && r.stdout.contains("Usage: trailpack import mlflow SOURCE --tracking-uri URI"))
    }
}
