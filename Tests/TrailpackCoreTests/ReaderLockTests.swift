import Dispatch
import Foundation
import Testing
@testable import TrailpackCore

/// Readers (`verify`, `build`) take the store's lock shared: an append in progress (a `record` or
/// `import` holding it exclusive) ends before they read, so they never see half an event.
struct ReaderLockTests {
    /// A write-side pack with three recorded events whose last line is cut in half, as a reader
    /// would find it in the middle of an append; returns the pack and the missing half.
    static func packMidAppend() throws -> (PackBuilder, segment: String, rest: Data) {
        let f = try PackBuilder.writeSide()
        _ = try f.record([ev("a"), ev("b"), ev("c")])
        let segment = f.url.appendingPathComponent("audit/\(Trailpack.firstSegmentName)").path
        let whole = try Data(contentsOf: URL(fileURLWithPath: segment))
        let lastLine = try #require(whole.dropLast().lastIndex(of: UInt8(ascii: "\n"))) + 1
        let cut = lastLine + (whole.count - lastLine) / 2
        try whole.prefix(cut).write(to: URL(fileURLWithPath: segment))
        return (f, segment, whole.suffix(from: cut))
    }

    /// Holds `audit/.lock` exclusively (as a writer does), runs `read` on another thread, finishes
    /// the torn line while the reader waits, then releases the lock; returns what `read` returned.
    static func readDuringAppend<T: Sendable>(_ f: PackBuilder, segment: String, rest: Data,
                                              _ read: @escaping @Sendable () throws -> T) throws -> T {
        let lockPath = f.url.appendingPathComponent("audit/.lock").path
        let fd = open(lockPath, O_RDWR)
        #expect(fd >= 0)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX) == 0)
        let result = Box<Result<T, any Error>>()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            result.value = Result { try read() }
            done.signal()
        }
        // The reader must still be waiting: it has not finished while the line is torn.
        #expect(done.wait(timeout: .now() + .milliseconds(400)) == .timedOut, "the reader did not wait for the writer's lock")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: segment))
        try handle.seekToEnd()
        try handle.write(contentsOf: rest)
        try handle.close()
        #expect(flock(fd, LOCK_UN) == 0)
        #expect(done.wait(timeout: .now() + .seconds(60)) == .success)
        return try #require(result.value).get()
    }

    @Test func verifyWaitsForAnAppendInProgress() throws {
        let (f, segment, rest) = try Self.packMidAppend()
        // Without the writer's lock the torn line is what verify reports.
        let torn = try f.verify()
        #expect(torn.findings.contains { $0.rule == .intParse })
        let url = f.url.path
        let report = try Self.readDuringAppend(f, segment: segment, rest: rest) { try Trailpack.verify(source: url, trust: nil) }
        #expect(report.findings.isEmpty, "\(report.findings.map(\.textLine))")
        #expect(report.integrity.treeSize == 3)
    }

    @Test func buildWaitsForAnAppendInProgress() throws {
        let (f, segment, rest) = try Self.packMidAppend()
        let out = f.outside.url.appendingPathComponent("site")
        let options = BuildOptions(output: out, theme: try SiteBuilding.theme())
        let url = f.url.path
        let result = try Self.readDuringAppend(f, segment: segment, rest: rest) { try Trailpack.build(source: url, options: options) }
        #expect(result.verifyReport.findings.isEmpty, "\(result.verifyReport.findings.map(\.textLine))")
        #expect(result.verifyReport.integrity.treeSize == 3)
        // The evidence holds the whole log the pages were built from.
        let copied = try Data(contentsOf: out.appendingPathComponent("evidence/audit/\(Trailpack.firstSegmentName)"))
        #expect(copied == (try Data(contentsOf: URL(fileURLWithPath: segment))))
        #expect(copied.last == UInt8(ascii: "\n"))
    }

    @Test func aStoreNoWriterTouchedIsReadWithoutALockFile() throws {
        let f = try PackBuilder.writeSide()
        _ = try f.record([ev("a")])
        let lock = f.url.appendingPathComponent("audit/.lock")
        try FileManager.default.removeItem(at: lock)
        #expect(try f.verify().findings.isEmpty)
        // A reader creates nothing in the pack.
        #expect(!FileManager.default.fileExists(atPath: lock.path))
        // A lock file that is not a regular file is refused with a message naming it.
        try FileManager.default.createDirectory(at: lock, withIntermediateDirectories: false)
        #expect {
            _ = try f.verify()
        } throws: { error in
            let message = (error as? LocalizedError)?.errorDescription ?? ""
            return message.contains("audit/.lock") && message.contains("not a regular file")
        }
    }
}

/// A value set on one thread and read on another after a semaphore.
private final class Box<T>: @unchecked Sendable {
    var value: T?
}
