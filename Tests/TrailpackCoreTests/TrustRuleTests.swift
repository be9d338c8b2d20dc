import Foundation
import Testing
@testable import TrailpackCore

/// Section 4.4 readings on small fixtures: each with a passing and a failing case.
struct TrustRuleTests {
    static func keySubject(_ name: String) -> JSONValue { ["type": "key", "id": .string(JSONString(name))] }

    /// alice (key `a`) and bob (key `b`) registered; hanna (key `h`) is a key administrator when `admins`.
    static func pack(admins: [String] = [], approvers: [String] = [], requireSigned: [String] = []) throws -> PackBuilder {
        var p = try PackBuilder()
        p.release = []
        p.policy = ["keyAdministrators": .array(admins.map { .string(JSONString($0)) }),
                    "approvers": .array(approvers.map { .string(JSONString($0)) }),
                    "requireSigned": .array(requireSigned.map { .string(JSONString($0)) })]
        try p.registerKey("a", owner: "u:alice")
        try p.registerKey("b", owner: "u:bob")
        try p.registerKey("h", owner: "u:hanna")
        return p
    }

    enum Revoker: String, CaseIterable, Sendable { case ownerSigned, adminSigned, otherSigned, adminUnsigned, ownerUnsigned }

    @Test("a revocation counts only when signed by the owner or a key administrator", arguments: Revoker.allCases)
    func revocationAuthority(by: Revoker) throws {
        var p = try Self.pack(admins: ["u:hanna"])
        let (actor, key): (String, String?) = switch by {
        case .ownerSigned: ("u:alice", "a")
        case .adminSigned: ("u:hanna", "h")
        case .otherSigned: ("u:bob", "b")
        case .adminUnsigned: ("u:hanna", nil)
        case .ownerUnsigned: ("u:alice", nil)
        }
        try p.event("key.revoked", actor: actor, subject: Self.keySubject("a"), reason: "rotation", sign: key, meaning: "responsibility")
        try p.event("code.changed", actor: "u:alice", subject: PackBuilder.subject("code", "repo"), sign: "a", meaning: "authorship")
        try p.write()
        let a = try p.analyze()
        let counts = by == .ownerSigned || by == .adminSigned
        #expect((a.integrity.revokedAt["a"] != nil) == counts)
        #expect(a.findings.contains { $0.rule == .sigKey && $0.seq == 4 && $0.message.contains("changes nothing") } == !counts, "\(a.findings.map(\.textLine))")
        #expect(a.findings.contains { $0.rule == .sigKey && $0.seq == 5 && $0.message.contains("revoked") } == counts)
    }

    @Test func keyReassignmentChangesNothingAndARepeatIsFine() throws {
        var p = try Self.pack()
        try p.registerKey("a", owner: "u:alice")
        try p.registerKey("a", owner: "u:bob")
        try p.event("code.changed", actor: "u:bob", subject: PackBuilder.subject("code", "repo"), sign: "a", meaning: "authorship")
        try p.write()
        let a = try p.analyze()
        #expect(!a.findings.contains { $0.seq == 4 }, "a repeated registration to the same owner is fine")
        #expect(a.findings.contains { $0.rule == .sigKey && $0.seq == 5 && $0.message.contains("for good") })
        #expect(a.findings.contains { $0.rule == .sigKey && $0.seq == 6 && $0.message.contains("registered to \"u:alice\"") })
    }

    @Test func trustListOwnerAndCheckpointKey() throws {
        var p = try Self.pack()
        try p.event("code.changed", actor: "u:alice", subject: PackBuilder.subject("code", "repo"), sign: "a", meaning: "authorship")
        try p.event("code.changed", actor: "u:hanna", subject: PackBuilder.subject("code", "repo"), sign: "h", meaning: "authorship")
        try p.write()
        let fa = try p.key("a").publicKey.fingerprint, fb = try p.key("b").publicKey.fingerprint, fh = try p.key("h").publicKey.fingerprint
        // b's trust line names another owner than its registration; h signs checkpoints only.
        let trust = try TrustList(path: "t.txt", text: "\(fa) owner=u:alice\n\(fb) owner=u:carol\n\(fh) checkpoint\n")
        let a = try p.analyze(trust: trust)
        #expect(!a.findings.contains { $0.seq == 1 || $0.seq == 4 }, "\(a.findings.map(\.textLine))")
        #expect(a.findings.contains { $0.rule == .sigKey && $0.seq == 2 && $0.message.contains("trust list names \"u:carol\"") })
        #expect(a.findings.contains { $0.rule == .sigKey && $0.seq == 5 && $0.message.contains("marked checkpoint") })
        #expect(a.integrity.registrations["b"] == nil && a.integrity.registrations["a"]?.owner == "u:alice")
    }

    @Test("approvers restrict approvals, rejections and waivers", arguments: [true, false])
    func approvers(restricted: Bool) throws {
        var p = try PackBuilder.compliant()
        p.policy = ["approvers": .array(restricted ? [.string("u:nobody")] : [])]
        try p.write()
        let a = try p.analyze()
        #expect(a.findings.contains { $0.rule == .relApproval } == restricted, "\(a.findings.map(\.textLine))")
        #expect(a.versions.contains { $0.latestApproval != nil } == !restricted)
    }

    @Test("requireSigned", arguments: [true, false])
    func requireSigned(signed: Bool) throws {
        var p = try Self.pack(requireSigned: ["code.changed"])
        try p.event("code.changed", actor: "u:alice", subject: PackBuilder.subject("code", "repo"), sign: signed ? "a" : nil, meaning: "authorship")
        try p.write()
        let a = try p.analyze()
        #expect(a.findings.contains { $0.rule == .sigRequired && $0.seq == 4 } == !signed, "\(a.findings.map(\.textLine))")
        #expect(a.findings.filter { $0.rule != .sigRequired }.isEmpty)
    }
}
