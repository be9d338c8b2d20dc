/// RFC 8785 JSON Canonicalization Scheme serializer.
public enum JCS {
    /// The canonical UTF-8 bytes of a value.
    public static func serialize(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, to: &out)
        return out
    }

    /// Appends the canonical bytes of a value.
    public static func write(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .integer(let i): writeInteger(i, to: &out)
        case .decimal(let d): out.append(contentsOf: formatNumber(d).utf8)
        case .string(let s): writeString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (n, item) in items.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                write(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let obj):
            writeObject(obj, to: &out)
        }
    }

    /// Appends a canonical object, leaving out top-level members whose key is in `excluding`.
    public static func writeObject(_ obj: JSONObject, excluding: [String] = [], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        let members = obj.members
        var n = 0
        func member(_ m: JSONMember) {
            if !excluding.isEmpty && excluding.contains(where: { m.key.equals($0) }) { return }
            if n > 0 { out.append(UInt8(ascii: ",")) }
            n += 1
            writeString(m.key, to: &out)
            out.append(UInt8(ascii: ":"))
            write(m.value, to: &out)
        }
        if isSorted(members) {
            for m in members { member(m) }
        } else {
            // The members are visited in key order through a permutation, without copying them.
            withUnsafeTemporaryAllocation(of: Int.self, capacity: members.count) { order in
                for i in 0..<members.count { order[i] = i }
                if members.count <= 16 {
                    // Insertion sort: objects are small (and stable, though keys are unique).
                    for i in 1..<members.count {
                        let k = order[i]
                        var j = i
                        while j > 0 && JSONString.utf16Precedes(members[k].key, members[order[j - 1]].key) {
                            order[j] = order[j - 1]
                            j -= 1
                        }
                        order[j] = k
                    }
                } else {
                    var all = order
                    all.sort { JSONString.utf16Precedes(members[$0].key, members[$1].key) }
                }
                for i in order { member(members[i]) }
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func isSorted(_ members: [JSONMember]) -> Bool {
        var i = 1
        while i < members.count {
            if !JSONString.utf16Precedes(members[i - 1].key, members[i].key) { return false }
            i += 1
        }
        return true
    }

    static func writeInteger(_ i: Int64, to out: inout [UInt8]) {
        // Integers beyond 2^53 are not exactly representable in an IEEE double; JCS prints
        // the double they become.
        if i.magnitude > (1 << 53) {
            out.append(contentsOf: formatNumber(Double(i)).utf8)
            return
        }
        if i == 0 { out.append(UInt8(ascii: "0")); return }
        // At most 16 digits here (|i| <= 2^53), written backwards into a small inline buffer.
        var m = i.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buf in
            var at = buf.count
            while m > 0 {
                at -= 1
                buf[at] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
            }
            if i < 0 { out.append(UInt8(ascii: "-")) }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[at...]))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends a canonical JSON string literal of the UTF-8 bytes.
    /// A string's UTF-8 as a JSON string: copied at once when nothing in it needs escaping
    /// (nearly always), else byte by byte.
    public static func writeString(_ bytes: String.UTF8View, to out: inout [UInt8]) {
        if let done: Void = bytes.withContiguousStorageIfAvailable({ writePlainOrEscaped($0, to: &out) }) { return done }
        writeEscaped(bytes, to: &out)
    }

    /// A string literal of UTF-8 bytes: copied at once when nothing in it needs escaping.
    static func writePlainOrEscaped(_ buf: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        for b in buf where b < 0x20 || b == 0x22 || b == 0x5C {
            writeEscaped(buf, to: &out)
            return
        }
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: buf)
        out.append(UInt8(ascii: "\""))
    }

    /// A JSON string's bytes as a canonical string literal, scanned and copied through its
    /// contiguous UTF-8 storage.
    static func writeString(_ s: JSONString, to out: inout [UInt8]) {
        var text = s.storage
        text.withUTF8 { writePlainOrEscaped($0, to: &out) }
    }

    public static func writeString<S: Sequence>(_ bytes: S, to out: inout [UInt8]) where S.Element == UInt8 {
        writeEscaped(bytes, to: &out)
    }

    static func writeEscaped<S: Sequence>(_ bytes: S, to out: inout [UInt8]) where S.Element == UInt8 {
        out.append(UInt8(ascii: "\""))
        for b in bytes {
            switch b {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x08: out.append(0x5C); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(0x5C); out.append(UInt8(ascii: "f"))
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigits[Int(b >> 4)])
                out.append(hexDigits[Int(b & 0xF)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// ECMAScript Number.prototype.toString for a finite double (RFC 8785 section 3.2.2.3).
    public static func formatNumber(_ d: Double) -> String {
        if d == 0 { return "0" }
        if d.isNaN || d.isInfinite { return "null" }
        let negative = d < 0
        // Swift's description is the shortest round-tripping decimal; take its digits and exponent.
        let text = Array(d.magnitude.description.utf8)
        var digits: [UInt8] = []
        var exp10 = 0
        var seenPoint = false
        var digitsBeforePoint = 0
        var i = 0
        while i < text.count {
            let c = text[i]
            if c == UInt8(ascii: ".") {
                seenPoint = true
            } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                exp10 = Int(String(decoding: text[(i + 1)...], as: UTF8.self)) ?? 0
                break
            } else {
                digits.append(c)
                if !seenPoint { digitsBeforePoint += 1 }
            }
            i += 1
        }
        // value = 0.d1d2... x 10^n
        var n = digitsBeforePoint + exp10
        while let f = digits.first, f == UInt8(ascii: "0"), digits.count > 1 {
            digits.removeFirst()
            n -= 1
        }
        while let l = digits.last, l == UInt8(ascii: "0"), digits.count > 1 { digits.removeLast() }
        let k = digits.count
        var s = negative ? "-" : ""
        let ds = String(decoding: digits, as: UTF8.self)
        if k <= n && n <= 21 {
            s += ds + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            s += String(ds.prefix(n)) + "." + String(ds.dropFirst(n))
        } else if -6 < n && n <= 0 {
            s += "0." + String(repeating: "0", count: -n) + ds
        } else {
            let e = n - 1
            let sign = e < 0 ? "-" : "+"
            if k == 1 {
                s += ds + "e" + sign + String(e.magnitude)
            } else {
                s += String(ds.prefix(1)) + "." + String(ds.dropFirst()) + "e" + sign + String(e.magnitude)
            }
        }
        return s
    }
}

extension JSONValue {
    /// The RFC 8785 canonical bytes.
    public var canonicalBytes: [UInt8] { JCS.serialize(self) }
}

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
