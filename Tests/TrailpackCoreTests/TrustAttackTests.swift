import Foundation
import Testing
@testable import TrailpackCore

enum TrustTestError: Error { case noLog, notFound(String) }

/// The red-team attacks of issue 9, each on a demo-derived pack verified with its trust list: one
/// insider (u:rpatel, an ML engineer) who writes the pack source and owns the key demo-rpatel.
@Suite("Trust: what one insider cannot forge")
struct TrustAttackTests {
    static let insider = "u:rpatel"
    static let qaHead = "Dr. Maria Krause"

    struct Pack {
        let dir: TempDir
        var src: URL { dir.url.appendingPathComponent("src") }
        var trust: TrustList { get throws { try TrustList(path: src.appendingPathComponent("trust.txt").path) } }
        func key(_ name: String) throws -> Ed25519PrivateKey { try DemoTamperTests.privateKey(src, name) }
        func insiderSigner(_ meaning: String, name: String = "Rahul Patel", time: String? = nil) throws -> InsiderLog.Signer {
            InsiderLog.Signer(key: "demo-rpatel", privateKey: try key("demo-rpatel"), meaning: meaning, name: name, time: time)
        }
        func analyze() throws -> PackAnalysis { try Trailpack.analyze(source: src, trust: trust) }
    }

    static func pack() throws -> Pack { Pack(dir: try DemoTamperTests.demo()) }

    static func model(_ m: String, _ v: String) -> [(String, String)] { [("type", "model"), ("id", m), ("version", v)] }

    /// The finding of `rule` at the event `seq`, unwaived.
    static func has(_ a: PackAnalysis, _ rule: RuleID, seq: Int64) -> Bool {
        a.findings.contains { $0.rule == rule && $0.seq == seq && $0.waiver == nil }
    }

    static func failsVerify(_ a: PackAnalysis) -> Bool { a.verifyReport.fails(at: .major) }

    static func dump(_ a: PackAnalysis) -> String { a.findings.map(\.textLine).joined(separator: "\n") }

    /// The valid approval the site shows for a version (status badge "✔ Approved"), if any.
    static func shownApproval(_ a: PackAnalysis, _ m: String, _ v: String) -> ApprovalRecord? {
        a.lifecycle(VersionRef(model: JSONString(m), version: JSONString(v)))?.latestApproval
    }

    @Test func approvalInTheQAHeadsNameWithOwnKey() throws {
        let p = try Self.pack()
        var log = try InsiderLog(p.src)
        let ap = try log.append(actor: Self.insider, name: Self.qaHead, action: "model.approved", subject: Self.model("aki-predictor", "3"),
                                sign: try p.insiderSigner("approval", name: Self.qaHead))
        let dep = try log.append(actor: Self.insider, name: Self.qaHead, action: "model.deployed", subject: Self.model("aki-predictor", "3"))
        try log.save()
        let a = try p.analyze()
        #expect(Self.has(a, .sigManifest, seq: ap.seq), "\(Self.dump(a))")
        #expect(Self.has(a, .relApproval, seq: dep.seq), "\(Self.dump(a))")
        #expect(Self.failsVerify(a))
        #expect(Self.shownApproval(a, "aki-predictor", "3") == nil)
        #expect(a.signatures.first { $0.seq == ap.seq }?.valid == false)
    }

    @Test func ownKeyReRegisteredToTheQAHead() throws {
        let p = try Self.pack()
        var log = try InsiderLog(p.src)
        let reg = try log.append(actor: Self.insider, action: "key.registered", subject: [("type", "key"), ("id", "demo-rpatel")],
                                 data: [("owner", "u:mkrause"), ("name", .string(JSONString(Self.qaHead)))])
        let ap = try log.append(actor: "u:mkrause", name: Self.qaHead, action: "model.approved", subject: Self.model("aki-predictor", "3"),
                                sign: try p.insiderSigner("approval", name: Self.qaHead))
        try log.save()
        let a = try p.analyze()
        #expect(Self.has(a, .sigKey, seq: reg.seq), "\(Self.dump(a))")
        #expect(Self.has(a, .sigKey, seq: ap.seq), "\(Self.dump(a))")
        #expect(Self.failsVerify(a))
        #expect(Self.shownApproval(a, "aki-predictor", "3") == nil)
        #expect(a.integrity.registrations["demo-rpatel"]?.owner == "u:rpatel")
    }

    @Test func copyOfOwnPublicKeyUnderANewName() throws {
        let p = try Self.pack()
        try FileManager.default.copyItem(at: p.src.appendingPathComponent("keys/demo-rpatel.pem"),
                                         to: p.src.appendingPathComponent("keys/demo-mkrause-3.pem"))
        var log = try InsiderLog(p.src)
        try log.append(actor: Self.insider, action: "key.registered", subject: [("type", "key"), ("id", "demo-mkrause-3")],
                       data: [("owner", "u:mkrause"), ("name", .string(JSONString(Self.qaHead)))])
        let ap = try log.append(actor: "u:mkrause", name: Self.qaHead, action: "model.approved", subject: Self.model("aki-predictor", "3"),
                                sign: InsiderLog.Signer(key: "demo-mkrause-3", privateKey: try p.key("demo-rpatel"), meaning: "approval", name: Self.qaHead))
        try log.save()
        let a = try p.analyze()
        #expect(a.findings.contains { $0.rule == .sigKey && $0.seq == ap.seq && $0.message.contains("same public key") }, "\(Self.dump(a))")
        #expect(Self.failsVerify(a))
        #expect(Self.shownApproval(a, "aki-predictor", "3") == nil)
    }

    /// The seq, file and line of the first failing test in the demo log.
    static func failedTest(_ src: URL) throws -> (seg: URL, index: Int) {
        for seg in try DemoTamperTests.segments(src) {
            let l = try DemoTamperTests.lines(seg)
            if let i = l.firstIndex(where: { let s = String(decoding: $0, as: UTF8.self); return s.contains("\"test.executed\"") && s.contains("\"result\":\"fail\"") }) {
                return (seg, i)
            }
        }
        throw TrustTestError.notFound("failed test")
    }

    @Test func failedTestEditedToPassAndSelfWaived() throws {
        let p = try Self.pack()
        let (seg, i) = try Self.failedTest(p.src)
        var l = try DemoTamperTests.lines(seg)
        l[i] = Array(String(decoding: l[i], as: UTF8.self).replacingOccurrences(of: "\"result\":\"fail\"", with: "\"result\":\"pass\"").utf8)
        try DemoTamperTests.write(l, seg)
        let location = "audit/\(seg.lastPathComponent):\(i + 1)"
        var log = try InsiderLog(p.src)
        let w = try log.append(actor: Self.insider, name: "Rahul Patel", action: "finding.waived", subject: [("type", "finding"), ("id", "INT-HASH")],
                               reason: "Result corrected", data: [("rule", "INT-HASH"), ("location", .string(JSONString(location)))],
                               sign: try p.insiderSigner("approval"))
        try log.save()
        let a = try p.analyze()
        #expect(a.findings.contains { $0.rule == .intHash && $0.location == location && $0.waiver == nil }, "\(Self.dump(a))")
        #expect(Self.has(a, .waiverInvalid, seq: w.seq), "\(Self.dump(a))")
        #expect(Self.failsVerify(a))
    }

    @Test func selfApprovalWithSelfWaivedSeparationOfDuties() throws {
        let p = try Self.pack()
        var log = try InsiderLog(p.src)
        try log.append(actor: Self.insider, name: "Rahul Patel", action: "model.trained", subject: Self.model("sepsis-risk", "4"),
                       refs: [("commit", "0123456789abcdef")], sign: try p.insiderSigner("authorship"))
        let ap = try log.append(actor: Self.insider, name: "Rahul Patel", action: "model.approved", subject: Self.model("sepsis-risk", "4"),
                                sign: try p.insiderSigner("approval"))
        let w = try log.append(actor: Self.insider, name: "Rahul Patel", action: "finding.waived", subject: [("type", "finding"), ("id", "SIG-SOD")],
                               reason: "Small team", data: [("rule", "SIG-SOD"), ("location", .string(JSONString("seq \(ap.seq)")))],
                               sign: try p.insiderSigner("approval"))
        try log.save()
        let a = try p.analyze()
        #expect(a.findings.contains { $0.rule == .sigSOD && $0.seq == ap.seq && $0.waiver == nil }, "\(Self.dump(a))")
        #expect(Self.has(a, .waiverInvalid, seq: w.seq), "\(Self.dump(a))")
        #expect(Self.failsVerify(a))
        #expect(Self.shownApproval(a, "sepsis-risk", "4") == nil)
    }

    /// Removes event `index` of segment 2 and re-chains the log.
    static func deleteEvent(_ src: URL) throws {
        let seg = try DemoTamperTests.segments(src)[1]
        var l = try DemoTamperTests.lines(seg)
        l.remove(at: 100)
        try DemoTamperTests.write(l, seg)
        try DemoTamperTests.rechain(src)
    }

    @Test func deletedEventWithSelfWaivedCheckpointFindings() throws {
        let p = try Self.pack()
        try Self.deleteEvent(p.src)
        let before = try p.analyze().findings.filter { $0.rule == .intCheckpoint }
        #expect(!before.isEmpty)
        var log = try InsiderLog(p.src)
        var waivers: [Int64] = []
        for f in before {
            waivers.append(try log.append(actor: Self.insider, name: "Rahul Patel", action: "finding.waived", subject: [("type", "finding"), ("id", "INT-CHECKPOINT")],
                                          reason: "Log migration", data: [("rule", "INT-CHECKPOINT"), ("location", .string(JSONString(f.location)))],
                                          sign: try p.insiderSigner("approval")).seq)
        }
        try log.save()
        let a = try p.analyze()
        #expect(a.findings.contains { $0.rule == .intCheckpoint && $0.waiver == nil }, "\(Self.dump(a))")
        #expect(!a.findings.contains { $0.rule == .intCheckpoint && $0.waiver != nil })
        for w in waivers { #expect(Self.has(a, .waiverInvalid, seq: w)) }
        #expect(Self.failsVerify(a))
    }

    @Test func historyReCheckpointedWithTheInsidersKey() throws {
        let p = try Self.pack()
        try Self.deleteEvent(p.src)
        let config = try Config.load(from: p.src)
        let result = try Verifier.verify(source: p.src, config: config, options: VerifyOptions())
        let cpDir = p.src.appendingPathComponent("checkpoints")
        for f in try FileManager.default.contentsOfDirectory(atPath: cpDir.path) { try FileManager.default.removeItem(at: cpDir.appendingPathComponent(f)) }
        try Checkpoint.sign(origin: config.origin, size: UInt64(result.treeSize), root: result.root, keyName: "demo-rpatel", privateKey: try p.key("demo-rpatel"))
            .write(to: cpDir.appendingPathComponent("rechained.checkpoint"), atomically: true, encoding: .utf8)
        let a = try p.analyze()
        #expect(a.findings.contains { $0.rule == .intCheckpointSig && $0.file == "checkpoints/rechained.checkpoint" }, "\(Self.dump(a))")
        #expect(a.findings.contains { $0.rule == .intCheckpoint && $0.file == (try? p.trust.path) }, "\(Self.dump(a))")
        #expect(a.integrity.checkpoints.allSatisfy { $0.validSigners.isEmpty })
        #expect(a.integrity.eventsAfterLastCheckpoint == a.integrity.treeSize)
        #expect(Self.failsVerify(a))
    }

    @Test("revoking the QA head's key", arguments: [false, true])
    func revokingAnotherPersonsKey(signed: Bool) throws {
        let p = try Self.pack()
        var log = try InsiderLog(p.src)
        let r = try log.append(actor: Self.insider, name: "Rahul Patel", action: "key.revoked", subject: [("type", "key"), ("id", "demo-mkrause-2")],
                               reason: "lost", sign: signed ? try p.insiderSigner("responsibility") : nil)
        try log.save()
        let a = try p.analyze()
        #expect(Self.has(a, .sigKey, seq: r.seq), "\(Self.dump(a))")
        #expect(a.integrity.revokedAt["demo-mkrause-2"] == nil)
        #expect(Self.failsVerify(a))
        // Her approval of the release still counts.
        #expect(Self.shownApproval(a, "sepsis-risk", "3") != nil)
    }

    @Test func modelSwappedAfterApproval() throws {
        let p = try Self.pack()
        var log = try InsiderLog(p.src)
        #expect(Self.shownApproval(try p.analyze(), "sepsis-risk", "3") != nil)
        let tr = try log.append(actor: Self.insider, name: "Rahul Patel", action: "model.trained", subject: Self.model("sepsis-risk", "3"),
                                refs: [("commit", "fedcba9876543210")], data: [("metrics", .object(JSONObject([JSONMember(key: "auroc", value: .decimal(0.71))])))],
                                sign: try p.insiderSigner("authorship"))
        let dep = try log.append(actor: "svc:deploy-bot", service: true, action: "model.deployed", subject: Self.model("sepsis-risk", "3"))
        try log.save()
        let a = try p.analyze()
        #expect(Self.has(a, .relRegistry, seq: tr.seq), "\(Self.dump(a))")
        #expect(Self.has(a, .relApproval, seq: dep.seq), "\(Self.dump(a))")
        #expect(Self.shownApproval(a, "sepsis-risk", "3") == nil)
        #expect(Self.failsVerify(a))
    }

    /// A genuine failing CI test of a release requirement (the CI's own key), then the insider's move.
    static func realFailure(_ p: Pack, _ log: inout InsiderLog, version: String = "3") throws {
        try log.append(actor: "svc:validation-ci", name: "Validation pipeline (GitLab CI)", service: true, action: "test.executed",
                       subject: [("type", "test"), ("id", "SEP-T01")],
                       refs: [("model", .string(JSONString("sepsis-risk@\(version)"))), ("requirements", .array(["URS-01"]))],
                       data: [("result", "fail")],
                       sign: InsiderLog.Signer(key: "demo-validation-ci", privateKey: try p.key("demo-validation-ci"), meaning: "authorship",
                                               name: "Validation pipeline (GitLab CI)"))
    }

    static func urs01Failed(_ a: PackAnalysis) -> Bool {
        a.findings.contains { $0.rule == .trcFailed && $0.message.contains("URS-01 of sepsis-risk@3") && $0.waiver == nil }
    }

    @Test func forgedPassingTestAfterARealFailure() throws {
        let p = try Self.pack()
        var log = try InsiderLog(p.src)
        try Self.realFailure(p, &log)
        let forged = try log.append(actor: "svc:validation-ci", name: "Validation pipeline (GitLab CI)", service: true, action: "test.executed",
                                    subject: [("type", "test"), ("id", "SEP-T01")],
                                    refs: [("model", "sepsis-risk@3"), ("requirements", .array(["URS-01"]))], data: [("result", "pass")])
        try log.save()
        let a = try p.analyze()
        #expect(Self.has(a, .sigRequired, seq: forged.seq), "\(Self.dump(a))")
        #expect(Self.urs01Failed(a), "\(Self.dump(a))")
        #expect(Self.failsVerify(a))
    }

    @Test func passingTestForAnotherVersionDoesNotClearAFailure() throws {
        let p = try Self.pack()
        var log = try InsiderLog(p.src)
        try Self.realFailure(p, &log)
        try log.append(actor: Self.insider, name: "Rahul Patel", action: "test.executed", subject: Self.model("sepsis-risk", "3"),
                       refs: [("model", "sepsis-risk@2"), ("requirements", .array(["URS-01"]))], data: [("result", "pass")],
                       sign: try p.insiderSigner("authorship"))
        try log.save()
        let a = try p.analyze()
        #expect(Self.urs01Failed(a), "\(Self.dump(a))")
        #expect(Self.failsVerify(a))
    }

    @Test func rejectionAfterApprovalStopsTheNextDeployment() throws {
        let p = try Self.pack()
        var log = try InsiderLog(p.src)
        try log.append(actor: "u:mkrause", name: Self.qaHead, action: "model.rejected", subject: Self.model("sepsis-risk", "3"),
                       reason: "Calibration drift", sign: InsiderLog.Signer(key: "demo-mkrause-2", privateKey: try p.key("demo-mkrause-2"),
                                                                            meaning: "review", name: Self.qaHead))
        let dep = try log.append(actor: "svc:deploy-bot", service: true, action: "model.deployed", subject: Self.model("sepsis-risk", "3"))
        try log.save()
        let a = try p.analyze()
        #expect(Self.has(a, .relApproval, seq: dep.seq), "\(Self.dump(a))")
        #expect(Self.shownApproval(a, "sepsis-risk", "3") == nil)
        #expect(Self.failsVerify(a))
    }

    @Test func lookAlikeActorIDs() throws {
        let p = try Self.pack()
        var log = try InsiderLog(p.src)
        try log.append(actor: "u:Kim", name: "Kim Adler", action: "note.added", subject: [("type", "note"), ("id", "n1")])
        let kelvin = try log.append(actor: "u:\u{212A}im", name: "Kelvin Impostor", action: "note.added", subject: [("type", "note"), ("id", "n2")])
        try log.save()
        let a = try p.analyze()
        #expect(a.findings.contains { $0.rule == .intParse && $0.seq == kelvin.seq && $0.message.contains("NFC") }, "\(Self.dump(a))")
        #expect(Self.failsVerify(a))
        #expect(a.actors[JSONString("u:Kim")]?.name == "Kim Adler")
        #expect(a.actors[JSONString("u:\u{212A}im")]?.name == "Kelvin Impostor")
        let label = AuditIndex.label(.actor, Array("u:\u{212A}im".utf8), a)
        #expect(label.contains("Kelvin Impostor") && !label.contains("Kim Adler"))
    }

    @Test func signingTimeAMonthBeforeTheEvent() throws {
        let p = try Self.pack()
        var log = try InsiderLog(p.src)
        let early = log.time.adding(seconds: 60 - 30 * 86400).description
        let e = try log.append(actor: Self.insider, name: "Rahul Patel", action: "document.reviewed", subject: [("type", "document"), ("id", "docs/x.md")],
                               sign: try p.insiderSigner("review", time: early))
        try log.save()
        let a = try p.analyze()
        #expect(a.findings.contains { $0.rule == .sigManifest && $0.seq == e.seq && $0.message.contains("away from the event's time") }, "\(Self.dump(a))")
        #expect(a.signatures.first { $0.seq == e.seq }?.valid == false)
        #expect(Self.failsVerify(a))
    }

    /// Several attacks in one pack, built into a site with the trust list: no page states the forged facts.
    @Test func siteShowsNoForgedFact() throws {
        let p = try Self.pack()
        // History re-written and re-checkpointed with the insider's key.
        try Self.deleteEvent(p.src)
        let cpDir = p.src.appendingPathComponent("checkpoints")
        for f in try FileManager.default.contentsOfDirectory(atPath: cpDir.path) { try FileManager.default.removeItem(at: cpDir.appendingPathComponent(f)) }
        // A failed test edited to pass (recorded hash kept), then self-waived.
        let (seg, i) = try Self.failedTest(p.src)
        var l = try DemoTamperTests.lines(seg)
        l[i] = Array(String(decoding: l[i], as: UTF8.self).replacingOccurrences(of: "\"result\":\"fail\"", with: "\"result\":\"pass\"").utf8)
        try DemoTamperTests.write(l, seg)
        var log = try InsiderLog(p.src)
        try log.append(actor: Self.insider, name: "Rahul Patel", action: "finding.waived", subject: [("type", "finding"), ("id", "INT-HASH")],
                       reason: "Result corrected", data: [("rule", "INT-HASH"), ("location", .string(JSONString("audit/\(seg.lastPathComponent):\(i + 1)")))],
                       sign: try p.insiderSigner("approval"))
        // An approval in the QA head's name, and a revocation of her key.
        try log.append(actor: Self.insider, name: Self.qaHead, action: "model.approved", subject: Self.model("aki-predictor", "3"),
                       sign: try p.insiderSigner("approval", name: Self.qaHead))
        try log.append(actor: Self.insider, name: "Rahul Patel", action: "key.revoked", subject: [("type", "key"), ("id", "demo-mkrause-2")], reason: "lost")
        try log.save()
        let config = try Config.load(from: p.src)
        let r = try Verifier.verify(source: p.src, config: config, options: VerifyOptions())
        try Checkpoint.sign(origin: config.origin, size: UInt64(r.treeSize), root: r.root, keyName: "demo-rpatel", privateKey: try p.key("demo-rpatel"))
            .write(to: cpDir.appendingPathComponent("insider.checkpoint"), atomically: true, encoding: .utf8)
        let out = p.dir.url.appendingPathComponent("site")
        let result = try Trailpack.build(source: p.src.path, options: BuildOptions(output: out, theme: try SiteBuilding.theme(), trust: try p.trust))
        #expect(result.verifyReport.fails(at: .major))
        let version = SiteChecks.text(out, "models/aki-predictor/versions/3.html")
        #expect(!version.contains("✔ Approved") && !version.contains("✔ Valid approval"))
        #expect(version.contains("Does not count"))
        let index = SiteChecks.text(out, "index.html")
        #expect(!index.contains("✔ No integrity findings") && index.contains("; 0 of ") && index.contains(" checkpoints consistent and signed by a trusted key"))
        let integrity = SiteChecks.text(out, "integrity.html")
        #expect(!integrity.contains("✔ Consistent with the log"))
        #expect(integrity.contains("✖ Not consistent"), "the trust list's tree head")
        #expect(integrity.components(separatedBy: "revoked, seq").count == 2, "only the rotation of demo-mkrause is a revocation")
        let findings = SiteChecks.text(out, "findings.html")
        #expect(findings.contains("WAIVER-INVALID") && findings.contains("never waived"))
    }

    @Test func demoIsCleanWithItsTrustListAndOwnersAreBound() throws {
        let p = try Self.pack()
        let a = try p.analyze()
        #expect(a.findings.isEmpty, "\(Self.dump(a))")
        #expect(a.integrity.revokedAt["demo-mkrause"] != nil)
        #expect(a.integrity.trustTrees.allSatisfy { $0.consistent == true })
        #expect(a.integrity.registrations["demo-mkrause-2"]?.name == Self.qaHead)
    }
}

/// Key state is kept by key name: a registration naming a look-alike of a valid name
/// ("\u{212A}qa" with U+212A KELVIN SIGN, equal to "Kqa" as a Swift String) must not take over the
/// key it is not.
struct LookAlikeKeyNameTests {
    @Test func aRegistrationUnderALookAlikeNameChangesNothing() throws {
        var f = try PackBuilder.source()
        try f.event("key.registered", actor: "u:mallory", subject: ["type": "key", "id": "\u{212A}qa"], data: ["owner": "u:mallory"])
        try f.registerKey("Kqa", owner: "u:qa")
        try f.write()
        let a = try Trailpack.analyze(source: f.url, trust: nil)
        #expect(a.integrity.registrations["Kqa"]?.owner == "u:qa", "\(a.integrity.registrations)")
        #expect(a.integrity.registrations.count == 1)
        #expect(a.findings.contains { $0.rule == .sigKey && $0.seq == 1 && $0.message.contains("which is not a key name") },
                "\(a.findings.map(\.textLine))")
    }
}
