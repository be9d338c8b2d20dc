import Dispatch
import Foundation
import Testing
@testable import TrailpackCore

/// Collects what concurrent writers report.
private final class Ledger: @unchecked Sendable {
    private let lock = NSLock()
    private var failures: [String] = []
    private var committed: [Int: Set<Int>] = [:]
    private var killed: [Int: Int] = [:]
    func fail(_ m: String) { lock.lock(); failures.append(m); lock.unlock() }
    func commit(_ w: Int, _ b: Int) { lock.lock(); committed[w, default: []].insert(b); lock.unlock() }
    func kill(_ w: Int, _ b: Int) { lock.lock(); killed[w] = b; lock.unlock() }
    var allFailures: [String] { lock.lock(); defer { lock.unlock() }; return failures }
    var allCommitted: [Int: Set<Int>] { lock.lock(); defer { lock.unlock() }; return committed }
    var allKilled: [Int: Int] { lock.lock(); defer { lock.unlock() }; return killed }
}

/// Many `trailpack record` processes, each on its own connection, appending to one PostgreSQL log.
/// Serialized: each test blocks a test thread for its whole run while its writers work, and two
/// at once would hold every thread of a 2-core machine and starve the time-limited tests.
@Suite(.serialized)
struct PostgresConcurrencyTests {
    static let writers = 8
    static let batch = 5

    static func events(writer w: Int, batch b: Int) -> [JSONObject] {
        let time = Timestamp(seconds: 1_772_359_200 + Int64(b)).description
        return (0..<batch).map { i in ev("w\(w)-b\(b)-\(i)", time: time, actor: "u:writer\(w)") }
    }

    /// A write-side pack source whose store is a fresh database of `cluster`.
    static func source(_ cluster: PostgresCluster, _ db: String) throws -> PackBuilder {
        try cluster.createDatabase(db)
        let f = try PackBuilder.writeSide()
        _ = try Trailpack.storeInit(source: f.url.path, conninfo: cluster.conninfo(database: db), dryRun: false)
        return f
    }

    /// The ids in the log, in seq order.
    static func ids(_ cluster: PostgresCluster, _ db: String) throws -> [String] {
        try cluster.psql(database: db, ["-c", "SELECT convert_from(id, 'UTF8') FROM trailpack_events ORDER BY seq"])
            .split(separator: "\n").map(String.init)
    }

    /// Runs `trailpack record SOURCE` with `input`; when `killAfter` is set, SIGKILLs it that many
    /// microseconds after its input is complete. Returns its exit status, or nil when killed.
    static func record(_ source: String, _ input: String, killAfter: UInt32? = nil) throws -> (Int32?, String) {
        let url = try #require(TrailpackBinary.url, "build the trailpack executable first (swift build)")
        let p = Process()
        p.executableURL = url
        p.arguments = ["record", source]
        let stdin = Pipe(), stderr = Pipe()
        p.standardInput = stdin
        p.standardOutput = FileHandle.nullDevice
        p.standardError = stderr
        try p.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        if let killAfter {
            usleep(killAfter)
            kill(p.processIdentifier, SIGKILL)
        }
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let killed = p.terminationReason == .uncaughtSignal
        return (killed ? nil : p.terminationStatus, String(decoding: err, as: UTF8.self))
    }

    @Test(.timeLimit(.minutes(8)))
    func eightWritersMakeOneLogAndKilledBatchesLeaveNoTrace() throws {
        _ = try #require(TrailpackBinary.url, "build the trailpack executable first (swift build)")
        let cluster = try PostgresCluster()

        // 8 writers x 500 events in batches of 5, all at once.
        do {
            let f = try Self.source(cluster, "eight")
            let source = f.url.path
            let ledger = Ledger()
            let batches = 500 / Self.batch
            let started = Date()
            DispatchQueue.concurrentPerform(iterations: Self.writers) { w in
                for b in 0..<batches {
                    do {
                        let (status, err) = try Self.record(source, jsonl(Self.events(writer: w, batch: b)))
                        if status != 0 { ledger.fail("writer \(w) batch \(b): exit \(String(describing: status)): \(err)") }
                    } catch { ledger.fail("writer \(w) batch \(b): \(error)") }
                    if !ledger.allFailures.isEmpty { return }
                }
            }
            print("PostgreSQL: 8 writers x 500 events in batches of 5: \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
            #expect(ledger.allFailures.isEmpty, "\(ledger.allFailures.prefix(3))")
            let ids = try Self.ids(cluster, "eight")
            #expect(ids.count == 4000)
            #expect(Set(ids).count == 4000)
            let expected = Set((0..<Self.writers).flatMap { w in (0..<batches).flatMap { b in (0..<Self.batch).map { "w\(w)-b\(b)-\($0)" } } })
            #expect(Set(ids) == expected)
            let report = try f.verify()
            #expect(report.integrity.treeSize == 4000)
            #expect(integrityFindings(report).isEmpty, "\(integrityFindings(report).prefix(3).map(\.textLine))")
        }

        // The same with 2 writers killed (SIGKILL) while a batch runs.
        do {
            let f = try Self.source(cluster, "killed")
            let source = f.url.path
            let ledger = Ledger()
            let batches = 250 / Self.batch
            DispatchQueue.concurrentPerform(iterations: Self.writers) { w in
                let killAt = w >= 6 ? 10 + (w - 6) * 15 : -1
                for b in 0..<batches {
                    do {
                        if b == killAt {
                            // Anywhere from before the connection to after the commit.
                            let (status, _) = try Self.record(source, jsonl(Self.events(writer: w, batch: b)), killAfter: UInt32.random(in: 0...150_000))
                            ledger.kill(w, b)
                            if status == 0 { ledger.commit(w, b) }
                            return
                        }
                        let (status, err) = try Self.record(source, jsonl(Self.events(writer: w, batch: b)))
                        if status == 0 { ledger.commit(w, b) } else { ledger.fail("writer \(w) batch \(b): exit \(String(describing: status)): \(err)") }
                    } catch { ledger.fail("writer \(w) batch \(b): \(error)") }
                    if !ledger.allFailures.isEmpty { return }
                }
            }
            #expect(ledger.allFailures.isEmpty, "\(ledger.allFailures.prefix(3))")
            #expect(ledger.allKilled.count == 2)
            let ids = try Self.ids(cluster, "killed")
            #expect(Set(ids).count == ids.count)
            let present = Set(ids)
            for w in 0..<Self.writers {
                let committed = ledger.allCommitted[w] ?? []
                for b in 0..<batches {
                    let batchIDs = (0..<Self.batch).map { "w\(w)-b\(b)-\($0)" }
                    let inLog = batchIDs.filter(present.contains).count
                    if committed.contains(b) {
                        #expect(inLog == Self.batch, "writer \(w) batch \(b) reported committed but \(inLog) of its events are in the log")
                    } else if ledger.allKilled[w] == b {
                        #expect(inLog == 0 || inLog == Self.batch, "killed writer \(w): batch \(b) is partly in the log (\(inLog))")
                    } else {
                        #expect(inLog == 0, "writer \(w) batch \(b) was never written but \(inLog) of its events are in the log")
                    }
                }
            }
            let report = try f.verify()
            #expect(report.integrity.treeSize == ids.count)
            #expect(integrityFindings(report).isEmpty, "\(integrityFindings(report).prefix(3).map(\.textLine))")
            // The six survivors wrote everything; the killed ones their batches before the kill.
            #expect(ids.count >= 6 * 250 + 5 * (10 + 25))
        }
    }

    /// Runs `trailpack record SOURCE --batch-size 5 --event FILE` and watches its acknowledgement
    /// lines as they come; when `killAfterAcks` is set, SIGKILLs it right after that many
    /// batches were acknowledged (mid-stream). Returns the exit status (nil when killed), the
    /// number of acknowledged batches and stderr.
    static func stream(_ source: String, _ input: URL, killAfterAcks: Int? = nil) throws -> (Int32?, Int, String) {
        let url = try #require(TrailpackBinary.url, "build the trailpack executable first (swift build)")
        // Outputs go to files, not pipes: a process started meanwhile by a concurrent test (a
        // server) could inherit a pipe's write end and keep it from ever ending.
        let dir = try TempDir()
        let outFile = dir.path("out.txt"), errFile = dir.path("err.txt")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let p = Process()
        p.executableURL = url
        p.arguments = ["record", source, "--batch-size", String(batch), "--event", input.path]
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = try FileHandle(forWritingTo: outFile)
        p.standardError = try FileHandle(forWritingTo: errFile)
        try p.run()
        func acks() -> Int { ((try? Data(contentsOf: outFile)) ?? Data()).filter { $0 == 0x0A }.count }
        if let k = killAfterAcks {
            while acks() < k && p.isRunning { usleep(2_000) }
            kill(p.processIdentifier, SIGKILL)
        }
        p.waitUntilExit()
        let killed = p.terminationReason == .uncaughtSignal
        let err = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
        return (killed ? nil : p.terminationStatus, acks(), err)
    }

    /// The ids of writer `w`'s stream, in its order.
    static func streamIDs(writer w: Int) -> [String] {
        (0..<(500 / batch)).flatMap { b in (0..<batch).map { "w\(w)-b\(b)-\($0)" } }
    }

    @Test(.timeLimit(.minutes(8)))
    func eightStreamingWritersMakeOneLogAndAKillLosesOnlyTheUnfinishedBatch() throws {
        _ = try #require(TrailpackBinary.url, "build the trailpack executable first (swift build)")
        let cluster = try PostgresCluster()
        let inputs = try TempDir()
        for w in 0..<Self.writers {
            try inputs.write("w\(w).jsonl", jsonl((0..<(500 / Self.batch)).flatMap { Self.events(writer: w, batch: $0) }))
        }
        let files = (0..<Self.writers).map { inputs.path("w\($0).jsonl") }

        // 8 streaming writers x 500 events in batches of 5, each one process and one connection.
        do {
            let f = try Self.source(cluster, "streams")
            let source = f.url.path
            let ledger = Ledger()
            let started = Date()
            DispatchQueue.concurrentPerform(iterations: Self.writers) { w in
                do {
                    let (status, acks, err) = try Self.stream(source, files[w])
                    if status != 0 || acks != 100 { ledger.fail("writer \(w): exit \(String(describing: status)), \(acks) batches: \(err)") }
                } catch { ledger.fail("writer \(w): \(error)") }
            }
            print("PostgreSQL: 8 streaming writers x 500 events in batches of 5: \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
            #expect(ledger.allFailures.isEmpty, "\(ledger.allFailures.prefix(3))")
            let ids = try Self.ids(cluster, "streams")
            #expect(ids.count == 4000)
            #expect(Set(ids) == Set((0..<Self.writers).flatMap(Self.streamIDs)))
            // Each writer's events are in the log in the order of its stream.
            for w in 0..<Self.writers {
                #expect(ids.filter { $0.hasPrefix("w\(w)-") } == Self.streamIDs(writer: w))
            }
            let report = try f.verify()
            #expect(report.integrity.treeSize == 4000)
            #expect(integrityFindings(report).isEmpty, "\(integrityFindings(report).prefix(3).map(\.textLine))")
        }

        // The same with 2 writers SIGKILLed mid-stream, right after their 20th and 55th batch.
        do {
            let f = try Self.source(cluster, "streamkill")
            let source = f.url.path
            let ledger = Ledger()
            DispatchQueue.concurrentPerform(iterations: Self.writers) { w in
                let killAfter: Int? = w == 6 ? 20 : w == 7 ? 55 : nil
                do {
                    let (status, acks, err) = try Self.stream(source, files[w], killAfterAcks: killAfter)
                    if killAfter != nil {
                        if status != nil { ledger.fail("writer \(w) was to be killed but exited \(String(describing: status))") }
                        ledger.kill(w, acks)
                    } else if status != 0 || acks != 100 {
                        ledger.fail("writer \(w): exit \(String(describing: status)), \(acks) batches: \(err)")
                    }
                } catch { ledger.fail("writer \(w): \(error)") }
            }
            #expect(ledger.allFailures.isEmpty, "\(ledger.allFailures.prefix(3))")
            let ids = try Self.ids(cluster, "streamkill")
            #expect(Set(ids).count == ids.count)
            for w in 0..<Self.writers {
                let mine = ids.filter { $0.hasPrefix("w\(w)-") }
                let stream = Self.streamIDs(writer: w)
                // Always a prefix of the writer's stream, in order, made of whole batches.
                #expect(mine == Array(stream.prefix(mine.count)), "writer \(w)'s events are not a prefix of its stream")
                #expect(mine.count % Self.batch == 0, "writer \(w): a partial batch is in the log (\(mine.count) events)")
                if let acked = ledger.allKilled[w] {
                    // Everything acknowledged is there; at most the batch in flight at the kill
                    // (committed before its acknowledgement was written) besides.
                    #expect(mine.count >= acked * Self.batch, "killed writer \(w): acknowledged \(acked) batches, \(mine.count) events in the log")
                    #expect(mine.count <= (acked + 1) * Self.batch, "killed writer \(w): \(mine.count) events after \(acked) acknowledged batches")
                } else {
                    #expect(mine.count == 500)
                }
            }
            let report = try f.verify()
            #expect(report.integrity.treeSize == ids.count)
            #expect(integrityFindings(report).isEmpty, "\(integrityFindings(report).prefix(3).map(\.textLine))")
        }
    }
}
