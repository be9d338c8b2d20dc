import Foundation
import Testing
@testable import TrailpackCore

@Suite("Source fixture")
struct SourceFixtureTests {
    @Test("the sample pack verifies without findings", arguments: [false, true])
    func sampleIsSound(hostile: Bool) throws {
        let f = try PackBuilder.sample(hostile: hostile)
        let a = try Trailpack.analyze(source: f.url, trust: nil)
        #expect(a.findings.map(\.textLine) == [])
        #expect(a.integrity.treeSize == f.lines().count)
        #expect(a.integrity.checkpoints.map(\.consistent) == [true])
        #expect(a.signatures.map(\.status) == ["verified"])
        #expect(a.matrix.map(\.status) == ["passed", "passed"])
    }
}

extension SourceFixtureTests {
    /// `TRAILPACK_WRITE_SAMPLE=DIR swift test --filter writeSample` writes the sample packs to
    /// DIR/sample and DIR/hostile, to look at them or build them by hand.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TRAILPACK_WRITE_SAMPLE"] != nil))
    func writeSample() throws {
        let dir = URL(fileURLWithPath: ProcessInfo.processInfo.environment["TRAILPACK_WRITE_SAMPLE"] ?? "/tmp")
        for (name, hostile) in [("sample", false), ("hostile", true)] {
            let f = try PackBuilder.sample(hostile: hostile)
            let target = dir.appendingPathComponent(name)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: f.url, to: target)
        }
    }
}
