import Foundation

/// One fact read from another system, ready to become an event (contract section 9). The
/// generic import path decides whether the log already holds it, maps its actor through
/// `identities`, and writes it with `time`, `occurred` and `refs.source`.
struct ImportedFact: Sendable {
    /// What the log must not already hold for the fact to be written.
    enum Once: Sendable, Hashable {
        /// A `model.registered` or `model.trained` (`action`) for a model version.
        case versionEvent(action: String, model: String, version: String)
        /// A `dataset.registered` for `id@version`.
        case dataset(id: String, version: String)
        /// The latest `model.stage_changed` of the version has `data.to` = `stage`.
        case stage(model: String, version: String, stage: String)
        /// The latest `model.alias_changed` of the model and alias has `data.to` = `version` (nil: none).
        case alias(model: String, alias: String, version: String?)
        /// A `pipeline.run_*` with `refs.run` = `ref`: the run's terminal event (`pipeline.run_completed`
        /// or `pipeline.run_failed`), or, with `terminal` false, its `pipeline.run_started` (written
        /// only while the log holds no terminal event of the run).
        case run(ref: String, terminal: Bool)
        /// A `dataset.quality_checked` of dataset `dataset` with `refs.run` = `run`.
        case qualityCheck(run: String, dataset: String)
        /// A `code.changed` whose `refs.commit` is this full hash (lowercase).
        case commit(String)
    }

    var action: String
    var subject: JSONObject
    /// The user name as the other system records it; nil when it records none.
    var user: String?
    /// When the other system says the fact happened.
    var occurred: Timestamp
    /// The fact's identity in the other system (`<model>/<version>`, a run id, ...).
    var sourceID: String
    /// The fields the event is written from; `refs.source.sha256` is the SHA-256 of their JCS.
    var sourceFields: JSONObject
    /// `refs` of the event, without `source`.
    var refs: JSONObject
    var data: JSONObject
    var once: Once
    /// For ordering facts with the same `occurred`: lower first.
    var rank: Int
    /// `refs.source.uri` when it is not the import's (e.g. the file an OpenLineage event came from).
    var uri: String? = nil

    /// `refs.source.sha256` when computed ahead (``digested()``).
    var digest: String? = nil

    /// `refs.source.sha256`.
    var sourceDigest: String { digest ?? SHA256.digest(JCS.serialize(.object(sourceFields))).hex }

    /// The fact with its digest computed and its source fields dropped, so that what it was read
    /// from (e.g. every OpenLineage event of a run) can be freed before the events are written.
    func digested() -> ImportedFact {
        var f = self
        f.digest = sourceDigest
        f.sourceFields = JSONObject()
        return f
    }
}

/// The identity of a system a fact comes from, as `refs.source` names it.
struct ImportOrigin: Sendable {
    /// Lowercase word, e.g. `mlflow`.
    var system: String
    /// Where the records were read, without user name, password or token.
    var uri: String
    /// `<system> import`: where messages place an imported event (with its place in the batch as line).
    var importName: String

    init(system: String, uri: String) {
        self.system = system
        self.uri = uri
        importName = "\(system) import"
    }
}

/// One event an import added or would add, for the report.
public struct ImportedEvent: Sendable, Equatable {
    public var action: String
    /// `model@version`, a dataset's `id@version`, ...
    public var subject: String
    public var occurred: String
    /// `refs.source.id`.
    public var sourceID: String
    /// A short description, e.g. `staging -> production (observed)`.
    public var detail: String
    /// The actor id written, and whether `identities` mapped it.
    public var actor: String
    public var actorMapped: Bool
}

/// What `import` did or, with `--dry-run`, would do.
public struct ImportResult: Sendable, Equatable {
    public var system: String
    public var uri: String
    public var dryRun: Bool
    /// Events added (or that would be), in log order.
    public var events: [ImportedEvent]
    /// Facts already in the log and so not written.
    public var alreadyPresent: Int
    /// Set when events were written.
    public var record: RecordResult?
    /// Remarks for the user (records created, versions only the registry holds, ...).
    public var notes: [String]

    /// Events by action, sorted by action bytes.
    public var countsByAction: [(String, Int)] {
        var counts: [String: Int] = [:]
        for e in events { counts[e.action, default: 0] += 1 }
        return counts.map { ($0.key, $0.value) }.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
    }

    public static func == (a: ImportResult, b: ImportResult) -> Bool {
        a.system == b.system && a.uri == b.uri && a.dryRun == b.dryRun && a.events == b.events
            && a.alreadyPresent == b.alreadyPresent && a.record == b.record && a.notes == b.notes
    }
}
