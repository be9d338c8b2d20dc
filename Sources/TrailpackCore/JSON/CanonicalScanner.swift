/// The byte ranges of one top-level member of a scanned object.
public struct MemberRange: Sendable {
    /// The key's bytes (between the quotes; canonical keys carry no escapes).
    public var key: Range<Int>
    /// The value's bytes, from its first to its last byte.
    public var value: Range<Int>
    /// The member from the key's opening quote to the end of its value.
    public var whole: Range<Int>
}

/// A fast path for the audit store's hot loop: validates a line as a JSON object in RFC 8785
/// canonical form (syntax, UTF-8, escapes, numbers, strictly sorted keys) without building any
/// value, and returns the top-level members' byte ranges. It answers nil for anything it does not
/// handle simply (not canonical, invalid, keys with escapes or outside the BMP fast order); the
/// caller then uses the full `JSONReader`, which gives the exact error or builds the value.
struct CanonicalScanner {
    let buf: UnsafeBufferPointer<UInt8>
    var pos = 0
    var members: [MemberRange] = []
    let maxDepth: Int

    /// Scans `buf`; nil when the full reader must decide.
    static func scan(_ buf: UnsafeBufferPointer<UInt8>, maxDepth: Int = 128) -> [MemberRange]? {
        var s = CanonicalScanner(buf: buf, maxDepth: maxDepth)
        s.members.reserveCapacity(16)
        guard buf.first == UInt8(ascii: "{"), s.object(depth: 1), s.pos == buf.count else { return nil }
        return s.members
    }

    private mutating func value(depth: Int) -> Bool {
        guard pos < buf.count else { return false }
        switch buf[pos] {
        case UInt8(ascii: "{"): return object(depth: depth + 1)
        case UInt8(ascii: "["): return array(depth: depth + 1)
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return false
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard pos + n <= buf.count else { return false }
        let w = word.utf8Start
        for i in 0..<n where buf[pos + i] != w[i] { return false }
        pos += n
        return true
    }

    private mutating func object(depth: Int) -> Bool {
        guard depth <= maxDepth else { return false }
        pos += 1
        if pos < buf.count && buf[pos] == UInt8(ascii: "}") { pos += 1; return true }
        var previousKey: Range<Int>?
        while true {
            let keyStart = pos
            guard pos < buf.count, buf[pos] == UInt8(ascii: "\""), string() else { return false }
            let key = (keyStart + 1)..<(pos - 1)
            // Keys with escapes or bytes >= 0xED need the full reader's UTF-16 ordering.
            for i in key where buf[i] == UInt8(ascii: "\\") || buf[i] >= 0xED { return false }
            if let p = previousKey, !precedes(p, key) { return false }
            previousKey = key
            guard pos < buf.count, buf[pos] == UInt8(ascii: ":") else { return false }
            pos += 1
            let valueStart = pos
            guard value(depth: depth) else { return false }
            if depth == 1 { members.append(MemberRange(key: key, value: valueStart..<pos, whole: keyStart..<pos)) }
            guard pos < buf.count else { return false }
            if buf[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if buf[pos] == UInt8(ascii: "}") { pos += 1; return true }
            return false
        }
    }

    private func precedes(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        var i = a.lowerBound, j = b.lowerBound
        while i < a.upperBound && j < b.upperBound {
            if buf[i] != buf[j] { return buf[i] < buf[j] }
            i += 1
            j += 1
        }
        return a.count < b.count
    }

    private mutating func array(depth: Int) -> Bool {
        guard depth <= maxDepth else { return false }
        pos += 1
        if pos < buf.count && buf[pos] == UInt8(ascii: "]") { pos += 1; return true }
        while true {
            guard value(depth: depth), pos < buf.count else { return false }
            if buf[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if buf[pos] == UInt8(ascii: "]") { pos += 1; return true }
            return false
        }
    }

    /// A string in canonical form: only the escapes JCS writes, valid UTF-8.
    private mutating func string() -> Bool {
        pos += 1
        while pos < buf.count {
            // Plain ASCII runs are skipped eight bytes at a time.
            pos = ByteScan.plainASCIIEnd(buf, from: pos)
            guard pos < buf.count else { return false }
            let b = buf[pos]
            if b == UInt8(ascii: "\"") { pos += 1; return true }
            if b < 0x20 { return false }
            if b == UInt8(ascii: "\\") {
                guard pos + 1 < buf.count else { return false }
                switch buf[pos + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    pos += 2
                case UInt8(ascii: "u"):
                    // Canonical only for control characters without a short form, lowercase hex.
                    guard pos + 5 < buf.count, buf[pos + 2] == 0x30, buf[pos + 3] == 0x30 else { return false }
                    let hi = buf[pos + 4], lo = buf[pos + 5]
                    guard hi == 0x30 || hi == 0x31 else { return false }
                    let loOK = (lo >= 0x30 && lo <= 0x39) || (lo >= 0x61 && lo <= 0x66)
                    guard loOK else { return false }
                    if hi == 0x30 && (lo == 0x38 || lo == 0x39 || lo == 0x61 || lo == 0x63 || lo == 0x64) { return false }
                    pos += 6
                default:
                    return false
                }
                continue
            }
            if b < 0x80 { pos += 1; continue }
            guard utf8Sequence() else { return false }
        }
        return false
    }

    private mutating func utf8Sequence() -> Bool {
        guard let n = UTF8Check.sequenceLength(buf, at: pos) else { return false }
        pos += n
        return true
    }

    /// True when a decimal without exponent, `integer.fraction` in `buf[integerStart..<end]`, is
    /// for certain the form ECMAScript prints for its double, without converting it: at most 15
    /// significant digits (so it is the shortest form that reads back as the same double: two
    /// decimals of at most 15 digits never read as the same double), no trailing zero, and, below
    /// 1, at most five zeros after the point (ECMAScript writes 1e-7 and smaller with an exponent).
    /// False means only "not certain": the exact check decides.
    static func isShortestPlainDecimal(integerStart: Int, point: Int, end: Int, _ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        guard end > point + 1, buf[end - 1] != 0x30 else { return false }
        let fraction = end - point - 1
        if point - integerStart == 1 && buf[integerStart] == 0x30 {
            var zeros = 0
            while point + 1 + zeros < end && buf[point + 1 + zeros] == 0x30 { zeros += 1 }
            return zeros <= 5 && fraction - zeros <= 15
        }
        return (point - integerStart) + fraction <= 15
    }

    /// A number is canonical when it is written as ECMAScript would print its double.
    private mutating func number() -> Bool {
        let start = pos
        if buf[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < buf.count, buf[pos] >= 0x30, buf[pos] <= 0x39 else { return false }
        if buf[pos] == 0x30 {
            pos += 1
            if buf[start] == UInt8(ascii: "-") { return false }
        } else {
            var digits = 0
            while pos < buf.count, buf[pos] >= 0x30, buf[pos] <= 0x39 { pos += 1; digits += 1 }
            if digits > 15 { return false }
        }
        guard pos < buf.count else { return true }
        let b = buf[pos]
        guard b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") else { return true }
        // A decimal: check the grammar, then that it is the shortest ECMAScript form.
        if b == UInt8(ascii: ".") {
            pos += 1
            let d = pos
            while pos < buf.count, buf[pos] >= 0x30, buf[pos] <= 0x39 { pos += 1 }
            guard pos > d else { return false }
            if pos == buf.count || (buf[pos] != UInt8(ascii: "e") && buf[pos] != UInt8(ascii: "E")),
               Self.isShortestPlainDecimal(integerStart: buf[start] == UInt8(ascii: "-") ? start + 1 : start, point: d - 1, end: pos, buf) {
                return true
            }
        }
        if pos < buf.count, buf[pos] == UInt8(ascii: "e") || buf[pos] == UInt8(ascii: "E") {
            pos += 1
            if pos < buf.count, buf[pos] == UInt8(ascii: "+") || buf[pos] == UInt8(ascii: "-") { pos += 1 }
            let d = pos
            while pos < buf.count, buf[pos] >= 0x30, buf[pos] <= 0x39 { pos += 1 }
            guard pos > d else { return false }
        }
        let lexeme = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<pos]), as: UTF8.self)
        guard let v = Double(lexeme), v.isFinite else { return false }
        return JCS.formatNumber(v) == lexeme
    }
}
