import Foundation

/// `trailpack.json`: the pack's configuration (contract section 2), read strictly.
public struct Config: Sendable, Equatable {
    public static func == (a: Config, b: Config) -> Bool {
        a.title == b.title && a.organization == b.organization && a.origin == b.origin && a.release == b.release
            && a.policy == b.policy && a.identities.map(\.name) == b.identities.map(\.name)
            && a.identities.map(\.actor) == b.identities.map(\.actor) && a.preparedBy == b.preparedBy
            && a.releaseLocations == b.releaseLocations
    }

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
        /// Registry aliases that put a version into production (contract section 2, v1.1), compared byte for byte.
        public var productionAliases: [JSONString] = ["champion", "production", "prod"]
        /// Actor ids whose decisions (approvals, rejections, waivers) count; empty: not restricted (section 4.4).
        public var approvers: [JSONString] = []
        /// Actor ids who may revoke anyone's key (section 4.4).
        public var keyAdministrators: [JSONString] = []
        /// Actions whose events count only with a valid signature by a key of their actor (section 4.4).
        public var requireSigned: [JSONString] = []
        public init() {}

        /// The day counts' allowed range (contract 2, v1.1): 1 day up to 100 years.
        public static let dayRange: ClosedRange<Int64> = 1...36500
        /// `clockSkewSeconds`' allowed range (contract 2, v1.1): 0 up to one day.
        public static let skewRange: ClosedRange<Int64> = 0...86400
    }

    public var title: String
    public var organization: String?
    public var origin: String
    public var release: Release
    public var policy: Policy
    /// `identities`: a user name as another system records it (`<system>:<name>`) -> actor id, sorted by key bytes.
    public var identities: [(name: JSONString, actor: JSONString)] = []
    /// `preparedBy`: who prepared the pack, if stated.
    public var preparedBy: String?
    /// Where the audit store lives when not in `audit/` (contract section 10): a PostgreSQL
    /// connection string without a password. Nil for the file store.
    public var store: StoreSetting?
    /// Where each release model is named in trailpack.json, for error messages.
    public var releaseLocations: [JSONString: SourceLocation] = [:]

    public static let fileName = "trailpack.json"

    /// Reads `trailpack.json` from a pack source folder.
    public static func load(from source: URL) throws(SourceError) -> Config {
        let url = source.appendingPathComponent(fileName)
        try PackFiles.checkInside(url, source: source, display: fileName)
        let (value, locations) = try StrictObject.load(url, displayPath: fileName)
        return try parse(value, locations: locations)
    }

    static func parse(_ value: JSONValue, locations: JSONLocations) throws(SourceError) -> Config {
        let root = try StrictObject(value, locations: locations, what: fileName)
        try root.allowOnly(["title", "organization", "origin", "release", "policy", "identities", "preparedBy", "store"])
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
            try p.allowOnly(["revalidationDays", "capaDueDays", "clockSkewSeconds", "requireBiasEvaluation", "requireExplainability",
                             "productionAliases", "approvers", "keyAdministrators", "requireSigned"])
            if let v = try p.integer("revalidationDays", in: Policy.dayRange, unit: "days") { policy.revalidationDays = v }
            if let v = try p.integer("capaDueDays", in: Policy.dayRange, unit: "days") { policy.capaDueDays = v }
            if let v = try p.integer("clockSkewSeconds", in: Policy.skewRange, unit: "seconds") { policy.clockSkewSeconds = v }
            if let v = try p.bool("requireBiasEvaluation") { policy.requireBiasEvaluation = v }
            if let v = try p.bool("requireExplainability") { policy.requireExplainability = v }
            if let v = try strings(p, "productionAliases") { policy.productionAliases = v }
            if let v = try strings(p, "approvers") { policy.approvers = v }
            if let v = try strings(p, "keyAdministrators") { policy.keyAdministrators = v }
            if let v = try strings(p, "requireSigned") { policy.requireSigned = v }
        }
        var store: StoreSetting?
        if let st = try root.child("store") {
            try st.allowOnly(["postgresql"])
            guard let conninfo = try st.string("postgresql", required: true) else { throw .missingKey("postgresql", st.location()) }
            if let problem = StoreSetting.passwordProblem(conninfo) { throw .invalidValue("store.postgresql", problem, st.location("postgresql")) }
            store = StoreSetting(postgresql: conninfo)
        }
        var identities: [(name: JSONString, actor: JSONString)] = []
        if let ids = try root.child("identities") {
            for m in ids.object.members {
                guard case .string(let v) = m.value, !v.isEmpty else {
                    throw .wrongType(m.key.string, expected: "an actor id (a non-empty string)", found: m.value.typeName, ids.location(m.key.string))
                }
                identities.append((m.key, v))
            }
            identities.sort { $0.name < $1.name }
        }
        var config = Config(
            title: title, organization: try root.string("organization"), origin: origin,
            release: Release(name: name, models: pairs.map { (model: $0.0, version: $0.1) }), policy: policy,
            releaseLocations: locs)
        config.identities = identities
        config.preparedBy = try root.string("preparedBy")
        config.store = store
        return config
    }

    /// The actor id that `identities` maps `<system>:<name>` to, compared in Unicode NFC byte for
    /// byte (contract section 9: identities keys and imported names are NFC), or nil.
    public func identity(_ name: String) -> JSONString? {
        // NFC through `nfc`: ASCII names (nearly all) are left as they are, without Foundation.
        let key = JSONString(name.nfc)
        return identities.first { JSONString($0.name.string.nfc) == key }?.actor
    }

    /// A policy list of non-empty strings (actor ids, actions or aliases).
    private static func strings(_ p: StrictObject, _ key: String) throws(SourceError) -> [JSONString]? {
        guard let a = try p.array(key) else { return nil }
        var out: [JSONString] = []
        for v in a {
            guard case .string(let s) = v, !s.isEmpty else {
                throw .wrongType(key, expected: "an array of non-empty strings", found: v.typeName, p.location(key))
            }
            out.append(s)
        }
        return out
    }
}
