#if canImport(Glibc)
import Glibc
#endif
/// A JSON string, compared, ordered and hashed by its UTF-8 bytes: identifiers are never compared
/// through Swift `String` equality (which merges canonically equivalent sequences). The bytes are
/// kept in a Swift `String` only for its small-string storage; they must be valid UTF-8.
public struct JSONString: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    @usableFromInline var storage: String

    /// From UTF-8 bytes (the reader has validated them; invalid bytes would become U+FFFD).
    public init(bytes: [UInt8]) { storage = String(decoding: bytes, as: UTF8.self) }
    public init(_ string: String) { storage = string }
    public init(stringLiteral value: String) { storage = value }
    init(validatedUTF8 buffer: UnsafeBufferPointer<UInt8>) { storage = String(decoding: buffer, as: UTF8.self) }

    /// The UTF-8 bytes of the string.
    public var bytes: [UInt8] { Array(storage.utf8) }
    /// The UTF-8 view, without copying.
    public var utf8: String.UTF8View { storage.utf8 }
    /// The string for display.
    public var string: String { storage }
    public var description: String { storage }
    public var isEmpty: Bool { storage.utf8.isEmpty }

    public static func == (lhs: JSONString, rhs: JSONString) -> Bool {
        sameBytes(lhs.storage.utf8, rhs.storage.utf8)
    }

    /// Byte-wise equality: lengths first (a native string knows its UTF-8 count, and most keys
    /// compared differ in it), then the contiguous bytes.
    @inline(__always)
    static func sameBytes(_ a: String.UTF8View, _ b: String.UTF8View) -> Bool {
        guard a.count == b.count else { return false }
        let fast: Bool?? = a.withContiguousStorageIfAvailable { x in b.withContiguousStorageIfAvailable { y in x.elementsEqual(y) } }
        if let fast, let same = fast { return same }
        return a.elementsEqual(b)
    }

    public func hash(into hasher: inout Hasher) {
        var s = storage
        s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(0xFF as UInt8)
    }

    /// Byte-wise order (used for sorting ids deterministically).
    public static func < (lhs: JSONString, rhs: JSONString) -> Bool {
        lhs.storage.utf8.lexicographicallyPrecedes(rhs.storage.utf8)
    }

    /// RFC 8785 key order: by UTF-16 code units.
    public static func utf16Precedes(_ lhs: JSONString, _ rhs: JSONString) -> Bool {
        // Byte by byte up to the first difference: when both bytes there are ASCII, they are whole
        // characters after an equal prefix, and UTF-8 byte order is UTF-16 order. Otherwise (a
        // non-ASCII character differs) the UTF-16 code units are compared.
        var l = lhs.storage, r = rhs.storage
        let order: Bool? = l.withUTF8 { a in
            r.withUTF8 { b -> Bool? in
                let n = min(a.count, b.count)
                var i = 0
                while i < n && a[i] == b[i] { i += 1 }
                if i == n { return a.count < b.count }
                return a[i] < 0x80 && b[i] < 0x80 ? a[i] < b[i] : nil
            }
        }
        if let order { return order }
        return lhs.storage.utf16.lexicographicallyPrecedes(rhs.storage.utf16)
    }

    /// True when every byte is printable ASCII (0x20 to 0x7E): no escapes, invisible characters
    /// or normalization to consider.
    var isPrintableASCII: Bool {
        var s = storage
        return s.withUTF8 { b in
            var i = 0
            if let base = b.baseAddress {
                while i + 8 <= b.count {
                    let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                    // `high`: some byte is 0x7F or above (0x7F + 1 sets the high bit); `low`: some
                    // byte is below 0x20. Either stops the word; its bytes are then tested one by one.
                    let high = (w | (w &+ 0x0101_0101_0101_0101)) & 0x8080_8080_8080_8080
                    let low = (w &- 0x2020_2020_2020_2020) & ~w & 0x8080_8080_8080_8080
                    if high | low != 0 { break }
                    i += 8
                }
            }
            while i < b.count {
                if b[i] < 0x20 || b[i] >= 0x7F { return false }
                i += 1
            }
            return true
        }
    }

    /// Byte-wise equality with a Swift string's UTF-8.
    public func equals(_ other: String) -> Bool {
        JSONString.sameBytes(storage.utf8, other.utf8)
    }
}

/// One `"key": value` pair of a JSON object, in input order.
public struct JSONMember: Sendable, Hashable {
    public var key: JSONString
    public var value: JSONValue
    public init(key: JSONString, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A JSON object: members in input order, keys unique (the reader rejects duplicates).
public struct JSONObject: Sendable, Hashable {
    public var members: [JSONMember]

    public init(_ members: [JSONMember] = []) { self.members = members }

    /// Looks a member up by key, comparing UTF-8 bytes.
    public subscript(key: String) -> JSONValue? {
        get {
            for m in members where m.key.equals(key) { return m.value }
            return nil
        }
        set {
            if let i = members.firstIndex(where: { $0.key.equals(key) }) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append(JSONMember(key: JSONString(key), value: newValue))
            }
        }
    }

    /// The object without the named keys.
    public func removing(_ keys: String...) -> JSONObject {
        JSONObject(members.filter { m in !keys.contains(where: { m.key.equals($0) }) })
    }

    public var keys: [JSONString] { members.map(\.key) }
    public var isEmpty: Bool { members.isEmpty }
}

/// A parsed JSON value. Integers and decimals are kept apart: `integer` holds a number written
/// without fraction or exponent that fits in 64 bits; everything else is a `decimal`.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case decimal(Double)
    case string(JSONString)
    case array([JSONValue])
    case object(JSONObject)

    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var jsonString: JSONString? { if case .string(let s) = self { return s } else { return nil } }
    public var stringValue: String? { jsonString?.string }
    public var integerValue: Int64? { if case .integer(let i) = self { return i } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    /// The number as a Double, whether integer or decimal.
    public var numberValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .decimal(let d): return d
        default: return nil
        }
    }
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// A short name of the JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .integer: return "integer"
        case .decimal: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    public init(_ s: String) { self = .string(JSONString(s)) }
}

extension String {
    /// Whether this string's UTF-8 bytes come before `other`'s (memcmp on the contiguous bytes, a
    /// shorter prefix first): paths and keys are ordered by bytes, never by Swift's `String` order.
    func utf8Precedes(_ other: String) -> Bool {
        var x = self, y = other
        return x.withUTF8 { p in
            y.withUTF8 { q in
                let n = min(p.count, q.count)
                if n > 0, let pa = p.baseAddress, let qa = q.baseAddress {
                    let c = memcmp(pa, qa, n)
                    if c != 0 { return c < 0 }
                }
                return p.count < q.count
            }
        }
    }
}
