import Foundation
import Testing
@testable import TrailpackCore

/// Each model type has one JSON shape (Output/ModelJSON.swift): report.json, `verify --format
/// json` and the diff JSON project the same record to the same bytes.
struct ModelJSONTests {
    /// The members of `value` without `drop`, in order.
    static func without(_ drop: Set<String>, _ value: JSONValue) -> JSONValue {
        guard case .object(let o) = value else { return value }
        return .object(JSONObject(o.members.filter { !drop.contains($0.key.string) }))
    }

    static func keys(_ value: JSONValue?) -> [String] { value?.objectValue?.members.map(\.key.string) ?? [] }

    @Test func signaturesAndApprovalsHaveOneShape() throws {
        let tmp = try TempDir()
        try DiffOutputTests.releases(tmp)
        let d = try Trailpack.diff(old: tmp.path("old"), new: tmp.path("new"), trust: nil)
        try BuildPreviousTests.build(tmp.path("new"), out: tmp.path("site"), previous: nil)
        let report = try BuildPreviousTests.report(tmp.path("site"))
        let diff = d.json

        // Signatures: the diff's entries are report.json's entries for the same seq, byte for byte.
        let diffSignatures = diff["signatures"]?.arrayValue ?? []
        let reportSignatures = report["signatures"]?.arrayValue ?? []
        #expect(!diffSignatures.isEmpty)
        #expect(Self.keys(diffSignatures.first) == ["seq", "eventTime", "action", "subject", "signer", "name", "meaning", "time",
                                               "key", "fingerprint", "valid", "status"])
        for s in diffSignatures {
            let same = reportSignatures.filter { $0["seq"] == s["seq"] }
            #expect(same.count == 1 && same.first.map(JSONWriter.pretty) == JSONWriter.pretty(s))
        }
        #expect(d.signatures.map(\.json) == diffSignatures)

        // Approvals: the diff names the version, then gives the approval as report.json does.
        let diffApprovals = diff["approvals"]?.arrayValue ?? []
        #expect(!diffApprovals.isEmpty)
        let reportApprovals = (report["models"]?.arrayValue ?? []).flatMap { m in
            (m["versions"]?.arrayValue ?? []).flatMap { $0["approvals"]?.arrayValue ?? [] }
        }
        for a in diffApprovals {
            #expect(Array(Self.keys(a).prefix(2)) == ["model", "version"])
            let record = Self.without(["model", "version"], a)
            let same = reportApprovals.filter { $0["seq"] == a["seq"] }
            #expect(same.count == 1 && same.first.map(JSONWriter.pretty) == JSONWriter.pretty(record))
        }
    }

    @Test func verifyAndReportShareFindingsKeysAndCheckpoints() throws {
        let tmp = try TempDir()
        try DiffOutputTests.releases(tmp)
        try BuildPreviousTests.build(tmp.path("new"), out: tmp.path("site"), previous: nil)
        let report = try BuildPreviousTests.report(tmp.path("site"))
        let verify = try Trailpack.verify(source: tmp.path("new").path, trust: nil).json

        #expect((verify["checkpoints"]?.arrayValue ?? []).count == 2)
        #expect(report["integrity"]?["checkpoints"] == verify["checkpoints"])
        #expect(report["integrity"]?["keys"] == verify["keys"])
        #expect(report["integrity"]?["limits"] == verify["limits"])
        // report.json numbers its findings; otherwise each is verify's finding.
        let reportFindings = (report["findings"]?.arrayValue ?? []).map { Self.without(["number"], $0) }
        #expect(!reportFindings.isEmpty)
        #expect(reportFindings == verify["findings"]?.arrayValue)
        #expect((report["findings"]?.arrayValue ?? []).allSatisfy { Self.keys($0).first == "number" })
    }

    /// report.json's `previous` shows the two releases, the integrity and the counts as the diff
    /// JSON does (the diff puts each release's `source` first).
    @Test func previousReleaseHasTheDiffShape() throws {
        let tmp = try TempDir()
        try DiffOutputTests.releases(tmp)
        let d = try Trailpack.diff(old: tmp.path("old"), new: tmp.path("new"), trust: nil)
        try BuildPreviousTests.build(tmp.path("new"), out: tmp.path("site"), previous: tmp.path("old").path)
        let previous = try BuildPreviousTests.report(tmp.path("site"))["previous"]
        let diff = d.json
        for side in ["old", "new"] {
            #expect(Self.keys(diff[side]).first == "source")
            #expect(previous?[side] != nil && previous?[side] == Self.without(["source"], diff[side] ?? .null))
        }
        #expect(Self.keys(previous?["old"]) == ["release", "origin", "releaseModels", "asOf", "treeSize", "root", "rootBase64"])
        #expect(previous?["integrity"] == diff["integrity"])
        #expect(previous?["summary"] == diff["summary"])
        #expect(previous?["regressions"] == diff["regressions"])
    }

    @Test func waiverHasOneShape() {
        let w = Waiver(seq: 7, reason: "accepted", signer: "u:qa", name: "Q. A.", time: "2026-01-02T00:00:00Z")
        var f = Finding(.relValidation, "not validated", seq: 3)
        f.waiver = w
        #expect(f.json["waiver"] == w.json)
        #expect(Self.keys(w.json) == ["seq", "signer", "name", "time", "reason"])
    }
}
