import Dispatch
import Foundation
import Testing
@testable import TrailpackCore

/// Bad input gets a clear message naming the place (an error, exit 2) or a finding; never a
/// crash or a hang.
struct BadInputTests {
    static func compliantSource() throws -> PackBuilder {
        let p = try PackBuilder.compliant()
        try p.write()
        return p
    }

    static func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return error.localizedDescription }
        return nil
    }

    @Test func missingFolder() {
        let m = Self.message { _ = try Trailpack.verify(source: "/nonexistent/pack", trust: nil) }
        #expect(m?.contains("/nonexistent/pack: no such folder") == true)
    }

    @Test func missingAuditFolder() throws {
        let p = try Self.compliantSource()
        try FileManager.default.removeItem(at: p.url.appendingPathComponent("audit"))
        let m = Self.message { _ = try Trailpack.verify(source: p.url.path, trust: nil) }
        #expect(m?.contains("no audit/ folder") == true)
    }

    /// What may sit in audit/ under a segment's name instead of a file: each is refused by name
    /// before anything is read (a FIFO used to hang verify; a link out of the pack was verified
    /// but left out of the evidence), by every command that reads or appends.
    enum NotASegment: String, CaseIterable { case folder, fifo, linkOutside, danglingLink, linkInside }

    @Test(arguments: NotASegment.allCases)
    func segmentThatIsNotAFile(_ kind: NotASegment) throws {
        let p = try Self.compliantSource()
        let seg = p.url.appendingPathComponent("audit/0002.jsonl").path
        let outside = try TempDir()
        try outside.write("passwd", "root:x:0:0\n")
        switch kind {
        case .folder: #expect(mkdir(seg, 0o755) == 0)
        case .fifo: #expect(mkfifo(seg, 0o644) == 0)
        case .linkOutside: #expect(symlink(outside.url.appendingPathComponent("passwd").path, seg) == 0)
        case .danglingLink: #expect(symlink("nowhere.jsonl", seg) == 0)
        case .linkInside:
            // A link to a file inside the pack is read (and copied into the evidence) like the file.
            try p.dir.write("docs/empty.jsonl", "")
            #expect(symlink("../docs/empty.jsonl", seg) == 0)
        }
        let expected: String? = switch kind {
        case .folder: "audit/0002.jsonl: a folder, not a segment"
        case .fifo: "audit/0002.jsonl: a named pipe (FIFO), not a segment"
        case .linkOutside, .danglingLink: "audit/0002.jsonl: a symbolic link that does not lead to a file inside the pack source, not a segment"
        case .linkInside: nil
        }
        let m = Self.message { _ = try Trailpack.verify(source: p.url.path, trust: nil) }
        guard let expected else {
            #expect(m == nil, "\(m ?? "")")
            return
        }
        #expect(m?.contains(expected) == true, "\(m ?? "no error")")
        do {
            #expect(m?.contains("Fix: move it out of audit/") == true)
            #expect(m?.contains("root:x") == false)
            let r = Self.message { _ = try Trailpack.record(source: p.url.path, input: Array(jsonl([ev("x")]).utf8), inputName: "<input>", signKey: nil) }
            #expect(r?.contains(expected) == true, "\(r ?? "no error")")
        }
    }

    @Test func emptyStore() throws {
        let p = try Self.compliantSource()
        try Data().write(to: p.url.appendingPathComponent("audit/0001.jsonl"))
        let m = Self.message { _ = try Trailpack.verify(source: p.url.path, trust: nil) }
        #expect(m?.contains("holds no events") == true)
    }

    @Test("malformed trailpack.json", arguments: [
        ("{\"title\": \"t\", \"origin\": \"o\", \"release\": {\"name\": \"r\", \"models\": {}}, \"polcy\": {}}", "trailpack.json:1:71: unknown key \"polcy\""),
        ("{\"title\": \"t\", \"origin\": \"o\",\n \"release\": {\"name\": \"r\", \"models\": {}},\n \"policy\": {\"capaDueDays\": \"30\"}}", "trailpack.json:3:13: \"capaDueDays\" must be a whole number from 1 to 36500 (days), found string"),
        ("{\"title\": \"t\", \"origin\": \"o\"", "trailpack.json:1:29: invalid JSON"),
        ("{\"title\": \"t\", \"release\": {\"name\": \"r\", \"models\": {}}}", "missing required key \"origin\""),
        ("{\"title\": \"t\", \"title\": \"u\", \"origin\": \"o\", \"release\": {\"name\": \"r\", \"models\": {}}}", "duplicate key \"title\""),
    ])
    func malformedConfig(text: String, expected: String) throws {
        let p = try Self.compliantSource()
        try p.dir.write("trailpack.json", text)
        let m = Self.message { _ = try Trailpack.verify(source: p.url.path, trust: nil) }
        #expect(m?.contains(expected) == true, "\(m ?? "no error")")
    }

    @Test func tenMegabyteLine() throws {
        let p = try Self.compliantSource()
        let url = p.url.appendingPathComponent("audit/0001.jsonl")
        var data = try Data(contentsOf: url)
        data.append(Data("{\"x\":\"".utf8) + Data(repeating: UInt8(ascii: "a"), count: 10 << 20) + Data("\"}\n".utf8))
        try data.write(to: url)
        let f = try Trailpack.verify(source: p.url.path, trust: nil).findings
        #expect(f.contains { $0.rule == .intParse && $0.line == 13 && $0.message.contains("longer than") })
    }

    @Test func deeplyNestedLine() throws {
        let p = try Self.compliantSource()
        let url = p.url.appendingPathComponent("audit/0001.jsonl")
        var data = try Data(contentsOf: url)
        data.append(Data(("{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}\n").utf8))
        try data.write(to: url)
        let f = try Trailpack.verify(source: p.url.path, trust: nil).findings
        #expect(f.contains { $0.rule == .intParse && $0.line == 13 && $0.message.contains("nesting deeper than 128") })
    }

    @Test func registryErrorsNameTheField() throws {
        var p = try PackBuilder.compliant()
        p.models = [ComplianceTests.replacingStage(PackBuilder.model, "live")]
        try p.write()
        let m = Self.message { _ = try Trailpack.verify(source: p.url.path, trust: nil) }
        #expect(m?.contains("registry/models/m.json:23:") == true && m?.contains("\"stage\" must be one of") == true, "\(m ?? "")")
    }
}

/// A named pipe given where an importer expects a file used to block it forever in `open`; each
/// is now refused by name (exit 2), and nothing is written.
struct NamedPipeInputTests {
    enum Input: String, CaseIterable { case openLineageFile, mlflowDatabase, mlflowRunMeta, mlflowVersionMeta }

    @Test(arguments: Input.allCases)
    func aNamedPipeIsRefusedNotWaitedOn(_ input: Input) throws {
        let pack = try freshPack()
        let work = try TempDir()
        let fifo: String
        let run: @Sendable () throws -> ImportResult
        let source = pack.url.path
        switch input {
        case .openLineageFile:
            fifo = work.path("events.jsonl").path
            run = { try Trailpack.importOpenLineage(source: source, paths: [fifo], dryRun: false) }
        case .mlflowDatabase:
            fifo = work.path("mlflow.db").path
            run = { try Trailpack.importMLflow(source: source, trackingURI: "sqlite:///" + fifo, models: [], dryRun: false) }
        case .mlflowRunMeta, .mlflowVersionMeta:
            let store = work.path("mlruns")
            try FileManager.default.copyItem(atPath: MLflowSample.mlruns, toPath: store.path)
            let metas = try FileManager.default.subpathsOfDirectory(atPath: store.path).filter { $0.hasSuffix("/meta.yaml") }
            let wanted = input == .mlflowVersionMeta ? metas.first { $0.hasPrefix("models/") && $0.contains("/version-") }
                : metas.first { $0.split(separator: "/").count == 3 && !$0.hasPrefix("models/") }
            fifo = store.appendingPathComponent(try #require(wanted, "\(metas)")).path
            try FileManager.default.removeItem(atPath: fifo)
            run = { try Trailpack.importMLflow(source: source, trackingURI: "file://" + store.path, models: [], dryRun: false) }
        }
        #expect(mkfifo(fifo, 0o644) == 0)
        let outcome = Box<Result<ImportResult, any Error>>()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            outcome.value = Result { try run() }
            done.signal()
        }
        // Before the fix the import blocked in open(2) until a writer opened the pipe.
        guard done.wait(timeout: .now() + .seconds(30)) == .success else {
            Issue.record("the import waited on the named pipe")
            return
        }
        let message: String
        switch try #require(outcome.value) {
        case .success: Issue.record("a named pipe was imported"); return
        case .failure(let error): message = error.localizedDescription
        }
        #expect(message.contains("not a regular file (a named pipe, socket or device)"), "\(message)")
        let audit = pack.url.appendingPathComponent("audit").path
        let segments = ((try? FileManager.default.contentsOfDirectory(atPath: audit)) ?? []).filter { $0.hasSuffix(".jsonl") }
        #expect(segments.isEmpty, "nothing is written")
    }
}

/// A value set on one thread and read on another after a semaphore.
private final class Box<T>: @unchecked Sendable {
    var value: T?
}

/// A record reached through a link the evidence copy does not follow (a link out of the pack,
/// or a linked folder) used to be read and shown while the site's evidence left it out, so the
/// site could not be re-verified from its evidence. Records refuse it (exit 2); a key or a
/// checkpoint file is a finding, as an unreadable one is.
struct LinkedRecordTests {
    enum Link: String, CaseIterable { case registryFileOut, registryFolder, driftFileOut, configOut, keyFileOut, checkpointOut, auditFolder }

    @Test(arguments: Link.allCases)
    func aRecordTheEvidenceCannotHoldIsNotRead(_ link: Link) throws {
        var p = try PackBuilder.sample()
        try p.checkpoint("log", key: "log")
        try p.write()
        let outside = try TempDir()
        let root = p.url
        func linkOut(_ relative: String) throws {
            let target = outside.path(relative.replacingOccurrences(of: "/", with: "_")).path
            try FileManager.default.moveItem(atPath: root.appendingPathComponent(relative).path, toPath: target)
            #expect(symlink(target, root.appendingPathComponent(relative).path) == 0)
        }
        func linkFolder(_ relative: String) throws {
            try FileManager.default.moveItem(atPath: root.appendingPathComponent(relative).path, toPath: root.appendingPathComponent(relative + "-real").path)
            #expect(symlink(relative + "-real", root.appendingPathComponent(relative).path) == 0)
        }
        func first(_ folder: String, _ suffix: String) throws -> String {
            let names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path).filter { $0.hasSuffix(suffix) }.sorted()
            return folder + "/" + (try #require(names.first))
        }
        var expected: String
        switch link {
        case .registryFileOut:
            let f = try first("registry/models", ".json"); try linkOut(f); expected = "\(f): cannot be read: it is reached through a symbolic link"
        case .registryFolder: try linkFolder("registry"); expected = "registry/models/"
        case .driftFileOut:
            let f = try first("drift", ".json"); try linkOut(f); expected = "\(f): cannot be read: it is reached through a symbolic link"
        case .configOut: try linkOut("trailpack.json"); expected = "trailpack.json: cannot be read: it is reached through a symbolic link"
        case .keyFileOut: let f = try first("keys", ".pem"); try linkOut(f); expected = f
        case .checkpointOut: let f = try first("checkpoints", ".checkpoint"); try linkOut(f); expected = f
        case .auditFolder: try linkFolder("audit"); expected = "reached through a linked folder, not a segment"
        }
        let message = BadInputTests.message { _ = try Trailpack.verify(source: root.path, trust: nil) }
        switch link {
        case .keyFileOut, .checkpointOut:
            #expect(message == nil, "\(message ?? "")")
            let findings = try Trailpack.verify(source: root.path, trust: nil).findings
            #expect(findings.contains { $0.file == expected && $0.message.contains("reached through a symbolic link") }, "\(findings.map(\.textLine))")
        default:
            #expect(message?.contains(expected) == true, "\(message ?? "verified")")
        }
    }
}
