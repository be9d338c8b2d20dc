import Foundation
import Testing
@testable import TrailpackCore

/// Each INT-* and SIG-* rule fires on a fixture made to break it.
struct IntegrityRuleTests {
    /// Rewrites line `n` (1-based) of the single segment.
    static func editLine(_ p: PackBuilder, _ n: Int, _ edit: ([UInt8]) -> [UInt8]) throws {
        try p.write()
        let url = p.url.appendingPathComponent("audit/0001.jsonl")
        var lines = try Data(contentsOf: url).split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
        lines[n - 1] = edit(lines[n - 1])
        try Data(lines.joined(separator: [0x0A])).write(to: url)
    }

    static func replace(_ bytes: [UInt8], _ a: String, _ b: String) -> [UInt8] {
        Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: a, with: b).utf8)
    }

    static func findings(_ p: PackBuilder, trust: TrustList? = nil) throws -> [Finding] {
        try Trailpack.analyze(source: p.url, trust: trust).findings
    }

    struct LineCase: Sendable, CustomStringConvertible {
        var name: String
        var line: Int
        var rule: RuleID
        var edit: @Sendable ([UInt8]) -> [UInt8]
        var description: String { name }
    }

    static let lineCases: [LineCase] = [
        LineCase(name: "reordered keys", line: 3, rule: .intParse) { reorderedKeys($0) },
        LineCase(name: "CRLF", line: 2, rule: .intParse) { $0 + [0x0D] },
        LineCase(name: "BOM", line: 1, rule: .intParse) { [0xEF, 0xBB, 0xBF] + $0 },
        LineCase(name: "invalid UTF-8", line: 2, rule: .intParse) { replace($0, "u:ds", "u:d\u{FFFD}").map { $0 == 0xBD ? 0xFF : $0 } },
        LineCase(name: "whitespace", line: 2, rule: .intParse) { replace($0, "\",\"", "\", \"") },
        LineCase(name: "not JSON", line: 4, rule: .intParse) { Array($0.prefix(20)) },
        LineCase(name: "content changed", line: 3, rule: .intHash) { replace($0, "abcdef1234", "abcdef1235") },
        LineCase(name: "wrong prev", line: 3, rule: .intChain) { l in
            guard let v = try? JSONReader().parse(l), var o = v.objectValue else { return l }
            o["prev"] = .string(JSONString(String(repeating: "1", count: 64)))
            o["hash"] = .string(JSONString(EventHashing.hash(o).hex))
            return JCS.serialize(.object(o))
        },
        LineCase(name: "seq repeated", line: 3, rule: .intSeq) { l in
            guard let v = try? JSONReader().parse(l), var o = v.objectValue else { return l }
            o["seq"] = 2
            o["hash"] = .string(JSONString(EventHashing.hash(o).hex))
            return JCS.serialize(.object(o))
        },
        LineCase(name: "time without offset", line: 3, rule: .intTime) { replace($0, ":03:00Z\"", ":03:00\"") },
    ]

    @Test("line tampering is caught", arguments: lineCases)
    func lineTampering(c: LineCase) throws {
        let p = try PackBuilder.compliant()
        try Self.editLine(p, c.line, c.edit)
        let f = try Self.findings(p)
        #expect(f.contains { $0.rule == c.rule && $0.line == c.line }, "\(f.map(\.textLine))")
    }

    @Test func blankLineAndTruncation() throws {
        let p = try PackBuilder.compliant()
        try p.write()
        let url = p.url.appendingPathComponent("audit/0001.jsonl")
        var data = try Data(contentsOf: url)
        data.removeLast(40)
        data.insert(0x0A, at: 0)
        try data.write(to: url)
        let f = try Self.findings(p)
        #expect(f.contains { $0.rule == .intParse && $0.line == 1 && $0.message.contains("blank") })
        #expect(f.contains { $0.rule == .intParse && $0.message.contains("not JSON") })
    }

    @Test func duplicateID() throws {
        var p = try PackBuilder.compliant()
        try p.event("dataset.curated", actor: "u:ds", subject: ["type": "dataset", "id": "d"], id: "ev-2")
        let f = try p.analyze().findings
        #expect(f.contains { $0.rule == .intSeq && $0.message.contains("ev-2") })
    }

    @Test func timeGoingBack() throws {
        var p = try PackBuilder.compliant()
        try p.event("dataset.curated", actor: "u:ds", subject: ["type": "dataset", "id": "d"], time: "2025-12-31T00:00:00Z")
        #expect(try p.analyze().findings.contains { $0.rule == .intTime && $0.message.contains("earlier") })
    }

    @Test func artifacts() throws {
        var p = try PackBuilder.compliant()
        try p.dir.write("artifacts/ok.txt", "evidence")
        let good = SHA256.digest(Array("evidence".utf8)).hex
        try p.event("explanation.generated", actor: "u:ds", subject: PackBuilder.versionSubject,
                    refs: ["artifacts": [["path": "artifacts/ok.txt", "sha256": .string(JSONString(good))],
                                         ["path": "artifacts/missing.txt", "sha256": .string(JSONString(good))],
                                         ["path": "../outside.txt", "sha256": .string(JSONString(good))]]], data: ["method": "shap"])
        try p.event("explanation.generated", actor: "u:ds", subject: PackBuilder.versionSubject,
                    refs: ["artifacts": [["path": "artifacts/ok.txt", "sha256": .string(JSONString(String(repeating: "0", count: 64)))]]])
        let f = try p.analyze().findings.filter { $0.rule == .intArtifact }.map(\.message)
        #expect(f.count == 3)
        #expect(f.contains { $0.contains("missing.txt is missing") })
        #expect(f.contains { $0.contains("outside") })
        #expect(f.contains { $0.contains("SHA-256 is \(good)") })
    }

    @Test func checkpoints() throws {
        var p = try PackBuilder.compliant()
        _ = try p.key("log")
        p.checkpointSizes = [5, 12]
        try p.write()
        #expect(try Self.findings(p).isEmpty)
        // A checkpoint longer than the log, one forged, one by an unknown key.
        let k = try p.key("log")
        try p.dir.write("checkpoints/99.checkpoint", try Checkpoint.sign(origin: p.origin, size: 99, root: MerkleHash.emptyRoot, keyName: "log", privateKey: k))
        let forged = try String(contentsOf: p.url.appendingPathComponent("checkpoints/5.checkpoint"), encoding: .utf8)
            .replacingOccurrences(of: "\n5\n", with: "\n4\n")
        try p.dir.write("checkpoints/4.checkpoint", forged)
        let stranger = try Ed25519PrivateKey(rawSeed: [UInt8](repeating: 7, count: 32))
        try p.dir.write("checkpoints/6.checkpoint", try Checkpoint.sign(origin: p.origin, size: 6, root: MerkleHash.emptyRoot, keyName: "log", privateKey: stranger))
        let f = try Self.findings(p)
        #expect(f.contains { $0.rule == .intCheckpoint && $0.file == "checkpoints/99.checkpoint" })
        #expect(f.contains { $0.rule == .intCheckpointSig && $0.file == "checkpoints/4.checkpoint" })
        #expect(f.contains { $0.rule == .intCheckpointSig && $0.file == "checkpoints/6.checkpoint" })
    }

    @Test func rechainedRewriteIsCaughtByCheckpoint() throws {
        var p = try PackBuilder.compliant()
        _ = try p.key("log")
        p.checkpointSizes = [12]
        try p.write()
        // Rewrite event 3 and re-chain everything after it: only the checkpoint can tell.
        p.events[2]["refs"] = ["datasets": ["d@1"], "commit": "0000000", "run": "mlflow:1"]
        let cps = try Data(contentsOf: p.url.appendingPathComponent("checkpoints/12.checkpoint"))
        p.checkpointSizes = []
        try p.write()
        try cps.write(to: p.url.appendingPathComponent("checkpoints/12.checkpoint"))
        let f = try Self.findings(p)
        #expect(f.contains { $0.rule == .intCheckpoint })
        #expect(!f.contains { $0.rule == .intHash || $0.rule == .intChain })
    }

    @Test func signatureRules() throws {
        var p = try PackBuilder.compliant()
        try p.registerKey("ds", owner: "u:ds")
        // Signer differs from actor: sign as u:ds but put u:qa in actor.
        try p.event("record.modified", actor: "u:ds", subject: ["type": "dataset", "id": "d"], reason: "fix",
                    changes: [["field": "a", "old": 1, "new": 2]], sign: "qa", meaning: "authorship")
        try p.event("dataset.curated", actor: "u:ds", subject: ["type": "dataset", "id": "d"], sign: "nobody", meaning: "authorship")
        try p.event("dataset.curated", actor: "u:ds", subject: ["type": "dataset", "id": "d"], sign: "ds", meaning: "approved")
        try p.event("key.revoked", actor: "u:admin", subject: ["type": "key", "id": "ds"], reason: "rotated")
        try p.event("dataset.curated", actor: "u:ds", subject: ["type": "dataset", "id": "d"], sign: "ds", meaning: "authorship")
        try p.write()
        try FileManager.default.removeItem(at: p.url.appendingPathComponent("keys/nobody.pem"))
        let f = try Self.findings(p)
        #expect(f.contains { $0.rule == .sigKey && $0.message.contains("registered to \"u:qa\"") })
        #expect(f.contains { $0.rule == .sigKey && $0.message.contains("unknown key nobody") })
        #expect(f.contains { $0.rule == .sigManifest && $0.message.contains("meaning") })
        #expect(f.contains { $0.rule == .sigKey && $0.message.contains("revoked") })
    }

    @Test func movedSignatureAndSignerMismatch() throws {
        var p = try PackBuilder.compliant()
        // Move the approval's signature block to the deployment event.
        let ai = p.events.firstIndex { $0["action"]?.stringValue == "model.approved" } ?? 0
        let di = p.events.firstIndex { $0["action"]?.stringValue == "model.deployed" } ?? 0
        p.events[di]["signature"] = p.events[ai]["signature"]
        let f = try p.analyze().findings
        #expect(f.contains { $0.rule == .sigInvalid && $0.seq == Int64(di + 1) })
        #expect(f.contains { $0.rule == .sigSigner && $0.seq == Int64(di + 1) })
    }

    @Test func untrustedKeyIsUnknown() throws {
        var p = try PackBuilder.compliant()
        _ = try p.key("log")
        p.checkpointSizes = [12]
        try p.write()
        let trust = TrustList(path: "trust.txt", fingerprints: [try p.key("qa").publicKey.fingerprint])
        let f = try Self.findings(p, trust: trust)
        #expect(f.contains { $0.rule == .intCheckpointSig && $0.message.contains("not in the trust list") })
        let all = TrustList(path: "trust.txt", fingerprints: [try p.key("qa").publicKey.fingerprint, try p.key("log").publicKey.fingerprint])
        #expect(try Self.findings(p, trust: all).isEmpty)
    }
}
