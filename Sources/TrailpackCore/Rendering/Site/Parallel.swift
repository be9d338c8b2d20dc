import Dispatch
import Foundation

/// Runs independent pieces of work on all cores and returns their results in order, so that
/// the output never depends on scheduling.
enum Parallel {
    /// Workers used (at most 8).
    static let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))

    /// `body(0..<count)` computed in parallel, results in index order; the first error (by index)
    /// is rethrown.
    static func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) throws -> T) throws -> [T] {
        if count == 0 { return [] }
        let slots = Slots<Result<T, Error>>(count: count)
        DispatchQueue.concurrentPerform(iterations: min(count, workers)) { w in
            var i = w
            while i < count {
                slots.pointer[i] = Result { try body(i) }
                i += workers
            }
        }
        var out: [T] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            guard let r = slots.pointer[i] else { continue }
            out.append(try r.get())
        }
        return out
    }
}

/// A fixed-size buffer that parallel workers fill at distinct indices.
private final class Slots<T>: @unchecked Sendable {
    let pointer: UnsafeMutableBufferPointer<T?>
    init(count: Int) {
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: nil)
    }
    deinit {
        pointer.deinitialize()
        pointer.deallocate()
    }
}
