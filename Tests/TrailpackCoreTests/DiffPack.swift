import Foundation
@testable import TrailpackCore

extension PackBuilder {
    /// A builder for diff tests: model `risk` in release 2026.1, events `e-<n>` one hour apart from
    /// 2026-01-01T01:00:00Z with the actor's id as its name, segments of 5 events, checkpoints
    /// signed with key `qa`.
    static func diff() throws -> PackBuilder {
        var p = try PackBuilder(firstEvent: 1_767_225_600 + 3600, step: 3600)
        p.title = "Diff test"
        p.origin = "example.com/ml/diff-test"
        p.releaseName = "2026.1"
        p.release = [("risk", "1")]
        p.idPrefix = "e-"
        p.markPersons = false
        p.eventsPerSegment = 5
        p.checkpointKey = "qa"
        p.riskVersions([("1", "production")])
        return p
    }

    /// Sets the registry versions of model `risk` (requirements URS-01 and URS-02): (version, stage).
    mutating func riskVersions(_ versions: [(String, String)]) {
        models = [[
            "id": "risk", "name": "Risk classifier",
            "requirements": .array(["URS-01", "URS-02"].map { r in
                ["id": .string(JSONString(r)), "title": .string(JSONString("Requirement \(r)")), "text": "must hold"]
            }),
            "versions": .array(versions.map { v in
                ["version": .string(JSONString(v.0)), "stage": .string(JSONString(v.1)), "commit": .string(JSONString("abcdef1\(v.0)"))]
            }),
        ]]
    }

    static func risk(_ version: String) -> JSONValue { modelSubject("risk", version) }

    mutating func registerDiffKey() throws {
        try registerKey("qa", owner: "u:qa", registrarName: "u:admin")
    }

    mutating func trained(_ v: String, actor: String = "u:dev") throws {
        try event("model.trained", actor: actor, name: actor, subject: Self.risk(v),
                  refs: ["commit": .string(JSONString("abcdef1\(v)")), "datasets": ["train@1"]])
    }

    mutating func test(_ id: String, _ v: String, _ requirements: [String], pass: Bool, actor: String = "u:ci") throws {
        try event("test.executed", actor: actor, name: actor, subject: Self.subject("test", id),
                  refs: ["model": .string(JSONString("risk@\(v)")), "requirements": .array(requirements.map { .string(JSONString($0)) })],
                  data: ["result": pass ? "pass" : "fail"])
    }

    mutating func evaluated(_ v: String) throws {
        try event("bias.evaluated", actor: "u:dev", name: "u:dev", subject: Self.risk(v), data: ["result": "pass"])
        try event("explanation.generated", actor: "u:dev", name: "u:dev", subject: Self.risk(v), data: ["method": "shap"])
    }

    mutating func approve(_ v: String) throws {
        try event("model.approved", actor: "u:qa", name: "Dr. Q. A.", subject: Self.risk(v), sign: "qa")
    }

    mutating func stage(_ v: String, from: String, to: String) throws {
        try event("model.stage_changed", actor: "u:ops", name: "u:ops", subject: Self.risk(v),
                  data: ["from": .string(JSONString(from)), "to": .string(JSONString(to))], reason: "release \(v)")
    }

    /// The diff baseline: a key, version 1 trained, both requirements tested and passed, evaluated,
    /// approved by QA and moved to production (8 events).
    static func diffBaseline() throws -> PackBuilder {
        var f = try diff()
        try f.registerDiffKey()
        try f.trained("1")
        try f.test("T-1", "1", ["URS-01"], pass: true)
        try f.test("T-2", "1", ["URS-02"], pass: true)
        try f.evaluated("1")
        try f.approve("1")
        try f.stage("1", from: "none", to: "production")
        // A production version in scope is monitored (v1.1: DRF-GAP otherwise).
        f.file("drift/risk-1-january.json", driftWindow("1", week: -8, drift: false))
        return f
    }

    /// Appends `count` routine events (`config.changed` by u:ops) for volume.
    mutating func routine(_ count: Int) throws {
        for _ in 0..<count { try event("config.changed", actor: "u:ops", name: "u:ops", subject: Self.risk("1"), reason: "tuning") }
    }

    /// A native drift window of `risk@version`, the `week`-th week of March 2026.
    static func driftWindow(_ version: String, week: Int, drift: Bool) -> String {
        let start = 1_772_323_200 + Int64(week) * 7 * 86400  // 2026-03-01T00:00:00Z
        let s = Timestamp(seconds: start).description, e = Timestamp(seconds: start + 7 * 86400).description
        return #"{"model":"risk","version":"\#(version)","window":{"start":"\#(s)","end":"\#(e)"},"#
            + #""metrics":[{"name":"psi","value":\#(drift ? "0.3" : "0.1"),"threshold":0.2}],"drift":\#(drift)}"#
    }
}
