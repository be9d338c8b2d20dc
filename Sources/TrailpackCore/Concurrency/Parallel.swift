import Dispatch
import Foundation
import Synchronization

/// The one way work is spread over the cores: independent pieces computed on worker threads,
/// results always in index order, so that output never depends on scheduling.
///
/// - ``map(_:_:)``: one result per index (pages of the site, lines of a batch);
/// - ``chunks(_:_:)``: one result per contiguous range of indices, one range per worker;
/// - ``start(_:_:)``: the ranges run in the background while the caller goes on (the verifier
///   folds batch k while batch k+1 is analysed); ``Running/wait()`` joins them.
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

    /// `body(0..<count)` computed on all cores, each result written straight into its place in
    /// the array returned, a contiguous range of indices per worker (``map(_:_:)`` keeps each
    /// result in a slot and copies it out after the join: for large values, reference counts on
    /// every member). `body` must not throw: every place is filled.
    static func fill<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        guard count > 0 else { return [] }
        return [T](unsafeUninitializedCapacity: count) { buf, initialized in
            let out = Places(buf.baseAddress)
            let parts = ranges(count)
            DispatchQueue.concurrentPerform(iterations: parts.count) { w in
                guard let base = out.base else { return }
                for i in parts[w] { (base + i).initialize(to: body(i)) }
            }
            initialized = count
        }
    }

    /// ``map(_:_:)`` of each item, the items handed over: each worker takes its item out of the
    /// batch, so that what `body` does not keep of it is freed on that worker, not on the caller's
    /// thread after the join (parsed trees are many small allocations).
    static func map<T: Sendable, R: Sendable>(taking items: consuming [T], _ body: @Sendable (T) throws -> R) throws -> [R] {
        let count = items.count
        let slots = Slots<T>(count: count)
        for (i, item) in items.enumerated() { slots.pointer[i] = item }
        _ = consume items
        return try map(count) { i in
            guard let item = slots.take(i) else { preconditionFailure("Parallel.map(taking:): item \(i) taken twice") }
            return try body(item)
        }
    }

    /// Work started by ``background(_:_:)``: one result per index, collected by ``wait()``.
    struct Pending<T: Sendable>: Sendable {
        fileprivate let work: BackgroundWork<T>

        /// The results in index order (taken out, so that the caller holds the only reference), or
        /// the first error (by index). The caller first does the indices no worker has started, so
        /// that it never waits idle for a worker that is busy elsewhere. Call it once.
        func wait() throws -> [T] {
            work.runRemaining()
            work.group.wait()
            var out: [T] = []
            out.reserveCapacity(work.count)
            for i in 0..<work.count {
                guard let r = work.slots.take(i) else { continue }
                out.append(try r.get())
            }
            return out
        }
    }

    /// ``map(_:_:)`` started on the workers in the background: returns at once, so that the caller
    /// can do its own part meanwhile (the reader sorts one block into runs while the next is
    /// parsed); indices are taken one at a time by the workers and, in ``Pending/wait()``, the caller.
    static func background<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) -> Pending<T> {
        let work = BackgroundWork(count: count, body: body)
        for _ in 0..<min(count, workers) {
            DispatchQueue.global().async(group: work.group) { work.runRemaining() }
        }
        return Pending(work: work)
    }

    /// Hands `value` (its last reference) to a worker to free, so that the caller goes on: a large
    /// collection of small allocations costs as much to free as to make.
    static func letGo<T>(_ value: consuming T) {
        let box = Holder(value)
        DispatchQueue.global().async { box.drop() }
    }

    /// `0..<count` cut into at most ``workers`` contiguous ranges (none empty), in order.
    static func ranges(_ count: Int) -> [Range<Int>] {
        let per = (count + workers - 1) / max(workers, 1)
        guard per > 0 else { return [] }
        return stride(from: 0, to: count, by: per).map { $0..<min(count, $0 + per) }
    }

    /// `body` of each of ``ranges(_:)`` in parallel, results in order.
    static func chunks<T: Sendable>(_ count: Int, _ body: @Sendable (Range<Int>) -> T) -> [T] {
        let parts = ranges(count)
        // `map` rethrows only what `body` throws, and this body does not throw.
        return (try? map(parts.count) { body(parts[$0]) }) ?? []
    }

    /// Work started by ``start(_:_:)``.
    struct Running: Sendable {
        fileprivate let group: DispatchGroup

        /// Waits until every range is done.
        func wait() { group.wait() }
    }

    /// Starts `body` on each of ``ranges(_:)`` in the background and returns at once.
    static func start(_ count: Int, _ body: @escaping @Sendable (Range<Int>) -> Void) -> Running {
        let group = DispatchGroup()
        for range in ranges(count) {
            DispatchQueue.global().async(group: group) { body(range) }
        }
        return Running(group: group)
    }
}

/// A fixed-size buffer that parallel workers fill at distinct indices.
fileprivate final class Slots<T>: @unchecked Sendable {
    let pointer: UnsafeMutableBufferPointer<T?>
    init(count: Int) {
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: nil)
    }
    /// The value at `i`, leaving nil there.
    func take(_ i: Int) -> T? {
        let v = pointer[i]
        pointer[i] = nil
        return v
    }
    deinit {
        pointer.deinitialize()
        pointer.deallocate()
    }
}

/// Where ``Parallel/fill(_:_:)``'s workers write: each initializes only the places of its own range.
private struct Places<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>?
    init(_ base: UnsafeMutablePointer<T>?) { self.base = base }
}

/// A value moved to another thread to be freed there (``Parallel/letGo(_:)``).
private final class Holder<T>: @unchecked Sendable {
    private var value: T?
    init(_ value: consuming T) { self.value = value }
    func drop() { value = nil }
}

/// The indices of a ``Parallel/background(_:_:)`` batch, taken one at a time by whichever thread
/// comes (an atomic counter), and their results.
fileprivate final class BackgroundWork<T>: @unchecked Sendable {
    let count: Int
    let body: @Sendable (Int) throws -> T
    let slots: Slots<Result<T, Error>>
    let group = DispatchGroup()
    private let next = Atomic<Int>(0)

    init(count: Int, body: @escaping @Sendable (Int) throws -> T) {
        self.count = count
        self.body = body
        slots = Slots(count: count)
    }

    /// Runs indices until none is left to start.
    func runRemaining() {
        while true {
            let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard i < count else { return }
            slots.pointer[i] = Result { try body(i) }
        }
    }
}
