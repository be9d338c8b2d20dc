import Foundation

/// `trailpack.json`: the pack's configuration (contract section 2), read strictly.
public struct Config: Sendable, Equatable {
    /// The release in scope of the pack.
    public struct Release: Sendable, Equatable {
        public var name: String
        /// Model id -> version in scope, sorted by model id bytes.
        public var models: [(model: JSONString, version: JSONString)]

        public static func == (a: Release, b: Release) -> Bool {
            a.name == b.name && a.models.map(\.model) == b.models.map(\.model) && a.models.map(\.version) == b.models.map(\.version)
        }
    }

    /// Thresholds and switches for the compliance rules.
    public struct Policy: Sendable, Equatable {
        public var revalidationDays: Int64 = 14
        public var capaDueDays: Int64 = 30
        public var clockSkewSeconds: Int64 = 300
        public var requireBiasEvaluation = true
        public var requireExplainability = true
        public init() {}
    }

    public var title: String
    public var organization: String?
    public var origin: String
    public var release: Release
    public var policy: Policy
    /// Where the audit store lives when not in `audit/` (contract section 10): a PostgreSQL
    /// connection string without a password. Nil for the file store.
    public var store: StoreSetting?
    /// Where each release model is named in trailpack.json, for error messages.
    public var releaseLocations: [JSONString: SourceLocation] = [:]

    public static let fileName = "trailpack.json"

    /// Reads `trailpack.json` from a pack source folder.
    public static func load(from source: URL) throws(SourceError) -> Config {
        let url = source.appendingPathComponent(fileName)
        let (value, locations) = try StrictObject.load(url, displayPath: fileName)
        return try parse(value, locations: locations)
    }

    static func parse(_ value: JSONValue, locations: JSONLocations) throws(SourceError) -> Config {
        let root = try StrictObject(value, locations: locations, what: fileName)
        try root.allowOnly(["title", "organization", "origin", "release", "policy", "store"])
        guard let title = try root.string("title", required: true),
              let origin = try root.string("origin", required: true),
              let rel = try root.child("release", required: true) else {
            throw .missingKey("title", root.location())
        }
        if origin.contains("\n") || !origin.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value < 0x7F || $0 == " " }) {
            throw .invalidValue("origin", "must be one line of printable ASCII (it is a checkpoint's first line)", root.location("origin"))
        }
        try rel.allowOnly(["name", "models"])
        guard let name = try rel.string("name", required: true), let models = try rel.child("models", required: true) else {
            throw .missingKey("release", root.location())
        }
        var pairs: [(JSONString, JSONString)] = []
        var locs: [JSONString: SourceLocation] = [:]
        for m in models.object.members {
            locs[m.key] = models.location(m.key.string)
            guard case .string(let v) = m.value, !v.isEmpty else {
                throw .wrongType(m.key.string, expected: "a version string", found: m.value.typeName, models.location(m.key.string))
            }
            pairs.append((m.key, v))
        }
        pairs.sort { $0.0 < $1.0 }
        var policy = Policy()
        if let p = try root.child("policy") {
            try p.allowOnly(["revalidationDays", "capaDueDays", "clockSkewSeconds", "requireBiasEvaluation", "requireExplainability"])
            if let v = try p.integer("revalidationDays") { policy.revalidationDays = v }
            if let v = try p.integer("capaDueDays") { policy.capaDueDays = v }
            if let v = try p.integer("clockSkewSeconds") { policy.clockSkewSeconds = v }
            if let v = try p.bool("requireBiasEvaluation") { policy.requireBiasEvaluation = v }
            if let v = try p.bool("requireExplainability") { policy.requireExplainability = v }
        }
        var store: StoreSetting?
        if let st = try root.child("store") {
            try st.allowOnly(["postgresql"])
            guard let conninfo = try st.string("postgresql", required: true) else { throw .missingKey("postgresql", st.location()) }
            if let problem = StoreSetting.passwordProblem(conninfo) { throw .invalidValue("store.postgresql", problem, st.location("postgresql")) }
            store = StoreSetting(postgresql: conninfo)
        }
        return Config(
            title: title, organization: try root.string("organization"), origin: origin,
            release: Release(name: name, models: pairs.map { (model: $0.0, version: $0.1) }), policy: policy,
            store: store, releaseLocations: locs)
    }
}
