import Foundation
import Testing
@testable import TrailpackCore

/// Writes OpenLineage RunEvents (spec 2-0-2) for the fixtures.
enum OL {
    static let schema = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
    static let producer = "https://example.com/test-pipeline/v1"

    static func facet(_ body: String) -> String {
        "{\"_producer\": \"\(producer)\", \"_schemaURL\": \"https://openlineage.io/spec/facets/1-0-0/X.json\", \(body)}"
    }

    /// One event as a JSON line; `runFacets`, `jobFacets`, `inputs`, `outputs` are JSON texts.
    static func event(_ type: String, time: String, run: String, job: String = "etl.clean",
                      runFacets: String = "{}", jobFacets: String = "{}", inputs: String = "[]", outputs: String = "[]") -> String {
        """
        {"eventTime": "\(time)", "eventType": "\(type)", "producer": "\(producer)", "schemaURL": "\(schema)", \
        "run": {"runId": "\(run)", "facets": \(runFacets)}, "job": {"namespace": "gxp-data", "name": "\(job)", "facets": \(jobFacets)}, \
        "inputs": \(inputs), "outputs": \(outputs)}
        """
    }

    static func dataset(_ name: String, version: String? = nil, facets: [String] = [], inputFacets: String = "{}") -> String {
        var f = facets
        if let version { f.append("\"version\": \(facet("\"datasetVersion\": \"\(version)\""))") }
        return "{\"namespace\": \"s3://lake\", \"name\": \"\(name)\", \"facets\": {\(f.joined(separator: ", "))}, \"inputFacets\": \(inputFacets)}"
    }

    static let run1 = "11111111-1111-4111-8111-111111111111"
    static let run2 = "22222222-2222-4222-8222-222222222222"
}

func auditLines(_ pack: TempDir) throws -> [JSONObject] {
    try String(contentsOf: pack.path("audit/000001.jsonl"), encoding: .utf8).split(separator: "\n")
        .compactMap { try JSONReader().parse(Array($0.utf8)).objectValue }
}

struct OpenLineageImportTests {
    static let sample = Shared.url("samples/openlineage/openlineage_events.jsonl").path

    /// A folder's links may lead to another of its files, never outside it.
    @Test func aFolderLinkThatLeadsOutsideIsRefused() throws {
        let pack = try freshPack()
        let dir = try TempDir()
        let outside = try TempDir()
        try FileManager.default.copyItem(atPath: Self.sample, toPath: outside.path("events.jsonl").path)
        try FileManager.default.createSymbolicLink(atPath: dir.path("a.jsonl").path, withDestinationPath: outside.path("events.jsonl").path)
        do {
            _ = try Trailpack.importOpenLineage(source: pack.url.path, paths: [dir.url.path], dryRun: true)
            Issue.record("a link out of the folder was followed")
        } catch let e as ImportError {
            #expect(e.localizedDescription.contains("a.jsonl: cannot be read (a symbolic link that leads outside"), "\(e.localizedDescription)")
        }
        // A link to a file of the folder itself is read (as that file: importing it twice adds it once).
        try FileManager.default.removeItem(atPath: dir.path("a.jsonl").path)
        try FileManager.default.copyItem(atPath: Self.sample, toPath: dir.path("b.jsonl").path)
        try FileManager.default.createSymbolicLink(atPath: dir.path("a.jsonl").path, withDestinationPath: dir.path("b.jsonl").path)
        let r = try Trailpack.importOpenLineage(source: pack.url.path, paths: [dir.url.path], dryRun: true)
        #expect(counts(r) == ["pipeline.run_completed": 1])
    }

    /// An empty file gives nothing, and the report says that nothing was read (not that the
    /// trail already holds it all).
    @Test func anEmptyFileSaysNothingWasRead() throws {
        let pack = try freshPack()
        let dir = try TempDir()
        let empty = try dir.write("empty.jsonl", "")
        let r = try Trailpack.importOpenLineage(source: pack.url.path, paths: [empty.path], dryRun: false)
        #expect(r.events.isEmpty && r.alreadyPresent == 0)
        #expect(r.text.contains(": nothing to add: no fact was read from it"), "\(r.text)")
        #expect(!r.text.contains("already holds"))
    }

    @Test func theSharedSampleImportsIntoAFreshPackOnce() throws {
        let pack = try freshPack(identities: ["openlineage:user:alice": "u:alice"])
        let dry = try Trailpack.importOpenLineage(source: pack.url.path, paths: [Self.sample], dryRun: true)
        #expect(counts(dry) == ["pipeline.run_completed": 1])
        #expect(!FileManager.default.fileExists(atPath: pack.path("audit").path), "a dry run writes nothing")
        let first = try Trailpack.importOpenLineage(source: pack.url.path, paths: [Self.sample], dryRun: false)
        #expect(first.events == dry.events)
        #expect(first.events.first?.actor == "u:alice" && first.events.first?.actorMapped == true)
        let e = try #require(try auditLines(pack).first)
        #expect(e["occurred"] == JSONValue("2024-05-02T09:04:31Z"))
        #expect(e["subject"]?["type"] == JSONValue("job") && e["subject"]?["id"] == JSONValue("gxp-ml/ae_classifier.train"))
        // Facets that came only with START (owner, commit, parent, job type) are merged into the run.
        #expect(e["refs"]?["commit"] == JSONValue("3f2c1ab"))
        #expect(e["refs"]?["run"] == JSONValue("openlineage:01a20bd2-1715-7292-a2f3-8af37e811ecf"))
        #expect(e["refs"]?["model"] == JSONValue("ae-classifier@2"), "an mlflow:// output links the model version")
        #expect(e["refs"]?["datasets"] == .array([JSONValue("s3://gxp-data/ae/train/v3.parquet@32130fc4")]))
        #expect(e["refs"]?["source"]?["system"] == JSONValue("openlineage"))
        #expect(e["refs"]?["source"]?["uri"] == JSONValue(URL(fileURLWithPath: Self.sample).absoluteString))
        #expect(e["data"]?["jobType"] == JSONValue("TRAIN"))
        #expect(e["data"]?["parent"]?["run"] == JSONValue("openlineage:01932f1e-0000-7000-8000-000000000001"))
        #expect(e["data"]?["parent"]?["job"] == JSONValue("airflow/ae_weekly_retrain"))
        #expect(e["signature"] == nil)
        let before = try Data(contentsOf: pack.path("audit/000001.jsonl"))
        let again = try Trailpack.importOpenLineage(source: pack.url.path, paths: [Shared.url("samples/openlineage").path], dryRun: false)
        #expect(again.events.isEmpty && again.alreadyPresent == 1 && again.record == nil)
        #expect(try Data(contentsOf: pack.path("audit/000001.jsonl")) == before)
        let report = try Trailpack.verify(source: pack.url.path, trust: nil)
        #expect(!report.findings.contains { $0.rule.rawValue.hasPrefix("INT-") }, "\(report.findings.map(\.message))")
    }

    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var lines: [String]
        var counts: [String: Int]
        /// Checks on the events written: the last of each action, and `first` the first event.
        var check: @Sendable ([String: JSONObject]) -> Bool
    }

    static let cases: [Case] = [
        Case(description: "FAIL", lines: [
            OL.event("START", time: "2026-01-05T10:00:00Z", run: OL.run1),
            OL.event("FAIL", time: "2026-01-05T10:02:00.5Z", run: OL.run1,
                     runFacets: "{\"errorMessage\": \(OL.facet("\"message\": \"disk full\", \"programmingLanguage\": \"python\""))}",
                     outputs: "[\(OL.dataset("clean/v2", version: "7"))]"),
        ], counts: ["pipeline.run_failed": 1], check: { e in
            let f = e["pipeline.run_failed"]
            return f?["data"]?["eventType"] == JSONValue("FAIL") && f?["data"]?["errorMessage"] == JSONValue("disk full")
                && f?["occurred"] == JSONValue("2026-01-05T10:02:00.5Z") && f?["data"]?["started"] == JSONValue("2026-01-05T10:00:00Z")
                && f?["actor"]?["id"] == JSONValue("svc:openlineage")
        }),
        Case(description: "ABORT", lines: [
            OL.event("ABORT", time: "2026-01-05T11:00:00+01:00", run: OL.run1),
        ], counts: ["pipeline.run_failed": 1], check: { e in
            e["pipeline.run_failed"]?["data"]?["eventType"] == JSONValue("ABORT") && e["pipeline.run_failed"]?["occurred"] == JSONValue("2026-01-05T10:00:00Z")
        }),
        Case(description: "START only", lines: [
            OL.event("START", time: "2026-01-05T10:00:00Z", run: OL.run1),
            OL.event("RUNNING", time: "2026-01-05T10:30:00Z", run: OL.run1),
        ], counts: ["pipeline.run_started": 1], check: { e in
            let s = e["pipeline.run_started"]
            return s?["data"]?["eventType"] == JSONValue("RUNNING") && s?["occurred"] == JSONValue("2026-01-05T10:00:00Z")
                && s?["data"]?["lastSeen"] == JSONValue("2026-01-05T10:30:00Z")
        }),
        Case(description: "data quality facets and an output version", lines: [
            OL.event("COMPLETE", time: "2026-01-05T10:00:00Z", run: OL.run1,
                     jobFacets: "{\"ownership\": \(OL.facet("\"owners\": [{\"name\": \"user:bob\", \"type\": \"OWNER\"}]")), "
                        + "\"sourceCodeLocation\": \(OL.facet("\"type\": \"git\", \"url\": \"https://g/x\", \"version\": \"abcdef1234567\""))}",
                     inputs: "[\(OL.dataset("raw/v1", version: "3", inputFacets: "{\"dataQualityAssertions\": \(OL.facet("\"assertions\": [{\"assertion\": \"not_null\", \"success\": true, \"column\": \"age\"}, {\"assertion\": \"unique\", \"success\": false}]")), \"dataQualityMetrics\": \(OL.facet("\"rowCount\": 1200, \"columnMetrics\": {\"age\": {\"nullCount\": 0, \"sum\": 1.5}}"))}"))]",
                     outputs: "[\(OL.dataset("clean/v2", version: "7", facets: ["\"schema\": \(OL.facet("\"fields\": [{\"name\": \"age\", \"type\": \"DOUBLE\"}]"))"]))]"),
        ], counts: ["pipeline.run_completed": 1, "dataset.quality_checked": 1, "dataset.registered": 1], check: { e in
            let q = e["dataset.quality_checked"], d = e["dataset.registered"], r = e["pipeline.run_completed"]
            return q?["subject"]?["id"] == JSONValue("s3://lake/raw/v1") && q?["subject"]?["version"] == JSONValue("3")
                && q?["data"]?["checks"] == .array([JSONValue("age: not_null"), JSONValue("unique")]) && q?["data"]?["passed"] == .bool(false)
                && q?["data"]?["metrics"]?["rowCount"] == .integer(1200) && q?["data"]?["metrics"]?["columnMetrics"]?["age"]?["sum"] == .decimal(1.5)
                && d?["subject"]?["id"] == JSONValue("s3://lake/clean/v2") && d?["subject"]?["version"] == JSONValue("7")
                && d?["data"]?["schema"] == .array([.object(OpenLineageMapping.obj([("name", JSONValue("age")), ("type", JSONValue("DOUBLE"))]))])
                && d?["refs"]?["run"] == JSONValue("openlineage:\(OL.run1)")
                && r?["refs"]?["commit"] == JSONValue("abcdef1234567") && r?["actor"]?["id"] == JSONValue("openlineage:user:bob")
        }),
        Case(description: "a parent run", lines: [
            OL.event("COMPLETE", time: "2026-01-05T10:00:00Z", run: OL.run2, job: "etl.parent"),
            OL.event("COMPLETE", time: "2026-01-05T09:59:00Z", run: OL.run1,
                     runFacets: "{\"parent\": \(OL.facet("\"run\": {\"runId\": \"\(OL.run2)\"}, \"job\": {\"namespace\": \"gxp-data\", \"name\": \"etl.parent\"}"))}"),
        ], counts: ["pipeline.run_completed": 2], check: { e in
            // Written in order of occurred: the child (09:59) first, so the last by action is the parent.
            e["pipeline.run_completed"]?["subject"]?["id"] == JSONValue("gxp-data/etl.parent")
                && e["first"]?["data"]?["parent"]?["run"] == JSONValue("openlineage:\(OL.run2)")
                && e["first"]?["data"]?["parent"]?["job"] == JSONValue("gxp-data/etl.parent")
        }),
    ]

    @Test(arguments: cases) func eachFixtureKindGivesTheEventsOfTheMapping(_ c: Case) throws {
        let pack = try freshPack()
        let dir = try TempDir()
        let file = try dir.write("events.jsonl", c.lines.joined(separator: "\n") + "\n")
        let r = try Trailpack.importOpenLineage(source: pack.url.path, paths: [file.path], dryRun: false)
        #expect(counts(r) == c.counts, "\(r.text)")
        var byAction: [String: JSONObject] = [:]
        let written = try auditLines(pack)
        for e in written { if let a = e["action"]?.stringValue { byAction[a] = e } }
        byAction["first"] = written.first
        #expect(c.check(byAction), "\(byAction)")
        let again = try Trailpack.importOpenLineage(source: pack.url.path, paths: [file.path], dryRun: false)
        #expect(again.events.isEmpty)
    }

    @Test func aRunFirstSeenStartedIsCompletedByALaterImportAndNotStartedTwice() throws {
        let pack = try freshPack()
        let dir = try TempDir()
        let start = try dir.write("a.jsonl", OL.event("START", time: "2026-01-05T10:00:00Z", run: OL.run1) + "\n")
        #expect(counts(try Trailpack.importOpenLineage(source: pack.url.path, paths: [start.path], dryRun: false)) == ["pipeline.run_started": 1])
        // One event per .json file in a folder.
        let folder = dir.path("events")
        try dir.write("events/1.json", OL.event("START", time: "2026-01-05T10:00:00Z", run: OL.run1))
        try dir.write("events/2.json", OL.event("COMPLETE", time: "2026-01-05T10:05:00Z", run: OL.run1))
        try dir.write("events/notes.txt", "not read")
        let r = try Trailpack.importOpenLineage(source: pack.url.path, paths: [folder.path], dryRun: false)
        #expect(counts(r) == ["pipeline.run_completed": 1])
        let third = try Trailpack.importOpenLineage(source: pack.url.path, paths: [start.path, folder.path], dryRun: false)
        #expect(third.events.isEmpty && third.alreadyPresent == 1, "the started fact is left out once the run has ended")
    }

    @Test(arguments: [
        ("missing run.runId", "{\"eventTime\": \"2026-01-05T10:00:00Z\", \"eventType\": \"START\", \"producer\": \"p\", \"schemaURL\": \"s\", \"run\": {}, \"job\": {\"namespace\": \"n\", \"name\": \"j\"}}",
         "the required field run.runId is missing"),
        ("bad eventTime", OL.event("START", time: "2026-13-05 10:00", run: OL.run2), "eventTime \"2026-13-05 10:00\" is not an RFC 3339"),
        ("no offset", OL.event("START", time: "2026-01-05T10:00:00", run: OL.run2), "eventTime"),
        ("not JSON", "{\"eventTime\": ", "not JSON"),
        ("job.name a number", OL.event("START", time: "2026-01-05T10:00:00Z", run: OL.run2).replacingOccurrences(of: "\"etl.clean\"", with: "7"),
         "job.name must be a non-empty string, not integer"),
        ("missing producer", OL.event("START", time: "2026-01-05T10:00:00Z", run: OL.run2).replacingOccurrences(of: "\"producer\"", with: "\"producr\""),
         "the required field producer is missing"),
        ("a runId not a UUID", OL.event("START", time: "2026-01-05T10:00:00Z", run: "run-7"), "run.runId \"run-7\" is not a UUID"),
    ]) func aMalformedEventIsRefusedNamingFileLineAndTheFieldAndNothingIsWritten(_ c: (String, String, String)) throws {
        let pack = try freshPack()
        let dir = try TempDir()
        let good = try dir.write("good.jsonl", OL.event("COMPLETE", time: "2026-01-05T10:00:00Z", run: OL.run1) + "\n")
        _ = try Trailpack.importOpenLineage(source: pack.url.path, paths: [good.path], dryRun: false)
        let before = try Data(contentsOf: pack.path("audit/000001.jsonl"))
        let bad = try dir.write("bad.jsonl", OL.event("START", time: "2026-01-06T10:00:00Z", run: OL.run2) + "\n\n" + c.1 + "\n")
        do {
            _ = try Trailpack.importOpenLineage(source: pack.url.path, paths: [bad.path], dryRun: false)
            Issue.record("\(c.0) was accepted")
        } catch let e as ImportError {
            let message = e.localizedDescription
            #expect(message.hasPrefix("\(bad.path):3: "), "\(message)")
            #expect(message.contains(c.2), "\(message)")
            #expect(message.contains("nothing was written"))
        }
        #expect(try Data(contentsOf: pack.path("audit/000001.jsonl")) == before)
    }

    @Test func theCommandExitsTwoOnABadEventAndOneOnADryRunThatWouldAdd() throws {
        _ = try #require(TrailpackBinary.url)
        let pack = try freshPack()
        let dir = try TempDir()
        let bad = try dir.write("bad.jsonl", "[]\n")
        var r = try TrailpackBinary.run(["import", "openlineage", pack.url.path, bad.path])
        #expect(r.status == 2 && r.stderr.contains("\(bad.path):1: not a JSON object but array"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: pack.path("audit").path))
        r = try TrailpackBinary.run(["import", "openlineage", pack.url.path, Self.sample, "--dry-run", "--format", "json"])
        let json = try JSONReader().parse(Array(r.stdout.utf8))
        #expect(r.status == 1 && json["counts"]?["pipeline.run_completed"] == .integer(1), "\(r.stdout)\(r.stderr)")
        r = try TrailpackBinary.run(["import", "openlineage", pack.url.path])
        #expect(r.status == 2 && r.stderr.contains("missing FILE or DIR"))
        r = try TrailpackBinary.run(["import", "--help"])
        #expect(r.status == 0 && r.stdout.contains("trailpack import openlineage SOURCE FILE|DIR..."))
    }
}

/// The import streams by run (blocks of lines parsed on all cores; a run mapped once a block
/// holds its terminal event; runs let go past a bound, or seen again after they were mapped, read
/// again at their places and mapped at the end): its facts must be those of mapping every event
/// read at once.
struct OpenLineageStreamingTests {
    static func streamed(_ paths: [String], heldBytes: Int, blockBytes: Int) throws -> (facts: [ImportedFact], notes: [String]) {
        let runs = try OpenLineageMapping.stream(paths: paths, heldBytes: heldBytes, blockBytes: blockBytes) { id, events in
            let (facts, notes) = OpenLineageMapping.runFacts(id, events)
            return (facts.map { $0.digested() }, notes)
        }
        return (runs.flatMap(\.0), runs.flatMap(\.1))
    }

    @Test func streamedFactsEqualTheFactsOfAllEventsAtOnce() throws {
        let dir = try TempDir()
        // Runs interleaved, events out of time order, a blank line, a run that gets an event after
        // its terminal one, a run that never ends, a whole-file event, two files.
        let a = [
            OL.event("START", time: "2026-11-01T12:00:00Z", run: OL.run1, inputs: "[\(OL.dataset("raw", version: "1"))]"),
            OL.event("COMPLETE", time: "2026-11-01T13:00:00Z", run: OL.run2, outputs: "[\(OL.dataset("b", version: "2"))]"),
            "",
            OL.event("COMPLETE", time: "2026-11-01T12:05:00Z", run: OL.run1, outputs: "[\(OL.dataset("a", version: "1"))]"),
            OL.event("START", time: "2026-11-01T12:59:00Z", run: OL.run2),
            OL.event("START", time: "2026-11-01T15:00:00Z", run: "55555555-5555-4555-8555-555555555555"),
            OL.event("RUNNING", time: "2026-11-01T12:03:00Z", run: OL.run1,
                     runFacets: "{\"nominalTime\": \(OL.facet("\"nominalStartTime\": \"2026-11-01T12:00:00Z\""))}"),
        ]
        try dir.write("events/a.jsonl", a.joined(separator: "\n") + "\n")
        try dir.write("events/b.json", OL.event("FAIL", time: "2026-11-01T14:00:00Z", run: "44444444-4444-4444-8444-444444444444"))
        for paths in [[OpenLineageImportTests.sample], [dir.path("events").path], [dir.path("events/a.jsonl").path, OpenLineageImportTests.sample]] {
            let whole = OpenLineageMapping.facts(try OpenLineageReader.read(paths: paths), digest: true)
            #expect(!whole.facts.isEmpty)
            // Whole blocks and no bound; a line per block (runs mapped early, then seen again);
            // nothing held (every run let go and read again).
            for (held, block) in [(32 << 20, 4 << 20), (32 << 20, 16), (0, 4 << 20), (0, 16)] {
                let streamed = try Self.streamed(paths, heldBytes: held, blockBytes: block)
                #expect(streamed.facts.map(\.sourceID) == whole.facts.map(\.sourceID), "held \(held), block \(block)")
                #expect(streamed.facts.map(\.sourceDigest) == whole.facts.map(\.sourceDigest))
                #expect(streamed.facts.map { JCS.serialize(.object($0.data)) } == whole.facts.map { JCS.serialize(.object($0.data)) })
                #expect(streamed.facts.map { JCS.serialize(.object($0.refs)) } == whole.facts.map { JCS.serialize(.object($0.refs)) })
                #expect(streamed.facts.map(\.uri) == whole.facts.map(\.uri))
                #expect(streamed.facts.map(\.occurred) == whole.facts.map(\.occurred) && streamed.notes == whole.notes)
            }
        }
        // The late RUNNING event of run 1 is merged into its run (its nominal time), whatever the blocks.
        let late = try Self.streamed([dir.path("events/a.jsonl").path], heldBytes: 32 << 20, blockBytes: 16)
        #expect(late.facts.first { $0.sourceID == OL.run1 }?.data["nominalTime"] != nil)
        // A bad event is still the error, naming its file and line, in either file.
        try dir.write("bad/x.jsonl", a[0] + "\n{\"eventTime\": 1}\n")
        for block in [4 << 20, 16] {
            do {
                _ = try Self.streamed([dir.path("bad").path], heldBytes: 32 << 20, blockBytes: block)
                Issue.record("the bad event was accepted")
            } catch {
                #expect(error.localizedDescription.contains("x.jsonl:2: "), "\(error.localizedDescription)")
            }
        }
    }
}

/// A name from another system stays on its line of the import report: a job named
/// `etl<LF>findings: 0 critical` printed a line of its own.
struct ImportReportLineTests {
    @Test func aNameWithALineFeedStaysOnItsLine() throws {
        let pack = try freshPack()
        let dir = try TempDir()
        let lines = [OL.event("START", time: "2026-01-05T10:00:00Z", run: OL.run1, job: "etl\\nfindings: 0 critical"),
                     OL.event("COMPLETE", time: "2026-01-05T10:05:00Z", run: OL.run1, job: "etl\\nfindings: 0 critical")]
        let file = try dir.write("events.jsonl", lines.joined(separator: "\n") + "\n")
        let r = try Trailpack.importOpenLineage(source: pack.url.path, paths: [file.path], dryRun: true)
        let text = r.text
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("findings:") }, "\(text)")
        #expect(text.contains("etlU+000Afindings: 0 critical"), "\(text)")
    }
}
