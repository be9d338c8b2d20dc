import Foundation
import Testing
@testable import TrailpackCore

/// `trailpack diff`: the log comparison and its proof, and the record comparisons.
struct DiffTests {
    /// The baseline (8 events) followed by version 2's life and some routine events (17 in all).
    static func grown() throws -> PackBuilder {
        var f = try PackBuilder.diffBaseline()
        try f.trained("2")
        try f.test("T-1", "2", ["URS-01"], pass: true)
        try f.test("T-2", "2", ["URS-02"], pass: true)
        try f.evaluated("2")
        try f.approve("2")
        try f.routine(3)
        return f
    }

    static func diff(_ old: URL, _ new: URL) throws -> ReleaseDiff {
        try Trailpack.diff(old: old, new: new, trust: nil, oldLabel: "old", newLabel: "new")
    }

    /// Counts of `key` over events, sorted by key bytes, as the diff reports them.
    static func counts(_ events: ArraySlice<JSONObject>, _ key: (JSONObject) -> String) -> [KeyCount] {
        var d: [String: Int] = [:]
        for e in events { d[key(e), default: 0] += 1 }
        return d.map { KeyCount(key: $0.key, count: $0.value) }.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
    }

    // MARK: (a) a cut pack against the full pack

    @Test(arguments: [1, 5, 8, 13, 15])
    func cutPackIsExtendedByTheFullPack(k: Int) throws {
        let tmp = try TempDir()
        var f = try Self.grown()
        f.checkpointSizes = [k]
        try f.write(to: tmp.path("old"), events: k)
        try f.write(to: tmp.path("new"))
        let d = try Self.diff(tmp.path("old"), tmp.path("new"))
        #expect(d.integrity.verdict == .extended)
        #expect(d.integrity.proofVerified)
        #expect(d.integrity.firstDifference == nil)
        #expect(d.integrity.oldSize == k && d.integrity.newSize == f.events.count)
        #expect(d.integrity.newRootAtOldSize == d.old.root)
        try MerkleTree.verifyConsistency(size1: UInt64(k), size2: UInt64(f.events.count), root1: d.old.root,
                                         root2: d.new.root, proof: d.integrity.proof)
        let added = f.events[k...]
        #expect(d.events.count == added.count)
        #expect(d.events.firstIndex == k + 1 && d.events.lastIndex == f.events.count)
        #expect(d.events.byAction == Self.counts(added) { $0["action"]?.stringValue ?? "" })
        #expect(d.events.byActor == Self.counts(added) { $0["actor"]?["id"]?.stringValue ?? "" })
        let signedAdded = added.filter { $0["signature"] != nil }.count
        #expect(d.signatures.count == signedAdded)
        #expect(d.signatures.allSatisfy { $0.seq > Int64(k) && $0.valid })
        #expect(d.approvals.map(\.approval.seq) == added.indices.filter { f.events[$0]["action"]?.stringValue == "model.approved" }.map { Int64($0 + 1) })
        #expect(!d.hasRegression, "\(d.regressions)")
        // OLD's checkpoint at K is in NEW too, and consistent there.
        let newReport = try Trailpack.verify(source: tmp.path("new").path, trust: nil)
        #expect(newReport.integrity.checkpoints.map(\.consistent) == [true])
    }

    // MARK: (b) history rewritten

    @Test(arguments: [1, 4, 7, 8])
    func editedOldEventIsCaughtEvenWhenRechainedAndResigned(position: Int) throws {
        let tmp = try TempDir()
        var f = try Self.grown()
        let k = 8
        f.checkpointSizes = [k]
        try f.write(to: tmp.path("old"), events: k)
        // Edit one event of the older part, re-sign it if it is signed, re-chain everything
        // after it and re-sign the checkpoints: NEW is sound on its own.
        var g = f
        var e = g.events[position - 1]
        e["reason"] = JSONValue("quietly edited")
        try g.resign(&e)
        g.events[position - 1] = e
        g.checkpointSizes = [k, g.events.count]
        try g.write(to: tmp.path("new"))
        let alone = try Trailpack.verify(source: tmp.path("new").path, trust: nil)
        #expect(!alone.findings.contains { $0.rule.rawValue.hasPrefix("INT-") || $0.rule.rawValue.hasPrefix("SIG-") },
                "\(alone.findings.map(\.textLine))")

        let d = try Self.diff(tmp.path("old"), tmp.path("new"))
        #expect(d.integrity.verdict == .rewritten)
        #expect(!d.integrity.proofVerified && d.integrity.proof.isEmpty)
        let first = try #require(d.integrity.firstDifference)
        #expect(first.index == position)
        let location = "audit/\(String(format: "%04d", (position - 1) / 5 + 1)).jsonl:\((position - 1) % 5 + 1)"
        for p in [first.new, first.old] {
            let p = try #require(p)
            #expect(p.seq == Int64(position) && p.id == "e-\(position)" && p.location == location)
        }
        #expect(first.new?.hash != first.old?.hash)
        #expect(d.regressions.first?.kind == .historyRewritten)
        #expect(d.integrity.message.contains("seq \(position)"))
        #expect(d.text.contains("REWRITTEN") && d.text.contains("first difference at event \(position)"))
    }

    @Test func editWithoutRehashKeepsTheLeafButOpensACriticalFinding() throws {
        let tmp = try TempDir()
        let f = try Self.grown()
        try f.write(to: tmp.path("old"), events: 8)
        try f.write(to: tmp.path("new"))
        // Event 3's reason edited in place; its recorded hash (the leaf) and the chain are kept.
        let segment = tmp.path("new/audit/0001.jsonl")
        var lines = try String(contentsOf: segment, encoding: .utf8).split(separator: "\n").map(String.init)
        var event = try PackBuilder.parse(lines[2])
        event["reason"] = JSONValue("quietly edited")
        lines[2] = String(decoding: JCS.serialize(.object(event)), as: UTF8.self)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: segment)
        let d = try Self.diff(tmp.path("old"), tmp.path("new"))
        #expect(d.integrity.verdict == .extended)
        #expect(d.findings.opened.map { "\($0.rule.rawValue) \($0.location)" } == ["INT-HASH audit/0001.jsonl:3"])
        #expect(d.regressions.map(\.kind) == [.criticalFinding])
    }

    @Test func shorterNewLogIsHistoryRewritten() throws {
        let tmp = try TempDir()
        let f = try Self.grown()
        try f.write(to: tmp.path("old"))
        try f.write(to: tmp.path("new"), events: 10)
        let d = try Self.diff(tmp.path("old"), tmp.path("new"))
        #expect(d.integrity.verdict == .rewritten)
        let first = try #require(d.integrity.firstDifference)
        #expect(first.index == 11 && first.new == nil && first.old?.seq == 11 && first.old?.id == "e-11")
        #expect(d.hasRegression && d.events.count == 0)
    }

    @Test func appendedAfterARewriteStillNamesTheFirstDifference() throws {
        let tmp = try TempDir()
        var f = try Self.grown()
        try f.write(to: tmp.path("old"), events: 12)
        f.events.remove(at: 9)  // an event deleted from the middle; the rest re-chained
        try f.write(to: tmp.path("new"))
        let d = try Self.diff(tmp.path("old"), tmp.path("new"))
        #expect(d.integrity.verdict == .rewritten)
        #expect(d.integrity.firstDifference?.index == 10)
        #expect(d.integrity.firstDifference?.old?.id == "e-10" && d.integrity.firstDifference?.new?.id == "e-11")
    }

    // MARK: (c) a source against itself

    @Test func sourceAgainstItselfIsUnchanged() throws {
        let tmp = try TempDir()
        var f = try Self.grown()
        f.checkpointSizes = [8, 16]
        try f.write(to: tmp.path("pack"))
        // A built site holds the pack as its evidence copy.
        try f.write(to: tmp.path("site/evidence"))
        try tmp.write("site/report.json", "{}")
        let d = try Trailpack.diff(old: tmp.path("site").path, new: tmp.path("pack").path, trust: nil)
        #expect(d.isUnchanged && !d.hasRegression)
        #expect(d.integrity.verdict == .identical && d.integrity.proofVerified && d.integrity.proof.isEmpty)
        #expect(d.text.contains("no changes"))
        #expect(try d.document(theme: SiteBuilding.theme()).markdownBody.contains("No changes"))
        #expect(d.old.source == tmp.path("site").path)
    }

    // MARK: (d) regressions

    @Test func newlyFailingTestIsARegression() throws {
        let tmp = try TempDir()
        var f = try PackBuilder.diffBaseline()
        try f.write(to: tmp.path("old"))
        try f.test("T-2", "1", ["URS-02"], pass: false)
        try f.write(to: tmp.path("new"))
        let d = try Self.diff(tmp.path("old"), tmp.path("new"))
        #expect(d.integrity.verdict == .extended)
        #expect(d.testsNewlyFailing.map { "\($0.version) \($0.test.string)" } == ["risk@1 T-2"])
        #expect(d.testsNewlyFailing.first?.old?.result == "pass" && d.testsNewlyFailing.first?.new.result == "fail")
        #expect(d.requirements.map(\.change) == [.lost])
        #expect(Set(d.regressions.map(\.kind)) == [.testFailing, .coverageLost, .criticalFinding])
        #expect(d.findings.opened.map(\.rule) == [.trcFailed])
    }

    @Test func failingTestOfAnotherVersionAloneIsARegression() throws {
        let tmp = try TempDir()
        var f = try PackBuilder.diffBaseline()
        try f.write(to: tmp.path("old"))
        try f.trained("2")
        try f.test("T-1", "2", ["URS-01"], pass: false)
        try f.write(to: tmp.path("new"))
        let d = try Self.diff(tmp.path("old"), tmp.path("new"))
        #expect(d.requirements.isEmpty && d.findings.opened.isEmpty)
        #expect(d.regressions.map(\.kind) == [.testFailing])
        #expect(d.versions.map { "\($0.version) \($0.change.rawValue)" } == ["risk@2 added"])
    }

    @Test func lostCoverageIsARegression() throws {
        let tmp = try TempDir()
        var f = try PackBuilder.diffBaseline()
        try f.write(to: tmp.path("old"))
        // NEW moves the release to version 2, which has no test for URS-02.
        try f.trained("2")
        try f.test("T-1", "2", ["URS-01"], pass: true)
        f.riskVersions([("1", "production"), ("2", "none")])
        f.release = [("risk", "2")]
        f.releaseName = "2026.2"
        try f.write(to: tmp.path("new"))
        let d = try Self.diff(tmp.path("old"), tmp.path("new"))
        #expect(d.testsNewlyFailing.isEmpty)
        #expect(d.requirements.map { "\($0.requirement.string) \($0.change.rawValue) \($0.transition)" }
                == ["URS-01 version 1 passed → 2 passed", "URS-02 lost 1 passed → 2 untested"])
        #expect(d.regressions.map(\.kind).contains(.coverageLost))
        #expect(d.versions.map { "\($0.version) \($0.change.rawValue)" } == ["risk@1 release", "risk@2 added"])
    }

    @Test func newCriticalFindingIsARegressionUnlessWaived() throws {
        let tmp = try TempDir()
        var f = try PackBuilder.diffBaseline()
        try f.write(to: tmp.path("old"))
        try f.event("model.deployed", actor: "u:ops", name: "u:ops", subject: PackBuilder.risk("9"))
        try f.write(to: tmp.path("new"))
        let d = try Self.diff(tmp.path("old"), tmp.path("new"))
        #expect(d.findings.opened.map(\.rule) == [.relApproval, .relValidation])
        #expect(d.regressions.filter { $0.kind == .criticalFinding }.count == 2)
        #expect(d.findings.resolved.isEmpty)
        // QA waives the REL-APPROVAL finding (event 9 is audit/0002.jsonl:4): one regression is left.
        try f.event("finding.waived", actor: "u:qa", name: "u:qa", subject: PackBuilder.subject("finding", "w-1"),
                    data: ["location": "audit/0002.jsonl:4", "rule": "REL-APPROVAL"], reason: "emergency rollout, see CAPA-7",
                    sign: "qa", meaning: "approval")
        try f.write(to: tmp.path("new"))
        let waived = try Self.diff(tmp.path("old"), tmp.path("new"))
        #expect(waived.findings.opened.map { "\($0.rule.rawValue) \($0.waiver != nil)" } == ["REL-APPROVAL true", "REL-VALIDATION false"])
        #expect(waived.regressions.map(\.message).count == 1 && waived.regressions[0].message.contains("REL-VALIDATION"))
    }

    // MARK: (e) the proof in the JSON output

    @Test func jsonProofReverifies() throws {
        let tmp = try TempDir()
        let f = try Self.grown()
        try f.write(to: tmp.path("old"), events: 5)
        try f.write(to: tmp.path("new"))
        let d = try Self.diff(tmp.path("old"), tmp.path("new"))
        let text = JSONWriter.pretty(d.json)
        let json = try JSONReader().parse(Array(text.utf8))
        #expect(json["schema"]?.stringValue == "trailpack-diff/1")
        let proof = try #require(json["integrity"]?["proof"])
        func bytes(_ v: JSONValue?) throws -> [UInt8] { try #require(v?.stringValue.flatMap { Hex.decode($0) }) }
        let size1 = try #require(proof["size1"]?.integerValue), size2 = try #require(proof["size2"]?.integerValue)
        let hashes = try #require(proof["hashes"]?.arrayValue).map { try bytes($0) }
        #expect(size1 == 5 && size2 == Int64(f.events.count) && !hashes.isEmpty)
        let root1 = try bytes(proof["root1"]), root2 = try bytes(proof["root2"])
        try MerkleTree.verifyConsistency(size1: UInt64(size1), size2: UInt64(size2), root1: root1, root2: root2, proof: hashes)
        // The roots are the ones `verify` prints for each pack.
        #expect(try Trailpack.verify(source: tmp.path("old").path, trust: nil).integrity.root.hex == proof["root1"]?.stringValue)
        #expect(try Trailpack.verify(source: tmp.path("new").path, trust: nil).integrity.root.hex == proof["root2"]?.stringValue)
        // A proof with one flipped bit does not verify.
        var bad = hashes
        bad[0][0] ^= 1
        #expect(throws: IntegrityError.self) {
            try MerkleTree.verifyConsistency(size1: UInt64(size1), size2: UInt64(size2), root1: root1, root2: root2, proof: bad)
        }
        // The same inputs give the same bytes.
        #expect(JSONWriter.pretty(try Self.diff(tmp.path("old"), tmp.path("new")).json) == text)
    }
}
