/// Writes JSON for people and tools: members in the order given, two-space indentation,
/// strings escaped as RFC 8785 does. Deterministic for a given value.
public enum JSONWriter {
    /// Pretty-printed JSON text ending in a newline.
    public static func pretty(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        write(value, indent: 0, to: &out)
        out.append(0x0A)
        return String(decoding: out, as: UTF8.self)
    }

    private static func newline(_ indent: Int, _ out: inout [UInt8]) {
        out.append(0x0A)
        out.append(contentsOf: repeatElement(0x20, count: indent * 2))
    }

    private static func write(_ value: JSONValue, indent: Int, to out: inout [UInt8]) {
        switch value {
        case .array(let items):
            if items.isEmpty { out.append(contentsOf: "[]".utf8); return }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1, &out)
                write(item, indent: indent + 1, to: &out)
            }
            newline(indent, &out)
            out.append(UInt8(ascii: "]"))
        case .object(let obj):
            if obj.members.isEmpty { out.append(contentsOf: "{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            for (i, m) in obj.members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1, &out)
                JCS.writeString(m.key.bytes, to: &out)
                out.append(contentsOf: ": ".utf8)
                write(m.value, indent: indent + 1, to: &out)
            }
            newline(indent, &out)
            out.append(UInt8(ascii: "}"))
        default:
            JCS.write(value, to: &out)
        }
    }
}

/// Builds JSON objects in a fixed member order: the one way trailpack projects a value to JSON.
/// Each model type has a single projection (its `json` property, e.g. ``SignatureRecord/json``),
/// written with this builder and reused by every output that shows the type (report.json,
/// `verify --format json`, the diff JSON), so a type never has two shapes.
public struct JSONBuilder {
    public private(set) var object = JSONObject()
    public init() {}

    /// The object `body` builds.
    public static func build(_ body: (inout JSONBuilder) -> Void) -> JSONValue {
        var b = JSONBuilder()
        body(&b)
        return b.value
    }

    public mutating func set(_ key: String, _ value: JSONValue) { object.members.append(JSONMember(key: JSONString(key), value: value)) }
    public mutating func set(_ key: String, _ value: String?) { set(key, value.map { JSONValue($0) } ?? .null) }
    public mutating func set(_ key: String, _ value: Int) { set(key, .integer(Int64(value))) }
    public mutating func set(_ key: String, _ value: Int64) { set(key, .integer(value)) }
    public mutating func set(_ key: String, _ value: JSONString?) { set(key, value.map { JSONValue.string($0) } ?? .null) }
    /// An optional integer: `null` when absent.
    public mutating func set(_ key: String, _ value: Int64?) { set(key, value.map { JSONValue.integer($0) } ?? .null) }
    public mutating func set(_ key: String, _ value: Bool) { set(key, .bool(value)) }
    /// Appends the members of `value`, an object, in their order (nothing for another value).
    public mutating func append(membersOf value: JSONValue) { if case .object(let o) = value { object.members += o.members } }
    /// Sets the member only when the value is present.
    public mutating func setIf(_ key: String, _ value: JSONValue?) { if let value { set(key, value) } }

    public var value: JSONValue { .object(object) }
}
