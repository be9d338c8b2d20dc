/// The canonical bytes of JSON text, written without building its value (moved out of JCS.swift unchanged).
extension JCS {
    /// The canonical bytes of JSON text that `JSONReader` accepts, without building its value:
    /// the bytes `serialize` writes for what the reader reads. Keys are read as the reader reads
    /// them and members ordered with the same comparison; a string without escapes and a short
    /// integer are copied as written (their canonical form), any other string or number is read
    /// by `JSONReader` and written by `serialize`. Each object is written as it comes and its
    /// members reordered in place when they are not in key order. Nil for text the reader would
    /// refuse (the fuzz harness `json-reader` holds it to `serialize` on every text the reader accepts).
    public static func canonical(json bytes: ArraySlice<UInt8>) -> [UInt8]? {
        bytes.withUnsafeBufferPointer { buf -> [UInt8]? in
            ByteWriter.with(capacity: buf.count + 64) { w -> [UInt8]? in
                var c = Canonicalizer(buf: buf)
                guard c.value(depth: 0, &w) else { return nil }
                c.skipWhitespace()
                return c.pos == buf.count ? w.array : nil
            }
        }
    }
}

/// The writer behind ``JCS/canonical(json:)``: one pass over the text.
private struct Canonicalizer {
    let buf: UnsafeBufferPointer<UInt8>
    var pos = 0
    /// One member of an object being written.
    struct Member {
        /// The key's token in the text (quotes included).
        var token: Range<Int>
        /// The key as read, for a key with an escape (compared and written as the reader reads it).
        var decoded: JSONString?
        /// Where the member (key, colon and value) lies in the output.
        var written: Range<Int>
    }
    /// The members of the objects being written, innermost last.
    var members: [Member] = []
    /// Room for reordering an object's members.
    var scratch: [UInt8] = []
    var order: [Int] = []
    let maxDepth = JSONReader().maxDepth

    init(buf: UnsafeBufferPointer<UInt8>) { self.buf = buf }

    mutating func skipWhitespace() {
        while pos < buf.count, buf[pos] == 0x20 || buf[pos] == 0x0A || buf[pos] == 0x0D || buf[pos] == 0x09 { pos += 1 }
    }

    func copy(_ r: Range<Int>, _ w: inout ByteWriter) {
        w.bytes(UnsafeBufferPointer(rebasing: buf[r]))
    }

    /// The value at `pos`, written; false when the text is not JSON.
    mutating func value(depth: Int, _ w: inout ByteWriter) -> Bool {
        skipWhitespace()
        guard pos < buf.count else { return false }
        switch buf[pos] {
        case UInt8(ascii: "{"): return object(depth: depth + 1, &w)
        case UInt8(ascii: "["): return array(depth: depth + 1, &w)
        case UInt8(ascii: "\""):
            let start = pos
            guard let escaped = string() else { return false }
            if escaped { return reread(start..<pos, &w) }
            copy(start..<pos, &w)
            return true
        case UInt8(ascii: "t"): return literal("true", &w)
        case UInt8(ascii: "f"): return literal("false", &w)
        case UInt8(ascii: "n"): return literal("null", &w)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number(&w)
        default: return false
        }
    }

    /// A string or number read by `JSONReader` and written by `JCS.serialize`.
    func reread(_ range: Range<Int>, _ w: inout ByteWriter) -> Bool {
        guard let v = try? JSONReader().parse(UnsafeBufferPointer(rebasing: buf[range])) else { return false }
        JCS.serialize(v).withUnsafeBufferPointer { w.bytes($0) }
        return true
    }

    mutating func literal(_ word: StaticString, _ w: inout ByteWriter) -> Bool {
        let n = word.utf8CodeUnitCount
        guard pos + n <= buf.count else { return false }
        for i in 0..<n where buf[pos + i] != word.utf8Start[i] { return false }
        copy(pos..<(pos + n), &w)
        pos += n
        return true
    }

    /// Moves past the string at `pos` (its opening quote); whether it holds an escape, nil when unterminated.
    mutating func string() -> Bool? {
        pos += 1
        var escaped = false
        while pos < buf.count {
            pos = ByteScan.quoteOrBackslash(buf, from: pos)
            guard pos < buf.count else { break }
            let b = buf[pos]
            if b == UInt8(ascii: "\"") {
                pos += 1
                return escaped
            }
            if b == UInt8(ascii: "\\") {
                escaped = true
                pos += 2
            } else {
                pos += 1
            }
        }
        return nil
    }

    /// An integer of at most 15 digits (below 2^53), not `-0` and without a leading zero, is its
    /// own canonical form; anything else goes through the reader.
    mutating func number(_ w: inout ByteWriter) -> Bool {
        let start = pos
        var plain = true
        var digits = 0
        if buf[pos] == UInt8(ascii: "-") { pos += 1 }
        while pos < buf.count {
            let b = buf[pos]
            if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                digits += 1
            } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") {
                plain = false
            } else {
                break
            }
            pos += 1
        }
        let firstDigit = buf[start] == UInt8(ascii: "-") ? start + 1 : start
        if plain && digits > 0 && digits <= 15 && !(buf[firstDigit] == UInt8(ascii: "0") && (digits > 1 || firstDigit > start)) {
            copy(start..<pos, &w)
            return true
        }
        return reread(start..<pos, &w)
    }

    mutating func array(depth: Int, _ w: inout ByteWriter) -> Bool {
        guard depth <= maxDepth else { return false }
        pos += 1
        w.byte(UInt8(ascii: "["))
        skipWhitespace()
        if pos < buf.count && buf[pos] == UInt8(ascii: "]") {
            pos += 1
            w.byte(UInt8(ascii: "]"))
            return true
        }
        while true {
            guard value(depth: depth, &w) else { return false }
            skipWhitespace()
            guard pos < buf.count else { return false }
            if buf[pos] == UInt8(ascii: ",") {
                pos += 1
                w.byte(UInt8(ascii: ","))
                continue
            }
            guard buf[pos] == UInt8(ascii: "]") else { return false }
            pos += 1
            w.byte(UInt8(ascii: "]"))
            return true
        }
    }

    /// RFC 8785 key order of two members: `JSONString.utf16Precedes` of the keys as read, on the
    /// tokens' bytes while they differ in ASCII (keys without escapes).
    static func precedes(_ buf: UnsafeBufferPointer<UInt8>, _ a: Member, _ b: Member) -> Bool {
        if a.decoded == nil && b.decoded == nil {
            let x = a.token.lowerBound + 1, xn = a.token.count - 2
            let y = b.token.lowerBound + 1, yn = b.token.count - 2
            var i = 0
            while i < xn && i < yn && buf[x + i] == buf[y + i] { i += 1 }
            if i == xn || i == yn { return xn < yn }
            if buf[x + i] < 0x80 && buf[y + i] < 0x80 { return buf[x + i] < buf[y + i] }
        }
        return JSONString.utf16Precedes(key(buf, a), key(buf, b))
    }

    static func key(_ buf: UnsafeBufferPointer<UInt8>, _ m: Member) -> JSONString {
        m.decoded ?? JSONString(validatedUTF8: UnsafeBufferPointer(rebasing: buf[(m.token.lowerBound + 1)..<(m.token.upperBound - 1)]))
    }

    mutating func object(depth: Int, _ w: inout ByteWriter) -> Bool {
        guard depth <= maxDepth else { return false }
        pos += 1
        w.byte(UInt8(ascii: "{"))
        let first = members.count
        skipWhitespace()
        if pos < buf.count && buf[pos] == UInt8(ascii: "}") {
            pos += 1
            w.byte(UInt8(ascii: "}"))
            return true
        }
        let body = w.count
        var sorted = true
        while true {
            skipWhitespace()
            guard pos < buf.count, buf[pos] == UInt8(ascii: "\"") else { return false }
            let keyStart = pos
            guard let escaped = string() else { return false }
            var member = Member(token: keyStart..<pos, decoded: nil, written: 0..<0)
            if escaped {
                guard let k = (try? JSONReader().parse(UnsafeBufferPointer(rebasing: buf[keyStart..<pos])))?.jsonString else { return false }
                member.decoded = k
            }
            if members.count > first && !Canonicalizer.precedes(buf, members[members.count - 1], member) { sorted = false }
            skipWhitespace()
            guard pos < buf.count, buf[pos] == UInt8(ascii: ":") else { return false }
            pos += 1
            if w.count > body { w.byte(UInt8(ascii: ",")) }
            let memberStart = w.count
            if let k = member.decoded {
                JCS.serialize(.string(k)).withUnsafeBufferPointer { w.bytes($0) }
            } else {
                // A key without escapes is its own canonical form (the reader refuses control characters).
                copy(member.token, &w)
            }
            w.byte(UInt8(ascii: ":"))
            guard value(depth: depth, &w) else { return false }
            member.written = memberStart..<w.count
            members.append(member)
            skipWhitespace()
            guard pos < buf.count else { return false }
            if buf[pos] == UInt8(ascii: ",") {
                pos += 1
                continue
            }
            guard buf[pos] == UInt8(ascii: "}") else { return false }
            pos += 1
            break
        }
        if !sorted {
            // The members in key order (keys are unique: the reader refuses duplicates).
            w.cut(from: body, into: &scratch)
            order.removeAll(keepingCapacity: true)
            order.append(contentsOf: first..<members.count)
            let b = buf
            if order.count <= 16 {
                // Insertion sort: objects are small.
                for i in 1..<order.count {
                    let k = order[i]
                    var j = i
                    while j > 0 && Canonicalizer.precedes(b, members[k], members[order[j - 1]]) {
                        order[j] = order[j - 1]
                        j -= 1
                    }
                    order[j] = k
                }
            } else {
                let all = members
                order.sort { Canonicalizer.precedes(b, all[$0], all[$1]) }
            }
            scratch.withUnsafeBufferPointer { s in
                for (n, i) in order.enumerated() {
                    if n > 0 { w.byte(UInt8(ascii: ",")) }
                    let r = members[i].written
                    w.bytes(UnsafeBufferPointer(rebasing: s[(r.lowerBound - body)..<(r.upperBound - body)]))
                }
            }
        }
        members.removeLast(members.count - first)
        w.byte(UInt8(ascii: "}"))
        return true
    }
}
