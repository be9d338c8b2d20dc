import Foundation

/// Why a JSON text was rejected, with the place.
public enum JSONError: LocalizedError, Sendable, Equatable {
    case syntax(String, SourceLocation)
    case invalidUTF8(SourceLocation)
    case loneSurrogate(SourceLocation)
    case duplicateKey(String, SourceLocation)
    case tooDeep(Int, SourceLocation)
    case trailingData(SourceLocation)
    case numberOutOfRange(SourceLocation)
    /// A number whose canonical form (``JCS``, an IEEE 754 double) is another value: the text
    /// as written, and what it would become.
    case numberNotExact(String, becomes: String, SourceLocation)

    public var location: SourceLocation {
        switch self {
        case .syntax(_, let l), .invalidUTF8(let l), .loneSurrogate(let l), .duplicateKey(_, let l),
             .tooDeep(_, let l), .trailingData(let l), .numberOutOfRange(let l), .numberNotExact(_, _, let l):
            return l
        }
    }

    /// The message without the place.
    public var reason: String {
        switch self {
        case .syntax(let m, _): return m
        case .invalidUTF8: return "invalid UTF-8"
        case .loneSurrogate: return "a \\u escape encodes a lone surrogate"
        case .duplicateKey(let k, _): return "duplicate key \"\(k)\""
        case .tooDeep(let d, _): return "nesting deeper than \(d) levels"
        case .trailingData: return "unexpected data after the JSON value"
        case .numberOutOfRange: return "number out of range of an IEEE 754 double"
        case .numberNotExact(let n, let becomes, _):
            return "the number \(n) cannot be kept exactly: the canonical form (RFC 8785) writes numbers as IEEE 754 doubles, "
                + "which would make it \(becomes); write it as a string to keep every digit"
        }
    }

    public var errorDescription: String? { "\(location): \(reason)" }
}

/// A strict JSON reader over UTF-8 bytes (RFC 8259): no duplicate keys, no invalid UTF-8,
/// no lone surrogates, no trailing data, bounded nesting. Reports file:line:column.
public struct JSONReader: Sendable {
    /// Maximum nesting of arrays and objects.
    public var maxDepth: Int
    /// File name used in error locations.
    public var file: String
    /// Line number of the first byte (for a line of a JSON Lines file).
    public var firstLine: Int
    /// Column of the first byte (for a value that starts within a line).
    public var firstColumn: Int

    /// Refuse a number that its canonical form would change (``JSONError/numberNotExact(_:becomes:_:)``):
    /// set where a value is about to be written to the log in that form (`record`'s input), so
    /// that no digit of a record changes silently.
    public var exactNumbers = false

    public init(file: String = "<input>", firstLine: Int = 1, firstColumn: Int = 1, maxDepth: Int = 128) {
        self.file = file
        self.firstLine = firstLine
        self.firstColumn = firstColumn
        self.maxDepth = maxDepth
    }

    /// Parses one JSON text.
    public func parse<C: Collection>(_ bytes: C) throws(JSONError) -> JSONValue where C.Element == UInt8 {
        if let r = bytes.withContiguousStorageIfAvailable({ buf in
            Result { () throws(JSONError) -> JSONValue in try parseBuffer(buf) }
        }) {
            return try r.get()
        }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buf throws(JSONError) -> JSONValue in try parseBuffer(buf) }
    }

    /// Parses one JSON text and tells whether it is exactly in RFC 8785 canonical form, and where
    /// the top-level member with key `member` starts and ends (its key's opening quote to the end
    /// of its value), so a canonical text's bytes without that member can be hashed in place.
    public func parseCanonical<C: Collection>(_ bytes: C, member: String) throws(JSONError) -> CanonicalParse where C.Element == UInt8 {
        let run = { (buf: UnsafeBufferPointer<UInt8>) throws(JSONError) -> CanonicalParse in
            var p = Parser(buf: buf, reader: self)
            p.checkCanonical = true
            p.spanKey = Array(member.utf8)
            p.skipWhitespace()
            let v = try p.value(depth: 0)
            p.skipWhitespace()
            if p.pos != buf.count { throw .trailingData(p.location(p.pos)) }
            return CanonicalParse(value: v, isCanonical: p.canonical, memberSpan: p.span)
        }
        if let r = bytes.withContiguousStorageIfAvailable({ buf in Result { () throws(JSONError) -> CanonicalParse in try run(buf) } }) {
            return try r.get()
        }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buf throws(JSONError) -> CanonicalParse in try run(buf) }
    }

    /// Parses one JSON text and records where each member and array element starts, keyed by
    /// JSON Pointer (RFC 6901), so callers can report a bad field with its line and column.
    public func parseWithLocations(_ bytes: [UInt8]) throws(JSONError) -> (JSONValue, JSONLocations) {
        try bytes.withUnsafeBufferPointer { buf throws(JSONError) -> (JSONValue, JSONLocations) in
            var p = Parser(buf: buf, reader: self)
            p.tracking = true
            p.skipWhitespace()
            let v = try p.value(depth: 0)
            p.skipWhitespace()
            if p.pos != buf.count { throw .trailingData(p.location(p.pos)) }
            return (v, JSONLocations(file: file, byPointer: p.locations))
        }
    }

    /// Parses one JSON text and writes its canonical bytes (RFC 8785) in the same pass: what
    /// `JCS.serialize` writes for the value, or nil when a token of the text is not its own
    /// canonical form (a string with an escape, a number other than an integer of at most 15
    /// digits), for which the caller serializes the value (the fuzz harness `json-reader`
    /// holds the bytes to `JCS.serialize`).
    public func parseWritingCanonical(_ bytes: ArraySlice<UInt8>) throws(JSONError) -> (value: JSONValue, canonical: [UInt8]?) {
        typealias Parsed = (value: JSONValue, canonical: [UInt8]?)
        let r = bytes.withUnsafeBufferPointer { buf -> Result<Parsed, JSONError> in
            ByteWriter.with(capacity: buf.count + 64) { w -> Result<Parsed, JSONError> in
                var p = Parser(buf: buf, reader: self)
                p.writer = w
                // The writer's memory moves as it grows: the one `with` frees is the parser's.
                defer { if let grown = p.writer { w = grown } }
                return Result { () throws(JSONError) -> Parsed in
                    p.skipWhitespace()
                    let v = try p.value(depth: 0)
                    p.skipWhitespace()
                    if p.pos != buf.count { throw .trailingData(p.location(p.pos)) }
                    return (v, p.declined ? nil : p.writer?.array)
                }
            }
        }
        return try r.get()
    }

    private func parseBuffer(_ buf: UnsafeBufferPointer<UInt8>) throws(JSONError) -> JSONValue {
        var p = Parser(buf: buf, reader: self)
        p.skipWhitespace()
        let v = try p.value(depth: 0)
        p.skipWhitespace()
        if p.pos != buf.count { throw .trailingData(p.location(p.pos)) }
        return v
    }
}


/// Where the members of a parsed document start, keyed by JSON Pointer ("" is the root,
/// "/release/models" a member, "/versions/0" an array element).
public struct JSONLocations: Sendable {
    public var file: String
    var byPointer: [String: SourceLocation]

    /// A JSON Pointer reference token (RFC 6901): `~` as `~0`, `/` as `~1`. Most keys have
    /// neither and are returned as they are, without Foundation's string search (which cost
    /// a third of `record`'s time on large inputs).
    static func escaped(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        var out: [UInt8] = []
        out.reserveCapacity(token.utf8.count + 4)
        for b in token.utf8 {
            switch b {
            case UInt8(ascii: "~"): out += [UInt8(ascii: "~"), UInt8(ascii: "0")]
            case UInt8(ascii: "/"): out += [UInt8(ascii: "~"), UInt8(ascii: "1")]
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The place of the value at a pointer path, or of the nearest enclosing value that has one.
    public func location(_ path: [String]) -> SourceLocation {
        var p = path
        while true {
            let pointer = "/" + p.map(JSONLocations.escaped)
                .joined(separator: "/")
            if let l = byPointer[pointer] { return l }
            if p.isEmpty { return SourceLocation(file: file, line: 1, column: 1) }
            p.removeLast()
        }
    }
}

/// The result of `JSONReader.parseCanonical`.
public struct CanonicalParse: Sendable {
    public var value: JSONValue
    /// True when the text is byte for byte the RFC 8785 serialization of `value`.
    public var isCanonical: Bool
    /// The byte range of the requested top-level member (key to end of value), if present.
    public var memberSpan: Range<Int>?
}
