import Foundation
import Testing
@testable import TrailpackCore

/// `audit/.trailpack-state` and `audit/.trailpack-ids`: record's cache of the log's tail, used
/// only when it matches the log, rebuilt otherwise, never read by verify or build.
struct LogStateTests {
    static func statePath(_ f: PackBuilder) -> String { f.url.appendingPathComponent("audit/\(LogState.stateName)").path }
    static func indexPath(_ f: PackBuilder) -> String { f.url.appendingPathComponent("audit/\(LogState.indexName)").path }

    /// Whether the state file, as it is, describes the log (record would use it).
    static func stateMatches(_ f: PackBuilder) throws -> Bool {
        let store = try AuditStore(source: f.url)
        var cache = LogStateCache(auditPath: f.url.appendingPathComponent("audit").path, store: store)
        _ = try cache.tail(timeLimit: nil)
        return cache.fromStateFile
    }

    static func rewriteState(_ f: PackBuilder, _ change: (inout LogState) -> Void) throws {
        let data = try #require(FileManager.default.contents(atPath: statePath(f)))
        var s = try #require(LogState.parse(Array(data)))
        change(&s)
        try Data(s.serialized()).write(to: URL(fileURLWithPath: statePath(f)))
    }

    @Test func recordKeepsAStateThatMatchesAndUsesIt() throws {
        let f = try PackBuilder.writeSide()
        try f.record((0..<5).map { ev("a\($0)") })
        #expect(FileManager.default.fileExists(atPath: Self.statePath(f)))
        #expect(FileManager.default.fileExists(atPath: Self.indexPath(f)))
        #expect(try Self.stateMatches(f))
        // Enough appends to merge the recent ids into the index file more than once.
        var ids = 5
        for round in 0..<3 {
            try f.record((0..<(LogState.recentLimit / 2 + 7)).map { ev("r\(round)-\($0)") })
            ids += LogState.recentLimit / 2 + 7
            #expect(try Self.stateMatches(f))
        }
        let data = try #require(FileManager.default.contents(atPath: Self.statePath(f)))
        let s = try #require(LogState.parse(Array(data)))
        #expect(s.indexCount + s.recent.count == ids && s.indexCount > 0 && s.lastSeq == Int64(ids) && s.eventCount == ids)
        // Every id is found, in the index file or among the recent ones; a duplicate is refused.
        #expect { try f.record([ev("a3")]) } throws: { $0.localizedDescription.contains("id \"a3\" is already used by an event in the log") }
        #expect(throws: RecordError.self) { try f.record([ev("r2-\(LogState.recentLimit / 2)")]) }
        #expect(try Self.stateMatches(f))
        let report = try f.verify()
        #expect(report.integrity.treeSize == ids && integrityFindings(report).isEmpty)
    }

    @Test func aMissingStateIsRebuiltFromTheLog() throws {
        let f = try PackBuilder.writeSide()
        try f.record((0..<20).map { ev("m\($0)") })
        unlink(Self.statePath(f))
        unlink(Self.indexPath(f))
        #expect(try !Self.stateMatches(f))
        #expect(throws: RecordError.self) { try f.record([ev("m7")]) }
        // A refusal writes nothing, not even the state.
        #expect(!FileManager.default.fileExists(atPath: Self.statePath(f)))
        let r = try f.record([ev("m20")])
        #expect(r.firstSeq == 21 && r.treeSize == 21)
        #expect(try Self.stateMatches(f))
        #expect(integrityFindings(try f.verify()).isEmpty)
    }

    @Test func aStaleStateIsDetectedAndRebuilt() throws {
        let f = try PackBuilder.writeSide()
        try f.record((0..<10).map { ev("s\($0)") })
        let old = try #require(FileManager.default.contents(atPath: Self.statePath(f)))
        let oldIndex = try #require(FileManager.default.contents(atPath: Self.indexPath(f)))
        // Appended behind the state's back (an older trailpack, or by hand): the state is stale.
        try f.record([ev("behind1"), ev("behind2")])
        try old.write(to: URL(fileURLWithPath: Self.statePath(f)))
        #expect(try !Self.stateMatches(f))
        #expect { try f.record([ev("behind2")]) } throws: { $0.localizedDescription.contains("id \"behind2\" is already used by an event in the log") }
        let r = try f.record([ev("s10")])
        #expect(r.firstSeq == 13)
        #expect(try Self.stateMatches(f))

        // A segment edited in place to the same size (a changed time): stale.
        let seg = f.url.appendingPathComponent("audit/\(Trailpack.firstSegmentName)")
        let bytes = try Data(contentsOf: seg)
        usleep(10_000)
        try bytes.write(to: seg)
        #expect(try !Self.stateMatches(f))
        try f.record([ev("s11")])
        #expect(try Self.stateMatches(f))

        // An index file from an earlier state: not the one the state names.
        try oldIndex.write(to: URL(fileURLWithPath: Self.indexPath(f)))
        #expect(try !Self.stateMatches(f))
        #expect(throws: RecordError.self) { try f.record([ev("s3")]) }
        try f.record([ev("s12")])
        // A new segment (an empty file sorting last, as docs/commands.md says to start one).
        try Data().write(to: f.url.appendingPathComponent("audit/000002.jsonl"))
        #expect(try !Self.stateMatches(f))
        let next = try f.record([ev("s13")])
        #expect(next.segment == "audit/000002.jsonl" && next.firstSeq == 16)
        #expect(try Self.stateMatches(f))
        try f.record([ev("s14")])
        #expect(try Self.stateMatches(f))
        #expect(throws: RecordError.self) { try f.record([ev("s13")]) }
        let report = try f.verify()
        #expect(report.integrity.treeSize == 17 && integrityFindings(report).isEmpty, "\(integrityFindings(report).map(\.textLine))")
    }

    @Test func aForgedStateLetsNoDuplicateIdOrBrokenChainThrough() throws {
        let f = try PackBuilder.writeSide()
        try f.record((0..<4).map { ev("f\($0)") })
        try f.record((4..<8).map { ev("f\($0)") })

        // Edited by hand (its check no longer matches): ignored.
        var text = try String(contentsOfFile: Self.statePath(f), encoding: .utf8)
        let recent = try #require(LogState.parse(Array(text.utf8))?.recent)
        try #require(recent.count == 4)
        text = text.replacingOccurrences(of: recent[3].hex, with: String(repeating: "0", count: 32))
        try text.write(toFile: Self.statePath(f), atomically: false, encoding: .utf8)
        #expect(try !Self.stateMatches(f))
        #expect(throws: RecordError.self) { try f.record([ev("f3")]) }

        // A wrong last hash, with a valid check: the log's real last line decides; rebuilt.
        try f.record([ev("f8")])
        try Self.rewriteState(f) { $0.lastHash = String(repeating: "ab", count: 32) }
        #expect(try !Self.stateMatches(f))
        try f.record([ev("f9")])
        // A state naming the right last event but a wrong seq for it.
        try Self.rewriteState(f) { $0.lastSeq += 5 }
        #expect(try !Self.stateMatches(f))
        let r = try f.record([ev("f10")])
        #expect(r.firstSeq == 11)

        // Another log's state (a copied pack): its last event is not this log's.
        let g = try PackBuilder.writeSide()
        try g.record((0..<11).map { ev("g\($0)") })
        try FileManager.default.removeItem(atPath: Self.statePath(f))
        try FileManager.default.removeItem(atPath: Self.indexPath(f))
        try FileManager.default.copyItem(atPath: Self.statePath(g), toPath: Self.statePath(f))
        try FileManager.default.copyItem(atPath: Self.indexPath(g), toPath: Self.indexPath(f))
        #expect(try !Self.stateMatches(f))
        #expect(throws: RecordError.self) { try f.record([ev("f5")]) }

        // An index file whose entries were rewritten in place (header kept): its time changed.
        try f.record([ev("f11")])
        let index = try #require(FileManager.default.contents(atPath: Self.indexPath(f)))
        var forged = Array(index)
        if forged.count > 32 { for i in 32..<forged.count { forged[i] = 0 } }
        usleep(10_000)
        try Data(forged).write(to: URL(fileURLWithPath: Self.indexPath(f)))
        #expect(try !Self.stateMatches(f))
        #expect(throws: RecordError.self) { try f.record([ev("f0")]) }

        let report = try f.verify()
        #expect(report.integrity.treeSize == 12 && integrityFindings(report).isEmpty, "\(integrityFindings(report).map(\.textLine))")
        #expect(Set(try f.recordedLines()).count == 12)
    }

    @Test func aFailedAppendLeavesAConsistentResult() throws {
        let f = try PackBuilder.writeSide()
        try f.record((0..<4).map { ev("k\($0)") })
        let before = try #require(FileManager.default.contents(atPath: Self.statePath(f)))
        // The write fails after the bytes went in: the segment is rolled back, the state untouched.
        var recorder = Recorder(source: f.url.path, signKeyPath: nil)
        recorder.failAfterWrite = true
        #expect(throws: RecordError.self) { try recorder.record(Array(jsonl([ev("k4")]).utf8), inputName: "<input>") }
        #expect(FileManager.default.contents(atPath: Self.statePath(f)) == before)
        #expect(try f.recordedLines().count == 4)
        // The rollback changed the segment's time: the state is not trusted, and is rebuilt.
        try f.record([ev("k4")])
        #expect(try Self.stateMatches(f))
        #expect(integrityFindings(try f.verify()).isEmpty)
    }

    @Test func theStateIsNeverPublishedOrReadAsASegment() throws {
        let f = try PackBuilder.writeSide()
        try f.record((0..<3).map { ev("p\($0)") })
        let store = try AuditStore(source: f.url)
        #expect(store.segments.map(\.name) == [Trailpack.firstSegmentName])
        #expect(LogState.isCacheFile("audit/.trailpack-state") && LogState.isCacheFile("audit/.trailpack-ids")
                && LogState.isCacheFile("audit/..trailpack-state.tmp-12") && !LogState.isCacheFile("audit/000001.jsonl")
                && !LogState.isCacheFile("docs/.trailpack-state"))
        let out = f.outside.url.appendingPathComponent("site")
        let theme = try Theme.load(defaultFolder: Shared.repoRoot.appendingPathComponent("templates"))
        _ = try Trailpack.build(source: f.url.path, options: BuildOptions(output: out, theme: theme))
        let evidence = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("evidence/audit").path)
        #expect(!evidence.contains(LogState.stateName) && !evidence.contains(LogState.indexName))
    }

    /// `record` processes SIGKILLed at random points of their appends (between the segment's
    /// append and the state's replacement among them): the next `record` appends correctly.
    @Test(.timeLimit(.minutes(3)))
    func aRecordKilledMidAppendLeavesALogTheNextRecordContinuesCorrectly() throws {
        let url = try #require(TrailpackBinary.url, "build the trailpack executable first (swift build)")
        let f = try PackBuilder.writeSide()
        try f.record([ev("start")])
        var expected = 1
        for round in 0..<4 {
            try f.outside.write("in\(round).jsonl", jsonl((0..<400).map { ev("x\(round)-\($0)") }))
            let outFile = f.outside.path("out\(round).txt")
            _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
            let p = Process()
            p.executableURL = url
            p.arguments = ["record", f.url.path, "--batch-size", "1", "--event", f.outside.path("in\(round).jsonl").path]
            p.standardInput = FileHandle.nullDevice
            p.standardOutput = try FileHandle(forWritingTo: outFile)   // a file: no pipe for another process to inherit
            p.standardError = FileHandle.nullDevice
            try p.run()
            func acked() -> Int { ((try? Data(contentsOf: outFile)) ?? Data()).filter { $0 == 0x0A }.count }
            while acked() < 20 + 7 * round && p.isRunning { usleep(1_000) }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let acks = acked()
            let lines = try f.recordedLines()
            #expect(lines.count >= expected + acks && lines.count <= expected + acks + 1, "\(lines.count) lines after \(acks) acknowledged")
            expected = lines.count
            // The next record continues the chain whatever state the kill left.
            let r = try f.record([ev("after\(round)")])
            #expect(r.firstSeq == Int64(expected + 1))
            expected += 1
            #expect(try Self.stateMatches(f))
            #expect(throws: RecordError.self) { try f.record([ev("x\(round)-0")]) }
        }
        let report = try f.verify()
        #expect(report.integrity.treeSize == expected && integrityFindings(report).isEmpty, "\(integrityFindings(report).prefix(3).map(\.textLine))")
    }
}
