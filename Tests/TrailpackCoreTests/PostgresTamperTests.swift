import Foundation
import Testing
@testable import TrailpackCore

/// Someone with full database access edits the rows: the rules of the files catch it.
struct PostgresTamperTests {
    static let events = 20

    /// A source whose PostgreSQL store (database `db`) holds 20 recorded events.
    static func fixture(_ cluster: PostgresCluster, _ db: String, checkpoint: Bool = false) throws -> PackBuilder {
        try cluster.createDatabase(db)
        var f = try PackBuilder.writeSide()
        try f.installKey("log")
        _ = try Trailpack.storeInit(source: f.url.path, conninfo: cluster.conninfo(database: db), dryRun: false)
        try f.record((1...events).map { ev("e\($0)", time: "2026-03-01T10:\(String(format: "%02d", $0)):00Z") })
        if checkpoint {
            let r = try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil)
            #expect(r.size == events)
        }
        #expect(integrityFindings(try f.verify()).isEmpty)
        return f
    }

    static func rules(_ f: PackBuilder) throws -> Set<RuleID> {
        Set(integrityFindings(try f.verify()).map(\.rule))
    }

    @Test(.timeLimit(.minutes(3)))
    func sqlEditsAreFoundByTheRulesOfTheFiles() throws {
        let cluster = try PostgresCluster()
        let text = "convert_from(line, 'UTF8')"

        // An updated row: its hash no longer matches, located by seq.
        let updated = try Self.fixture(cluster, "updated")
        try cluster.psql(database: "updated", ["-c", "UPDATE trailpack_events SET line = convert_to(replace(\(text), '\"repo\"', '\"rep0\"'), 'UTF8') WHERE seq = 5"])
        let u = integrityFindings(try updated.verify())
        #expect(u.contains { $0.rule == .intHash && $0.seq == 5 && $0.location == "seq 5" })

        // A deleted row.
        let deleted = try Self.fixture(cluster, "deleted")
        try cluster.psql(database: "deleted", ["-c", "DELETE FROM trailpack_events WHERE seq = 5"])
        #expect(!(try Self.rules(deleted)).isDisjoint(with: [.intSeq, .intChain]))

        // Two rows' seq swapped.
        let swapped = try Self.fixture(cluster, "swapped")
        try cluster.psql(database: "swapped", ["-c", """
            BEGIN; UPDATE trailpack_events SET seq = 1000 WHERE seq = 5; UPDATE trailpack_events SET seq = 5 WHERE seq = 6;
            UPDATE trailpack_events SET seq = 6 WHERE seq = 1000; COMMIT;
            """])
        let s = try Self.rules(swapped)
        #expect(s.contains(.intSeq) && s.contains(.intChain))
        // …located by the rows' own seq, each saying that its event's seq differs.
        let sw = integrityFindings(try swapped.verify()).filter { $0.message.contains("a row was renumbered") }
        #expect(sw.map(\.location).sorted() == ["seq 5", "seq 6"], "\(sw.map(\.textLine))")

        // A renumbered last row with an edited event: the hash finding is at the row's seq, and
        // the renumbering is a finding of its own (record refuses that tail; verify says why).
        let renumbered = try Self.fixture(cluster, "renumbered")
        try cluster.psql(database: "renumbered", ["-c", "UPDATE trailpack_events SET seq = 30 WHERE seq = 20"])
        try cluster.psql(database: "renumbered", ["-c", "UPDATE trailpack_events SET line = convert_to(replace(\(text), '\"repo\"', '\"rep0\"'), 'UTF8') WHERE seq = 30"])
        let rn = integrityFindings(try renumbered.verify())
        #expect(rn.contains { $0.rule == .intHash && $0.location == "seq 30" }, "\(rn.map(\.textLine))")
        #expect(rn.contains { $0.rule == .intSeq && $0.location == "seq 30" && $0.message.contains("its event's seq is 20") }, "\(rn.map(\.textLine))")

        // An inserted row (a copy of the last with another id).
        let inserted = try Self.fixture(cluster, "inserted")
        try cluster.psql(database: "inserted", ["-c", """
            INSERT INTO trailpack_events (seq, id, line) SELECT 21, convert_to('e99', 'UTF8'),
              convert_to(replace(\(text), '"e20"', '"e99"'), 'UTF8') FROM trailpack_events WHERE seq = 20
            """])
        let i = try Self.rules(inserted)
        #expect(i.contains(.intSeq) && i.contains(.intHash))

        // A row whose bytes are not canonical.
        let loose = try Self.fixture(cluster, "loose")
        try cluster.psql(database: "loose", ["-c", "UPDATE trailpack_events SET line = convert_to(replace(\(text), '{\"action\"', '{ \"action\"'), 'UTF8') WHERE seq = 7"])
        let l = integrityFindings(try loose.verify())
        #expect(l.contains { $0.rule == .intParse && $0.location == "seq 7" })

        // A rewritten and re-chained tail: every hash and link is sound, the checkpoint is not.
        let rechained = try Self.fixture(cluster, "rechained", checkpoint: true)
        let c = try PGConnection(conninfo: cluster.conninfo(database: "rechained"))
        let rows = try c.query("SELECT line FROM trailpack_events ORDER BY seq", binary: true)
        var prev = EventHashing.zeroHash
        for (n, row) in rows.enumerated() {
            let bytes = try #require(row.columns[0])
            var o = try #require(try JSONReader().parse(bytes).objectValue)
            if n >= 14 {
                o["reason"] = JSONValue("rewritten")
                o["prev"] = JSONValue(prev)
                o["hash"] = nil
                o["hash"] = JSONValue(EventHashing.hash(o).hex)
                try c.query("UPDATE trailpack_events SET line = $1 WHERE seq = $2", [.bytes(JCS.serialize(.object(o))), .text(String(n + 1))])
            }
            prev = try #require(o["hash"]?.stringValue)
        }
        let r = try Self.rules(rechained)
        #expect(r == [.intCheckpoint])
    }
}

/// Bad connection settings and databases: one line naming the problem and the fix, exit 2, nothing written.
struct PostgresBadInputTests {
    static func expectRefused(_ args: [String], input: String = "", mentions: [String], absent: [String] = [],
                              sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let r = try TrailpackBinary.run(args, input: input)
        let err = r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(r.status == 2, "\(args): exit \(r.status): \(err)", sourceLocation: sourceLocation)
        #expect(!err.isEmpty && !err.contains("\n"), "\(args): not one line: \(err)", sourceLocation: sourceLocation)
        for m in mentions { #expect(err.contains(m), "\(args): \(err) does not mention \(m)", sourceLocation: sourceLocation) }
        for a in absent { #expect(!err.contains(a), "\(args): \(err) contains \(a)", sourceLocation: sourceLocation) }
        #expect(r.stdout.isEmpty, sourceLocation: sourceLocation)
    }

    /// A source whose trailpack.json names `conninfo` as its store (written without store init).
    static func source(naming conninfo: String) throws -> PackBuilder {
        let f = try PackBuilder.writeSide()
        let url = f.url.appendingPathComponent(Config.fileName)
        let text = try String(contentsOf: url, encoding: .utf8)
        try Trailpack.withStoreKey(text, conninfo: conninfo).write(to: url, atomically: true, encoding: .utf8)
        return f
    }

    @Test(.timeLimit(.minutes(3)))
    func badServersDatabasesAndConnectionStringsAreRefused() throws {
        _ = try #require(TrailpackBinary.url, "build the trailpack executable first (swift build)")
        let cluster = try PostgresCluster()
        let event = jsonl([ev("e1")])

        // A server that is down (no server on that port), and a database that does not exist.
        let down = "host=\(cluster.socketDir.path) port=5999 user=postgres dbname=postgres"
        let wrong = cluster.conninfo(database: "nosuch")
        for conninfo in [down, wrong] {
            let fresh = try PackBuilder.writeSide()
            let before = try Data(contentsOf: fresh.url.appendingPathComponent(Config.fileName))
            try Self.expectRefused(["store", "init", fresh.url.path, "--postgresql", conninfo], mentions: ["cannot connect", "server runs"])
            #expect(try Data(contentsOf: fresh.url.appendingPathComponent(Config.fileName)) == before)
            let named = try Self.source(naming: conninfo)
            try Self.expectRefused(["record", named.url.path], input: event, mentions: ["cannot connect"])
            try Self.expectRefused(["verify", named.url.path], mentions: ["cannot connect"])
            #expect(!FileManager.default.fileExists(atPath: named.url.appendingPathComponent("audit").path))
        }

        // A database without trailpack's schema.
        try cluster.createDatabase("bare")
        let bare = try Self.source(naming: cluster.conninfo(database: "bare"))
        try Self.expectRefused(["record", bare.url.path], input: event, mentions: ["trailpack_schema", "store init"])
        try Self.expectRefused(["verify", bare.url.path], mentions: ["trailpack_schema", "store init"])
        #expect(try cluster.psql(database: "bare", ["-c", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"])
            .trimmingCharacters(in: .whitespacesAndNewlines) == "0")

        // A schema of another version.
        try cluster.createDatabase("future")
        let future = try PackBuilder.writeSide()
        _ = try Trailpack.storeInit(source: future.url.path, conninfo: cluster.conninfo(database: "future"), dryRun: false)
        try cluster.psql(database: "future", ["-c", "UPDATE trailpack_schema SET version = 2"])
        try Self.expectRefused(["record", future.url.path], input: event, mentions: ["version 2", "trailpack_schema"])
        try Self.expectRefused(["verify", future.url.path], mentions: ["version 2"])
        #expect(try PG.count(cluster, "future") == 0)

        // A connection string with a password, in either form: refused, never echoed.
        try cluster.createDatabase("pw")
        for conninfo in [cluster.conninfo(database: "pw") + " password=s3cret", "postgresql://postgres:s3cret@localhost/pw"] {
            let fresh = try PackBuilder.writeSide()
            let before = try Data(contentsOf: fresh.url.appendingPathComponent(Config.fileName))
            try Self.expectRefused(["store", "init", fresh.url.path, "--postgresql", conninfo], mentions: ["password", "PGPASSWORD", ".pgpass"], absent: ["s3cret"])
            #expect(try Data(contentsOf: fresh.url.appendingPathComponent(Config.fileName)) == before)
        }
        // The passphrase of the client key (sslpassword) is a credential too: refused, never echoed.
        do {
            let fresh = try PackBuilder.writeSide()
            let before = try Data(contentsOf: fresh.url.appendingPathComponent(Config.fileName))
            try Self.expectRefused(["store", "init", fresh.url.path, "--postgresql", cluster.conninfo(database: "pw") + " sslpassword=s3cret"],
                                   mentions: ["sslpassword", "service file"], absent: ["s3cret"])
            #expect(try Data(contentsOf: fresh.url.appendingPathComponent(Config.fileName)) == before)
        }
        // A dry run checks the database as store init does: one holding another table is refused.
        try cluster.createDatabase("other")
        try cluster.psql(database: "other", ["-c", "CREATE TABLE foo (x int)"])
        let notEmpty = try PackBuilder.writeSide()
        try Self.expectRefused(["store", "init", notEmpty.url.path, "--postgresql", cluster.conninfo(database: "other"), "--dry-run"],
                               mentions: ["is not empty", "public.foo"])
        #expect(try cluster.psql(database: "pw", ["-c", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"])
            .trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        // …and in trailpack.json, written by hand.
        let hand = try PackBuilder.writeSide()
        let cfg = hand.url.appendingPathComponent(Config.fileName)
        var text = try String(contentsOf: cfg, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        text = String(text.dropLast()) + ",\n  \"store\": {\"postgresql\": \"dbname=pw password=s3cret\"}\n}\n"
        try text.write(to: cfg, atomically: true, encoding: .utf8)
        try Self.expectRefused(["verify", hand.url.path], mentions: ["password", "PGPASSWORD"], absent: ["s3cret"])
    }
}
