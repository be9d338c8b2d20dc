/// A growable byte buffer written through a pointer: one capacity check per write, no uniqueness
/// check (an array append makes one per call, which is most of the cost of writing JSON a token at
/// a time). It lives only inside ``ByteWriter/with(capacity:_:)``, which frees its memory.
struct ByteWriter {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    private(set) var count = 0

    private init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    /// `body` with an empty writer of at least `capacity` bytes; the memory is freed after.
    static func with<R>(capacity: Int, _ body: (inout ByteWriter) throws -> R) rethrows -> R {
        var w = ByteWriter(capacity: capacity)
        defer { w.base.deallocate() }
        return try body(&w)
    }

    @inline(__always)
    mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private mutating func grow(_ needed: Int) {
        // Doubling; a request beyond what an Int can double is a bug, not input.
        var c = capacity.multipliedReportingOverflow(by: 2).overflow ? needed : capacity * 2
        while c < needed { c = c.multipliedReportingOverflow(by: 2).overflow ? needed : c * 2 }
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        b.update(from: base, count: count)
        base.deallocate()
        base = b
        capacity = c
    }

    @inline(__always)
    mutating func byte(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count += 1
    }

    @inline(__always)
    mutating func bytes(_ p: UnsafeBufferPointer<UInt8>) {
        guard let src = p.baseAddress, !p.isEmpty else { return }
        reserve(p.count)
        (base + count).update(from: src, count: p.count)
        count += p.count
    }

    /// Moves the bytes written from `start` on into `out` (replacing what it held), and sets the
    /// count back to `start`.
    mutating func cut(from start: Int, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: UnsafeBufferPointer(start: base + start, count: count - start))
        count = start
    }

    /// A copy of the bytes written.
    var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
