/// Who did something: `actor` of an event.
public struct Actor: Sendable, Hashable {
    public var id: JSONString
    public var name: String?
    public var role: String?
    /// `person` (default) or `service`.
    public var isService: Bool
}

/// What an event is about: `subject` of an event.
public struct Subject: Sendable, Hashable {
    public var type: String
    public var id: JSONString
    public var version: JSONString?
}

/// A reference to a model version, written `model-id@version`.
public struct VersionRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var model: JSONString
    public var version: JSONString

    public init(model: JSONString, version: JSONString) {
        self.model = model
        self.version = version
    }

    /// Splits `id@version` at the last `@`.
    public init?(_ s: JSONString) {
        guard let at = s.bytes.lastIndex(of: UInt8(ascii: "@")), at > 0, at < s.bytes.count - 1 else { return nil }
        model = JSONString(bytes: Array(s.bytes[..<at]))
        version = JSONString(bytes: Array(s.bytes[(at + 1)...]))
    }

    public static func < (a: VersionRef, b: VersionRef) -> Bool { (a.model, a.version) < (b.model, b.version) }
    public var description: String { "\(model.string)@\(version.string)" }
}

/// An evidence file named by an event, with its expected digest.
public struct ArtifactRef: Sendable, Hashable {
    public var path: String
    public var sha256: String
}

/// `refs` of an event: links to requirements, tests, models, datasets, commits, runs and events.
public struct Refs: Sendable, Hashable {
    public var requirements: [JSONString] = []
    public var tests: [JSONString] = []
    public var model: VersionRef?
    public var datasets: [JSONString] = []
    public var commit: String?
    public var run: String?
    public var capa: JSONString?
    public var event: JSONString?
    public var artifacts: [ArtifactRef] = []
    /// *(v1.1)* `refs.source`: where a record brought in from another system was read (section 9).
    public var source: SourceRef?
}

/// `refs.source` of an event brought in from another system (contract v1.1 section 9).
public struct SourceRef: Sendable, Hashable {
    public var system: String
    public var uri: String
    public var id: String
    public var sha256: String
}

/// An electronic signature block (contract section 4.2).
public struct Signature: Sendable, Hashable {
    public var signer: JSONString?
    public var name: String?
    public var meaning: String?
    public var timeText: String?
    public var key: String?
    public var alg: String?
    public var sig: String?

    /// The four meanings the contract allows.
    public static let meanings = ["authorship", "review", "approval", "responsibility"]
}
