import Foundation
import Testing
@testable import TrailpackCore

@Suite("Pack fixture")
struct PackFixtureTests {
    @Test("the sample pack verifies without findings", arguments: [false, true])
    func sampleIsSound(hostile: Bool) throws {
        let f = try PackFixture.sample(hostile: hostile)
        let a = try Trailpack.analyze(source: f.url, trust: nil)
        #expect(a.findings.map(\.textLine) == [])
        #expect(a.integrity.treeSize == f.lines.count)
        #expect(a.integrity.checkpoints.map(\.consistent) == [true])
        #expect(a.signatures.map(\.status) == ["verified"])
        #expect(a.matrix.map(\.status) == ["passed", "passed"])
    }
}
