import Foundation
import Testing
@testable import TrailpackCore

/// A revocation revokes the public key, not the file name (contract section 4.4): an insider
/// whose key was revoked renames its file in `keys/`, registers the new name and signs with it.
struct KeyRevocationTests {
    static let v2: JSONValue = ["type": "model", "id": "m", "version": "2"]

    /// The compliant pack, m@2 trained and tested, and u:eng's key `eng2` registered (with its
    /// fingerprint when `recorded`) and revoked by the key administrator u:qa.
    static func revoked(recorded: Bool) throws -> PackBuilder {
        var p = try PackBuilder.compliant()
        p.models = [AliasTargetTests.withVersion2]
        p.policy = ["keyAdministrators": ["u:qa"]]
        try p.event("model.trained", actor: "u:ds", subject: v2, refs: ["commit": "abcdef1234"])
        for (t, r) in [("T3", "R1"), ("T4", "R2")] {
            try p.event("test.executed", actor: "svc:ci", service: true, subject: ["type": "test", "id": .string(JSONString(t))],
                        refs: ["model": "m@2", "requirements": [.string(JSONString(r))]], data: ["result": "pass"])
        }
        let fingerprint = try p.key("eng2").publicKey.fingerprint
        try p.event("key.registered", actor: "u:admin", subject: ["type": "key", "id": "eng2"],
                    data: recorded ? ["owner": "u:eng", "fingerprint": .string(JSONString(fingerprint))] : ["owner": "u:eng"])
        try p.event("key.revoked", actor: "u:qa", name: "Quinn QA", subject: ["type": "key", "id": "eng2"], reason: "Eve left QA",
                    sign: "qa", meaning: "responsibility")
        return p
    }

    /// qa (u:qa) and eng2 (u:eng) trusted; `more` adds keys of u:eng.
    static func trust(_ p: inout PackBuilder, more: [String] = []) throws -> TrustList {
        var text = "\(try p.key("qa").publicKey.fingerprint) owner=u:qa\n\(try p.key("eng2").publicKey.fingerprint) owner=u:eng\n"
        for k in more { text += "\(try p.key(k).publicKey.fingerprint) owner=u:eng\n" }
        return try TrustList(path: "trust.txt", text: text)
    }

    /// Appends the insider's approval of m@2 signed with `key` and a deployment; their seqs.
    static func approveAndDeploy(_ p: inout PackBuilder, key: String) throws -> (approval: Int64, deployment: Int64) {
        try p.event("model.approved", actor: "u:eng", name: "Eve Eng", subject: v2, sign: key)
        try p.event("model.deployed", actor: "svc:deploy", service: true, subject: v2)
        return (Int64(p.events.count - 1), Int64(p.events.count))
    }

    @Test("a revoked key renamed in keys/ and registered again signs nothing", arguments: [false, true])
    func renamedRevokedKey(recorded: Bool) throws {
        var p = try Self.revoked(recorded: recorded)
        let revocation = Int64(p.events.count)
        let trust = try Self.trust(&p)
        // The insider renames keys/eng2.pem to keys/eng2b.pem and registers the new name, unsigned.
        p.keys["eng2b"] = p.keys["eng2"]
        p.keys["eng2"] = nil
        try p.event("key.registered", actor: "u:eng", subject: ["type": "key", "id": "eng2b"], data: ["owner": "u:eng"])
        let registration = Int64(p.events.count)
        let (approval, deployment) = try Self.approveAndDeploy(&p, key: "eng2b")
        let a = try p.analyze(trust: trust)
        let dump = a.findings.map(\.textLine)
        #expect(a.findings.contains { $0.rule == .sigKey && $0.seq == approval && $0.message.contains("revoked") }, "\(dump)")
        #expect(a.signatures.first { $0.seq == approval }?.valid == false)
        #expect(a.lifecycle(VersionRef(model: "m", version: "2"))?.latestApproval == nil, "shown as ✔ Approved")
        #expect(a.findings.contains { $0.rule == .relApproval && $0.seq == deployment }, "\(dump)")
        #expect(a.verifyReport.fails(at: .major))
        if recorded {
            // The registration recorded the fingerprint: the renamed file is the revoked key.
            #expect(a.findings.contains { $0.rule == .sigKey && $0.seq == registration && $0.message.contains("revoked") }, "\(dump)")
            #expect(a.integrity.revokedAt["eng2b"] == revocation)
        } else {
            // Nothing binds the revoked name to a public key: the revocation says so.
            #expect(a.findings.contains { $0.rule == .sigKey && $0.seq == revocation && $0.message.contains("public key is unknown") }, "\(dump)")
        }
    }

    /// The revoked key's file kept, a new key of the same person: the new key signs.
    @Test func aNewKeyAfterARevocationSigns() throws {
        var p = try Self.revoked(recorded: false)
        let trust = try Self.trust(&p, more: ["eng3"])
        try p.registerKey("eng3", owner: "u:eng")
        let (approval, _) = try Self.approveAndDeploy(&p, key: "eng3")
        let a = try p.analyze(trust: trust)
        #expect(a.signatures.first { $0.seq == approval }?.valid == true, "\(a.findings.map(\.textLine))")
        #expect(a.lifecycle(VersionRef(model: "m", version: "2"))?.latestApproval?.seq == approval)
        #expect(!a.findings.contains { $0.rule == .sigKey }, "\(a.findings.map(\.textLine))")
    }
}

/// A printed name names one person (21 CFR 11.50): a key registered to another owner under the
/// printed name an earlier registration gave someone changes nothing, so its signatures do not
/// show that person's name beside a valid mark (the probe's "Quinn QA (u:eng)").
struct PrintedNameTests {
    /// The compliant pack whose registration of key qa gives u:qa the printed name "Quinn QA".
    static func named() throws -> PackBuilder {
        var p = try PackBuilder.compliant()
        let i = try #require(p.events.firstIndex { $0["action"]?.stringValue == "key.registered" })
        p.events[i]["data"] = ["owner": "u:qa", "name": "Quinn QA"]
        return p
    }

    @Test func aKeyRegisteredUnderAnotherPersonsPrintedNameSignsNothing() throws {
        var p = try Self.named()
        _ = try p.key("eng")
        try p.event("key.registered", actor: "u:admin", subject: ["type": "key", "id": "eng"], data: ["owner": "u:eng", "name": "Quinn QA"])
        let registration = Int64(p.events.count)
        try p.event("model.approved", actor: "u:eng", name: "Quinn QA", subject: PackBuilder.versionSubject, sign: "eng")
        let a = try p.analyze()
        #expect(a.findings.contains { $0.rule == .sigKey && $0.seq == registration && $0.message.contains("printed name \"Quinn QA\"") }, "\(a.findings.map(\.textLine))")
        #expect(a.signatures.last?.valid == false)
        // The same name for a second key of the same person is fine.
        var q = try Self.named()
        _ = try q.key("qa2")
        try q.event("key.registered", actor: "u:admin", subject: ["type": "key", "id": "qa2"], data: ["owner": "u:qa", "name": "Quinn QA"])
        try q.event("model.approved", actor: "u:qa", name: "Quinn QA", subject: PackBuilder.versionSubject, sign: "qa2")
        let b = try q.analyze()
        #expect(!b.findings.contains { $0.rule == .sigKey }, "\(b.findings.map(\.textLine))")
        #expect(b.signatures.last?.valid == true)
    }
}
