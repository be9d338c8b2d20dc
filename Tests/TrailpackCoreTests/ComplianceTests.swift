import Foundation
import Testing
@testable import TrailpackCore

/// Each rule of contract section 7 fires on a fixture made to break it, and stays silent on the
/// compliant fixture.
struct ComplianceTests {
    static let v = PackBuilder.versionSubject

    @Test func compliantPackHasNoFindings() throws {
        let a = try PackBuilder.compliant().analyze()
        #expect(a.findings.map(\.textLine) == [])
        #expect(a.coverage.first?.passed == 2)
        #expect(a.matrix.count == 2 && a.matrix.allSatisfy { $0.status == "passed" && $0.approval != nil })
        #expect(a.signatures.count == 1 && a.signatures.first?.valid == true)
    }

    /// A named way to break the compliant pack, and the rule that must catch it.
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var rule: RuleID
        var location: String?
        var change: @Sendable (inout PackBuilder) throws -> Void
        var description: String { name }
    }

    static func dropEvent(_ p: inout PackBuilder, _ action: String, nth: Int = 0) {
        let idx = p.events.indices.filter { p.events[$0]["action"]?.stringValue == action }
        if nth < idx.count { p.events.remove(at: idx[nth]) }
    }

    static let cases: [Case] = [
        Case(name: "deployed without approval", rule: .relApproval, location: "audit/0001.jsonl:10") { p in
            dropEvent(&p, "model.approved")
        },
        Case(name: "approved by its trainer", rule: .sigSOD, location: "seq 14") { p in
            try p.registerKey("ds", owner: "u:ds")
            try p.event("model.approved", actor: "u:ds", subject: v, sign: "ds")
        },
        Case(name: "approved by the author of its commit", rule: .sigSOD) { p in
            try p.registerKey("dev", owner: "u:dev")
            try p.event("model.approved", actor: "u:dev", subject: v, sign: "dev")
        },
        Case(name: "latest test failed", rule: .trcFailed, location: "registry/models/m.json:13") { p in
            try p.event("test.executed", actor: "svc:ci", service: true, subject: ["type": "test", "id": "T2"],
                        refs: ["model": "m@1", "requirements": ["R2"]], data: ["result": "fail"])
        },
        Case(name: "requirement untested", rule: .trcUntested) { p in dropEvent(&p, "test.executed", nth: 1) },
        Case(name: "approved while a test is missing", rule: .relValidation, location: "audit/0001.jsonl:9") { p in
            dropEvent(&p, "test.executed", nth: 1)
        },
        Case(name: "test names unknown requirement", rule: .trcUnknown) { p in
            try p.event("test.executed", actor: "svc:ci", service: true, subject: ["type": "test", "id": "T9"],
                        refs: ["model": "m@1", "requirements": ["R9"]], data: ["result": "pass"])
        },
        Case(name: "registry stage no event explains", rule: .relRegistry, location: "registry/models/m.json:23") { p in
            p.models = [replacingStage(PackBuilder.model, "staging")]
        },
        Case(name: "registry version without event", rule: .relRegistry) { p in dropEvent(&p, "model.registered"); dropEvent(&p, "model.trained") },
        Case(name: "no bias evaluation", rule: .relBias) { p in dropEvent(&p, "bias.evaluated") },
        Case(name: "no explanation", rule: .relXAI) { p in dropEvent(&p, "explanation.generated") },
        Case(name: "modification without reason", rule: .atReason, location: "audit/0001.jsonl:13") { p in
            try p.event("record.modified", actor: "u:ds", subject: ["type": "dataset", "id": "d"],
                        changes: [["field": "rows", "old": 1, "new": 2]])
        },
        Case(name: "modification without old/new", rule: .atChanges) { p in
            try p.event("record.modified", actor: "u:ds", subject: ["type": "dataset", "id": "d"], reason: "typo")
        },
        Case(name: "exception without CAPA", rule: .capaMissing) { p in
            try p.event("exception.raised", actor: "u:qa", subject: ["type": "exception", "id": "X1"], reason: "pipeline failed")
        },
        Case(name: "CAPA past due", rule: .capaOverdue) { p in
            let x = try p.event("exception.raised", actor: "u:qa", subject: ["type": "exception", "id": "X1"], reason: "pipeline failed")
            try p.event("capa.opened", actor: "u:qa", subject: ["type": "capa", "id": "C1"], refs: ["event": .string(JSONString(x))],
                        data: ["due": "2026-01-01T00:30:00Z"])
            p.step = 3600
            try p.event("dataset.curated", actor: "u:ds", subject: ["type": "dataset", "id": "d"])
        },
        Case(name: "drift not answered", rule: .drfRevalidation, location: "drift/w3.json") { p in
            p.drift.append(("w3", ["model": "m", "version": "1", "window": ["start": "2026-01-01T00:20:00Z", "end": "2026-01-01T00:30:00Z"],
                                   "metrics": [["name": "psi", "value": 0.5, "threshold": 0.2]], "drift": true]))
            p.policy = ["revalidationDays": 1]
            p.step = 2 * 86400
            try p.event("dataset.curated", actor: "u:ds", subject: ["type": "dataset", "id": "d"])
        },
        Case(name: "monitoring gap", rule: .drfGap, location: "drift/w3.json") { p in
            p.drift.append(("w3", ["model": "m", "version": "1", "window": ["start": "2026-01-01T01:00:00Z", "end": "2026-01-01T02:00:00Z"],
                                   "metrics": [], "drift": false]))
        },
        Case(name: "invalid waiver", rule: .waiverInvalid) { p in
            try p.event("finding.waived", actor: "svc:bot", service: true, subject: ["type": "finding", "id": "F1"],
                        data: ["rule": "REL-XAI", "location": "registry/models/m.json:17"], reason: "accepted")
        },
        // Insider edits a probe found (each cleared its finding before):
        Case(name: "approved by the author of its commit, the registry's commit edited", rule: .sigSOD, location: "seq 14") { p in
            try p.registerKey("dev", owner: "u:dev")
            try p.event("model.approved", actor: "u:dev", subject: v, sign: "dev")
            guard case .object(var m) = PackBuilder.model, case .array(var vs)? = m["versions"], case .object(var v0)? = vs.first else { return }
            v0["commit"] = "1111111aaa"
            vs[0] = .object(v0)
            m["versions"] = .array(vs)
            p.models = [.object(m)]
        },
        Case(name: "stage change whose reason is a line break", rule: .atReason, location: "audit/0001.jsonl:13") { p in
            try p.event("model.stage_changed", actor: "u:qa", subject: v, data: ["from": "production", "to": "staging"], reason: "\n")
        },
        Case(name: "modification whose reason is a Hangul filler", rule: .atReason, location: "audit/0001.jsonl:13") { p in
            try p.event("record.modified", actor: "u:ds", subject: ["type": "dataset", "id": "d"], reason: "\u{3164}",
                        changes: [["field": "rows", "old": 1, "new": 2]])
        },
        Case(name: "modification whose reason is a zero-width space", rule: .atReason, location: "audit/0001.jsonl:13") { p in
            try p.event("record.modified", actor: "u:ds", subject: ["type": "dataset", "id": "d"], reason: "\u{200B}",
                        changes: [["field": "rows", "old": 1, "new": 2]])
        },
        Case(name: "the actor of a failing test waives its TRC-FAILED", rule: .waiverInvalid, location: "audit/0001.jsonl:14") { p in
            try p.event("test.executed", actor: "u:qa", subject: ["type": "test", "id": "T3"],
                        refs: ["model": "m@1", "requirements": ["R2"]], data: ["result": "fail"])
            try p.event("finding.waived", actor: "u:qa", name: "Quinn QA", subject: ["type": "finding", "id": "F1"],
                        data: ["rule": "TRC-FAILED", "location": "registry/models/m.json:13"], reason: "accepted", sign: "qa")
        },
        // An actor id that looks like the QA head's but holds a word joiner (the probe evaded
        // SIG-SOD with it: two actors that read the same), and a version with a zero-width joiner.
        Case(name: "actor id with an invisible character", rule: .intParse, location: "audit/0001.jsonl:13") { p in
            try p.event("model.trained", actor: "u:qa\u{2060}", subject: v, refs: ["commit": "abcdef1234"])
        },
        Case(name: "version with an invisible character", rule: .intParse, location: "audit/0001.jsonl:13") { p in
            try p.event("model.registered", actor: "u:ds", subject: ["type": "model", "id": "m", "version": "1\u{200D}"])
        },
        Case(name: "production alias given to another version than the event's subject", rule: .relApproval,
             location: "audit/0001.jsonl:13") { p in
            p.models = [AliasTargetTests.withVersion2]
            try p.event("model.alias_changed", actor: "u:ds", subject: v, data: ["alias": "champion", "from": nil, "to": "2"], reason: "promote")
        },
        Case(name: "a requirement with a failing latest test deleted from the registry", rule: .trcFailed, location: "seq 13") { p in
            try p.event("test.executed", actor: "svc:ci", service: true, subject: ["type": "test", "id": "T3"],
                        refs: ["model": "m@1", "requirements": ["R2"]], data: ["result": "fail"])
            p.models = [TraceabilityUnlistedTests.withoutR2]
        },
        Case(name: "drift the log detected, its window in drift/ set to no drift", rule: .drfRevalidation, location: "seq 13") { p in
            try DriftDetectionTests.detect(&p)
            DriftDetectionTests.later(&p)
            try p.event("dataset.curated", actor: "u:ds", subject: ["type": "dataset", "id": "d"])
        },
        Case(name: "waiver whose reason is blank", rule: .waiverInvalid, location: "audit/0001.jsonl:13") { p in
            try p.event("finding.waived", actor: "u:qa", name: "Quinn QA", subject: ["type": "finding", "id": "F1"],
                        data: ["rule": "REL-XAI", "location": "registry/models/m.json:17"], reason: " \n", sign: "qa")
        },
    ]

    static func replacingStage(_ model: JSONValue, _ stage: String) -> JSONValue {
        guard var o = model.objectValue, var vs = o["versions"]?.arrayValue, var v0 = vs.first?.objectValue else { return model }
        v0["stage"] = .string(JSONString(stage))
        vs[0] = .object(v0)
        o["versions"] = .array(vs)
        return .object(o)
    }

    @Test("rule fires on a fixture made to break it", arguments: cases)
    func ruleFires(c: Case) throws {
        var p = try PackBuilder.compliant()
        try c.change(&p)
        let a = try p.analyze()
        let hits = a.findings.filter { $0.rule == c.rule }
        #expect(!hits.isEmpty, "\(c.name): \(a.findings.map(\.textLine))")
        if let loc = c.location {
            #expect(hits.contains { $0.location == loc }, "\(c.name): \(hits.map(\.location))")
        }
        #expect(a.verifyReport.fails(at: c.rule.rule.severity))
    }

    @Test func validWaiverWaivesAndStopsCounting() throws {
        var p = try PackBuilder.compliant()
        Self.dropEvent(&p, "explanation.generated")
        try p.event("finding.waived", actor: "u:qa", name: "Quinn QA", subject: ["type": "finding", "id": "F1"],
                    data: ["rule": "REL-XAI", "location": "registry/models/m.json:21"], reason: "explanations are out of scope for this release", sign: "qa")
        let a = try p.analyze()
        let xai = a.findings.filter { $0.rule == .relXAI }
        #expect(xai.count == 1)
        #expect(xai.first?.waiver?.name == "Quinn QA")
        #expect(!a.verifyReport.fails(at: .minor))
    }

    @Test func waiverWithWrongMeaningIsReported() throws {
        var p = try PackBuilder.compliant()
        try p.event("finding.waived", actor: "u:qa", subject: ["type": "finding", "id": "F1"],
                    data: ["rule": "REL-XAI", "location": "x"], reason: "ok", sign: "qa", meaning: "review")
        let a = try p.analyze()
        #expect(a.findings.contains { $0.rule == .waiverInvalid && $0.message.contains("meaning") })
    }

    @Test func releaseNamingUnknownVersionIsAnError() throws {
        var p = try PackBuilder.compliant()
        p.release = [("m", "9")]
        #expect(throws: SourceError.self) { try p.analyze() }
    }
}

struct RuleDocsTests {
    @Test func docsRulesMatchesTheCatalogue() throws {
        let doc = try String(contentsOf: Shared.repoRoot.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        #expect(doc == RuleCatalog.markdown, "regenerate with: trailpack rules --format markdown > docs/rules.md")
    }

    @Test func everyRuleIsDocumented() {
        for id in RuleID.allCases {
            let r = id.rule
            #expect(!r.clause.isEmpty && !r.what.isEmpty && !r.why.isEmpty && !r.remedy.isEmpty, "\(id)")
        }
        #expect(RuleCatalog.all.count == RuleID.allCases.count)
    }

    /// Each rule is one file, `Rules/<Area>/<Rule>.swift`, holding its entry; the list names each once, in order.
    @Test func everyRuleIsOneFile() throws {
        let rules = Shared.repoRoot.appendingPathComponent("Sources/TrailpackCore/Rules")
        let fm = FileManager.default
        var texts: [String: String] = [:]
        for area in try fm.contentsOfDirectory(atPath: rules.path) where !area.hasSuffix(".swift") {
            for f in try fm.contentsOfDirectory(atPath: rules.appendingPathComponent(area).path) where f.hasSuffix(".swift") {
                texts[f] = try String(contentsOf: rules.appendingPathComponent(area).appendingPathComponent(f), encoding: .utf8)
            }
        }
        for id in RuleID.allCases {
            let name = String(describing: id)
            let holders = texts.filter { $0.value.contains("static let rule = Rule(id: .\(name),") }.map(\.key)
            #expect(holders == [name.prefix(1).uppercased() + name.dropFirst() + ".swift"], "\(id.rawValue)")
        }
        #expect(RuleCatalog.all.map(\.id) == RuleID.allCases)
    }
}

/// Waivers name findings by rule and location compared as bytes: a location spelled with a
/// canonically equivalent character (U+212A KELVIN SIGN for K) names another place.
struct WaiverMatchingTests {
    @Test func aWaiverMatchesItsLocationByteForByte() {
        let finding = Finding(.relXAI, "no explanation", file: "registry/models/Kappa.json", line: 3)
        func pending(_ location: String) -> PendingWaiver {
            PendingWaiver(waiver: Waiver(seq: 9, reason: "out of scope", signer: "u:qa", name: "Quinn QA", time: "2026-03-01T10:00:00Z"),
                          rule: "REL-XAI", location: location, signer: JSONString("u:qa"), file: "audit/0001.jsonl", line: 9)
        }
        var same = [finding]
        let unusedSame = WaiverInvalid.apply(&same, [pending("registry/models/Kappa.json:3")])
        #expect(same[0].waiver?.seq == 9 && unusedSame.isEmpty)
        var equivalent = [finding]
        let unusedEquivalent = WaiverInvalid.apply(&equivalent, [pending("registry/models/\u{212A}appa.json:3")])
        #expect(equivalent[0].waiver == nil && unusedEquivalent.map(\.seq) == [9])
    }
}

/// An invalid decision counts for no rule (contract section 4.4), and a waiver signed by the
/// person whose event its finding names is invalid however that person's ids are spelled.
struct InvalidDecisionTests {
    /// An unsigned approval, in anyone's name, while a test fails: not "approved while not
    /// validated" (REL-VALIDATION); a valid one is.
    @Test(arguments: [false, true])
    func onlyAValidApprovalIsCheckedForValidation(_ signed: Bool) throws {
        var p = try PackBuilder.compliant()
        try p.event("test.executed", actor: "svc:ci", service: true, subject: ["type": "test", "id": "T3"],
                    refs: ["model": "m@1", "requirements": ["R1"]], data: ["result": "fail"])
        let seq = Int64(p.events.count + 1)
        try p.event("model.approved", actor: "u:qa", name: "Quinn QA", subject: PackBuilder.versionSubject, sign: signed ? "qa" : nil)
        let a = try p.analyze()
        #expect(a.findings.contains { $0.rule == .relValidation && $0.seq == seq } == signed, "\(a.findings.map(\.textLine))")
    }

    @Test func aSelfWaiverThroughAnIdentitiesAliasIsStillOne() {
        var findings = [Finding(.intTime, "time goes back", seq: 12)]
        let waiver = PendingWaiver(waiver: Waiver(seq: 13, reason: "clock fixed", signer: "u:fberger", name: "F. Berger", time: "2026-03-01T10:00:00Z"),
                                   rule: "INT-TIME", location: "seq 12", signer: JSONString("u:fberger"), file: "audit/0001.jsonl", line: 13)
        let aliases: [String: String] = ["git:felix@example.com": "u:fberger"]
        _ = WaiverInvalid.apply(&findings, [waiver], person: { JSONString(aliases[$0.string] ?? $0.string) }) { _ in JSONString("git:felix@example.com") }
        #expect(findings.first { $0.rule == .intTime }?.waiver == nil)
        #expect(findings.contains { $0.rule == .waiverInvalid && $0.message.contains("the actor of the event") }, "\(findings.map(\.textLine))")
    }
}

/// An action `policy.requireSigned` lists that the log never has is named on the summary: a
/// misspelling ("test.execute") would make the requirement cover nothing without a word.
struct RequireSignedSpellingTests {
    @Test(arguments: [("test.execute", true), ("test.executed", false)])
    func anActionTheLogNeverHasIsNamed(_ action: String, _ named: Bool) throws {
        var p = try PackBuilder.compliant()
        p.policy = ["requireSigned": [.string(JSONString(action))]]
        let a = try p.analyze()
        let line = "policy.requireSigned lists \(action), which no event of the log has"
        #expect(TrustLimits.summary(a).contains { $0.hasPrefix(line) } == named, "\(TrustLimits.summary(a))")
    }
}

/// A waiver accepts a finding that existed when it was signed: moving lines of a registry file,
/// or a later failing test of the same requirement, cannot slide an old waiver of a registry
/// finding (located by file and line) onto a new one.
struct WaiverScopeTests {
    static func failing(_ p: inout PackBuilder, _ test: String, _ req: String, pass: Bool) throws {
        try p.event("test.executed", actor: "svc:ci", service: true, subject: ["type": "test", "id": .string(JSONString(test))],
                    refs: ["model": "m@1", "requirements": [.string(JSONString(req))]], data: ["result": pass ? "pass" : "fail"])
    }

    static func waive(_ p: inout PackBuilder, location: String) throws {
        try p.event("finding.waived", actor: "u:qa", name: "Quinn QA", subject: ["type": "finding", "id": "F1"],
                    data: ["rule": "TRC-FAILED", "location": .string(JSONString(location))], reason: "accepted for this release", sign: "qa")
    }

    @Test func reorderingTheRegistryDoesNotMoveAWaiver() throws {
        var p = try PackBuilder.compliant()
        try Self.failing(&p, "T3", "R1", pass: false)
        let r1 = try #require(try p.analyze().findings.first { $0.rule == .trcFailed })
        try Self.waive(&p, location: r1.location)
        #expect(try p.analyze().findings.first { $0.rule == .trcFailed }?.waiver != nil, "the waiver covers the finding it names")
        try Self.failing(&p, "T4", "R1", pass: true)
        try Self.failing(&p, "T5", "R2", pass: false)
        // The insider swaps the two requirements: R2's finding now has R1's old line.
        guard case .object(var m) = PackBuilder.model, case .array(let reqs)? = m["requirements"] else { throw FixtureError("model") }
        m["requirements"] = .array([reqs[1], reqs[0]])
        p.models = [.object(m)]
        let a = try p.analyze()
        let r2 = try #require(a.findings.first { $0.rule == .trcFailed })
        #expect(r2.message.contains("requirement R2") && r2.location == r1.location, "\(r2.textLine)")
        #expect(r2.waiver == nil, "an old waiver moved onto R2's finding: \(r2.textLine)")
        #expect(a.verifyReport.fails(at: .major))
    }

    @Test func aWaiverDoesNotCoverALaterFailure() throws {
        var p = try PackBuilder.compliant()
        try Self.failing(&p, "T3", "R1", pass: false)
        let r1 = try #require(try p.analyze().findings.first { $0.rule == .trcFailed })
        try Self.waive(&p, location: r1.location)
        try Self.failing(&p, "T4", "R1", pass: true)
        try Self.failing(&p, "T5", "R1", pass: false)
        let later = try #require(try p.analyze().findings.first { $0.rule == .trcFailed })
        #expect(later.location == r1.location && later.waiver == nil, "\(later.textLine)")
    }
}

/// An alias change counts for the version its `data.to` names (in its subject's model), whatever
/// its subject's version: the version given a production alias needs an approval, and shows the
/// change in its lifecycle; a subject that names another version is REL-REGISTRY.
struct AliasTargetTests {
    /// The compliant pack's model with a version 2 (stage none).
    static let withVersion2: JSONValue = {
        guard case .object(var m) = PackBuilder.model, case .array(var vs)? = m["versions"] else { return PackBuilder.model }
        vs.append(["version": "2", "stage": "none", "created": "2026-01-01T00:00:00Z"])
        m["versions"] = .array(vs)
        return .object(m)
    }()

    static let v2: JSONValue = ["type": "model", "id": "m", "version": "2"]

    @Test(arguments: [false, true])
    func aProductionAliasGivenThroughAnotherVersionsSubject(approved: Bool) throws {
        var p = try PackBuilder.compliant()
        p.models = [Self.withVersion2]
        try p.event("model.trained", actor: "u:ds", subject: Self.v2, refs: ["commit": "abcdef1234"])
        if approved { try p.event("model.approved", actor: "u:qa", name: "Quinn QA", subject: Self.v2, sign: "qa") }
        let seq = Int64(p.events.count + 1)
        try p.event("model.alias_changed", actor: "u:ds", subject: PackBuilder.versionSubject,
                    data: ["alias": "champion", "from": nil, "to": "2"], reason: "promote")
        let a = try p.analyze()
        let dump = a.findings.map(\.textLine)
        #expect(a.findings.contains { $0.rule == .relApproval && $0.seq == seq && $0.message.contains("m@2") } == !approved, "\(dump)")
        #expect(a.findings.contains { $0.rule == .relRegistry && $0.seq == seq && $0.message.contains("its subject is m@1") }, "\(dump)")
        let m2 = try #require(a.lifecycle(VersionRef(model: "m", version: "2")))
        #expect(m2.steps.contains { $0.seq == seq }, "m@2's lifecycle shows the alias change")
        #expect(a.lifecycle(VersionRef(model: "m", version: "1"))?.steps.contains { $0.seq == seq } == false)
    }

    @Test func anAliasChangeWhoseSubjectIsItsTargetIsFine() throws {
        var p = try PackBuilder.compliant()
        p.models = [Self.withVersion2]
        try p.event("model.trained", actor: "u:ds", subject: Self.v2, refs: ["commit": "abcdef1234"])
        try p.event("model.approved", actor: "u:qa", name: "Quinn QA", subject: Self.v2, sign: "qa")
        try p.event("model.alias_changed", actor: "u:ds", subject: Self.v2, data: ["alias": "champion", "from": nil, "to": "2"], reason: "promote")
        try p.event("model.alias_changed", actor: "u:ds", subject: Self.v2, data: ["alias": "champion", "from": "2", "to": nil], reason: "retire")
        let a = try p.analyze()
        #expect(!a.findings.contains { $0.rule == .relApproval || $0.rule == .relRegistry && $0.message.contains("alias") }, "\(a.findings.map(\.textLine))")
    }
}

/// A requirement deleted from the registry (which is not chained) keeps its failure: its latest
/// failing test is TRC-FAILED located at that test, counts as failed on the summary, and makes a
/// later approval REL-VALIDATION; a later passing test of it clears it as usual.
struct TraceabilityUnlistedTests {
    /// The compliant pack's model without requirement R2.
    static let withoutR2: JSONValue = {
        guard case .object(var m) = PackBuilder.model, case .array(let reqs)? = m["requirements"] else { return PackBuilder.model }
        m["requirements"] = .array(Array(reqs.prefix(1)))
        return .object(m)
    }()

    static func test(_ p: inout PackBuilder, _ id: String, pass: Bool) throws {
        try p.event("test.executed", actor: "svc:ci", service: true, subject: ["type": "test", "id": .string(JSONString(id))],
                    refs: ["model": "m@1", "requirements": ["R2"]], data: ["result": pass ? "pass" : "fail"])
    }

    @Test func aFailureOfADeletedRequirementStaysCritical() throws {
        var p = try PackBuilder.compliant()
        try Self.test(&p, "T3", pass: false)
        let failed = Int64(p.events.count)
        try p.event("model.approved", actor: "u:qa", name: "Quinn QA", subject: PackBuilder.versionSubject, sign: "qa")
        let approval = Int64(p.events.count)
        p.models = [Self.withoutR2]
        let a = try p.analyze()
        let dump = a.findings.map(\.textLine)
        let f = try #require(a.findings.first { $0.rule == .trcFailed }, "\(dump)")
        #expect(f.seq == failed && f.message.contains("R2") && f.message.contains("not in the registry"), "\(f.textLine)")
        #expect(a.findings.contains { $0.rule == .relValidation && $0.seq == approval && $0.message.contains("R2 (not in the registry)") }, "\(dump)")
        #expect(a.verifyReport.fails(at: .critical))
        #expect(a.coverage.first?.failed == 1)
        #expect(StatusIndex(a).statuses[VersionRef(model: "m", version: "1")]?.failed == 1)
    }

    @Test func aLaterPassClearsIt() throws {
        var p = try PackBuilder.compliant()
        try Self.test(&p, "T3", pass: false)
        try Self.test(&p, "T4", pass: true)
        p.models = [Self.withoutR2]
        let a = try p.analyze()
        #expect(!a.findings.contains { $0.rule == .trcFailed || $0.rule == .relValidation }, "\(a.findings.map(\.textLine))")
        #expect(a.coverage.first?.failed == 0)
    }
}

/// A `drift.detected` in the log must be answered whatever `drift/` (not chained) says: an insider
/// who sets the window to no drift, or deletes it, does not clear DRF-REVALIDATION.
struct DriftDetectionTests {
    /// The compliant pack's monitor records drift in window w2 (00:10 to 00:20).
    static func detect(_ p: inout PackBuilder) throws {
        try p.event("drift.detected", actor: "svc:monitor", service: true, subject: PackBuilder.versionSubject,
                    data: ["windowStart": "2026-01-01T00:10:00Z", "windowEnd": "2026-01-01T00:20:00Z", "maxPsi": 0.5])
    }

    /// One day to answer; the next event two days later.
    static func later(_ p: inout PackBuilder) {
        p.policy = ["revalidationDays": 1]
        p.step = 2 * 86400
    }

    static func w2(drift: Bool) -> (String, JSONValue) {
        ("w2", ["model": "m", "version": "1", "window": ["start": "2026-01-01T00:10:00Z", "end": "2026-01-01T00:20:00Z"],
                "metrics": [["name": "psi", "feature": "age", "value": drift ? 0.5 : 0.1, "threshold": 0.2, "breach": .bool(drift)]],
                "drift": .bool(drift)])
    }

    @Test("an unanswered drift.detected is DRF-REVALIDATION however drift/ was edited", arguments: ["no drift", "deleted"])
    func windowEditedOrDeleted(_ edit: String) throws {
        var p = try PackBuilder.compliant()
        try Self.detect(&p)
        let seq = Int64(p.events.count)
        if edit == "deleted" { p.drift.removeLast() }
        Self.later(&p)
        try p.event("dataset.curated", actor: "u:ds", subject: ["type": "dataset", "id": "d"])
        let a = try p.analyze()
        let hits = a.findings.filter { $0.rule == .drfRevalidation }
        #expect(hits.map(\.seq) == [seq] && hits.first?.message.contains("no drift window in drift/") == true, "\(a.findings.map(\.textLine))")
        #expect(StatusIndex(a).statuses[VersionRef(model: "m", version: "1")]?.drift == "overdue", "the summary shows no drift")
    }

    @Test func aRevalidationAnswersIt() throws {
        var p = try PackBuilder.compliant()
        try Self.detect(&p)
        try p.event("revalidation.triggered", actor: "u:qa", subject: PackBuilder.versionSubject, reason: "PSI above 0.2")
        Self.later(&p)
        try p.event("dataset.curated", actor: "u:ds", subject: ["type": "dataset", "id": "d"])
        let a = try p.analyze()
        #expect(!a.findings.contains { $0.rule == .drfRevalidation }, "\(a.findings.map(\.textLine))")
    }

    /// The drifting window reports it: one finding, at the window, not a second at the event.
    @Test func aDriftingWindowThatReportsItIsEnough() throws {
        var p = try PackBuilder.compliant()
        p.drift[1] = Self.w2(drift: true)
        try Self.detect(&p)
        Self.later(&p)
        try p.event("dataset.curated", actor: "u:ds", subject: ["type": "dataset", "id": "d"])
        let a = try p.analyze()
        let hits = a.findings.filter { $0.rule == .drfRevalidation }
        #expect(hits.map(\.location) == ["drift/w2.json"], "\(a.findings.map(\.textLine))")
    }
}
