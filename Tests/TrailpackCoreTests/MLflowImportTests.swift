import Foundation
import Testing
@testable import TrailpackCore

/// The sample MLflow 3.17 store (`../shared/samples/mlflow/`), read in place.
enum MLflowSample {
    static let db = Shared.url("samples/mlflow/mlflow.db").path
    static let mlruns = Shared.url("samples/mlflow/mlruns").path
    static let dump = Shared.url("samples/mlflow/mlflow-postgres.sql")
    static var sqliteURI: String { "sqlite:///" + db }
    /// What each form of the sample imports into a fresh pack, by action.
    static let counts: [String: Int] = [
        "dataset.registered": 1, "model.alias_changed": 2, "model.registered": 2, "model.stage_changed": 2, "model.trained": 2,
    ]
}

/// A fresh pack source: trailpack.json with an empty release, no events.
func freshPack(identities: [String: String] = [:], extraPolicy: String = "") throws -> TempDir {
    let d = try TempDir()
    let ids = identities.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ")
    try d.write("trailpack.json", """
        {"title": "MLflow import test", "origin": "example.com/mlflow-test", "release": {"name": "r1", "models": {}},
         "policy": {"clockSkewSeconds": 300\(extraPolicy)}, "identities": {\(ids)}}
        """)
    return d
}

func counts(_ r: ImportResult) -> [String: Int] { Dictionary(uniqueKeysWithValues: r.countsByAction.map { ($0.0, $0.1) }) }

struct MLflowImportTests {
    @Test func theSQLiteSampleImportsIntoAFreshPackOnceAndVerifiesWithTheFindingsMLflowCannotAvoid() throws {
        let pack = try freshPack()
        let dry = try Trailpack.importMLflow(source: pack.url.path, trackingURI: MLflowSample.sqliteURI, models: [], dryRun: true)
        #expect(counts(dry) == MLflowSample.counts)
        #expect(!FileManager.default.fileExists(atPath: pack.path("audit").path), "a dry run writes nothing")
        let first = try Trailpack.importMLflow(source: pack.url.path, trackingURI: MLflowSample.sqliteURI, models: [], dryRun: false)
        #expect(counts(first) == MLflowSample.counts)
        #expect(first.events == dry.events)
        #expect(first.record?.treeSize == 9)
        let before = try Data(contentsOf: pack.path("audit/000001.jsonl"))
        let again = try Trailpack.importMLflow(source: pack.url.path, trackingURI: MLflowSample.sqliteURI, models: [], dryRun: false)
        #expect(again.events.isEmpty)
        #expect(again.record == nil)
        #expect(again.text.contains("nothing to add"))
        #expect(try Data(contentsOf: pack.path("audit/000001.jsonl")) == before)
        let againDry = try Trailpack.importMLflow(source: pack.url.path, trackingURI: MLflowSample.sqliteURI, models: ["ae-classifier"], dryRun: true)
        #expect(againDry.events.isEmpty)

        let report = try Trailpack.verify(source: pack.url.path, trust: nil)
        let found = report.findings.map { "\($0.rule) \($0.message)" }
        #expect(report.findings.filter { $0.rule == .atReason }.count == 4, "\(found)")
        #expect(report.findings.contains { $0.rule == .relApproval && $0.message.contains("ae-classifier@2") }, "\(found)")
        #expect(!report.findings.contains { $0.rule.rawValue.hasPrefix("INT-") }, "\(found)")
    }

    @Test func anImportIntoAPostgreSQLStoreIsRefusedAndWritesNothing() throws {
        let pack = try TempDir()
        try pack.write("trailpack.json", """
            {"title": "t", "origin": "example.com/t", "release": {"name": "r1", "models": {}},
             "store": {"postgresql": "host=/nonexistent dbname=trail"}}
            """)
        #expect(throws: RecordError.importNeedsFileStore(pack.path("trailpack.json").path)) {
            try Trailpack.importMLflow(source: pack.url.path, trackingURI: MLflowSample.sqliteURI, models: [], dryRun: false)
        }
        #expect(!FileManager.default.fileExists(atPath: pack.path("audit").path))
        #expect(!FileManager.default.fileExists(atPath: pack.path("registry").path))
    }

    @Test func theImportSaysWhichOfItsEventsRequireSignedWillReport() throws {
        let pack = try freshPack(extraPolicy: ", \"requireSigned\": [\"model.trained\", \"test.executed\", \"model.registered\"]")
        let dry = try Trailpack.importMLflow(source: pack.url.path, trackingURI: MLflowSample.sqliteURI, models: [], dryRun: true)
        #expect(dry.notes.contains("policy.requireSigned lists model.registered, model.trained: events brought in are never signed, "
            + "so these will be SIG-REQUIRED and count for no other rule"), "\(dry.notes)")
        let plain = try freshPack()
        let none = try Trailpack.importMLflow(source: plain.url.path, trackingURI: MLflowSample.sqliteURI, models: [], dryRun: true)
        #expect(!none.notes.contains { $0.contains("requireSigned") })
    }

    @Test func importedEventsCarryOccurredTheirSourceAndNoSignatureAndAreDeterministicButForTime() throws {
        let a = try freshPack(), b = try freshPack()
        for p in [a, b] { _ = try Trailpack.importMLflow(source: p.url.path, trackingURI: MLflowSample.sqliteURI, models: [], dryRun: false) }
        func lines(_ p: TempDir) throws -> [JSONObject] {
            try String(contentsOf: p.path("audit/000001.jsonl"), encoding: .utf8).split(separator: "\n")
                .compactMap { try JSONReader().parse(Array($0.utf8)).objectValue }
        }
        let la = try lines(a), lb = try lines(b)
        #expect(la.count == 9)
        func strip(_ o: JSONObject) -> JSONObject {
            JSONObject(o.members.filter { !["time", "hash", "prev"].contains($0.key.string) })
        }
        #expect(la.map(strip) == lb.map(strip))
        var lastOccurred = Timestamp(seconds: 0)
        for e in la {
            #expect(e["signature"] == nil)
            guard case .valid(let occurred) = Timestamp.parse(try #require(e["occurred"]?.stringValue)) else {
                Issue.record("occurred is not RFC 3339"); continue
            }
            #expect(occurred >= lastOccurred, "ordered by occurred")
            lastOccurred = occurred
            let source = try #require(e["refs"]?["source"])
            #expect(source["system"] == JSONValue("mlflow"))
            #expect(source["uri"] == JSONValue(MLflowSample.sqliteURI))
            #expect(source["sha256"]?.stringValue?.utf8.count == 64)
        }
        let trained = try #require(la.first { $0["action"] == JSONValue("model.trained") && $0["subject"]?["version"] == JSONValue("1") })
        #expect(trained["actor"]?["id"] == JSONValue("mlflow:alice"))
        #expect(trained["refs"]?["commit"] == JSONValue("3f2c1ab"))
        #expect(trained["refs"]?["datasets"] == .array([JSONValue("ae_train_v3@32130fc4")]))
        #expect(trained["data"]?["metrics"]?["train_loss"] == .decimal(0.2333333333333333))
        #expect(trained["data"]?["params"]?["C"] == JSONValue("0.1"))
        let registered = try #require(la.first { $0["action"] == JSONValue("model.registered") && $0["subject"]?["version"] == JSONValue("2") })
        #expect(registered["data"]?["tags"]?["approval.by"] == JSONValue("qa.bob"))
        #expect(registered["data"]?["tagsNote"] == JSONValue(MLflowMapping.tagNote))
        #expect(registered["actor"] == .object(JSONObject([JSONMember(key: "id", value: JSONValue("svc:mlflow")),
                                                          JSONMember(key: "kind", value: JSONValue("service"))])))
        let stage = try #require(la.first { $0["action"] == JSONValue("model.stage_changed") && $0["subject"]?["version"] == JSONValue("2") })
        #expect(stage["data"]?["from"] == JSONValue("none"))
        #expect(stage["data"]?["to"] == JSONValue("production"))
        #expect(stage["data"]?["observed"] == .bool(true))
        #expect(stage["reason"] == nil)
        #expect(stage["refs"]?["source"]?["id"] == JSONValue("ae-classifier/2#stage"))
        let alias = try #require(la.first { $0["action"] == JSONValue("model.alias_changed") && $0["data"]?["alias"] == JSONValue("champion") })
        #expect(alias["subject"]?["version"] == JSONValue("2"))
        #expect(alias["data"]?["from"] == .null)
        #expect(alias["refs"]?["source"]?["id"] == JSONValue("ae-classifier@champion"))
    }

    @Test func identitiesMapMLflowUsersAndSeparationOfDutiesComparesTheMappedIds() throws {
        for mapped in [true, false] {
            var p = try PackBuilder.writeSide()
            try p.installKey("alice")
            try p.record("""
                {"id": "k1", "time": "2026-11-01T09:00:00Z", "actor": {"id": "u:admin"}, "action": "key.registered", \
                "subject": {"type": "key", "id": "alice"}, "data": {"owner": "u:alice"}}
                {"id": "a2", "time": "2026-11-30T09:00:00Z", "actor": {"id": "u:alice", "name": "Alice"}, "action": "model.approved", \
                "subject": {"type": "model", "id": "ae-classifier", "version": "2"}, \
                "signature": {"signer": "u:alice", "name": "Alice", "meaning": "approval", "time": "2026-11-30T09:00:00Z", "key": "alice"}}

                """, signKey: "alice")
            let config = try String(contentsOf: p.url.appendingPathComponent("trailpack.json"), encoding: .utf8)
            if mapped {
                let withIdentities = config.replacingOccurrences(of: "\"origin\"", with: "\"identities\": {\"mlflow:alice\": \"u:alice\"}, \"origin\"")
                try p.dir.write("trailpack.json", withIdentities)
            }
            let r = try Trailpack.importMLflow(source: p.url.path, trackingURI: MLflowSample.sqliteURI, models: [], dryRun: false)
            let trained = r.events.filter { $0.action == "model.trained" }
            #expect(trained.allSatisfy { $0.actor == (mapped ? "u:alice" : "mlflow:alice") && $0.actorMapped == mapped })
            let sod = try p.verify().findings.filter { $0.rule == .sigSOD }
            #expect(sod.count == (mapped ? 1 : 0), "\(sod.map(\.message))")
        }
    }

    @Test func aStageMovedInMLflowOutsideTheProcessIsWrittenAsAnObservedChange() throws {
        let pack = try freshPack()
        _ = try Trailpack.importMLflow(source: pack.url.path, trackingURI: MLflowSample.sqliteURI, models: [], dryRun: false)
        var snap = try MLflowSQLReader.read(try SQLiteDatabase(path: MLflowSample.db), place: MLflowSample.db)
        let i = try #require(snap.versions.firstIndex { $0.version == "1" })
        snap.versions[i].currentStage = "Production"
        snap.versions[i].lastUpdatedTime = 1_795_600_000_000
        let facts = try MLflowMapping.facts(snap, models: [], place: MLflowSample.sqliteURI)
        let config = try Config.load(from: pack.url)
        let origin = ImportOrigin(system: "mlflow", uri: MLflowSample.sqliteURI)
        let dry = try ImportRunner(sourceURL: pack.url, config: config, origin: origin, dryRun: true).run(facts)
        #expect(dry.events.count == 1)
        #expect(dry.text.contains("would add model.stage_changed ae-classifier@1"))
        #expect(dry.text.contains("stage staging -> production, observed (MLflow updated 2026-11-25T09:46:40Z)"))
        let done = try ImportRunner(sourceURL: pack.url, config: config, origin: origin, dryRun: false).run(facts)
        #expect(done.record?.treeSize == 10)
        let report = try Trailpack.verify(source: pack.url.path, trust: nil)
        #expect(report.findings.contains { $0.rule == .relApproval && $0.severity == .critical && $0.message.contains("ae-classifier@1") })
    }

    /// A version whose run the store no longer holds gets no model.trained, and the import says so.
    @Test func aVersionWhoseRunIsGoneIsNoted() throws {
        let scratch = try TempDir()
        let store = try copiedFileStore(scratch)
        try FileManager.default.removeItem(atPath: store + "/" + sampleRun)
        let pack = try freshPack()
        let r = try Trailpack.importMLflow(source: pack.url.path, trackingURI: store, models: [], dryRun: true)
        #expect(r.notes.contains("model version ae-classifier@2 names run 7b259bbaf06441aebedfa6b7d66c5509, which MLflow at \(store) "
                                 + "does not hold: no model.trained event is written for it"), "\(r.notes)")
        #expect(!r.events.contains { $0.action == "model.trained" && $0.subject == "ae-classifier@2" })
        #expect(r.events.contains { $0.action == "model.trained" && $0.subject == "ae-classifier@1" })
    }

    /// A record too large for a line of the log is refused by the dry run as by the import,
    /// naming the record of MLflow it comes from.
    @Test func aRecordTooLargeForTheLogIsRefusedByTheDryRunToo() throws {
        let scratch = try TempDir()
        let store = try copiedFileStore(scratch)
        try replaceLine(store + "/models/ae-classifier/version-2/meta.yaml", "description:", "description: " + String(repeating: "x", count: 2 << 20))
        let pack = try freshPack()
        for dryRun in [true, false] {
            do {
                _ = try Trailpack.importMLflow(source: pack.url.path, trackingURI: store, models: [], dryRun: dryRun)
                Issue.record("not refused (dry run: \(dryRun))")
            } catch let e as RecordError {
                let m = e.localizedDescription
                #expect(m.hasPrefix("mlflow import, event ") && m.contains(" (mlflow ae-classifier/2): the event's canonical line is "), "\(m)")
            }
        }
        // No segment was written (the refused import leaves at most its lock file).
        let audit = (try? FileManager.default.contentsOfDirectory(atPath: pack.url.appendingPathComponent("audit").path)) ?? []
        #expect(audit.filter { $0.hasSuffix(".jsonl") }.isEmpty, "\(audit)")
    }

    @Test func trackingURIsAreParsedAndCredentialsNeverKept() throws {
        #expect(try MLflowLocation.parse("sqlite:///mlflow.db") == .sqlite(path: "mlflow.db"))
        #expect(try MLflowLocation.parse("sqlite:////srv/mlflow.db") == .sqlite(path: "/srv/mlflow.db"))
        #expect(try MLflowLocation.parse("file:///srv/mlruns") == .fileStore(path: "/srv/mlruns"))
        #expect(try MLflowLocation.parse("mlruns") == .fileStore(path: "mlruns"))
        #expect(MLflowLocation.redacted("postgresql://bob@db:5432/mlflow?sslmode=require&user=x") == "postgresql://db:5432/mlflow?sslmode=require")
        #expect(throws: ImportError.self) { try MLflowLocation.parse("postgresql://bob:s3cret@db/mlflow") }
        #expect(throws: ImportError.self) { try MLflowLocation.parse("postgresql://db/mlflow?password=s3cret") }
        #expect(throws: ImportError.self) { try MLflowLocation.parse("http://mlflow:5000") }
    }
}

/// One import trailpack must refuse: the exact message, and the log left byte-identical.
struct ImportRefusal: Sendable, CustomTestStringConvertible {
    var name: String
    /// Makes the tracking URI (given a scratch folder).
    var uri: @Sendable (TempDir) throws -> String
    var models: [String] = []
    /// The message, with `{dir}` for the scratch folder.
    var message: String
    var testDescription: String { name }
}

let importRefusals: [ImportRefusal] = [
    ImportRefusal(name: "missing database file", uri: { "sqlite:///" + $0.path("nope.db").path },
                  message: "{dir}/nope.db: no such MLflow database file; check the path in --tracking-uri sqlite:///PATH (three slashes, then a relative path or a path starting with /)"),
    ImportRefusal(name: "a file that is not SQLite", uri: { "sqlite:///" + (try $0.write("x.db", String(repeating: "not a database\n", count: 20))).path },
                  message: "{dir}/x.db: not an MLflow tracking store (table alembic_version: SQLite says file is not a database); point --tracking-uri at the store MLflow writes"),
    ImportRefusal(name: "a SQLite file that is not MLflow's", uri: { "sqlite:///" + (try $0.write("empty.db", "")).path },
                  message: "{dir}/empty.db: not an MLflow tracking store (table alembic_version: SQLite says no such table: alembic_version); point --tracking-uri at the store MLflow writes"),
    ImportRefusal(name: "an unknown MLflow schema version", uri: { d in
                      var bytes = try Data(contentsOf: URL(fileURLWithPath: MLflowSample.db))
                      let head = Data("dc11669786a5".utf8), other = Data("0123456789ab".utf8)
                      while let r = bytes.range(of: head) { bytes.replaceSubrange(r, with: other) }
                      return "sqlite:///" + (try d.write("old.db", bytes)).path
                  },
                  message: "{dir}/old.db: MLflow schema version 0123456789ab is not one trailpack knows (known: dc11669786a5); upgrade trailpack or import from a store of a known MLflow version"),
    ImportRefusal(name: "a FileStore with a broken meta.yaml", uri: { d in
                      try d.write("mlruns/models/m/meta.yaml", "name: [unclosed\ncreation_timestamp: 1\n")
                      return d.path("mlruns").path
                  },
                  message: "{dir}/mlruns: models/m/meta.yaml: is not valid YAML (did not find expected ',' or ']' at line 2, column 19); repair the record in MLflow or leave the model out with --model"),
    ImportRefusal(name: "a folder that is not a FileStore", uri: { d in
                      try d.write("other/readme.txt", "x")
                      return "file://" + d.path("other").path
                  },
                  message: "{dir}/other: not an MLflow tracking store (FileStore layout not found: no models/ folder and no experiment folder with meta.yaml (found: readme.txt)); point --tracking-uri at the store MLflow writes"),
    ImportRefusal(name: "a PostgreSQL URI with a password", uri: { _ in "postgresql://bob:s3cret@db.example.com:5432/mlflow" },
                  message: "--tracking-uri postgresql://db.example.com:5432/mlflow: the URI carries a password; remove it and supply it through PGPASSWORD, ~/.pgpass or a service file (no credential may reach the log, the site or a message)"),
    ImportRefusal(name: "a server that is down", uri: { "postgresql://bob@/mlflow?host=" + $0.url.path + "&port=5999&connect_timeout=2" },
                  message: "postgresql:///mlflow?host={dir}&port=5999&connect_timeout=2: cannot be read (PostgreSQL server not reachable or refused the connection: connection to server on socket \"{dir}/.s.PGSQL.5999\" failed: No such file or directory; check that the server is up, the host, port and database, and PGPASSWORD, ~/.pgpass or the service file); check the path or server and the permissions"),
    ImportRefusal(name: "a param file that links outside the store", uri: { d in
                      let store = try copiedFileStore(d)
                      try d.write("secret.txt", "root:$6$hash:19000:0:99999:7:::\n")
                      let param = store + "/" + sampleRun + "/params/C"
                      try FileManager.default.removeItem(atPath: param)
                      try FileManager.default.createSymbolicLink(atPath: param, withDestinationPath: d.path("secret.txt").path)
                      return store
                  },
                  message: "{dir}/mlruns: \(sampleRun)/params/C: cannot be read: \(sampleRun)/params/C is a symbolic link. trailpack reads a FileStore's "
                      + "files as they are, never through a link, which could bring a file from outside the store into the trail. "
                      + "Fix: replace the link by the file or folder itself; repair the record in MLflow or leave the model out with --model"),
    ImportRefusal(name: "a version folder that links outside the store", uri: { d in
                      let store = try copiedFileStore(d)
                      let version = store + "/models/ae-classifier/version-2"
                      try FileManager.default.moveItem(atPath: version, toPath: d.path("elsewhere").path)
                      try FileManager.default.createSymbolicLink(atPath: version, withDestinationPath: d.path("elsewhere").path)
                      return store
                  },
                  message: "{dir}/mlruns: models/ae-classifier/version-2/meta.yaml: cannot be read: models/ae-classifier/version-2 is a symbolic link. "
                      + "trailpack reads a FileStore's files as they are, never through a link, which could bring a file from outside the store "
                      + "into the trail. Fix: replace the link by the file or folder itself; repair the record in MLflow or leave the model out with --model"),
    ImportRefusal(name: "a version created at the smallest 64-bit time", uri: { d in
                      let store = try copiedFileStore(d)
                      try replaceLine(store + "/models/ae-classifier/version-2/meta.yaml", "creation_timestamp:", "creation_timestamp: -9223372036854775808")
                      return store
                  },
                  message: "{dir}/mlruns: model version \"ae-classifier\" 2: creation_timestamp -9223372036854775808 is not a time of the years 0001 to 9999 "
                      + "in milliseconds since 1970; repair the record in MLflow or leave the model out with --model"),
    ImportRefusal(name: "a registered model updated after the year 9999", uri: { d in
                      let store = try copiedFileStore(d)
                      try replaceLine(store + "/models/ae-classifier/meta.yaml", "last_updated_timestamp:", "last_updated_timestamp: 9223372036854775807")
                      return store
                  },
                  message: "{dir}/mlruns: registered model \"ae-classifier\": last_updated_timestamp 9223372036854775807 is not a time of the years 0001 to 9999 "
                      + "in milliseconds since 1970; repair the record in MLflow or leave the model out with --model"),
    ImportRefusal(name: "a run that ended at the smallest 64-bit time", uri: { d in
                      let store = try copiedFileStore(d)
                      try replaceLine(store + "/" + sampleRun + "/meta.yaml", "end_time:", "end_time: -9223372036854775808")
                      return store
                  },
                  message: "{dir}/mlruns: run 7b259bbaf06441aebedfa6b7d66c5509: end_time -9223372036854775808 is not a time of the years 0001 to 9999 "
                      + "in milliseconds since 1970; repair the record in MLflow or leave the model out with --model"),
    ImportRefusal(name: "a version without its creation time", uri: { d in
                      let store = try copiedFileStore(d)
                      try replaceLine(store + "/models/ae-classifier/version-1/meta.yaml", "creation_timestamp:", "creation_timestamp: null")
                      return store
                  },
                  message: "{dir}/mlruns: models/ae-classifier/version-1/meta.yaml: has no creation_timestamp, which MLflow writes in every such file; "
                      + "repair the record in MLflow or leave the model out with --model"),
    ImportRefusal(name: "a stage MLflow does not have", uri: { d in
                      let store = try copiedFileStore(d)
                      try replaceLine(store + "/models/ae-classifier/version-2/meta.yaml", "current_stage:", "current_stage: Bogus")
                      return store
                  },
                  message: "{dir}/mlruns: model version \"ae-classifier\" 2: current_stage \"Bogus\" is not a stage MLflow writes "
                      + "(None, Staging, Production, Archived); repair the record in MLflow or leave the model out with --model"),
    ImportRefusal(name: "a key written twice in a meta.yaml", uri: { d in
                      let store = try copiedFileStore(d)
                      let meta = store + "/models/ae-classifier/version-2/meta.yaml"
                      try (try String(contentsOfFile: meta, encoding: .utf8) + "version: 3\n").write(toFile: meta, atomically: true, encoding: .utf8)
                      return store
                  },
                  message: "{dir}/mlruns: models/ae-classifier/version-2/meta.yaml: is not valid YAML (the key \"version\" appears twice at line 17, "
                      + "column 1); repair the record in MLflow or leave the model out with --model"),
    ImportRefusal(name: "a list where MLflow writes one value", uri: { d in
                      let store = try copiedFileStore(d)
                      try replaceLine(store + "/" + sampleRun + "/meta.yaml", "user_id:", "user_id: [a, b]")
                      return store
                  },
                  message: "{dir}/mlruns: \(sampleRun)/meta.yaml: user_id is a list or mapping where MLflow writes one value; "
                      + "repair the record in MLflow or leave the model out with --model"),
    ImportRefusal(name: "a tag file that is not UTF-8", uri: { d in
                      let store = try copiedFileStore(d)
                      try Data([0x63, 0x61, 0x66, 0xE9]).write(to: URL(fileURLWithPath: store + "/" + sampleRun + "/tags/note"))
                      return store
                  },
                  message: "{dir}/mlruns: \(sampleRun)/tags/note: is not UTF-8 text (MLflow writes tags, params and metrics as UTF-8); "
                      + "repair the record in MLflow or leave the model out with --model"),
    ImportRefusal(name: "a meta.yaml with a byte that is not UTF-8 on its last line", uri: { d in
                      let store = try copiedFileStore(d)
                      let meta = store + "/models/ae-classifier/version-2/meta.yaml"
                      var bytes = try Data(contentsOf: URL(fileURLWithPath: meta))
                      bytes.append(contentsOf: Array("note: caf".utf8) + [0xE9, 0x0A])
                      try bytes.write(to: URL(fileURLWithPath: meta))
                      return store
                  },
                  message: "{dir}/mlruns: models/ae-classifier/version-2/meta.yaml: is not valid YAML (incomplete UTF-8 octet sequence at line 17, "
                      + "column 10); repair the record in MLflow or leave the model out with --model"),
    ImportRefusal(name: "a file URI with a user and password", uri: { _ in "file://bob:s3cret@localhost/srv/mlruns" },
                  message: "--tracking-uri file://localhost/srv/mlruns: not a tracking URI trailpack reads; use sqlite:///PATH, file:///PATH (or a plain folder path) or postgresql://USER@HOST:PORT/DB"),
    ImportRefusal(name: "a model MLflow does not have", uri: { _ in MLflowSample.sqliteURI }, models: ["ae-clasifier"],
                  message: "--model ae-clasifier: MLflow at \(MLflowSample.sqliteURI) has no registered model of that name (it has: ae-classifier); check the spelling"),
]

/// The sample's run that trained ae-classifier version 2 (its folder below the FileStore).
let sampleRun = "575938038886293069/7b259bbaf06441aebedfa6b7d66c5509"

/// A copy of the sample FileStore at `<d>/mlruns`, to be damaged by a test.
func copiedFileStore(_ d: TempDir) throws -> String {
    let store = d.path("mlruns").path
    try FileManager.default.copyItem(atPath: MLflowSample.mlruns, toPath: store)
    return store
}

/// Replaces the line of `path` that starts with `prefix` by `line`.
func replaceLine(_ path: String, _ prefix: String, _ line: String) throws {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var lines = text.components(separatedBy: "\n")
    guard let i = lines.firstIndex(where: { $0.hasPrefix(prefix) }) else { throw FixtureError("\(path) has no line \(prefix)") }
    lines[i] = line
    try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
}

struct MLflowImportRefusalTests {
    @Test(arguments: importRefusals)
    func refusedWithOneLineAndTheLogUnchanged(_ c: ImportRefusal) throws {
        let p = try PackBuilder.writeSide()
        try p.record("""
            {"id": "e1", "time": "2026-11-01T09:00:00Z", "actor": {"id": "u:dev"}, "action": "code.changed", \
            "subject": {"type": "code", "id": "repo"}, "refs": {"commit": "3f2c1ab"}}

            """)
        let before = p.snapshot()
        let scratch = try TempDir()
        let uri = try c.uri(scratch)
        do {
            _ = try Trailpack.importMLflow(source: p.url.path, trackingURI: uri, models: c.models, dryRun: false)
            Issue.record("not refused")
        } catch let e as ImportError {
            let expected = c.message.replacingOccurrences(of: "{dir}", with: scratch.url.path)
            #expect(e.localizedDescription == expected)
            #expect(!e.localizedDescription.contains("\n"))
            #expect(!e.localizedDescription.contains("s3cret"))
        }
        #expect(p.snapshot() == before)
    }
}

/// Times and run ids differ between the sample's three forms (MLflow makes them); the rest agrees.
func neutral(_ s: MLflowSnapshot) -> MLflowSnapshot {
    var s = s
    s.models = s.models.map { var m = $0; m.creationTime = 0; m.lastUpdatedTime = 0; return m }
    s.versions = s.versions.map { var v = $0; v.creationTime = 0; v.lastUpdatedTime = 0; v.runID = nil; v.source = nil; v.tags["validation_run"] = nil; return v }
    s.runs = Dictionary(uniqueKeysWithValues: s.runs.values.map { r -> (String, MLflowSnapshot.Run) in
        var r = r; r.startTime = nil; r.endTime = nil
        r.datasets = r.datasets.map { var d = $0; d.source = nil; return d }
        let key = r.name ?? ""; r.id = key; return (key, r)
    })
    return s
}

struct MLflowFileStoreTests {
    @Test func theFileStoreSampleImportsTheSameFactsAsTheSQLiteOneOnce() throws {
        let pack = try freshPack()
        for uri in ["file://" + MLflowSample.mlruns, MLflowSample.mlruns] {
            _ = try Trailpack.importMLflow(source: pack.url.path, trackingURI: uri, models: [], dryRun: true)
        }
        let first = try Trailpack.importMLflow(source: pack.url.path, trackingURI: MLflowSample.mlruns, models: [], dryRun: false)
        #expect(counts(first) == MLflowSample.counts)
        #expect(first.notes == ["created registry/models/ae-classifier.json without requirements or intended use: add them before release"])
        let again = try Trailpack.importMLflow(source: pack.url.path, trackingURI: "file://" + MLflowSample.mlruns, models: [], dryRun: true)
        #expect(again.events.isEmpty)
        let files = try MLflowFileStore.read(path: MLflowSample.mlruns)
        let lite = try MLflowSQLReader.read(try SQLiteDatabase(path: MLflowSample.db), place: "lite")
        #expect(neutral(files) == neutral(lite))
        let report = try Trailpack.verify(source: pack.url.path, trust: nil)
        #expect(report.findings.map(\.rule).sorted { $0.rawValue < $1.rawValue }
                == [.atReason, .atReason, .atReason, .atReason, .relApproval, .relApproval])
    }

    @Test func metricFilesGiveTheLatestStepAndNaNAsNil() throws {
        #expect(try MLflowFileStore.latestMetric("1 0.35 0\n2 0.2333333333333333 1\n3 0.175 2\n1 0.35 0\n", place: "m") == 0.175)
        #expect(try MLflowFileStore.latestMetric("5 nan 0\n", place: "m") == nil)
        #expect(throws: ImportError.self) { try MLflowFileStore.latestMetric("garbage", place: "m") }
    }

    @Test func theRegistryRecordKeepsTheUsersKeysAndVersionsMLflowNoLongerHas() throws {
        let pack = try freshPack()
        try pack.write("registry/models/ae-classifier.json", """
            {"id": "ae-classifier", "name": "AE triage", "intendedUse": "docs/iu.md", "risk": "high",
             "requirements": [{"id": "URS-01", "title": "t", "text": "x", "category": "performance"}],
             "versions": [{"version": "0", "stage": "archived"}, {"version": "2", "stage": "none", "datasets": ["ae_train_v3@32130fc4"]}]}
            """)
        try pack.write("docs/iu.md", "# Intended use\n")
        let r = try Trailpack.importMLflow(source: pack.url.path, trackingURI: MLflowSample.sqliteURI, models: ["ae-classifier"], dryRun: false)
        #expect(r.notes == ["registry/models/ae-classifier.json: version 0 is in the record but MLflow no longer has it; kept"])
        let registry = try Registry.load(from: pack.url)
        let m = try #require(registry.model(JSONString("ae-classifier")))
        #expect(m.name == "AE triage")
        #expect(m.requirements.map(\.id) == [JSONString("URS-01")])
        #expect(m.versions.map(\.version.string) == ["1", "2", "0"])
        #expect(m.versions.map(\.stage) == ["staging", "production", "archived"])
        #expect(m.versions[1].aliases == [JSONString("champion")])
        #expect(m.versions[1].datasets == [JSONString("ae_train_v3@32130fc4")])
        #expect(m.versions[1].commit == "3f2c1ab")
    }
}

struct MLflowPostgresTests {
    @Test func thePostgreSQLSampleGivesTheSameFactsAsTheSQLiteOneAndImportsOnce() throws {
        let cluster = try PostgresCluster()
        try cluster.createDatabase("mlflow_sample")
        try cluster.load(MLflowSample.dump, into: "mlflow_sample")
        let uri = "postgresql://postgres@/mlflow_sample?host=\(cluster.socketDir.path)&port=5432"
        let pack = try freshPack()
        let first = try Trailpack.importMLflow(source: pack.url.path, trackingURI: uri, models: [], dryRun: false)
        #expect(counts(first) == MLflowSample.counts)
        #expect(first.uri == "postgresql:///mlflow_sample?host=\(cluster.socketDir.path)&port=5432")
        let again = try Trailpack.importMLflow(source: pack.url.path, trackingURI: uri, models: [], dryRun: true)
        #expect(again.events.isEmpty)

        // The same facts: the snapshots agree once times and run ids (made at random) are set aside.
        let pg = try MLflowSQLReader.read(try PostgresReadOnly(conninfo: cluster.conninfo(database: "mlflow_sample"), display: "pg"), place: "pg")
        let lite = try MLflowSQLReader.read(try SQLiteDatabase(path: MLflowSample.db), place: "lite")
        #expect(neutral(pg) == neutral(lite))
        // An unknown database on a running server.
        #expect(throws: ImportError.self) {
            _ = try Trailpack.importMLflow(source: pack.url.path, trackingURI: "postgresql://postgres@/postgres?host=\(cluster.socketDir.path)",
                                           models: [], dryRun: true)
        }
    }
}
