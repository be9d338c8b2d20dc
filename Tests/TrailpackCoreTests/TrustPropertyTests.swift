import Foundation
import Testing
@testable import TrailpackCore

/// Random sequences of events appended by one insider (u:rpatel, key demo-rpatel) never produce
/// an approval that the site shows as valid unless its approver signed it with their own key.
@Suite("Trust property: one insider key forges no approval")
struct TrustPropertyTests {
    static let actors = ["u:rpatel", "u:mkrause", "u:fberger", "u:hweber"]
    static let names = ["Rahul Patel", "Dr. Maria Krause", "Felix Berger", "Hanna Weber"]
    static let keyNames = ["demo-rpatel", "demo-mkrause-2", "demo-fberger", "demo-copy", "demo-hweber"]
    static let versions = [("sepsis-risk", "3"), ("aki-predictor", "2"), ("aki-predictor", "3"), ("readmission-30d", "3"), ("sepsis-risk", "4")]
    static let rules = ["INT-HASH", "SIG-KEY", "SIG-SOD", "REL-APPROVAL", "TRC-FAILED", "WAIVER-INVALID", "SIG-REQUIRED", "REL-REGISTRY"]

    /// Owner of each trusted fingerprint, from the demo's trust list.
    static func owners(_ trust: TrustList) -> [String: JSONString] {
        var out: [String: JSONString] = [:]
        for e in trust.entries { if let o = e.owner { out[e.fingerprint] = o } }
        return out
    }

    static func pick<T>(_ items: [T], _ rng: inout SplitMix64) -> T { items[Int(rng.next() % UInt64(items.count))] }

    /// Appends `count` random insider events (and sometimes a copied key file and an insider checkpoint).
    static func attack(_ src: URL, count: Int, rng: inout SplitMix64) throws {
        let own = try DemoTamperTests.privateKey(src, "demo-rpatel")
        if rng.next() % 2 == 0 {
            try FileManager.default.copyItem(at: src.appendingPathComponent("keys/demo-rpatel.pem"), to: src.appendingPathComponent("keys/demo-copy.pem"))
        }
        var log = try InsiderLog(src)
        for _ in 0..<count {
            let actorIndex = Int(rng.next() % UInt64(actors.count))
            let actor = actors[actorIndex]
            let name = pick(names, &rng)
            let signed = rng.next() % 4 != 0
            func signer(_ meaning: String) -> InsiderLog.Signer? {
                signed ? InsiderLog.Signer(key: pick(keyNames, &rng), privateKey: own, meaning: meaning, name: name) : nil
            }
            let (m, v) = pick(versions, &rng)
            let model = TrustAttackTests.model(m, v)
            switch rng.next() % 9 {
            case 0:
                try log.append(actor: actor, name: name, action: "key.registered", subject: [("type", "key"), ("id", pick(keyNames, &rng))],
                               data: [("owner", .string(JSONString(pick(actors, &rng)))), ("name", .string(JSONString(pick(names, &rng))))],
                               sign: signer("responsibility"))
            case 1:
                try log.append(actor: actor, name: name, action: "key.revoked", subject: [("type", "key"), ("id", pick(keyNames, &rng))],
                               reason: "rotation", sign: signer("responsibility"))
            case 2, 3:
                try log.append(actor: actor, name: name, action: "model.approved", subject: model, sign: signer("approval"))
            case 4:
                let rule = pick(rules, &rng)
                try log.append(actor: actor, name: name, action: "finding.waived", subject: [("type", "finding"), ("id", rule)],
                               reason: "accepted", data: [("rule", .string(JSONString(rule))), ("location", .string(JSONString("seq \(rng.next() % (UInt64(log.seq) + 1))")))],
                               sign: signer("approval"))
            case 5:
                try log.append(actor: signed ? actor : "svc:validation-ci", name: name, service: !signed, action: "test.executed",
                               subject: [("type", "test"), ("id", "T")], refs: [("model", .string(JSONString("\(m)@\(v)"))), ("requirements", .array(["URS-01"]))],
                               data: [("result", "pass")], sign: signer("authorship"))
            case 6:
                try log.append(actor: actor, name: name, action: "model.trained", subject: model, refs: [("commit", "abcdef0123456")], sign: signer("authorship"))
            case 7:
                try log.append(actor: "svc:deploy-bot", service: true, action: "model.deployed", subject: model)
            default:
                try log.append(actor: actor, name: name, action: "model.rejected", subject: model, reason: "no", sign: signer("review"))
            }
        }
        try log.save()
        if rng.next() % 3 == 0 {
            let config = try Config.load(from: src)
            let r = try Verifier.verify(source: src, config: config, options: VerifyOptions())
            try Checkpoint.sign(origin: config.origin, size: UInt64(r.treeSize), root: r.root, keyName: "demo-rpatel", privateKey: own)
                .write(to: src.appendingPathComponent("checkpoints/insider.checkpoint"), atomically: true, encoding: .utf8)
        }
    }

    @Test("random insider sequences", arguments: 0..<6)
    func noForgedApproval(chunk: Int) throws {
        let base = try DemoTamperTests.demo()
        let baseSrc = base.url.appendingPathComponent("src")
        let originalSize = try Trailpack.analyze(source: baseSrc, trust: nil).integrity.treeSize
        for round in 0..<5 {
            var rng = SplitMix64(state: UInt64(chunk * 100 + round) &+ 12345)
            let dir = try TempDir()
            let src = dir.url.appendingPathComponent("src")
            try FileManager.default.copyItem(at: baseSrc, to: src)
            try Self.attack(src, count: 3 + Int(rng.next() % 10), rng: &rng)
            let trust = try TrustList(path: src.appendingPathComponent("trust.txt").path)
            let owners = Self.owners(trust)
            let a = try Trailpack.analyze(source: src, trust: trust)
            let signatures = Dictionary(a.signatures.map { ($0.seq, $0) }, uniquingKeysWith: { x, _ in x })
            for v in a.versions {
                for ap in v.approvals where ap.isValidApproval {
                    // Shown as valid: signed with a key the trust list gives to the approver, and not appended by the insider.
                    let owner = signatures[ap.seq]?.fingerprint.flatMap { owners[$0] }
                    #expect(owner == ap.actor, "round \(round): approval at seq \(ap.seq) of \(v.ref) by \(ap.actor) signed with a key of \(owner?.string ?? "nobody")")
                    #expect(ap.seq <= Int64(originalSize), "round \(round): the insider's approval at seq \(ap.seq) of \(v.ref) counts")
                }
                if let shown = v.latestApproval { #expect(shown.seq <= Int64(originalSize)) }
            }
            // No waiver by the insider takes effect.
            #expect(!a.findings.contains { ($0.waiver?.seq ?? 0) > Int64(originalSize) }, "round \(round)")
            // Insider checkpoints are never trusted.
            #expect(!a.integrity.checkpoints.contains { $0.file == "checkpoints/insider.checkpoint" })
        }
    }
}
