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
        if isSorted(members) {
            for i in members.indices { writeMember(members[i], excluding: excluding, count: &n, to: &out) }
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
                for i in order { writeMember(members[i], excluding: excluding, count: &n, to: &out) }
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    /// One member of an object being written (unless its key is in `excluding`), after a comma
    /// when `count` members came before it. A function of its own, not a closure over the writer's
    /// state: captured variables are boxed and each access to them checked at run time.
    @inline(__always)
    private static func writeMember(_ m: JSONMember, excluding: [String], count n: inout Int, to out: inout [UInt8]) {
        if !excluding.isEmpty && excluding.contains(where: { m.key.equals($0) }) { return }
        if n > 0 { out.append(UInt8(ascii: ",")) }
        n += 1
        writeString(m.key, to: &out)
        out.append(UInt8(ascii: ":"))
        write(m.value, to: &out)
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
        if ByteScan.needsEscape(buf) {
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
