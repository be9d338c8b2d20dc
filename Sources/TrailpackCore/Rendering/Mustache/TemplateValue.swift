/// The data a Mustache template renders: a JSON-like tree of plain values.
///
/// The only pre-rendered markup is a ``TemplateFragment``, built by typed code from literals and
/// escaped text (``SafeHTML``, ``SafeMarkdown``); a `.string` is always text.
public enum TemplateValue: Sendable, Hashable {
    /// No value: falsey, interpolates as nothing.
    case null
    /// A boolean: a section renders once when `true`.
    case bool(Bool)
    /// Text, HTML-escaped by `{{name}}`, emitted as is by `{{{name}}}` and `{{& name}}`.
    case string(String)
    /// An integer.
    case int(Int)
    /// A floating-point number, interpolated the way ECMAScript prints it.
    case double(Double)
    /// A list: a section renders once per element, with the element on top of the context stack.
    case array([TemplateValue])
    /// Named members for name lookup; a section renders once with the object on the stack.
    case object([String: TemplateValue])
    /// Markup rendered by typed code, escaped by construction: emitted as it is (in the form of
    /// the template's format) by `{{name}}` and `{{{name}}}`; truthy; has no members.
    case fragment(TemplateFragment)

    /// Whether a section `{{#name}}` renders (and an inverted section `{{^name}}` does not).
    ///
    /// The spec makes `false`, `null` and the empty list falsey and leaves the rest to the host
    /// language, hinting at JavaScript's `!!data`. Following that hint, the empty string and the
    /// number zero (and NaN) are falsey too; every object, even an empty one, is truthy.
    public var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .string(let s): return !s.isEmpty
        case .int(let i): return i != 0
        case .double(let d): return d != 0 && !d.isNaN
        case .array(let a): return !a.isEmpty
        case .object, .fragment: return true
        }
    }

    /// The member of an object, or `nil` for a missing key or a value that is not an object.
    public subscript(key: String) -> TemplateValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The text an interpolation tag `{{name}}` emits before escaping.
    ///
    /// `null` is empty, booleans are `true`/`false`, numbers are written as ECMAScript writes them
    /// (`85`, `1.21`, `1e+21`; an integral double has no fraction), lists and objects are empty.
    public var interpolationText: String {
        switch self {
        case .null, .array, .object, .fragment: return ""
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d):
            if d.isNaN { return "NaN" }
            if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
            return JCS.formatNumber(d)
        }
    }
}

extension TemplateValue {
    /// Converts a parsed JSON value: integers stay `.int`, other numbers become `.double`.
    public init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .integer(let i): self = .int(Int(i))
        case .decimal(let d): self = .double(d)
        case .string(let s): self = .string(s.string)
        case .array(let items): self = .array(items.map(TemplateValue.init))
        case .object(let object):
            var members: [String: TemplateValue] = [:]
            members.reserveCapacity(object.members.count)
            for member in object.members { members[member.key.string] = TemplateValue(member.value) }
            self = .object(members)
        }
    }
}

extension TemplateValue: ExpressibleByNilLiteral {
    /// `nil` is `.null`.
    public init(nilLiteral: ()) { self = .null }
}

extension TemplateValue: ExpressibleByBooleanLiteral {
    /// A boolean literal is `.bool`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension TemplateValue: ExpressibleByStringLiteral {
    /// A string literal is `.string`.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension TemplateValue: ExpressibleByIntegerLiteral {
    /// An integer literal is `.int`.
    public init(integerLiteral value: Int) { self = .int(value) }
}

extension TemplateValue: ExpressibleByFloatLiteral {
    /// A float literal is `.double`.
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension TemplateValue: ExpressibleByArrayLiteral {
    /// An array literal is `.array`.
    public init(arrayLiteral elements: TemplateValue...) { self = .array(elements) }
}

extension TemplateValue: ExpressibleByDictionaryLiteral {
    /// A dictionary literal is `.object`; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        var members: [String: TemplateValue] = [:]
        members.reserveCapacity(elements.count)
        for (key, value) in elements { members[key] = value }
        self = .object(members)
    }
}
