import Dispatch
import Foundation
import Testing
@testable import TrailpackCore

/// Runs the built `trailpack` executable, as a pipeline would.
enum TrailpackBinary {
    /// Beside the test bundle (the same build folder), else `.build/debug/trailpack` in the checkout.
    static let url: URL? = {
        let candidates = [
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("trailpack"),
            Shared.repoRoot.appendingPathComponent(".build/debug/trailpack"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    struct Outcome: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `trailpack arguments…` with `input` on standard input, in `environment` when given
    /// (else this process's).
    static func run(_ arguments: [String], input: String = "", environment: [String: String]? = nil) throws -> Outcome {
        let url = try #require(url, "build the trailpack executable first (swift build)")
        let p = Process()
        p.executableURL = url
        p.arguments = arguments
        if let environment { p.environment = environment }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        p.standardInput = stdin
        p.standardOutput = stdout
        p.standardError = stderr
        try p.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Outcome(status: p.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }
}

/// Collects failures from concurrent workers.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ m: String) { lock.lock(); messages.append(m); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return messages }
}

struct ConcurrentRecordTests {
    static let writers = 2
    static let eventsPerWriter = 1000
    /// Events per `record` invocation: small batches keep the test well under a minute in a debug build.
    static let batch = 5

    @Test(.timeLimit(.minutes(3)))
    func twoRecordProcessesLeaveOneValidLog() throws {
        _ = try #require(TrailpackBinary.url, "build the trailpack executable first (swift build)")
        let f = try PackBuilder.writeSide()
        let source = f.url.path
        let failures = Failures()
        let started = Date()
        DispatchQueue.concurrentPerform(iterations: Self.writers) { w in
            for b in 0..<(Self.eventsPerWriter / Self.batch) {
                // Times move forward by a second per batch; the writers interleave well within the clock skew.
                let time = Timestamp(seconds: 1_772_359_200 + Int64(b)).description
                let events = (0..<Self.batch).map { i in ev("w\(w)-\(b * Self.batch + i)", time: time, actor: "u:writer\(w)") }
                do {
                    let r = try TrailpackBinary.run(["record", source], input: jsonl(events))
                    if r.status != 0 { failures.add("writer \(w) batch \(b): exit \(r.status): \(r.stderr)") }
                } catch {
                    failures.add("writer \(w) batch \(b): \(error)")
                }
                if !failures.all.isEmpty { return }
            }
        }
        let elapsed = Date().timeIntervalSince(started)
        print("2 writers x \(Self.eventsPerWriter) events in batches of \(Self.batch): \(String(format: "%.1f", elapsed)) s")
        #expect(failures.all.isEmpty, "\(failures.all.prefix(3))")

        let report = try f.verify()
        #expect(report.findings.isEmpty, "\(report.findings.prefix(5).map(\.textLine))")
        #expect(report.integrity.treeSize == Self.writers * Self.eventsPerWriter)
        let lines = try f.recordedLines()
        #expect(lines.count == Self.writers * Self.eventsPerWriter)
        var next = [Int](repeating: 0, count: Self.writers)
        var switches = 0, lastWriter = -1
        for (i, line) in lines.enumerated() {
            let v = try JSONReader().parse(Array(line.utf8))
            #expect(v["seq"] == .integer(Int64(i + 1)))
            // Each writer's events appear in the order it wrote them.
            let id = v["id"]?.stringValue ?? ""
            let parts = id.dropFirst().split(separator: "-").compactMap { Int($0) }
            guard parts.count == 2 else { Issue.record("unexpected id \(id)"); continue }
            #expect(parts[1] == next[parts[0]], "\(id) out of order")
            next[parts[0]] = parts[1] + 1
            if parts[0] != lastWriter { switches += 1; lastWriter = parts[0] }
        }
        print("the writers' batches interleaved \(switches - 1) times")
    }

    @Test func cliExitCodesAndMessages() throws {
        _ = try #require(TrailpackBinary.url)
        let f = try PackBuilder.writeSide()
        let keys = f.outside.url.path
        var r = try TrailpackBinary.run(["keygen", "ops", "--out", keys])
        #expect(r.status == 0 && r.stdout.contains("fingerprint: ") && r.stdout.contains("trust list"))
        r = try TrailpackBinary.run(["keygen", "ops", "--out", keys])
        #expect(r.status == 2 && r.stderr.hasPrefix("trailpack: ") && r.stderr.contains("already exists"))
        try FileManager.default.createDirectory(at: f.url.appendingPathComponent("keys"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: keys + "/ops.pem", toPath: f.url.appendingPathComponent("keys/ops.pem").path)

        r = try TrailpackBinary.run(["record", f.url.path], input: jsonl([ev("a"), ev("b")]))
        #expect(r.status == 0 && r.stdout == "recorded 2 events (seq 1-2) in audit/000001.jsonl; tree size 2\n", "\(r.stdout)\(r.stderr)")
        try f.outside.write("event.json", jsonl([ev("c")]))
        r = try TrailpackBinary.run(["record", f.url.path, "--event", f.outside.path("event.json").path])
        #expect(r.status == 0 && r.stdout.hasPrefix("recorded 1 event (seq 3)"))
        let before = f.snapshot()
        r = try TrailpackBinary.run(["record", f.url.path, "--event", "-"], input: "{\"id\": \"a\"}\n")
        #expect(r.status == 2 && r.stderr.hasPrefix("trailpack: <stdin>:1:1: missing field \"time\""), "\(r.stderr)")
        r = try TrailpackBinary.run(["record", f.url.path, "--event", f.outside.path("missing.json").path])
        #expect(r.status == 2 && r.stderr.contains("missing.json: cannot read the input events"))
        #expect(f.snapshot() == before)
        r = try TrailpackBinary.run(["record", f.url.path, "--dry-run"], input: jsonl([ev("d")]))
        #expect(r.status == 0 && r.stdout == "would record 1 event (seq 4) in audit/000001.jsonl; tree size 4\n", "\(r.stdout)\(r.stderr)")
        r = try TrailpackBinary.run(["record", f.url.path, "--dry-run"], input: jsonl([ev("a")]))
        #expect(r.status == 2 && r.stderr.contains("\"a\""), "\(r.stderr)")
        r = try TrailpackBinary.run(["record", f.url.path, "--dry-run", "--batch-size", "2"], input: jsonl([ev("d")]))
        #expect(r.status == 2 && r.stderr.contains("--batch-size"))
        #expect(f.snapshot() == before)
        r = try TrailpackBinary.run(["record", f.url.path, "--sign-key", keys + "/ops.key"], input: jsonl([ev("d")]))
        #expect(r.status == 0 && r.stderr.contains("warning: --sign-key was given but no event needed a signature"))

        r = try TrailpackBinary.run(["checkpoint", f.url.path, "--key", keys + "/ops.key", "--dry-run"])
        #expect(r.status == 0 && r.stdout.hasPrefix("would write checkpoint checkpoints/000000000004.checkpoint: size 4, root "), "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.hasSuffix("; would be signed by key ops\n"))
        #expect(!FileManager.default.fileExists(atPath: f.url.appendingPathComponent("checkpoints").path))
        r = try TrailpackBinary.run(["checkpoint", f.url.path, "--key", keys + "/ops.key"])
        #expect(r.status == 0 && r.stdout.hasPrefix("checkpoint checkpoints/000000000004.checkpoint: size 4, root "), "\(r.stdout)\(r.stderr)")
        r = try TrailpackBinary.run(["checkpoint", f.url.path])
        #expect(r.status == 2 && r.stderr.contains("missing --key FILE"))
        r = try TrailpackBinary.run(["verify", f.url.path])
        #expect(r.status == 0 && r.stdout.contains("checkpoint checkpoints/000000000004.checkpoint: size 4, consistent, signed by ops"))
    }
}
