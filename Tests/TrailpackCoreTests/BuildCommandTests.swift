import Foundation
import Testing
@testable import TrailpackCore

/// `trailpack build` as a user runs it: the executable built beside the tests, its exit status,
/// its output streams, and what it leaves on disk.
@Suite("trailpack build (command line)")
struct BuildCommandTests {
    /// The `trailpack` executable in the test bundle's build folder, if it was built.
    static let executable: String? = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [dir, dir.deletingLastPathComponent()].map { $0.appendingPathComponent("trailpack").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String]) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable ?? "/nonexistent")
        p.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    @Test(.enabled(if: executable != nil))
    func exitStatusFollowsFailOnAndTheSiteIsBuiltEitherWay() throws {
        var f = try PackBuilder.sample()
        let site = f.dir.path("site").path
        let ok = try Self.run(["build", f.url.path, "--out", site, "--page-size", "7"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.hasPrefix("built \(site): "))
        #expect(ok.stderr.isEmpty)  // no progress when stderr is not a terminal
        #expect(FileManager.default.fileExists(atPath: site + "/audit/page-0003.html"))
        // A modification without reason (AT-REASON, major) and without changes (AT-CHANGES, major).
        try f.event("record.modified", actor: "u:x", subject: PackBuilder.subject("record", "r"))
        try f.write()
        let failing = try Self.run(["build", f.url.path, "--out", site])
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("0 critical, 2 major"))
        #expect(SiteChecks.text(f.dir.path("site"), "findings.html").contains("AT-REASON"))
        #expect(try Self.run(["build", f.url.path, "--out", site, "--fail-on", "critical"]).status == 0)
    }

    /// `--out` over a folder that holds other files (a home folder, `.`, a thesis) used to replace
    /// it with the site, deleting everything in it, the pack source included when it lay inside.
    @Test(.enabled(if: executable != nil))
    func aFolderThatIsNotASiteIsNeverReplaced() throws {
        let f = try PackBuilder.sample()
        let outside = try TempDir()
        let work = outside.path("work")
        try outside.write("work/thesis.txt", "precious")
        // The pack source itself inside the output folder.
        try FileManager.default.copyItem(at: f.url, to: work.appendingPathComponent("pack"))
        let before = TreeListing.of(outside.url)
        for dryRun in [false, true] {
            let r = try Self.run(["build", work.appendingPathComponent("pack").path, "--out", work.path] + (dryRun ? ["--dry-run"] : []))
            #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("\(work.path)\" is a folder that holds files and is not an earlier output of trailpack (it has no SHA256SUMS and report.json)"), "\(r.stderr)")
            #expect(r.stderr.contains("nothing was written"))
            #expect(TreeListing.of(outside.url) == before)
        }
        // An empty folder is built into, and the site then replaced by the next build.
        let empty = outside.path("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: false)
        #expect(try Self.run(["build", f.url.path, "--out", empty.path]).status == 0)
        try outside.write("empty/stray.txt", "left in the site")
        #expect(try Self.run(["build", f.url.path, "--out", empty.path, "--clean"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: empty.appendingPathComponent("stray.txt").path))
    }

    @Test(.enabled(if: executable != nil))
    func incrementalBuildsSayWhatTheyKeptAndCleanRendersAll() throws {
        var f = try PackBuilder.sample()
        let site = f.dir.path("site").path
        #expect(try Self.run(["build", f.url.path, "--out", site, "--page-size", "4"]).status == 0)
        let again = try Self.run(["build", f.url.path, "--out", site, "--page-size", "4"])
        #expect(again.status == 0 && again.stderr.isEmpty, "\(again.stderr)")
        let counted = SiteChecks.captures(#"(kept \d+ of \d+) pages of events"#, in: again.stdout)
        #expect(counted.count == 1 && counted.first.map { $0.split(separator: " ")[1] == $0.split(separator: " ")[3] } == true, "\(again.stdout)")
        // --dry-run builds everything and writes nothing, not even a temporary folder.
        let before = try SiteBuilding.snapshot(f.dir.path("site"))
        let dry = try Self.run(["build", f.url.path, "--out", site, "--page-size", "3", "--dry-run"])
        #expect(dry.status == 0 && dry.stdout.hasPrefix("would build \(site): ") && !dry.stdout.contains("keep"), "\(dry.stdout)")
        let dryKeep = try Self.run(["build", f.url.path, "--out", site, "--page-size", "4", "--dry-run"])
        #expect(dryKeep.stdout.contains("; would keep "), "\(dryKeep.stdout)")
        #expect(try SiteBuilding.snapshot(f.dir.path("site")) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.dir.url.path).allSatisfy { !$0.contains("trailpack-tmp") })
        // Into a folder whose parents do not exist yet: not even they are created.
        let listed = TreeListing.of(f.dir.url)
        let deep = f.dir.path("new/deeper/site").path
        let dryDeep = try Self.run(["build", f.url.path, "--out", deep, "--page-size", "4", "--dry-run"])
        #expect(dryDeep.status == 0 && dryDeep.stdout.hasPrefix("would build \(deep): "), "\(dryDeep.stdout)\(dryDeep.stderr)")
        #expect(TreeListing.of(f.dir.url) == listed)
        let clean = try Self.run(["build", f.url.path, "--out", site, "--page-size", "4", "--clean"])
        #expect(clean.status == 0 && !clean.stdout.contains("kept") && clean.stderr.isEmpty, "\(clean.stderr)")
        // Another page size: every key differs, nothing is kept, and nothing needs saying.
        let resized = try Self.run(["build", f.url.path, "--out", site, "--page-size", "5"])
        #expect(resized.status == 0 && !resized.stdout.contains("kept") && resized.stderr.isEmpty)
        // A site of another pack at DIR: its history is not this log's.
        try f.event("record.created", actor: "u:x", subject: PackBuilder.subject("record", "r"))
        try f.write()
        let other = try PackBuilder.sample(hostile: true)
        let rewritten = try Self.run(["build", other.url.path, "--out", site, "--page-size", "5"])
        #expect(rewritten.stderr.contains("note: full build: ") && rewritten.stderr.contains("history was rewritten"), "\(rewritten.stderr)")
        // A page of the published site edited by hand: exit 2, nothing written.
        let page = site + "/audit/page-0001.html"
        try Data("forged".utf8).write(to: URL(fileURLWithPath: page))
        let refused = try Self.run(["build", other.url.path, "--out", site, "--page-size", "5"])
        #expect(refused.status == 2 && refused.stderr.contains("audit/page-0001.html") && refused.stderr.contains("--clean"), "\(refused.stderr)")
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: page)), as: UTF8.self) == "forged")
    }

    @Test(.enabled(if: executable != nil))
    func refusalsExitTwoAndLeaveThePreviousSite() throws {
        let f = try PackBuilder.sample()
        let site = f.dir.path("site")
        #expect(try Self.run(["build", f.url.path, "--out", site.path]).status == 0)
        let before = try SiteBuilding.snapshot(site)
        try f.dir.write("bad/index.html.mustache", "{{#unclosed}}")
        let bad = try Self.run(["build", f.url.path, "--out", site.path, "--templates", f.dir.path("bad").path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("index.html.mustache:1:1: unclosed section 'unclosed'"), "\(bad.stderr)")
        for args in [["--page-size", "0"], ["--fail-on", "severe"], ["--templates", f.dir.path("none").path], ["--bogus"]] {
            #expect(try Self.run(["build", f.url.path, "--out", site.path] + args).status == 2, "\(args)")
        }
        #expect(try SiteBuilding.snapshot(site) == before)
        try f.dir.write("trailpack.json", "{")
        let unreadable = try Self.run(["build", f.url.path, "--out", f.dir.path("other").path])
        #expect(unreadable.status == 2)
        #expect(unreadable.stderr.contains("trailpack.json"))
        #expect(!FileManager.default.fileExists(atPath: f.dir.path("other").path))
    }

    @Test(.enabled(if: executable != nil))
    func helpNamesTheOptionsAndTheThemeLocations() throws {
        let help = try Self.run(["build", "--help"])
        #expect(help.status == 0)
        for word in ["--out", "--templates", "--page-size", "--fail-on", "--trust", "share/trailpack/templates"] {
            #expect(help.stdout.contains(word), "\(word)")
        }
        #expect(try Self.run(["--help"]).stdout.contains("  build "))
    }
}

/// What the log says reaches a terminal only as text: an insider's id, action or reason with an
/// escape sequence (erase the line above, recolour), a CR or a line break could hide or forge
/// lines of `verify`'s report. Before, they were written raw.
@Suite("trailpack verify (terminal output)")
struct TerminalOutputTests {
    @Test(.enabled(if: BuildCommandTests.executable != nil))
    func controlCharactersFromTheLogAreShownAsText() throws {
        var f = try PackBuilder.sample()
        // AT-REASON and AT-CHANGES quote the action; the reason-less modification is by an actor
        // whose id and whose action carry escape sequences, a CR and a line feed.
        let erase = "\u{1B}[1A\u{1B}[2K"
        try f.event("x\(erase)\r\nfindings: 0 critical.modified", actor: "u:mallory\(erase)", subject: PackBuilder.subject("record", "r\u{1B}[8m"))
        try f.write()
        let text = try BuildCommandTests.run(["verify", f.url.path])
        #expect(text.status == 1)
        #expect(!text.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }, "\(text.stdout.debugDescription)")
        #expect(text.stdout.contains("xU+001B[1AU+001B[2KU+000DU+000Afindings: 0 critical.modified without a reason"))
        #expect(!text.stderr.contains("\u{1B}"))
        // JSON keeps the data as it is (its strings escape controls themselves).
        let json = try BuildCommandTests.run(["verify", f.url.path, "--format", "json"])
        let value = try JSONReader().parse(Array(json.stdout.utf8))
        let messages = value["findings"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
        #expect(messages.contains("x\(erase)\r\nfindings: 0 critical.modified without a reason"))
        #expect(!json.stdout.contains("\u{1B}"))
    }

    /// A key file whose name holds a line feed could print a line of its own (a fake summary);
    /// the name stays on the line of its finding.
    @Test func aKeyFileNameCannotStartALineOfTheReport() throws {
        let f = try PackBuilder.sample()
        let keys = f.url.appendingPathComponent("keys")
        let first = try #require(try FileManager.default.contentsOfDirectory(atPath: keys.path).filter { $0.hasSuffix(".pem") }.sorted().first)
        let fake = "zz\nfindings: 0 critical, 0 major, 0 minor\nkey"
        try FileManager.default.copyItem(at: keys.appendingPathComponent(first), to: keys.appendingPathComponent(fake + ".pem"))
        let text = try Trailpack.verify(source: f.url.path, trust: nil).text
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("findings:") }.count == 1, "\(text)")
        #expect(text.contains("keys/zzU+000Afindings: 0 critical, 0 major, 0 minorU+000Akey.pem: critical: [SIG-KEY]"), "\(text)")
    }
}

/// A binary copied on its own has no default theme beside it; `--templates DIR` with a complete
/// theme then builds (the probe found the message asking for --templates while a complete
/// theme given that way still failed). A partial theme still names what it lacks.
struct ThemeWithoutInstallTests {
    @Test(.enabled(if: TrailpackBinary.url != nil))
    func aCompleteThemeGivenWithTemplatesServesABinaryCopiedAlone() throws {
        let tmp = try TempDir()
        let bin = tmp.path("bin/trailpack")
        try FileManager.default.createDirectory(at: tmp.path("bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: try #require(TrailpackBinary.url), to: bin)
        let f = try PackBuilder.compliant()
        try f.write()
        func run(_ args: [String]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = bin
            p.arguments = args
            let err = Pipe()
            p.standardError = err
            p.standardOutput = Pipe()
            try p.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return (p.terminationStatus, text)
        }
        let (bare, message) = try run(["build", f.url.path, "--out", tmp.path("site0").path])
        #expect(bare == 2 && message.contains("pass --templates DIR with a complete theme"), "\(message)")
        let templates = Shared.repoRoot.appendingPathComponent("templates").path
        let (status, err) = try run(["build", f.url.path, "--out", tmp.path("site").path, "--templates", templates])
        #expect(status == 0, "\(err)")
        #expect(FileManager.default.fileExists(atPath: tmp.path("site/index.html").path))
        let (again, _) = try run(["verify", tmp.path("site").path, "--rebuild", "--templates", templates])
        #expect(again == 0)
    }
}
