import Foundation
import Testing
@testable import TrailpackCore

/// `trailpack diff --out DIR --dry-run`: everything compared and rendered, DIR checked as the
/// real write checks it, and nothing written, not even a temporary folder beside DIR.
struct DiffDryRunTests {
    @Test func aDryRunRendersAndChecksButWritesNothing() throws {
        let tmp = try TempDir()
        try DiffOutputTests.releases(tmp)
        let d = try Trailpack.diff(old: tmp.path("old"), new: tmp.path("new"), trust: nil)
        let theme = try SiteBuilding.theme()
        let before = TreeListing.of(tmp.url)
        // A new folder (and its parent) and an existing one, replaced as a whole by the real run.
        #expect(try d.write(to: tmp.path("reports/changes"), theme: theme, dryRun: true) == ["changes.html", "changes.json", "changes.md"])
        #expect(TreeListing.of(tmp.url) == before)
        #expect(try SiteWriter.check(target: tmp.path("reports/changes"), marks: ReleaseDiff.outputMarks) == [tmp.path("reports").path])
        // An earlier report is replaced as a whole; one holding a file someone added to it is
        // not (the probe lost a file that way): nothing is written, and the file stays.
        try tmp.write("out/changes.json", "{}")
        try tmp.write("out/changes.html", "the previous report")
        try tmp.write("out/old.txt", "added later")
        let withOut = TreeListing.of(tmp.url)
        for dryRun in [true, false] {
            #expect(throws: SiteWriterError.holdsOtherFiles(tmp.path("out").path, entry: "old.txt")) {
                try d.write(to: tmp.path("out"), theme: theme, dryRun: dryRun)
            }
            #expect(TreeListing.of(tmp.url) == withOut)
        }
        try FileManager.default.removeItem(at: tmp.path("out/old.txt"))
        #expect(try d.write(to: tmp.path("out"), theme: theme, dryRun: true) == ["changes.html", "changes.json", "changes.md"])
        #expect(try d.write(to: tmp.path("out"), theme: theme) == ["changes.html", "changes.json", "changes.md"])
        #expect(Set(TreeListing.of(tmp.path("out")).keys) == ["changes.html", "changes.json", "changes.md"])
        // A second run replaces the first one's three files.
        #expect(try d.write(to: tmp.path("out"), theme: theme) == ["changes.html", "changes.json", "changes.md"])
    }

    /// The real write's refusals, made by the dry run with the same error; nothing written.
    @Test(arguments: ["DIR is a file", "a file on the way", "DIR is a link", "DIR is /", "DIR holds other files"])
    func aDryRunRefusesWhatTheWriteRefuses(_ situation: String) throws {
        let tmp = try TempDir()
        try DiffOutputTests.releases(tmp)
        let d = try Trailpack.diff(old: tmp.path("old"), new: tmp.path("new"), trust: nil)
        let theme = try SiteBuilding.theme()
        var out = tmp.path("out")
        switch situation {
        case "DIR is a file": try tmp.write("out", "a file")
        case "a file on the way":
            try tmp.write("file", "a file")
            out = tmp.path("file/sub/out")
        case "DIR is a link":
            try FileManager.default.createDirectory(at: tmp.path("elsewhere"), withIntermediateDirectories: false)
            try FileManager.default.createSymbolicLink(at: out, withDestinationURL: tmp.path("elsewhere"))
        case "DIR holds other files": try tmp.write("out/thesis.txt", "not a report")
        default: out = URL(fileURLWithPath: "/")
        }
        let before = TreeListing.of(tmp.url)
        let dry = #expect(throws: SiteWriterError.self) { try d.write(to: out, theme: theme, dryRun: true) }
        #expect(TreeListing.of(tmp.url) == before)
        let real = #expect(throws: SiteWriterError.self) { try d.write(to: out, theme: theme) }
        if situation == "a file on the way" {
            // Foundation's errno for the failed folder creation varies; the kind of error and the path do not.
            guard case .io(let op, let path, _)? = dry, case .io(op, path, _)? = real else {
                Issue.record("\(String(describing: dry)) vs \(String(describing: real))")
                return
            }
        } else {
            #expect(dry != nil && dry == real, "\(String(describing: dry)) vs \(String(describing: real))")
        }
        #expect(TreeListing.of(tmp.url) == before)
    }

    @Test func commandLine() throws {
        let tmp = try TempDir()
        try DiffOutputTests.releases(tmp)
        let old = tmp.path("old").path, new = tmp.path("new").path, out = tmp.path("report").path
        let before = TreeListing.of(tmp.url)
        let plain = try TrailpackBinary.run(["diff", old, new, "--format", "json"])
        let dry = try TrailpackBinary.run(["diff", old, new, "--format", "json", "--out", out, "--dry-run"])
        #expect(dry.status == 0 && dry.stdout == plain.stdout && !dry.stdout.isEmpty)
        #expect(dry.stderr == "trailpack: would write \(out)/changes.html, \(out)/changes.json, \(out)/changes.md "
                + "(\(out) replaced as a whole); dry run: nothing written\n", "\(dry.stderr)")
        // The exit status is the real command's: 1 for a regression with --fail-on-regression.
        let failing = try TrailpackBinary.run(["diff", old, new, "--out", out, "--dry-run", "--fail-on-regression"])
        #expect(failing.status == 1 && failing.stdout.contains("regressions: 3"))
        #expect(TreeListing.of(tmp.url) == before)
        // --dry-run without --out: a usage error, since diff then writes nothing.
        let alone = try TrailpackBinary.run(["diff", old, new, "--dry-run"])
        #expect(alone.status == 2 && alone.stdout.isEmpty && alone.stderr.contains("--dry-run applies to --out DIR"), "\(alone.stderr)")
        // A refused DIR: exit 2 with the real command's message.
        try tmp.write("file", "a file")
        let listing = TreeListing.of(tmp.url)
        let refusedDry = try TrailpackBinary.run(["diff", old, new, "--out", tmp.path("file").path, "--dry-run"])
        let refused = try TrailpackBinary.run(["diff", old, new, "--out", tmp.path("file").path])
        #expect(refusedDry.status == 2 && refused.status == 2 && refusedDry.stderr == refused.stderr && refused.stderr.contains("is not a folder"))
        #expect(TreeListing.of(tmp.url) == listing)
        // The real run writes the files the dry run named.
        let real = try TrailpackBinary.run(["diff", old, new, "--out", out])
        #expect(real.status == 0 && Set(TreeListing.of(tmp.path("report")).keys) == ["changes.html", "changes.json", "changes.md"])
        let help = try TrailpackBinary.run(["diff", "--help"])
        #expect(help.stdout.contains("[--out DIR [--dry-run]]") && help.stdout.contains("  --dry-run "))
    }
}
