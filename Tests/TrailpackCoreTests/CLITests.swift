import Foundation
import Testing
@testable import TrailpackCore

/// The executable's contract: --help and --version, exit codes 0/1/2, JSON output, errors on stderr.
struct CLITests {
    @Test func helpAndVersion() throws {
        let top = try TrailpackBinary.run(["--help"])
        #expect(top.status == 0 && top.stdout.contains("verify") && top.stdout.contains("Exit status"))
        #expect(try TrailpackBinary.run(["--version"]).stdout.hasPrefix("trailpack \(Trailpack.version)"))
        for command in ["verify", "record", "checkpoint", "keygen", "demo", "rules"] {
            let h = try TrailpackBinary.run([command, "--help"])
            #expect(h.status == 0 && h.stdout.contains("Usage: trailpack \(command)"), "\(command)")
        }
    }

    @Test func verifyExitCodes() throws {
        var p = try PackBuilder.compliant()
        try p.write()
        let clean = try TrailpackBinary.run(["verify", p.url.path])
        #expect(clean.status == 0 && clean.stdout.contains("findings: 0 critical, 0 major, 0 minor"))
        // A minor finding fails only with --fail-on minor.
        p.events.removeAll { $0["action"]?.stringValue == "explanation.generated" }
        try p.write()
        #expect(try TrailpackBinary.run(["verify", p.url.path]).status == 0)
        let minor = try TrailpackBinary.run(["verify", p.url.path, "--fail-on", "minor", "--format", "json"])
        #expect(minor.status == 1)
        let json = try JSONReader().parse(Array(minor.stdout.utf8))
        #expect(json["findings"]?.arrayValue?.first?["rule"]?.stringValue == "REL-XAI")
        #expect(json["treeSize"]?.integerValue == 11)
        #expect(json["eventsAfterLastCheckpoint"]?.integerValue == 11)
        // Usage errors and unreadable sources exit 2 with a message on stderr only.
        let bad = try TrailpackBinary.run(["verify", p.url.path, "--fail-on", "severe"])
        #expect(bad.status == 2 && bad.stderr.contains("--fail-on must be critical, major or minor") && bad.stdout.isEmpty)
        let missing = try TrailpackBinary.run(["verify", p.url.path + "/nope"])
        #expect(missing.status == 2 && missing.stderr.hasPrefix("trailpack: ") && missing.stdout.isEmpty)
        #expect(try TrailpackBinary.run(["verify"]).status == 2)
        #expect(try TrailpackBinary.run(["frobnicate"]).status == 2)
    }

    @Test func rulesDocumentMatches() throws {
        let out = try TrailpackBinary.run(["rules", "--format", "markdown"])
        #expect(out.status == 0 && out.stdout == RuleCatalog.markdown)
    }
}

/// Usage slips are exit 2 with a message, never silently resolved: an option given twice (the
/// last no longer wins), extra words after `--version`.
struct UsageSlipTests {
    @Test(.enabled(if: BuildCommandTests.executable != nil))
    func slipsAreExit2() throws {
        let f = try CheckpointCommandTests.fixture(events: 1)
        let cases: [([String], String)] = [
            (["verify", f.url.path, "--format", "json", "--format", "text"], "--format was given twice; give it once"),
            (["verify", f.url.path, "--fail-on=minor", "--fail-on", "major"], "--fail-on was given twice; give it once"),
            (["--version", "--bogus"], "--version takes nothing else"),
            // An option of the command where a value should be: never taken as the value (the
            // dry run would have become a write).
            (["export", f.url.path, "--out", "--dry-run"], "--out needs a value; --dry-run is an option"),
            (["import", "git", f.url.path, "--repo", f.url.path, "--model", "--dry-run"], "--model needs a value; --dry-run is an option"),
            (["verify", f.url.path, "--fail-on", "--format=json"], "--fail-on needs a value; --format is an option"),
        ]
        for (args, message) in cases {
            let r = try BuildCommandTests.run(args)
            #expect(r.status == 2 && r.stdout.isEmpty, "\(args): \(r.status) \(r.stdout)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
        #expect(try BuildCommandTests.run(["--version"]).status == 0)
        // Nothing was written by the slips: no ./--dry-run folder, no event appended.
        #expect(!FileManager.default.fileExists(atPath: "--dry-run"))
    }
}
