import Foundation

/// The escapes and UTF-8 sequences of JSON strings.
extension Parser {
    mutating func hex4() throws(JSONError) -> UInt32 {
        guard pos + 4 <= buf.count else { throw syntax("truncated \\u escape", at: pos) }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = buf[pos]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw syntax("invalid hex digit in \\u escape", at: pos)
            }
            v = v << 4 | d
            pos += 1
        }
        return v
    }

    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80: out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (scalar >> 18)))
            out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    /// Validates one UTF-8 sequence starting at `pos` (lead byte >= 0x80) and copies it.
    mutating func utf8Sequence(into out: inout [UInt8]) throws(JSONError) {
        guard let n = UTF8Check.sequenceLength(buf, at: pos) else { throw .invalidUTF8(location(pos)) }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[pos..<(pos + n)]))
        pos += n
    }

}

/// UTF-8 well-formedness (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
enum UTF8Check {
    /// The length of the well-formed multi-byte sequence starting at `pos` (lead byte >= 0x80), or nil.
    static func sequenceLength(_ buf: UnsafeBufferPointer<UInt8>, at pos: Int) -> Int? {
        var need = 0
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        switch buf[pos] {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED: need = 2; hi = 0x9F
        case 0xF0: need = 3; lo = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; hi = 0x8F
        default: return nil
        }
        guard pos + need < buf.count, buf[pos + 1] >= lo, buf[pos + 1] <= hi else { return nil }
        for i in 2..<(need + 1) where buf[pos + i] & 0xC0 != 0x80 { return nil }
        return need + 1
    }
}
