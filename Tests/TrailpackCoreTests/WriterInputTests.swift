import Foundation
import Testing
@testable import TrailpackCore

/// What the writing commands (`record`, `checkpoint`, `import`) do with odd inputs around the
/// log: dry runs that must leave no file behind, a `checkpoints/` that is a link or a file, key
/// files that are not keys, and standard input that cannot be read.
struct WriterInputTests {
    static let openLineageSample = Shared.url("samples/openlineage/openlineage_events.jsonl").path

    /// A pack with key `log`, three recorded events and no `audit/.lock`, as a pack copied from
    /// elsewhere has (the lock file is made by the first writer).
    static func packWithoutLockFile() throws -> PackBuilder {
        let f = try CheckpointCommandTests.fixture(events: 3)
        try FileManager.default.removeItem(at: f.url.appendingPathComponent("audit/.lock"))
        return f
    }

    @Test func dryRunsLeaveNoLockFile() throws {
        let f = try Self.packWithoutLockFile()
        let before = f.snapshot()
        _ = try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil, dryRun: true)
        let input = Array(jsonl([ev("e9", time: "2026-03-01T11:00:00Z")]).utf8)
        let record = try Trailpack.record(source: f.url.path, input: input, inputName: "<input>", signKey: nil, dryRun: true)
        #expect(record.appended == 1)
        let lineage = try Trailpack.importOpenLineage(source: f.url.path, paths: [Self.openLineageSample], dryRun: true)
        #expect(!lineage.events.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: f.url.appendingPathComponent("audit/.lock").path))
        #expect(f.snapshot() == before)
    }

    @Test(arguments: ["link", "file"])
    func aCheckpointsFolderThatIsALinkOrAFileIsRefused(_ kind: String) throws {
        let f = try CheckpointCommandTests.fixture(events: 3)
        let outside = try TempDir()
        let folder = f.url.appendingPathComponent("checkpoints")
        if kind == "link" {
            try FileManager.default.createSymbolicLink(at: folder, withDestinationURL: outside.url)
        } else {
            try Data("x".utf8).write(to: folder)
        }
        let before = f.snapshot()
        for dryRun in [true, false] {
            do {
                _ = try Trailpack.checkpoint(source: f.url.path, keyFile: f.privateKey("log"), name: nil, dryRun: dryRun)
                Issue.record("not refused (dry run: \(dryRun))")
            } catch let e as RecordError {
                let m = e.localizedDescription
                #expect(m.hasPrefix(folder.path + ": cannot write the checkpoint there: "), "\(m)")
                #expect(m.contains(kind == "link" ? "it is a symbolic link" : "it is not a folder"), "\(m)")
                #expect(m.hasSuffix("; nothing was written"), "\(m)")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.url.path).isEmpty)
        #expect(f.snapshot() == before)
    }

    /// A key file that is not a key names the option that gave it: `--key` for checkpoint,
    /// `--sign-key` for record.
    @Test func aKeyFileThatIsNotAKeyNamesItsOption() throws {
        let f = try CheckpointCommandTests.fixture(events: 1)
        for (path, kind) in [("/dev/null", "a named pipe, socket or device"), (f.dir.url.path, "folder")] {
            do {
                _ = try Trailpack.checkpoint(source: f.url.path, keyFile: path, name: "log")
                Issue.record("\(path) accepted as a key")
            } catch let e as RecordError {
                let m = e.localizedDescription
                #expect(m.hasPrefix("\(path): cannot use the private key: "), "\(m)")
                #expect(m.contains("give --key the private key file that keygen wrote") && !m.contains("--sign-key"), "\(m)")
                #expect(m.contains(kind), "\(m)")
            }
        }
        let signed = "{\"id\": \"s1\", \"time\": \"2026-03-01T10:30:00Z\", \"actor\": {\"id\": \"u:dev\"}, \"action\": \"code.changed\", "
            + "\"subject\": {\"type\": \"code\", \"id\": \"repo\"}, \"signature\": {\"signer\": \"u:dev\", \"key\": \"log\", \"meaning\": \"approval\", \"alg\": \"ed25519\"}}"
        do {
            _ = try Trailpack.record(source: f.url.path, input: Array(signed.utf8), inputName: "<input>", signKey: "/dev/null")
            Issue.record("/dev/null accepted as a key")
        } catch let e as RecordError {
            #expect(e.localizedDescription.contains("give --sign-key the private key file that keygen wrote"), "\(e.localizedDescription)")
        }
    }

    /// `record` reading standard input that is a folder, or closed: exit 2 naming `<stdin>`,
    /// never a trap (Foundation's `readDataToEndOfFile` traps on both).
    @Test(.enabled(if: BuildCommandTests.executable != nil), arguments: ["folder", "closed"])
    func standardInputThatCannotBeReadIsExit2(_ kind: String) throws {
        let f = try CheckpointCommandTests.fixture(events: 1)
        let before = f.snapshot()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: BuildCommandTests.executable ?? "/nonexistent")
        p.arguments = ["record", f.url.path]
        if kind == "folder" {
            p.standardInput = FileHandle(fileDescriptor: open(f.dir.url.path, O_RDONLY | O_DIRECTORY), closeOnDealloc: true)
        } else {
            // A descriptor closed before the child starts: its standard input is then closed too.
            let pipe = Pipe()
            p.standardInput = pipe
            try pipe.fileHandleForReading.close()
        }
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        if kind == "closed" {
            // Foundation cannot start a process with a closed handle; run it through the shell instead.
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "exec \"$0\" record \"$1\" <&-", BuildCommandTests.executable ?? "/nonexistent", f.url.path]
            p.standardInput = FileHandle.nullDevice
        }
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 2, "\(message)")
        #expect(message.contains("<stdin>") && !message.contains("Fatal error"), "\(message)")
        #expect(f.snapshot() == before)
    }

    /// `export --out`, `diff --out` and `pdf --out` are refused inside a folder a site's
    /// evidence copies (or, for pdf, inside the site it prints), as `build --out` is.
    @Test func outputsInsideTheSourceOrSiteAreRefused() throws {
        let f = try CheckpointCommandTests.fixture(events: 2)
        let before = f.snapshot()
        let inAudit = f.url.appendingPathComponent("audit/x").path
        #expect(throws: BuildError.outputInsideSource(inAudit, "audit/")) {
            try Trailpack.export(source: f.url.path, out: inAudit, dryRun: false)
        }
        let inDocs = f.url.appendingPathComponent("docs/changes").path
        #expect(throws: BuildError.outputInsideSource(inDocs, "docs/")) {
            try Trailpack.checkOutput(inDocs, sources: [f.url.path])
        }
        #expect(f.snapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: inAudit) && !FileManager.default.fileExists(atPath: inDocs))

        // The command line: diff --out into the source's docs/ is exit 2, nothing written.
        let cli = try DiffOutputTests.run(["diff", f.url.path, f.url.path, "--out", inDocs])
        #expect(cli.status == 2)
        #expect(!FileManager.default.fileExists(atPath: inDocs))

        // pdf --out inside the site it prints.
        let site = try TempDir()
        do {
            try PDFExport.checkOutput(site.path("inspection.pdf").path, site: site.url.path)
            Issue.record("a PDF inside the site was accepted")
        } catch {
            #expect(error.localizedDescription.contains("lies inside the site"), "\(error.localizedDescription)")
        }
        try PDFExport.checkOutput(f.outside.path("inspection.pdf").path, site: site.url.path)
    }

    /// Paths of the wrong kind and empty values are named as what they are (exit 2).
    @Test(.enabled(if: BuildCommandTests.executable != nil))
    func wrongKindsOfPathSayWhatTheyAre() throws {
        let f = try CheckpointCommandTests.fixture(events: 1)
        let file = f.url.appendingPathComponent("trailpack.json").path
        let cases: [([String], String)] = [
            (["checkpoint", file, "--key", f.privateKey("log")], "\(file): not a folder; give the path of the pack source folder"),
            (["verify", file], "\(file): not a folder; give the path of the pack source folder"),
            (["export", f.url.path, "--out", file], "\(file): not a folder; give --out a new or empty folder"),
            (["keygen", "k", "--out", ""], "--out needs a value; it was given an empty one"),
            (["keygen", "k", "--out="], "--out needs a value; it was given an empty one"),
        ]
        for (args, message) in cases {
            let r = try BuildCommandTests.run(args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }
}
