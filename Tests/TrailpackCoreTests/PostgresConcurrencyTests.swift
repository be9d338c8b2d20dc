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
}
