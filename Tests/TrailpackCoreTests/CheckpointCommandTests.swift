import Foundation
import Testing
@testable import TrailpackCore

struct CheckpointCommandTests {
    /// A pack with key `log` and `n` recorded events.
    static func fixture(events n: Int) throws -> PackBuilder {
        var f = try PackBuilder.writeSide()
        try f.installKey("log")
        try f.record((1...n).map { ev("e\($0)", time: "2026-03-01T10:\(String(format: "%02d", $0 % 60)):00Z") })
        return f
    }

    @Test func dryRunSignsAndChecksButWritesNothing() throws {
        let f = try Self.fixture(events: 5)
        let before = f.snapshot()
        let dry = try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil, dryRun: true)
        #expect(dry.file == "checkpoints/000000000005.checkpoint" && dry.size == 5 && !dry.alreadyPresent)
        #expect(f.snapshot() == before && !FileManager.default.fileExists(atPath: f.url.appendingPathComponent("checkpoints").path))
        let real = try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil)
        #expect(real.note == dry.note && real.root == dry.root)
        #expect(try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil, dryRun: true).alreadyPresent)
        // A different checkpoint of the same size is refused as without --dry-run.
        try Data("other\n".utf8).write(to: f.url.appendingPathComponent(real.file))
        #expect(throws: RecordError.self) { try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil, dryRun: true) }
    }

    @Test func checkpointThenVerifyIsConsistent() throws {
        let f = try Self.fixture(events: 5)
        let r = try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil)
        #expect(r.file == "checkpoints/000000000005.checkpoint" && r.size == 5 && r.keyName == "log" && !r.alreadyPresent)
        let text = try String(contentsOf: f.url.appendingPathComponent(r.file), encoding: .utf8)
        #expect(text == r.note)
        #expect(text.hasPrefix("\(PackBuilder.writeSideOrigin)\n5\n\(Data(r.root.bytes).base64EncodedString())\n\n\u{2014} log "))
        var report = try f.verify()
        #expect(integrityFindings(report).isEmpty, "\(report.findings.map(\.textLine))")
        #expect(report.integrity.root == r.root)
        #expect(report.integrity.checkpoints.map(\.consistent) == [true])
        #expect(report.integrity.checkpoints.first?.validSigners == ["log"])

        // Running it again finds the identical file; a later one adds a second file.
        #expect(try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: "log").alreadyPresent)
        try f.record([ev("e6", time: "2026-03-01T11:00:00Z")])
        let second = try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil)
        #expect(second.file == "checkpoints/000000000006.checkpoint" && second.root != r.root)
        report = try f.verify()
        #expect(integrityFindings(report).isEmpty)
        #expect(report.integrity.checkpoints.map(\.consistent) == [true, true])
        #expect(report.integrity.eventsAfterLastCheckpoint == 0)
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.url.appendingPathComponent("checkpoints").path).sorted()
            == ["000000000005.checkpoint", "000000000006.checkpoint"])
    }

    @Test func tamperingAfterACheckpointIsDetectedEvenWhenRechained() throws {
        let f = try Self.fixture(events: 6)
        _ = try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil)
        // Rewrite event 3 and re-chain every later event, as a careful forger would.
        var prev = EventHashing.zeroHash
        var out = ""
        for line in try f.recordedLines() {
            guard case .object(var o) = try JSONReader().parse(Array(line.utf8)) else { continue }
            if o["id"]?.stringValue == "e3" { o["actor"] = obj([("id", JSONValue("u:forger"))]) }
            o["prev"] = JSONValue(prev)
            prev = EventHashing.hash(o).hex
            o["hash"] = JSONValue(prev)
            out += String(decoding: JCS.serialize(.object(o)), as: UTF8.self) + "\n"
        }
        try f.dir.write("audit/000001.jsonl", out)
        let report = try f.verify()
        let rules = Set(report.findings.map(\.rule))
        #expect(rules == [.intCheckpoint], "\(report.findings.map(\.textLine))")
        #expect(report.integrity.checkpoints.map(\.consistent) == [false])
        // And no new checkpoint blesses the rewritten log.
        let error = #expect(throws: RecordError.self) {
            try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil)
        }
        #expect(error?.localizedDescription.contains("INT-CHECKPOINT") == true)
    }

    @Test func refusesALogWithIntegrityFindings() throws {
        let f = try Self.fixture(events: 3)
        var lines = try f.recordedLines()
        lines[1] = lines[1].replacingOccurrences(of: "u:dev", with: "u:eve")
        try f.dir.write("audit/000001.jsonl", lines.map { $0 + "\n" }.joined())
        let error = #expect(throws: RecordError.self) {
            try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil)
        }
        guard case .logHasIntegrityFindings(let findings)? = error else { Issue.record("wrong error \(String(describing: error))"); return }
        #expect(findings.map(\.rule) == [.intHash])
        #expect(error?.localizedDescription.contains("audit/000001.jsonl:2: critical: [INT-HASH]") == true)
        #expect(!FileManager.default.fileExists(atPath: f.url.appendingPathComponent("checkpoints").path))
    }

    @Test func refusesAKeyNobodyCanVerify() throws {
        var f = try Self.fixture(events: 2)
        try f.installKey("other")
        // No keys/<name>.pem for the name.
        try FileManager.default.copyItem(atPath: f.privateKey("log"), toPath: f.outside.path("unlisted.key").path)
        var error = #expect(throws: RecordError.self) {
            try Trailpack.checkpoint(source: f.url.path, keyFile: f.outside.path("unlisted.key").path, name: nil)
        }
        #expect(error?.localizedDescription.hasPrefix("keys/unlisted.pem: no such key file") == true)
        // keys/other.pem is another key.
        error = #expect(throws: RecordError.self) {
            try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: "other")
        }
        guard case .checkpointKeyMismatch(let name, let path, _, _)? = error else { Issue.record("wrong error"); return }
        #expect(name == "other" && path == "keys/other.pem")
        // A name that is not a key name.
        #expect(throws: RecordError.invalidKeyName("a b")) {
            try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: "a b")
        }
        #expect(f.snapshot().keys.filter { $0.hasPrefix("checkpoints/") }.isEmpty)
    }

    @Test func refusesToReplaceADifferentCheckpointOfTheSameSize() throws {
        var f = try Self.fixture(events: 2)
        try f.installKey("witness")
        _ = try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("witness"), name: nil)
        let before = f.snapshot()
        #expect(throws: RecordError.checkpointConflict("checkpoints/000000000002.checkpoint")) {
            try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil)
        }
        #expect(f.snapshot() == before)
    }

    @Test func checkpointsOfOneSizeAreListedByFileName() throws {
        let f = try Self.fixture(events: 2)
        let r = try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil)
        for name in ["b", "aa", "c"] { try f.dir.write("checkpoints/\(name).checkpoint", r.note) }
        let files = try f.verify().integrity.checkpoints.map(\.file)
        #expect(files == ["checkpoints/000000000002.checkpoint", "checkpoints/aa.checkpoint", "checkpoints/b.checkpoint", "checkpoints/c.checkpoint"])
    }

    @Test func refusesASourceWithoutEvents() throws {
        var f = try PackBuilder.writeSide()
        try f.installKey("log")
        #expect(throws: (any Error).self) {
            try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil)
        }
        #expect(f.snapshot().isEmpty)
    }
}

/// `checkpoint --trust`: the operator's step checks the log against the tree heads of the trust
/// list before signing. A log rolled back (its last events removed, the later checkpoint
/// deleted) was signed without a word (probe); with the last release's tree head it is refused.
struct CheckpointTrustTests {
    @Test func aRolledBackLogIsRefusedAgainstTheTrustListsTreeHead() throws {
        let f = try CheckpointCommandTests.fixture(events: 5)
        let first = try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil)
        let trust = f.outside.path("trust.txt")
        try "tree \(first.size) \(first.root.hex)\n".write(to: trust, atomically: true, encoding: .utf8)
        // The tree head as it is: signing goes on.
        #expect(try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil, dryRun: true, trust: trust.path).alreadyPresent)
        // Roll back: the last two events and the checkpoint of size 5 removed.
        let audit = f.url.appendingPathComponent("audit")
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: audit.path).first { $0.hasSuffix(".jsonl") })
        let lines = try String(contentsOf: audit.appendingPathComponent(segment), encoding: .utf8).split(separator: "\n")
        try (lines.dropLast(2).joined(separator: "\n") + "\n").write(to: audit.appendingPathComponent(segment), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: f.url.appendingPathComponent(first.file))
        #expect { try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil, trust: trust.path) } throws: { error in
            guard case RecordError.logHasIntegrityFindings(let found) = error else { return false }
            return found.contains { $0.rule == .intCheckpoint }
        }
        #expect(!FileManager.default.fileExists(atPath: f.url.appendingPathComponent("checkpoints/000000000003.checkpoint").path))
        // Without the trust list nothing says what the log was: it is signed, as documented.
        #expect(try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil).size == 3)
    }
}
