import Foundation
import Testing
@testable import TrailpackCore

/// `trailpack diff`: versions, drift and findings changes, the output forms and the CLI.
struct DiffOutputTests {
    /// OLD: the baseline with a drifting window (unanswered) and a quiet one. NEW: version 2
    /// trained, tested (URS-02 untested) and approved, version 1 archived, T-2 of version 1
    /// failing, the drift answered, a new drifting window of version 2.
    static func releases(_ tmp: TempDir, actor: String = "u:dev") throws {
        var f = try PackBuilder.diffBaseline()
        f.file("drift/w1.json", PackBuilder.driftWindow("1", week: 0, drift: true))
        f.file("drift/w0.json", PackBuilder.driftWindow("1", week: 1, drift: false))
        f.checkpointSizes = [8]
        try f.write(to: tmp.path("old"))
        try f.trained("2", actor: actor)
        try f.test("T-1", "2", ["URS-01"], pass: true)
        try f.test("T-2", "1", ["URS-02"], pass: false)
        try f.evaluated("2")
        try f.approve("2")
        try f.event("revalidation.triggered", actor: "u:ops", name: "u:ops", subject: PackBuilder.risk("1"), reason: "psi drift",
                    time: "2026-03-05T00:00:00Z")
        f.file("drift/w2.json", PackBuilder.driftWindow("2", week: 2, drift: true))
        f.files.removeAll { $0.path == "drift/w0.json" }
        f.riskVersions([("1", "archived"), ("2", "production")])
        f.release = [("risk", "2")]
        f.releaseName = "2026.2"
        f.checkpointSizes = [8, f.events.count]
        try f.write(to: tmp.path("new"))
    }

    @Test func recordsChanges() throws {
        let tmp = try TempDir()
        try Self.releases(tmp)
        let d = try Trailpack.diff(old: tmp.path("old"), new: tmp.path("new"), trust: nil)
        #expect(d.integrity.verdict == .extended)
        #expect(d.versions.map { "\($0.version) \($0.change.rawValue) \($0.old?.stage ?? "-") \($0.new?.stage ?? "-")" }
                == ["risk@1 retired production archived", "risk@2 added - production"])
        #expect(d.versions[1].new?.inRelease == true && d.versions[0].new?.inRelease == false)
        #expect(d.approvals.map { "\($0.version) \($0.approval.seq) \($0.approval.isValidApproval)" } == ["risk@2 14 true"])
        #expect(d.signatures.map(\.seq) == [14])
        #expect(d.requirements.map { "\($0.requirement.string) \($0.change.rawValue)" } == ["URS-01 version", "URS-02 lost"])
        #expect(d.testsNewlyFailing.map(\.test) == ["T-2"] && d.testsNewlyPassing.map(\.test) == ["T-1"])
        #expect(d.drift.map { "\($0.path) \($0.change.rawValue)" }
                == ["drift/w1.json resolved", "drift/w0.json removed", "drift/w2.json breach"])
        #expect(d.drift[0].old?.state == "pending" && d.drift[0].new?.state == "answered")
        #expect(d.findings.opened.contains { $0.rule == .relValidation })
        #expect(d.models.isEmpty)
    }

    @Test func findingsResolvedAndPersisting() throws {
        let tmp = try TempDir()
        var f = try PackBuilder.diffBaseline()
        f.riskVersions([("1", "production"), ("2", "staging")])  // version 2 has no event yet: REL-REGISTRY twice
        try f.write(to: tmp.path("old"))
        try f.trained("2")
        try f.stage("2", from: "none", to: "staging")
        try f.write(to: tmp.path("new"))
        let d = try Trailpack.diff(old: tmp.path("old"), new: tmp.path("new"), trust: nil)
        #expect(d.findings.resolved.map(\.rule) == [.relRegistry, .relRegistry])
        #expect(d.findings.opened.isEmpty && d.findings.persisting.isEmpty)
        #expect(d.versions.map { "\($0.version) \($0.change.rawValue)" } == ["risk@2 stage"])
        #expect(!d.hasRegression)
    }

    @Test func emptyOldLogIsExtendedTrivially() throws {
        let tmp = try TempDir()
        let f = try PackBuilder.diffBaseline()
        try f.write(to: tmp.path("new"))
        try f.write(to: tmp.path("old"), events: 0)
        try tmp.write("old/audit/0001.jsonl", "\n")  // a line, but no event
        let d = try Trailpack.diff(old: tmp.path("old"), new: tmp.path("new"), trust: nil)
        #expect(d.integrity.verdict == .extended && d.integrity.oldSize == 0 && d.integrity.proof.isEmpty)
        #expect(d.events.count == f.events.count)
    }

    @Test func outputsEscapeEveryInputString() throws {
        let tmp = try TempDir()
        let evil = "u:<script>alert(1)</script>|*x*"
        try Self.releases(tmp, actor: evil)
        let d = try Trailpack.diff(old: tmp.path("old"), new: tmp.path("new"), trust: nil)
        #expect(d.events.byActor.contains { $0.key == evil })
        let theme = try SiteBuilding.theme()
        let files = try d.write(to: tmp.path("out"), theme: theme)
        let page = try d.document(theme: theme)
        #expect(files == ["changes.html", "changes.json", "changes.md"])
        let html = try String(contentsOf: tmp.path("out/changes.html"), encoding: .utf8)
        #expect(html.contains(#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'">"#))
        #expect(!html.contains("<script") && html.contains("u:&lt;script&gt;alert(1)&lt;/script&gt;|*x*"))
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains(page.htmlBody))
        let md = try String(contentsOf: tmp.path("out/changes.md"), encoding: .utf8)
        #expect(md.hasPrefix("# Changes since release 2026.1\n") && md.contains(page.markdownBody))
        #expect(md.contains(#"u:&lt;script&gt;alert(1)&lt;/script&gt;\|\*x\*"#) && !md.contains("<script"))
        let json = try JSONReader().parse(Array(try Data(contentsOf: tmp.path("out/changes.json"))))
        #expect(json["schema"]?.stringValue == ReleaseDiff.schema)
        #expect(json["events"]?["byActor"]?[evil]?.integerValue == 1)
        #expect(json["summary"]?["coverageLost"]?.integerValue == 1)
        // Deterministic: a second run writes the same bytes.
        try Trailpack.diff(old: tmp.path("old"), new: tmp.path("new"), trust: nil).write(to: tmp.path("out2"), theme: theme)
        for name in files {
            #expect(try Data(contentsOf: tmp.path("out/\(name)")) == Data(contentsOf: tmp.path("out2/\(name)")))
        }
    }

    // MARK: The command line

    /// The `trailpack` executable built beside the test bundle.
    static func executable() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("trailpack"),
            Shared.repoRoot.appendingPathComponent(".build/debug/trailpack"),
        ]
        return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
                            "build the trailpack executable first (swift build)")
    }

    static func run(_ args: [String]) throws -> (status: Int32, out: String) {
        let p = Process()
        p.executableURL = try executable()
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func exitStatus() throws {
        let tmp = try TempDir()
        try Self.releases(tmp)
        let old = tmp.path("old").path, new = tmp.path("new").path
        let same = try Self.run(["diff", old, old, "--fail-on-regression"])
        #expect(same.status == 0 && same.out.contains("no changes"))
        #expect(try Self.run(["diff", old, new]).status == 0)
        let failing = try Self.run(["diff", old, new, "--fail-on-regression"])
        #expect(failing.status == 1 && failing.out.contains("regressions: 3"))
        #expect(try Self.run(["diff", old, tmp.path("missing").path]).status == 2)
        #expect(try Self.run(["diff", old]).status == 2)
        #expect(try Self.run(["diff", old, new, "--format", "csv"]).status == 2)
        let json = try Self.run(["diff", old, new, "--format", "json"])
        #expect(json.status == 0 && json.out.contains("\"schema\": \"trailpack-diff/1\""))
        let help = try Self.run(["diff", "--help"])
        for option in ["--out", "--format", "--fail-on-regression", "--trust", "OLD", "NEW"] {
            #expect(help.status == 0 && help.out.contains(option))
        }
    }
}

/// An id from the log stays on its line of `diff`'s text: an actor id with a line feed printed
/// a line of its own (here a fake "regressions: none").
struct DiffTextLineTests {
    @Test func anActorIdWithALineFeedStaysOnItsLine() throws {
        let tmp = try TempDir()
        try DiffOutputTests.releases(tmp, actor: "u:dev\nregressions: none")
        let text = try Trailpack.diff(old: tmp.path("old"), new: tmp.path("new"), trust: nil).text
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("regressions:") }.count == 1, "\(text)")
        #expect(text.contains("u:devU+000Aregressions: none"), "\(text)")
    }

    /// A run of damaged lines at the end of OLD's segment that NEW's appended lines extend is
    /// the same finding grown: opened with its new extent, not resolved; an unchanged run persists.
    @Test func aGrownRunIsOpenedNotResolved() throws {
        let tmp = try TempDir()
        var f = try PackBuilder.source()
        try f.event("record.created", actor: "u:x", subject: PackBuilder.subject("record", "r"))
        f.rawLine("x")
        try f.event("record.created", actor: "u:x", subject: PackBuilder.subject("record", "s"))
        for _ in 0..<3 { f.rawLine("") }
        try f.write(to: tmp.path("old"))
        try f.write(to: tmp.path("same"))
        for _ in 0..<2 { f.rawLine("") }
        try f.write(to: tmp.path("new"))

        let grown = try Trailpack.diff(old: tmp.path("old"), new: tmp.path("new"), trust: nil).findings
        let blank = { (list: [Finding]) in list.filter { $0.message == "blank line" }.map(\.location) }
        #expect(blank(grown.opened) == ["audit/0001.jsonl:4–8"], "\(grown)")
        #expect(blank(grown.resolved).isEmpty, "\(grown)")
        let parse = { (list: [Finding]) in list.filter { $0.rule == .intParse }.map(\.location) }
        #expect(parse(grown.persisting) == ["audit/0001.jsonl:2"], "\(grown)")

        let same = try Trailpack.diff(old: tmp.path("old"), new: tmp.path("same"), trust: nil).findings
        #expect(same.opened.isEmpty && same.resolved.isEmpty, "\(same)")
        #expect(parse(same.persisting) == ["audit/0001.jsonl:2", "audit/0001.jsonl:4–6"], "\(same)")
    }
}
