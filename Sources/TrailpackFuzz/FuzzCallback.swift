import Foundation
import TrailpackCore

/// The harness named by `TRAILPACK_FUZZ_HARNESS` (read once; libFuzzer's callback cannot capture).
let selectedHarness: FuzzHarness? = {
    guard let name = ProcessInfo.processInfo.environment["TRAILPACK_FUZZ_HARNESS"] else { return nil }
    return FuzzHarnesses.all.first { $0.name == name }
}()

/// libFuzzer's per-input callback.
func runOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let harness = selectedHarness else { return 0 }
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    harness.body(bytes)
    return 0
}
