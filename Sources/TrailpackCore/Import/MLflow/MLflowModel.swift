import Foundation

/// MLflow's records, the same whichever backend held them (SQLite, PostgreSQL, FileStore):
/// every value as MLflow stores it, times in milliseconds since 1970, metrics as doubles.
struct MLflowSnapshot: Sendable, Equatable {
    struct RegisteredModel: Sendable, Equatable {
        var name: String
        var creationTime: Int64
        var lastUpdatedTime: Int64
        var description: String?
        var tags: [String: String] = [:]
        /// Alias -> version.
        var aliases: [String: String] = [:]
    }

    struct ModelVersion: Sendable, Equatable {
        var name: String
        var version: String
        var creationTime: Int64
        var lastUpdatedTime: Int64
        var description: String?
        var userID: String?
        /// As MLflow writes it: `None`, `Staging`, `Production`, `Archived`.
        var currentStage: String
        var source: String?
        var runID: String?
        var status: String?
        var tags: [String: String] = [:]
    }

    struct Dataset: Sendable, Equatable {
        var name: String
        var digest: String
        var sourceType: String?
        var source: String?
        var schema: String?
        var profile: String?
        /// `mlflow.data.context` of the run's input, e.g. `training`.
        var context: String?
    }

    struct Metric: Sendable, Equatable {
        var key: String
        /// nil when MLflow marks it NaN.
        var value: Double?
    }

    struct Run: Sendable, Equatable {
        var id: String
        var name: String?
        var userID: String?
        var status: String?
        var startTime: Int64?
        var endTime: Int64?
        var tags: [String: String] = [:]
        var params: [String: String] = [:]
        var metrics: [Metric] = []
        var datasets: [Dataset] = []
    }

    var models: [RegisteredModel] = []
    var versions: [ModelVersion] = []
    var runs: [String: Run] = [:]

    /// Milliseconds since 1970 of the years 0001 to 9999, the times an event can carry (RFC 3339).
    static let writableTimes: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999

    /// Refuses a time no event can carry and a stage MLflow does not have, naming the record
    /// and field of `place` (the store as shown), before anything is mapped: MLflow writes
    /// milliseconds since 1970 and four stages, so anything else is a damaged or hand-edited record.
    func check(place: String) throws(ImportError) {
        func check(_ ms: Int64?, _ what: @autoclosure () -> String, _ field: String) throws(ImportError) {
            guard let ms, !Self.writableTimes.contains(ms) else { return }
            throw .badRecord("\(place): \(what())", problem: "\(field) \(ms) is not a time of the years 0001 to 9999 in milliseconds since 1970")
        }
        for m in models {
            try check(m.creationTime, "registered model \"\(m.name)\"", "creation_timestamp")
            try check(m.lastUpdatedTime, "registered model \"\(m.name)\"", "last_updated_timestamp")
        }
        for v in versions {
            // The stages MLflow has; another would silently read as none.
            guard MLflowMapping.stages.contains(v.currentStage.lowercased()) else {
                throw .badRecord("\(place): model version \"\(v.name)\" \(v.version)",
                                 problem: "current_stage \"\(v.currentStage)\" is not a stage MLflow writes (None, Staging, Production, Archived)")
            }
            try check(v.creationTime, "model version \"\(v.name)\" \(v.version)", "creation_timestamp")
            try check(v.lastUpdatedTime, "model version \"\(v.name)\" \(v.version)", "last_updated_timestamp")
        }
        for (id, r) in runs.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            try check(r.startTime, "run \(id)", "start_time")
            try check(r.endTime, "run \(id)", "end_time")
        }
    }
}

/// A MLflow store as given by `--tracking-uri`.
enum MLflowLocation: Sendable, Equatable {
    case sqlite(path: String)
    case fileStore(path: String)
    case postgres(conninfo: String)

    /// Parses a tracking URI; refuses a password and forms trailpack does not read.
    static func parse(_ uri: String) throws(ImportError) -> MLflowLocation {
        if uri.hasPrefix("sqlite:///") {
            let path = String(uri.dropFirst("sqlite:///".count))
            if path.isEmpty { throw .unsupportedURI(redacted(uri)) }
            return .sqlite(path: path.removingPercentEncoding ?? path)
        }
        if uri.hasPrefix("postgresql://") || uri.hasPrefix("postgres://") || uri.hasPrefix("postgresql+psycopg2://") {
            let rest = uri.drop(while: { $0 != ":" }).dropFirst(3)
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") { throw .passwordInURI(redacted(uri)) }
            if uri.range(of: "password=", options: .caseInsensitive) != nil { throw .passwordInURI(redacted(uri)) }
            return .postgres(conninfo: "postgresql://" + rest)
        }
        if uri.hasPrefix("file://") {
            let path = String(uri.dropFirst("file://".count))
            guard path.hasPrefix("/") else { throw .unsupportedURI(redacted(uri)) }
            return .fileStore(path: path.removingPercentEncoding ?? path)
        }
        if uri.contains("://") { throw .unsupportedURI(redacted(uri)) }
        return .fileStore(path: uri)
    }

    /// The URI without user name, password or query (for `refs.source.uri` and messages).
    static func redacted(_ uri: String) -> String {
        guard let scheme = uri.range(of: "://") else { return uri }
        var rest = uri[scheme.upperBound...]
        var query = ""
        if let q = rest.firstIndex(of: "?") {
            // Connection parameters stay (host, port, sslmode), credentials and user names go.
            let kept = rest[rest.index(after: q)...].split(separator: "&").filter { p in
                let key = p.prefix { $0 != "=" }.lowercased()
                return !["user", "password", "passfile", "sslpassword", "token"].contains(key)
            }
            query = kept.isEmpty ? "" : "?" + kept.joined(separator: "&")
            rest = rest[..<q]
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        if let at = rest[..<authorityEnd].lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        return String(uri[..<scheme.upperBound]) + rest + query
    }
}
