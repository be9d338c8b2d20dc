import Foundation

/// The recursive-descent parser behind `JSONReader`, over a buffer of UTF-8 bytes.
struct Parser {
    let buf: UnsafeBufferPointer<UInt8>
    let reader: JSONReader
    var pos = 0
    var tracking = false
    var checkCanonical = false
    var canonical = true
    var spanKey: [UInt8] = []
    var span: Range<Int>?
    var path: [String] = []
    var locations: [String: SourceLocation] = [:]
    var lineCache = (offset: 0, line: 0, column: 1)
    /// Set by ``JSONReader/parseWritingCanonical(_:)``: the value's canonical bytes (RFC 8785)
    /// written in the same pass, each token copied as written while it is its own canonical form
    /// (a string without escapes, a short integer, a literal) and each object's members reordered
    /// by key in place; `declined` once a token is not (the caller then serializes the value).
    var writer: ByteWriter?
    var declined = false
    /// The members of the objects being written, innermost last: the key's token and where the
    /// member lies in the output.
    var written: [(key: Range<Int>, out: Range<Int>)] = []
    var scratch: [UInt8] = []
    var order: [Int] = []
    /// Whether the string just read held an escape.
    var lastEscaped = false

    init(buf: UnsafeBufferPointer<UInt8>, reader: JSONReader) {
        self.buf = buf
        self.reader = reader
        self.lineCache = (0, 0, reader.firstColumn)
    }

    mutating func record(_ offset: Int) {
        var line = lineCache.line
        var col = lineCache.column
        var i = lineCache.offset
        if offset < i { (line, col, i) = (0, reader.firstColumn, 0) }
        while i < offset {
            let b = buf[i]
            if b == 0x0A { line += 1; col = 1 } else if b & 0xC0 != 0x80 { col += 1 }
            i += 1
        }
        lineCache = (offset, line, col)
        var pointer = ""
        for token in path {
            pointer += "/"
            pointer += JSONLocations.escaped(token)
        }
        locations[pointer.isEmpty ? "/" : pointer] = SourceLocation(
            file: reader.file, line: reader.firstLine + line, column: col)
    }

    func location(_ offset: Int) -> SourceLocation {
        var line = reader.firstLine
        var col = reader.firstColumn
        var i = 0
        let end = min(offset, buf.count)
        while i < end {
            let b = buf[i]
            if b == 0x0A { line += 1; col = 1 } else if b & 0xC0 != 0x80 { col += 1 }
            i += 1
        }
        return SourceLocation(file: reader.file, line: line, column: col)
    }

    func syntax(_ message: String, at offset: Int) -> JSONError {
        .syntax(message, location(offset))
    }

    mutating func skipWhitespace() {
        while pos < buf.count {
            let b = buf[pos]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { pos += 1; canonical = false } else { break }
        }
    }

    func describe(_ offset: Int) -> String {
        guard offset < buf.count else { return "end of input" }
        let b = buf[offset]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return String(format: "byte 0x%02X", b)
    }

    mutating func value(depth: Int) throws(JSONError) -> JSONValue {
        guard pos < buf.count else { throw syntax("expected a value but found end of input", at: pos) }
        switch buf[pos] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""):
            let start = pos
            let s = try string()
            if writer != nil {
                if lastEscaped { decline() } else { copyOut(start..<pos) }
            }
            return .string(s)
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = pos
            let v = try number()
            if writer != nil {
                if plainInteger(start..<pos) { copyOut(start..<pos) } else { decline() }
            }
            return v
        default: throw syntax("expected a value but found \(describe(pos))", at: pos)
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONError) {
        let n = word.utf8CodeUnitCount
        let start = pos
        guard pos + n <= buf.count else { throw syntax("invalid literal", at: start) }
        let w = word.utf8Start
        for i in 0..<n where buf[pos + i] != w[i] {
            throw syntax("invalid literal", at: start)
        }
        pos += n
        if writer != nil { copyOut(start..<pos) }
    }

    mutating func object(depth: Int) throws(JSONError) -> JSONValue {
        if depth > reader.maxDepth { throw .tooDeep(reader.maxDepth, location(pos)) }
        pos += 1
        var members: [JSONMember] = []
        members.reserveCapacity(depth == 1 ? 16 : 4)
        let writing = writer != nil
        if writing { byteOut(UInt8(ascii: "{")) }
        let first = written.count
        let body = writer?.count ?? 0
        var sorted = true
        // Duplicate keys: a linear look for small objects, a set (of the keys' bytes) beyond,
        // so that an object of many members is read in linear time, not quadratic.
        var keys: Set<JSONString>?
        skipWhitespace()
        if pos < buf.count && buf[pos] == UInt8(ascii: "}") {
            pos += 1
            if writing { byteOut(UInt8(ascii: "}")) }
            return .object(JSONObject(members))
        }
        while true {
            skipWhitespace()
            guard pos < buf.count, buf[pos] == UInt8(ascii: "\"") else {
                throw syntax("expected a string key but found \(describe(pos))", at: pos)
            }
            let keyStart = pos
            let key = try string()
            let keyEnd = pos
            if let k = keys {
                if k.contains(key) { throw .duplicateKey(key.string, location(keyStart)) }
            } else {
                for m in members where m.key == key { throw .duplicateKey(key.string, location(keyStart)) }
            }
            if checkCanonical, let last = members.last, !JSONString.utf16Precedes(last.key, key) { canonical = false }
            skipWhitespace()
            guard pos < buf.count, buf[pos] == UInt8(ascii: ":") else {
                throw syntax("expected ':' but found \(describe(pos))", at: pos)
            }
            pos += 1
            skipWhitespace()
            var memberStart = 0
            if writing {
                if lastEscaped { decline() }
                if !declined, let prior = written.last, written.count > first, !Parser.keyPrecedes(buf, prior.key, keyStart..<keyEnd) { sorted = false }
                if !members.isEmpty { byteOut(UInt8(ascii: ",")) }
                memberStart = writer?.count ?? 0
                copyOut(keyStart..<keyEnd)
                byteOut(UInt8(ascii: ":"))
            }
            if tracking { path.append(key.string); record(keyStart) }
            let v = try value(depth: depth)
            if tracking { path.removeLast() }
            if writing { written.append((keyStart..<keyEnd, memberStart..<(writer?.count ?? 0))) }
            if checkCanonical && depth == 1 && key.utf8.elementsEqual(spanKey) { span = keyStart..<pos }
            members.append(JSONMember(key: key, value: v))
            if keys != nil { keys?.insert(key) } else if members.count == Parser.linearKeyLimit { keys = Set(members.map(\.key)) }
            skipWhitespace()
            guard pos < buf.count else { throw syntax("unterminated object", at: pos) }
            if buf[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if buf[pos] == UInt8(ascii: "}") {
                pos += 1
                if writing {
                    if !sorted { reorder(from: first, body: body) }
                    written.removeLast(written.count - first)
                    byteOut(UInt8(ascii: "}"))
                }
                return .object(JSONObject(members))
            }
            throw syntax("expected ',' or '}' but found \(describe(pos))", at: pos)
        }
    }

    /// Objects with more members than this look up duplicate keys in a set.
    static let linearKeyLimit = 32

    mutating func array(depth: Int) throws(JSONError) -> JSONValue {
        if depth > reader.maxDepth { throw .tooDeep(reader.maxDepth, location(pos)) }
        pos += 1
        var items: [JSONValue] = []
        let writing = writer != nil
        if writing { byteOut(UInt8(ascii: "[")) }
        skipWhitespace()
        if pos < buf.count && buf[pos] == UInt8(ascii: "]") {
            pos += 1
            if writing { byteOut(UInt8(ascii: "]")) }
            return .array(items)
        }
        while true {
            skipWhitespace()
            if writing && !items.isEmpty { byteOut(UInt8(ascii: ",")) }
            if tracking { path.append(String(items.count)); record(pos) }
            items.append(try value(depth: depth))
            if tracking { path.removeLast() }
            skipWhitespace()
            guard pos < buf.count else { throw syntax("unterminated array", at: pos) }
            if buf[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if buf[pos] == UInt8(ascii: "]") {
                pos += 1
                if writing { byteOut(UInt8(ascii: "]")) }
                return .array(items)
            }
            throw syntax("expected ',' or ']' but found \(describe(pos))", at: pos)
        }
    }

    mutating func string() throws(JSONError) -> JSONString {
        let start = pos
        pos += 1
        lastEscaped = false
        // Fast path: a run of plain ASCII up to the closing quote.
        let i = ByteScan.plainASCIIEnd(buf, from: pos)
        if i < buf.count && buf[i] == UInt8(ascii: "\"") {
            let s = JSONString(validatedUTF8: UnsafeBufferPointer(rebasing: buf[pos..<i]))
            pos = i + 1
            return s
        }
        var out = Array(UnsafeBufferPointer(rebasing: buf[pos..<i]))
        pos = i
        while true {
            guard pos < buf.count else { throw syntax("unterminated string", at: start) }
            let b = buf[pos]
            switch b {
            case UInt8(ascii: "\""):
                pos += 1
                return JSONString(bytes: out)
            case UInt8(ascii: "\\"):
                lastEscaped = true
                pos += 1
                guard pos < buf.count else { throw syntax("unterminated string", at: start) }
                let e = buf[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F); canonical = false
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    let escStart = pos - 2
                    let u = try hex4()
                    if checkCanonical {
                        // JCS writes \u only for control characters without a short escape, in lowercase hex.
                        let short: Set<UInt32> = [0x08, 0x09, 0x0A, 0x0C, 0x0D]
                        if u >= 0x20 || short.contains(u) || buf[(pos - 4)..<pos].contains(where: { $0 >= 0x41 && $0 <= 0x46 }) {
                            canonical = false
                        }
                    }
                    if u >= 0xD800 && u <= 0xDBFF {
                        guard pos + 6 <= buf.count, buf[pos] == UInt8(ascii: "\\"), buf[pos + 1] == UInt8(ascii: "u") else {
                            throw .loneSurrogate(location(escStart))
                        }
                        pos += 2
                        let low = try hex4()
                        guard low >= 0xDC00 && low <= 0xDFFF else { throw .loneSurrogate(location(escStart)) }
                        Parser.appendUTF8(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00), to: &out)
                    } else if u >= 0xDC00 && u <= 0xDFFF {
                        throw .loneSurrogate(location(escStart))
                    } else {
                        Parser.appendUTF8(u, to: &out)
                    }
                default:
                    throw syntax("invalid escape sequence", at: pos - 2)
                }
            case 0..<0x20:
                throw syntax("unescaped control character in string", at: pos)
            case 0x80...0xFF:
                try utf8Sequence(into: &out)
            default:
                out.append(b)
                pos += 1
            }
        }
    }

    mutating func number() throws(JSONError) -> JSONValue {
        let start = pos
        var negative = false
        if buf[pos] == UInt8(ascii: "-") { negative = true; pos += 1 }
        guard pos < buf.count, buf[pos] >= UInt8(ascii: "0"), buf[pos] <= UInt8(ascii: "9") else {
            throw syntax("invalid number", at: start)
        }
        var isInteger = true
        var magnitude: UInt64 = 0
        var overflow = false
        if buf[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < buf.count, buf[pos] >= UInt8(ascii: "0"), buf[pos] <= UInt8(ascii: "9") {
                throw syntax("leading zero in number", at: start)
            }
        } else {
            while pos < buf.count, buf[pos] >= UInt8(ascii: "0"), buf[pos] <= UInt8(ascii: "9") {
                let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (m2, o2) = m1.addingReportingOverflow(UInt64(buf[pos] - UInt8(ascii: "0")))
                if o1 || o2 { overflow = true }
                magnitude = m2
                pos += 1
            }
        }
        if pos < buf.count, buf[pos] == UInt8(ascii: ".") {
            isInteger = false
            pos += 1
            let digitsStart = pos
            while pos < buf.count, buf[pos] >= UInt8(ascii: "0"), buf[pos] <= UInt8(ascii: "9") { pos += 1 }
            if pos == digitsStart { throw syntax("expected digits after '.'", at: pos) }
        }
        if pos < buf.count, buf[pos] == UInt8(ascii: "e") || buf[pos] == UInt8(ascii: "E") {
            isInteger = false
            pos += 1
            if pos < buf.count, buf[pos] == UInt8(ascii: "+") || buf[pos] == UInt8(ascii: "-") { pos += 1 }
            let digitsStart = pos
            while pos < buf.count, buf[pos] >= UInt8(ascii: "0"), buf[pos] <= UInt8(ascii: "9") { pos += 1 }
            if pos == digitsStart { throw syntax("expected digits in exponent", at: pos) }
        }
        if checkCanonical {
            if isInteger && !overflow && magnitude <= (1 << 53) {
                if negative && magnitude == 0 { canonical = false }
            } else {
                let lexeme = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<pos]), as: UTF8.self)
                if let d = Double(lexeme), d.isFinite, JCS.formatNumber(d) != lexeme { canonical = false }
            }
        }
        if reader.exactNumbers && !(isInteger && !overflow && magnitude <= (1 << 53)) {
            let lexeme = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<pos]), as: UTF8.self)
            if let d = Double(lexeme), d.isFinite {
                let canonical = JCS.formatNumber(d)
                if !DecimalText.sameValue(lexeme, canonical) { throw .numberNotExact(lexeme, becomes: canonical, location(start)) }
            }
        }
        if isInteger && !overflow {
            if negative {
                if magnitude <= UInt64(Int64.max) { return .integer(-Int64(magnitude)) }
                if magnitude == UInt64(Int64.max) + 1 { return .integer(Int64.min) }
            } else if magnitude <= UInt64(Int64.max) {
                return .integer(Int64(magnitude))
            }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<pos]), as: UTF8.self)
        guard let d = Double(text), d.isFinite else { throw .numberOutOfRange(location(start)) }
        return .decimal(d)
    }
}
