import Foundation
import Testing
@testable import TrailpackCore

/// `record --batch-size N`: JSON Lines read as they arrive, appended in batches of N.
struct RecordStreamTests {
    static func events(_ n: Int, prefix: String = "s") -> [JSONObject] {
        (0..<n).map { ev("\(prefix)\($0)") }
    }

    @Test func fileStoreCommitsEveryBatchAndTheRemainder() throws {
        let f = try PackBuilder.writeSide()
        try f.outside.write("in.jsonl", "\n" + jsonl(Self.events(23)))
        var seen: [RecordResult] = []
        let total = try Trailpack.recordStream(source: f.url.path, inputPath: f.outside.path("in.jsonl").path, inputName: "in.jsonl",
                                               batchSize: 5, signKey: nil) { seen.append($0) }
        #expect(seen.map(\.appended) == [5, 5, 5, 5, 3])
        #expect(seen.map(\.firstSeq) == [1, 6, 11, 16, 21])
        #expect(total == RecordStreamResult(appended: 23, batches: 5, firstSeq: 1, lastSeq: 23, signed: 0))
        let report = try f.verify()
        #expect(report.integrity.treeSize == 23)
        #expect(integrityFindings(report).isEmpty)
        // The same lines as one `record` of the same input would write.
        let g = try PackBuilder.writeSide()
        try g.record(Self.events(23))
        #expect(try f.recordedLines() == g.recordedLines())
    }

    @Test func aBadEventStopsTheStreamAndSaysWhatWasCommitted() throws {
        let f = try PackBuilder.writeSide()
        var lines = jsonl(Self.events(12)).split(separator: "\n").map(String.init)
        lines.insert("{\"id\": \"bad\", \"time\": \"2026-03-01T10:00:00Z\"}", at: 12)   // line 13: no actor
        lines += jsonl(Self.events(4, prefix: "after")).split(separator: "\n").map(String.init)
        try f.outside.write("in.jsonl", lines.joined(separator: "\n") + "\n")
        var batches = 0
        #expect {
            try Trailpack.recordStream(source: f.url.path, inputPath: f.outside.path("in.jsonl").path, inputName: "in.jsonl",
                                       batchSize: 5, signKey: nil) { _ in batches += 1 }
        } throws: { error in
            guard let stopped = error as? RecordStreamStopped else { return false }
            let m = stopped.localizedDescription
            return stopped.committed.appended == 10 && stopped.batchLines == 11...13
                && m.hasPrefix("in.jsonl:13:") && m.contains("missing field \"actor\"")
                && m.contains("input lines 11-13 was not recorded") && m.contains("the 10 events of the 2 batches before it were (seq 1-10)")
                && m.contains("record again from line 11")
        }
        #expect(batches == 2)
        #expect(try f.recordedLines().count == 10)
        #expect(integrityFindings(try f.verify()).isEmpty)

        // A refusal that needs the log (an id already recorded) at commit time, after one batch.
        try f.outside.write("dup.jsonl", jsonl(Self.events(3, prefix: "new") + [ev("s4")] + Self.events(2, prefix: "more")))
        #expect {
            try Trailpack.recordStream(source: f.url.path, inputPath: f.outside.path("dup.jsonl").path, inputName: "dup.jsonl",
                                       batchSize: 3, signKey: nil) { _ in }
        } throws: { error in
            let m = error.localizedDescription
            return m.hasPrefix("dup.jsonl:4:") && m.contains("id \"s4\" is already used by an event in the log")
                && m.contains("input lines 4-6 was not recorded") && m.contains("the 3 events of the 1 batch before it were (seq 11-13)")
        }
        #expect(try f.recordedLines().count == 13)

        // Nothing committed: the plain refusal, the store unchanged.
        let before = f.snapshot()
        try f.outside.write("first.jsonl", "{\"id\": 1}\n")
        #expect(throws: RecordError.self) {
            try Trailpack.recordStream(source: f.url.path, inputPath: f.outside.path("first.jsonl").path, inputName: "first.jsonl",
                                       batchSize: 3, signKey: nil) { _ in }
        }
        try f.outside.write("multi.jsonl", "{\"id\": \"x\",\n \"time\": \"2026-03-01T10:00:00Z\"}\n")
        #expect {
            try Trailpack.recordStream(source: f.url.path, inputPath: f.outside.path("multi.jsonl").path, inputName: "multi.jsonl",
                                       batchSize: 3, signKey: nil) { _ in }
        } throws: { ($0 as? RecordError).map { $0.localizedDescription.hasPrefix("multi.jsonl:1:") } ?? false }
        #expect(f.snapshot() == before)
    }

    /// A long-running writer: each batch is committed (and acknowledged on stdout) while the
    /// input is still open. The input is a FIFO opened close-on-exec and the outputs are files,
    /// so that no process started meanwhile by a concurrent test can hold them open.
    @Test(.timeLimit(.minutes(3)))
    func inputIsCommittedBatchByBatchAsItArrives() throws {
        let url = try #require(TrailpackBinary.url, "build the trailpack executable first (swift build)")
        let f = try PackBuilder.writeSide()
        let fifo = f.outside.path("events.fifo").path
        try #require(mkfifo(fifo, 0o600) == 0)
        let outFile = f.outside.path("out.txt"), errFile = f.outside.path("err.txt")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let p = Process()
        p.executableURL = url
        p.arguments = ["record", f.url.path, "--batch-size", "4", "--event", fifo]
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = try FileHandle(forWritingTo: outFile)
        p.standardError = try FileHandle(forWritingTo: errFile)
        try p.run()
        let writer = open(fifo, O_WRONLY | O_CLOEXEC)   // waits for record to open it
        try #require(writer >= 0)
        func send(_ text: String) {
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
        }
        func output() -> String { (try? String(contentsOf: outFile, encoding: .utf8)) ?? "" }
        for round in 0..<3 {
            send(jsonl(Self.events(4, prefix: "r\(round)-")))
            // Waits for the acknowledgement of this batch before sending the next one.
            while output().filter({ $0 == "\n" }).count < round + 1 && p.isRunning { usleep(5_000) }
            #expect(try f.recordedLines().count == 4 * (round + 1))
        }
        send(jsonl([ev("last")]))
        close(writer)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(output() == """
            recorded 4 events (seq 1-4) in audit/000001.jsonl; tree size 4
            recorded 4 events (seq 5-8) in audit/000001.jsonl; tree size 8
            recorded 4 events (seq 9-12) in audit/000001.jsonl; tree size 12
            recorded 1 event (seq 13) in audit/000001.jsonl; tree size 13

            """)
        #expect((try? String(contentsOf: errFile, encoding: .utf8)) == "trailpack: recorded 13 events in 4 batches (seq 1-13)\n")
        #expect(integrityFindings(try f.verify()).isEmpty)

        // Standard input, and the messages of the command line.
        let bad = try TrailpackBinary.run(["record", f.url.path, "--batch-size", "0"], input: "")
        #expect(bad.status == 2 && bad.stderr.contains("--batch-size must be a whole number of at least 1"))
        let stopped = try TrailpackBinary.run(["record", f.url.path, "--batch-size", "2"], input: jsonl(Self.events(2, prefix: "ok")) + "[]\n")
        #expect(stopped.status == 2)
        #expect(stopped.stdout == "recorded 2 events (seq 14-15) in audit/000001.jsonl; tree size 15\n")
        #expect(stopped.stderr.hasPrefix("trailpack: <stdin>:3:1: input value is a JSON array"), "\(stopped.stderr)")
    }

    @Test(.timeLimit(.minutes(3)))
    func postgresqlStreamUsesOneConnectionWithTheSameRefusals() throws {
        let cluster = try PostgresCluster()
        var f = try PostgresConcurrencyTests.source(cluster, "stream")
        try f.installKey("k1")
        try f.outside.write("in.jsonl", jsonl([keyRegistered("reg", key: "k1", owner: "u:dev")] + Self.events(9)))
        var seen: [RecordResult] = []
        let total = try Trailpack.recordStream(source: f.url.path, inputPath: f.outside.path("in.jsonl").path, inputName: "in.jsonl",
                                               batchSize: 3, signKey: nil) { seen.append($0) }
        #expect(total.appended == 10 && total.batches == 4 && seen.map(\.lastSeq) == [3, 6, 9, 10])
        // The key registered in the first batch signs in a later batch of the same connection;
        // another signer with that key is refused.
        var signed = ev("signed", actor: "u:dev", [("signature", signatureBlock("u:dev", key: "k1"))])
        var other = ev("other", actor: "u:eve", [("signature", signatureBlock("u:eve", key: "k1"))])
        try f.outside.write("signed.jsonl", jsonl([ev("plain"), signed, other]))
        #expect {
            try Trailpack.recordStream(source: f.url.path, inputPath: f.outside.path("signed.jsonl").path, inputName: "signed.jsonl",
                                       batchSize: 2, signKey: f.privateKey("k1")) { _ in }
        } throws: { error in
            let m = error.localizedDescription
            return m.hasPrefix("signed.jsonl:3:") && m.contains("key k1 is registered to \"u:dev\", not to signer \"u:eve\"")
                && m.contains("the 2 events of the 1 batch before it were (seq 11-12)")
        }
        signed["id"] = JSONValue("again")
        other["id"] = JSONValue("s3")
        try f.outside.write("dup.jsonl", jsonl([signed, ev("fresh"), ev("s3")]))
        #expect {
            try Trailpack.recordStream(source: f.url.path, inputPath: f.outside.path("dup.jsonl").path, inputName: "dup.jsonl",
                                       batchSize: 2, signKey: f.privateKey("k1")) { _ in }
        } throws: { error in
            let m = error.localizedDescription
            return m.hasPrefix("dup.jsonl:3:") && m.contains("id \"s3\" is already used by an event in the log") && m.contains("(seq 13-14)")
        }
        let ids = try PostgresConcurrencyTests.ids(cluster, "stream")
        #expect(ids.count == 14 && ids.suffix(4) == ["plain", "signed", "again", "fresh"])
        let report = try f.verify()
        #expect(report.integrity.treeSize == 14)
        #expect(integrityFindings(report).isEmpty, "\(integrityFindings(report).map(\.textLine))")
    }
}
