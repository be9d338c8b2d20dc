import Foundation
import Testing
@testable import TrailpackCore

/// Tampering with a demo store is always caught with the right rule, and never crashes.
struct DemoTamperTests {
    static let integrityRules: Set<RuleID> = [.intParse, .intHash, .intChain, .intSeq, .intCheckpoint]

    /// A fresh demo pack source in a temporary folder.
    static func demo() throws -> TempDir {
        let dir = try TempDir()
        _ = try DemoGenerator.generate(into: dir.url.appendingPathComponent("src"), options: DemoOptions(events: 3000, seed: 7))
        return dir
    }

    static func segments(_ src: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: src.appendingPathComponent("audit").path)
            .filter { $0.hasSuffix(".jsonl") }.sorted().map { src.appendingPathComponent("audit/\($0)") }
    }

    static func lines(_ url: URL) throws -> [[UInt8]] {
        var l = try Data(contentsOf: url).split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
        if l.last == [] { l.removeLast() }
        return l
    }

    static func write(_ lines: [[UInt8]], _ url: URL) throws {
        try Data(lines.flatMap { $0 + [0x0A] }).write(to: url)
    }

    static func analyze(_ src: URL, trust: TrustList? = nil) throws -> [Finding] {
        try Trailpack.analyze(source: src, trust: trust).findings
    }

    /// Rewrites every event from the first segment's line `from` on with fresh seq, prev and hash.
    static func rechain(_ src: URL) throws {
        var prev = EventHashing.zeroHash
        var seq: Int64 = 0
        for seg in try segments(src) {
            var out: [[UInt8]] = []
            for l in try lines(seg) {
                guard var o = try JSONReader().parse(l).objectValue else { continue }
                seq += 1
                o["seq"] = .integer(seq)
                o["prev"] = .string(JSONString(prev))
                o["hash"] = nil
                let h = EventHashing.hash(o).hex
                o["hash"] = .string(JSONString(h))
                prev = h
                out.append(JCS.serialize(.object(o)))
            }
            try write(out, seg)
        }
    }

    @Test func freshDemoIsClean() throws {
        let d = try Self.demo()
        let src = d.url.appendingPathComponent("src")
        #expect(try Self.analyze(src).isEmpty)
        let trust = try TrustList(path: src.appendingPathComponent("trust.txt").path)
        #expect(try Self.analyze(src, trust: trust).isEmpty)
    }

    /// 1,000 single-bit flips at seeded random positions of the first segment (as a log of its own,
    /// with its checkpoint), 100 per case so the cases run in parallel.
    @Test("single-bit flips are caught", arguments: 0..<10)
    func bitFlips(chunk: Int) throws {
        let d = try Self.demo()
        let src = d.url.appendingPathComponent("src")
        let segs = try Self.segments(src)
        for s in segs.dropFirst() { try FileManager.default.removeItem(at: s) }
        let firstSize = try Self.lines(segs[0]).count
        for f in try FileManager.default.contentsOfDirectory(atPath: src.appendingPathComponent("checkpoints").path)
        where !f.hasSuffix(String(format: "%012d.checkpoint", firstSize)) {
            try FileManager.default.removeItem(at: src.appendingPathComponent("checkpoints/\(f)"))
        }
        let config = try Config.load(from: src)
        let original = try Data(contentsOf: segs[0])
        var rng = SplitMix64(state: UInt64(chunk) &+ 1)
        for _ in 0..<100 {
            var bytes = original
            let pos = Int(rng.next() % UInt64(bytes.count))
            let bit = UInt8(1) << UInt8(rng.next() % 8)
            bytes[pos] ^= bit
            try bytes.write(to: segs[0])
            let line = original.prefix(pos).filter { $0 == 0x0A }.count + 1
            let result = try Verifier.verify(source: src, config: config, options: VerifyOptions())
            let hit = result.findings.contains { Self.integrityRules.contains($0.rule) && ($0.line.map { abs($0 - line) <= 1 } ?? true) }
            #expect(hit, "flip at byte \(pos) (line \(line)) bit \(bit): \(result.findings.map(\.textLine))")
        }
    }

    @Test("truncation at random offsets is caught", arguments: [17, 1000, 50_000, 120_000])
    func truncation(offset: Int) throws {
        let d = try Self.demo()
        let src = d.url.appendingPathComponent("src")
        let last = try Self.segments(src)[2]
        let data = try Data(contentsOf: last)
        try data.prefix(min(offset, data.count - 1)).write(to: last)
        let f = try Self.analyze(src)
        #expect(f.contains { $0.rule == .intParse || $0.rule == .intCheckpoint || $0.rule == .intChain })
    }

    enum Edit: String, CaseIterable, Sendable { case delete, insert, duplicate, swap }

    @Test("deleted, inserted, duplicated, swapped events", arguments: Edit.allCases, [false, true])
    func eventEdits(edit: Edit, rechain: Bool) throws {
        let d = try Self.demo()
        let src = d.url.appendingPathComponent("src")
        let seg = try Self.segments(src)[1]
        var l = try Self.lines(seg)
        switch edit {
        case .delete: l.remove(at: 100)
        case .insert: l.insert(l[100], at: 50)
        case .duplicate: l.insert(l[100], at: 101)
        case .swap: l.swapAt(100, 101)
        }
        try Self.write(l, seg)
        if rechain { try Self.rechain(src) }
        let f = try Self.analyze(src)
        if rechain {
            // Only the checkpoints can tell: the log itself is consistent again.
            #expect(f.contains { $0.rule == .intCheckpoint }, "\(f.map(\.textLine))")
        } else {
            #expect(f.contains { $0.rule == .intSeq || $0.rule == .intChain }, "\(f.map(\.textLine))")
        }
    }

    struct LineEdit: Sendable, CustomStringConvertible {
        var name: String
        var edit: @Sendable ([UInt8]) -> [UInt8]
        var description: String { name }
    }

    static let lineEdits: [LineEdit] = [
        LineEdit(name: "CRLF") { $0 + [0x0D] },
        LineEdit(name: "BOM") { [0xEF, 0xBB, 0xBF] + $0 },
        LineEdit(name: "invalid UTF-8") { l in var m = l; m[m.count - 3] = 0xC3; return m },
        LineEdit(name: "reordered keys") { reorderedKeys($0) },
    ]

    @Test("non-canonical lines", arguments: lineEdits)
    func lineEdit(e: LineEdit) throws {
        let d = try Self.demo()
        let src = d.url.appendingPathComponent("src")
        let seg = try Self.segments(src)[3]
        var l = try Self.lines(seg)
        l[10] = e.edit(l[10])
        try Self.write(l, seg)
        let f = try Self.analyze(src)
        #expect(f.contains { $0.rule == .intParse && $0.file == "audit/\(seg.lastPathComponent)" && $0.line == 11 }, "\(f.map(\.textLine))")
    }

    static func privateKey(_ src: URL, _ name: String) throws -> Ed25519PrivateKey {
        try Ed25519PrivateKey(pem: String(contentsOf: src.appendingPathComponent("demo-private-keys/\(name).key"), encoding: .utf8))
    }

    @Test func checkpointForgeries() throws {
        let d = try Self.demo()
        let src = d.url.appendingPathComponent("src")
        let cpDir = src.appendingPathComponent("checkpoints")
        let name = try FileManager.default.contentsOfDirectory(atPath: cpDir.path).sorted()[2]
        // Forged: the size changed after signing.
        let text = try String(contentsOf: cpDir.appendingPathComponent(name), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var forged = lines
        forged[1] = Substring(String((Int(lines[1]) ?? 1) - 1))
        try forged.joined(separator: "\n").write(to: cpDir.appendingPathComponent("forged.checkpoint"), atomically: true, encoding: .utf8)
        // Signed by a key that is not in keys/.
        let stranger = try Ed25519PrivateKey(rawSeed: [UInt8](repeating: 9, count: 32))
        let cp = try Checkpoint(text: lines.prefix(3).joined(separator: "\n") + "\n")
        try Checkpoint.sign(origin: cp.origin, size: cp.size, root: cp.root, keyName: "demo-log-operator", privateKey: stranger)
            .write(to: cpDir.appendingPathComponent("stranger.checkpoint"), atomically: true, encoding: .utf8)
        // A valid checkpoint with an extra, unknown cosignature is accepted.
        let witness = try Ed25519PrivateKey(rawSeed: [UInt8](repeating: 3, count: 32))
        let cosigned = try cp.sign(signers: [try NoteSigner(name: "demo-log-operator", privateKey: try Self.privateKey(src, "demo-log-operator")),
                                             try NoteSigner(name: "witness.example", privateKey: witness)])
        try cosigned.write(to: cpDir.appendingPathComponent("cosigned.checkpoint"), atomically: true, encoding: .utf8)
        let f = try Self.analyze(src)
        #expect(f.contains { $0.rule == .intCheckpointSig && $0.file == "checkpoints/forged.checkpoint" })
        #expect(f.contains { $0.rule == .intCheckpointSig && $0.file == "checkpoints/stranger.checkpoint" })
        #expect(!f.contains { $0.file == "checkpoints/cosigned.checkpoint" })
        #expect(f.count == 2, "\(f.map(\.textLine))")
    }

    /// Appends one event signed as `actor` with `key`, correctly chained.
    static func appendSigned(_ src: URL, actor: String, name: String, key: String, privateKey: Ed25519PrivateKey) throws {
        let seg = try segments(src).last ?? src
        var l = try lines(seg)
        guard let last = try JSONReader().parse(l[l.count - 1]).objectValue,
              let seq = last["seq"]?.integerValue, let prev = last["hash"]?.stringValue,
              let t = last["time"]?.stringValue, case .valid(let ts) = Timestamp.parse(t) else { return }
        let time = ts.adding(seconds: 60).description
        var o: JSONObject = JSONObject([
            JSONMember(key: "id", value: "tamper-1"), JSONMember(key: "time", value: .string(JSONString(time))),
            JSONMember(key: "actor", value: .object(JSONObject([JSONMember(key: "id", value: .string(JSONString(actor)))]))),
            JSONMember(key: "action", value: "record.modified"), JSONMember(key: "reason", value: "correction"),
            JSONMember(key: "subject", value: .object(JSONObject([JSONMember(key: "type", value: "dataset"), JSONMember(key: "id", value: "x")]))),
            JSONMember(key: "changes", value: .array([.object(JSONObject([JSONMember(key: "field", value: "a"), JSONMember(key: "old", value: .integer(1)), JSONMember(key: "new", value: .integer(2))]))])),
        ])
        o["signature"] = .object(JSONObject([
            JSONMember(key: "signer", value: .string(JSONString(actor))), JSONMember(key: "name", value: .string(JSONString(name))),
            JSONMember(key: "meaning", value: "authorship"), JSONMember(key: "time", value: .string(JSONString(time))),
            JSONMember(key: "key", value: .string(JSONString(key))), JSONMember(key: "alg", value: "ed25519"),
        ]))
        let sig = try privateKey.sign(message: EventHashing.signatureMessage(o))
        var s = o["signature"]?.objectValue ?? JSONObject()
        s["sig"] = .string(JSONString(Base64.encode(sig)))
        o["signature"] = .object(s)
        o["seq"] = .integer(seq + 1)
        o["prev"] = .string(JSONString(prev))
        o["hash"] = .string(JSONString(EventHashing.hash(o).hex))
        l.append(JCS.serialize(.object(o)))
        try write(l, seg)
    }

    @Test func signatureAfterRevocation() throws {
        let d = try Self.demo()
        let src = d.url.appendingPathComponent("src")
        try Self.appendSigned(src, actor: "u:mkrause", name: "Dr. Maria Krause", key: "demo-mkrause", privateKey: try Self.privateKey(src, "demo-mkrause"))
        let f = try Self.analyze(src)
        #expect(f.contains { $0.rule == .sigKey && $0.message.contains("revoked") }, "\(f.map(\.textLine))")
    }

    @Test func signatureWithAnotherPersonsKey() throws {
        let d = try Self.demo()
        let src = d.url.appendingPathComponent("src")
        try Self.appendSigned(src, actor: "u:tnguyen", name: "Thi Nguyen", key: "demo-fberger", privateKey: try Self.privateKey(src, "demo-fberger"))
        let f = try Self.analyze(src)
        #expect(f.contains { $0.rule == .sigKey && $0.message.contains("registered to") }, "\(f.map(\.textLine))")
    }

    @Test func signatureMovedToAnotherEvent() throws {
        let d = try Self.demo()
        let src = d.url.appendingPathComponent("src")
        let seg = try Self.segments(src)[1]
        var l = try Self.lines(seg)
        guard let si = l.firstIndex(where: { String(decoding: $0, as: UTF8.self).contains("\"signature\"") }),
              let signed = try JSONReader().parse(l[si]).objectValue,
              let ti = l.firstIndex(where: { (try? JSONReader().parse($0).objectValue?["actor"]?["id"])??.stringValue == signed["actor"]?["id"]?.stringValue && !String(decoding: $0, as: UTF8.self).contains("\"signature\"") }),
              var target = try JSONReader().parse(l[ti]).objectValue else {
            Issue.record("demo has no signed event with an unsigned sibling in segment 2")
            return
        }
        target["signature"] = signed["signature"]
        target["hash"] = nil
        target["hash"] = .string(JSONString(EventHashing.hash(target).hex))
        l[ti] = JCS.serialize(.object(target))
        try Self.write(l, seg)
        try Self.rechain(src)
        let f = try Self.analyze(src)
        #expect(f.contains { $0.rule == .sigInvalid && $0.line == ti + 1 }, "\(f.map(\.textLine))")
    }

    @Test func rewrittenLogResignedWithAnAddedKey() throws {
        let d = try Self.demo()
        let src = d.url.appendingPathComponent("src")
        let trust = try TrustList(path: src.appendingPathComponent("trust.txt").path)
        // The attacker rewrites an event, re-chains, adds their own key to keys/ and re-signs every checkpoint.
        let seg = try Self.segments(src)[0]
        var l = try Self.lines(seg)
        l[5] = Array(String(decoding: l[5], as: UTF8.self).replacingOccurrences(of: "\"kind\":\"service\"", with: "\"kind\":\"person\"").utf8)
        try Self.write(l, seg)
        try Self.rechain(src)
        let attacker = try Ed25519PrivateKey(rawSeed: [UInt8](repeating: 5, count: 32))
        try attacker.publicKey.pemString.write(to: src.appendingPathComponent("keys/attacker.pem"), atomically: true, encoding: .utf8)
        let config = try Config.load(from: src)
        let result = try Verifier.verify(source: src, config: config, options: VerifyOptions())
        let cpDir = src.appendingPathComponent("checkpoints")
        for f in try FileManager.default.contentsOfDirectory(atPath: cpDir.path) { try FileManager.default.removeItem(at: cpDir.appendingPathComponent(f)) }
        try Checkpoint.sign(origin: config.origin, size: UInt64(result.treeSize), root: result.root, keyName: "attacker", privateKey: attacker)
            .write(to: cpDir.appendingPathComponent("final.checkpoint"), atomically: true, encoding: .utf8)
        // Without --trust the rewrite passes the checkpoint check (keys/ trusted as found)...
        #expect(!(try Self.analyze(src)).contains { $0.rule == .intCheckpointSig })
        // ...with the independent trust list the attacker's checkpoint is not accepted.
        let f = try Self.analyze(src, trust: trust)
        #expect(f.contains { $0.rule == .intCheckpointSig && $0.message.contains("attacker") }, "\(f.map(\.textLine))")
    }
}
