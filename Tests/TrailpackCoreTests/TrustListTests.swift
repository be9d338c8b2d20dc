import Foundation
import Testing
@testable import TrailpackCore

/// The trust list format of contract section 4.4, the policy keys of section 2, and what `diff`
/// reports of what an insider could still change between releases.
struct TrustListTests {
    static let fp1 = String(repeating: "a", count: 64)
    static let fp2 = String(repeating: "b", count: 64)
    static let root = String(repeating: "c", count: 64)

    @Test func readsOwnersCheckpointMarksTreesAndComments() throws {
        let text = """
            # keys
            \(Self.fp1) owner=u:mkrause   # QA head

            \(Self.fp2)\tcheckpoint owner=svc:log
            tree 42 \(Self.root)
            """
        let t = try TrustList(path: "trust.txt", text: text)
        #expect(t.entries.map(\.fingerprint) == [Self.fp1, Self.fp2])
        #expect(t.entry(Self.fp1)?.owner == "u:mkrause" && t.entry(Self.fp1)?.checkpoint == false)
        #expect(t.entry(Self.fp2)?.owner == "svc:log" && t.entry(Self.fp2)?.checkpoint == true)
        #expect(t.hasCheckpointKeys)
        #expect(t.trees.map(\.size) == [42] && t.trees.first?.root.hex == Self.root && t.trees.first?.line == 5)
    }

    @Test("a malformed line is an error naming file and line", arguments: [
        ("zz", 1), ("\(fp1) owner=", 1), ("\(fp1) admin", 1), ("\(fp1) checkpoint checkpoint", 1),
        ("# ok\n\(fp1)\n\(fp1)", 3), ("tree 12", 1), ("tree x \(root)", 1), ("tree 12 \(root.uppercased())", 1),
        (String(repeating: "A", count: 64), 1),
    ])
    func malformedLine(text: String, line: Int) {
        let error = #expect(throws: SourceError.self) { try TrustList(path: "keys.trust", text: text) }
        #expect(error?.localizedDescription.contains("keys.trust:\(line)") == true, "\(error?.localizedDescription ?? "")")
    }

    @Test func policyKeysAreRead() throws {
        let json = """
            {"title": "t", "origin": "o", "release": {"name": "r", "models": {}}, "preparedBy": "QA lead",
             "identities": {"mlflow:aw": "u:aweber"},
             "policy": {"approvers": ["u:mkrause"], "keyAdministrators": ["u:hweber"], "requireSigned": ["test.executed"],
                        "productionAliases": ["champion"]}}
            """
        let (value, locations) = try JSONReader(file: "trailpack.json").parseWithLocations(Array(json.utf8))
        let c = try Config.parse(value, locations: locations)
        #expect(c.policy.approvers == ["u:mkrause"] && c.policy.keyAdministrators == ["u:hweber"])
        #expect(c.policy.requireSigned == ["test.executed"] && c.policy.productionAliases == ["champion"])
        #expect(c.preparedBy == "QA lead" && c.identities.map(\.actor) == ["u:aweber"])
        let bad = json.replacingOccurrences(of: "[\"u:mkrause\"]", with: "[7]")
        let (v2, l2) = try JSONReader(file: "trailpack.json").parseWithLocations(Array(bad.utf8))
        #expect(throws: SourceError.self) { try Config.parse(v2, locations: l2) }
    }

    @Test func diffReportsAChangedPolicyAndRemovedCheckpointsAsRegressions() throws {
        let tmp = try TempDir()
        var f = try DiffTests.grown()
        f.checkpointSizes = [5, f.events.count]
        f.policy = ["approvers": ["u:qa"], "requireSigned": ["test.executed"]]
        try f.write(to: tmp.path("old"))
        f.policy = ["approvers": ["u:qa"]]
        try f.write(to: tmp.path("new"))
        let cps = tmp.path("new").appendingPathComponent("checkpoints")
        let files = try FileManager.default.contentsOfDirectory(atPath: cps.path).sorted()
        #expect(files.count == 2)
        // Remove the checkpoint of size 5 (its second line is the tree size).
        let five = try files.first { try String(contentsOf: cps.appendingPathComponent($0), encoding: .utf8).split(separator: "\n").dropFirst().first == "5" }
        try FileManager.default.removeItem(at: cps.appendingPathComponent(five ?? ""))
        let d = try DiffTests.diff(tmp.path("old"), tmp.path("new"))
        #expect(d.policyChanges.map(\.key) == ["requireSigned"])
        #expect(d.checkpointsRemoved.map(\.size) == [5])
        #expect(d.regressions.map(\.kind) == [.policyChanged, .checkpointRemoved], "\(d.regressions)")
        #expect(d.hasRegression && !d.isUnchanged)
        // The same pack against itself: nothing regressed.
        let same = try DiffTests.diff(tmp.path("old"), tmp.path("old"))
        #expect(same.policyChanges.isEmpty && same.checkpointsRemoved.isEmpty && !same.hasRegression)
    }

    /// An `identities` mapping decides who is one person for SIG-SOD: remapping a name (the
    /// probe cleared a SIG-SOD that way, and diff said "regressions: none") is shown as a
    /// changed setting and counts as a regression, as a policy change does.
    @Test func diffReportsAChangedIdentityMappingAsARegression() throws {
        let tmp = try TempDir()
        var f = try DiffTests.grown()
        f.identities = ["git:mk@example.com": "u:mkrause", "mlflow:ds": "u:ds"]
        try f.write(to: tmp.path("old"))
        f.identities = ["git:mk@example.com": "u:someone-else", "mlflow:new": "u:ds"]
        try f.write(to: tmp.path("new"))
        let d = try DiffTests.diff(tmp.path("old"), tmp.path("new"))
        #expect(d.policyChanges.map(\.setting) == [#"identities["git:mk@example.com"]"#, #"identities["mlflow:ds"]"#, #"identities["mlflow:new"]"#])
        #expect(d.regressions.map(\.message).contains(#"identities["git:mk@example.com"] changed from "u:mkrause" to "u:someone-else" in trailpack.json"#), "\(d.regressions)")
        #expect(d.regressions.map(\.message).contains(#"identities["mlflow:new"] changed from (not mapped) to "u:ds" in trailpack.json"#))
        #expect(d.hasRegression && !d.isUnchanged)
        let same = try DiffTests.diff(tmp.path("new"), tmp.path("new"))
        #expect(same.policyChanges.isEmpty && !same.hasRegression)
    }

    @Test func buildPreviousShowsAChangedPolicyAsARegression() throws {
        let tmp = try TempDir()
        var f = try DiffTests.grown()
        f.policy = ["approvers": ["u:qa"]]
        try f.write(to: tmp.path("old"))
        try BuildPreviousTests.build(tmp.path("old"), out: tmp.path("old-site"), previous: nil)
        f.policy = [:]
        try f.write(to: tmp.path("new"))
        let site = tmp.path("site")
        let result = try BuildPreviousTests.build(tmp.path("new"), out: site, previous: tmp.path("old-site").path)
        let d = try #require(result.diff)
        #expect(d.regressions.map(\.kind) == [.policyChanged])
        let changes = SiteChecks.text(site, "changes.html")
        #expect(changes.contains("policy.approvers changed from [&quot;u:qa&quot;] to []") || changes.contains("policy.approvers changed from [\"u:qa\"] to []"),
                "\(BuildPreviousTests.slice(changes, from: "Regressions", to: "</section>"))")
    }
}
