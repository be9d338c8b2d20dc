/// Scans of JSON text eight bytes at a time (SWAR: each test is exact for the word as a whole;
/// the byte it found is then located one byte at a time). Most of an event's bytes are inside
/// plain strings, which these skip.
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Nonzero when some byte of `w` equals `b`.
    @inline(__always)
    private static func has(_ w: UInt64, _ b: UInt8) -> UInt64 {
        let x = w ^ (ones &* UInt64(b))
        return (x &- ones) & ~x & highs
    }

    /// The index of the first byte at or after `start` that is a quote or a backslash, or `buf.count`.
    static func quoteOrBackslash(_ buf: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        if let base = buf.baseAddress {
            while i + 8 <= buf.count {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if has(w, 0x22) | has(w, 0x5C) != 0 { break }
                i += 8
            }
        }
        while i < buf.count && buf[i] != 0x22 && buf[i] != 0x5C { i += 1 }
        return i
    }

    /// Whether a JSON string's bytes hold a quote, a backslash or a control character (what JCS
    /// escapes).
    static func needsEscape(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        if let base = buf.baseAddress {
            while i + 8 <= buf.count {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                // Bytes >= 0x80 may set the control test's bit falsely: such a word is looked at byte by byte.
                let control = (w &- ones &* 0x20) & ~w & highs
                if has(w, 0x22) | has(w, 0x5C) | control != 0 { break }
                i += 8
            }
        }
        while i < buf.count {
            let b = buf[i]
            if b < 0x20 || b == 0x22 || b == 0x5C { return true }
            i += 1
        }
        return false
    }

    /// The index of the first byte at or after `start` that is a quote, a backslash, a control
    /// character or not ASCII, or `buf.count`: the end of a string's plain ASCII run.
    static func plainASCIIEnd(_ buf: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        if let base = buf.baseAddress {
            while i + 8 <= buf.count {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                // A byte below 0x20: (w - 0x20 in each byte) & ~w has its high bit (exact when no byte is >= 0x80,
                // and a byte >= 0x80 stops the run anyway).
                let control = (w &- ones &* 0x20) & ~w & highs
                if has(w, 0x22) | has(w, 0x5C) | control | (w & highs) != 0 { break }
                i += 8
            }
        }
        while i < buf.count {
            let b = buf[i]
            if b == 0x22 || b == 0x5C || b < 0x20 || b >= 0x80 { break }
            i += 1
        }
        return i
    }
}
