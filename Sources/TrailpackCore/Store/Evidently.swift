import Foundation

/// What a drift file is, told by its keys alone (docs/drift.md, "Recognising a file").
enum DriftFileShape: Equatable {
    /// The native window of contract section 6 (`model`, `version`, `window`, `metrics`).
    case native
    /// A report as Evidently wrote it.
    case evidently(EvidentlyForm)
    /// Neither: the file's top-level keys, for the error message.
    case unknown([String])

    init(_ value: JSONValue) {
        guard case .object(let o) = value else {
            self = .native  // the native reader reports "must be an object" with the place
            return
        }
        if o["model"] != nil || o["window"] != nil || o["drift"] != nil {
            self = .native
        } else if o["metric_results"] != nil {
            self = .evidently(.dumps)
        } else if let entries = o["metrics"]?.arrayValue?.compactMap(\.objectValue),
                  entries.contains(where: { $0["metric_name"] != nil }) {
            self = .evidently(.saveJSON)
        } else if o["version"] != nil, let entries = o["metrics"]?.arrayValue?.compactMap(\.objectValue),
                  entries.contains(where: { $0["metric"] != nil }) {
            self = .evidently(.legacy)
        } else {
            self = .unknown(o.keys.map(\.string))
        }
    }
}

/// The three forms in which Evidently writes a drift report; the raw value is the
/// `DriftWindow.format` of a window read from it.
enum EvidentlyForm: String, Sendable, Equatable {
    /// `Snapshot.save_json()` of Evidently 0.7+: `metrics[]` (`id`, `metric_name`, `config`, `value`) and `tests[]`.
    case saveJSON = "evidently-save_json"
    /// `Snapshot.dumps()` of Evidently 0.7+: `metadata`, `timestamp`, `metric_results{}`, `tests_widgets`.
    case dumps = "evidently-dumps"
    /// `Report.save_json()` of Evidently ≤ 0.6 and `evidently.legacy`: `version`, `metrics[].metric` / `.result`.
    case legacy = "evidently-legacy"
}

/// How Evidently decides drift for one stattest, from `evidently/legacy/calculations/stattests/*.py`
/// (the 0.7 `ValueDrift` metric runs the same stattests).
struct EvidentlyMethod: Sendable {
    /// Registry name and display names, lowercased.
    let names: [String]
    /// `min` for p-values (drift below the threshold), `max` for distances (drift above it).
    let direction: String
    /// Whether a score equal to the threshold is drift (`p <= t` for K-S, `d >= t` for PSI).
    let inclusive: Bool
    /// False when Evidently does not compare the score with the threshold (percentile text drift).
    let computable: Bool

    /// Whether `score` is drift against `threshold` by this method's own comparison.
    func breaches(_ score: Double, _ threshold: Double) -> Bool {
        direction == "min" ? (inclusive ? score <= threshold : score < threshold)
                           : (inclusive ? score >= threshold : score > threshold)
    }

    private init(_ names: [String], _ direction: String, inclusive: Bool, computable: Bool = true) {
        self.names = names
        self.direction = direction
        self.inclusive = inclusive
        self.computable = computable
    }

    /// Every stattest Evidently registers.
    static let all: [EvidentlyMethod] = [
        .init(["ks", "k-s p_value"], "min", inclusive: true),
        .init(["cramer_von_mises", "cramer-von mises"], "min", inclusive: true),
        .init(["chisquare", "chi-square p_value"], "min", inclusive: false),
        .init(["z", "z-test p_value"], "min", inclusive: false),
        .init(["anderson", "anderson-darling"], "min", inclusive: false),
        .init(["es", "epps-singleton"], "min", inclusive: false),
        .init(["fisher_exact", "fisher's exact test"], "min", inclusive: false),
        .init(["g_test"], "min", inclusive: false),
        .init(["mannw", "mann-whitney u-rank test"], "min", inclusive: false),
        .init(["t_test"], "min", inclusive: false),
        // Despite its name, TVD reports the p-value of a permutation test.
        .init(["tvd", "total-variation-distance"], "min", inclusive: false),
        .init(["empirical_mmd"], "min", inclusive: false),
        .init(["wasserstein", "wasserstein distance (normed)"], "max", inclusive: true),
        .init(["psi"], "max", inclusive: true),
        .init(["jensenshannon", "jensen-shannon distance"], "max", inclusive: true),
        .init(["kl_div", "kullback-leibler divergence"], "max", inclusive: true),
        .init(["hellinger", "hellinger distance", "hellinger distance (normed)"], "max", inclusive: true),
        .init(["ed", "energy-distance"], "max", inclusive: false),
        .init(["abs_text_content_drift", "absolute text content drift"], "max", inclusive: false),
        .init(["perc_text_content_drift", "percentile text content drift"], "max", inclusive: false, computable: false),
    ]

    /// The method of a registry or display name (case-insensitive); an unknown name ending in
    /// `p_value` is taken for a p-value compared strictly, any other unknown name is nil.
    static func named(_ name: String) -> EvidentlyMethod? {
        let key = name.lowercased().trimmingCharacters(in: .whitespaces)
        if let m = all.first(where: { $0.names.contains(key) }) { return m }
        if key.hasSuffix("p_value") { return EvidentlyMethod([key], "min", inclusive: false) }
        return nil
    }
}

/// Turns an Evidently report into a drift window: the form readers (EvidentlyForms.swift) give
/// the metrics and verdicts, this type adds model, version and window from metadata or sidecar.
enum EvidentlyReader {
    /// The keys of a sidecar `NAME.meta.json`, all required, no others allowed.
    static let identityKeys = ["model", "version", "window_start", "window_end"]
    /// The metric name of a dataset-level result (share of drifted columns against `drift_share`).
    static let datasetMetricName = "share_of_drifted_columns"
    /// Evidently's default `drift_share`, used when a report has per-column results only.
    static let defaultDriftShare = 0.5

    /// Reads a report of a known form.
    static func window(_ value: JSONValue, form: EvidentlyForm, locations: JSONLocations, path: String,
                       sidecar: URL) throws(SourceError) -> DriftWindow {
        let o = try StrictObject(value, locations: locations, what: path)
        let content: EvidentlyContent
        switch form {
        case .saveJSON: content = try EvidentlyForms.saveJSON(o)
        case .dumps: content = try EvidentlyForms.dumps(o)
        case .legacy: content = try EvidentlyForms.legacy(o)
        }
        guard !content.metrics.isEmpty else {
            throw .invalidValue("metrics", "holds no drift result: trailpack reads ValueDrift and DriftedColumnsCount "
                + "(Evidently 0.7) or DataDriftTable, DatasetDriftMetric and ColumnDriftMetric (legacy)", o.location())
        }
        let id = try identity(metadata: content.metadata, report: o, path: path, sidecar: sidecar)
        let drift: Bool
        if content.datasetVerdicts.isEmpty {
            let columns = content.metrics.filter { $0.feature != nil }
            drift = !columns.isEmpty
                && Double(columns.filter(\.breach).count) / Double(columns.count) >= defaultDriftShare
        } else {
            drift = content.datasetVerdicts.contains(true)
        }
        return DriftWindow(model: id.model, version: id.version, start: id.start, end: id.end, metrics: content.metrics,
                           drift: drift, path: path, format: form.rawValue,
                           modelLocation: id.modelLocation, versionLocation: id.versionLocation)
    }

    /// The display path of the sidecar of `drift/NAME.json`.
    static func sidecarPath(_ path: String) -> String {
        (path.hasSuffix(".json") ? String(path.dropLast(5)) : path) + ".meta.json"
    }

    /// A native window takes model, version and window from itself; a sidecar beside it would be ignored, so it is an error.
    static func rejectSidecar(_ sidecar: URL, path: String) throws(SourceError) {
        guard FileManager.default.fileExists(atPath: sidecar.path) else { return }
        throw .invalidValue(sidecarPath(path), "is a sidecar, but \(path) is a native drift window, which names its model, "
            + "version and window itself; remove the sidecar (sidecars are only for Evidently reports)",
            SourceLocation(file: sidecarPath(path)))
    }

    /// The error for a drift file that is neither native nor a known Evidently form.
    static func unknownShape(_ keys: [String], path: String, locations: JSONLocations) -> SourceError {
        .wrongType(path, expected: "a native drift window (model, version, window, metrics) or an Evidently report "
            + "(Snapshot.save_json: metrics[] with metric_name and config; Snapshot.dumps: metric_results; "
            + "legacy Report.save_json: version and metrics[] with metric and result)",
            found: keys.isEmpty ? "an empty object" : "an object with keys " + keys.joined(separator: ", "),
            locations.location([]))
    }

    /// Model, version and window from the report's `metadata` and the sidecar. Either may give a
    /// key; when both give it they must agree (neither wins silently).
    static func identity(metadata: StrictObject?, report: StrictObject, path: String,
                         sidecar: URL) throws(SourceError) -> EvidentlyIdentity {
        let sidePath = sidecarPath(path)
        var side: StrictObject?
        if FileManager.default.fileExists(atPath: sidecar.path) {
            let (value, locations) = try StrictObject.load(sidecar, displayPath: sidePath)
            let s = try StrictObject(value, locations: locations, what: sidePath)
            try s.allowOnly(identityKeys)
            for key in identityKeys { _ = try s.jsonString(key, required: true) }
            side = s
        }
        func text(_ key: String) throws(SourceError) -> (JSONString, SourceLocation) {
            let fromSide = try side?.jsonString(key, required: true)
            let fromMeta = try metadata?.jsonString(key)
            if let m = fromMeta, m.isEmpty, let md = metadata {
                throw .invalidValue(key, "must not be empty", md.location(key))
            }
            if let s = fromSide, let m = fromMeta, let md = metadata, try !same(key, s, m, md.location(key)) {
                throw .invalidValue(key, "is \"\(m)\" in the report's metadata but \"\(s)\" in \(sidePath); "
                    + "the two must agree (correct the wrong one)", md.location(key))
            }
            if let s = fromSide, let sd = side { return (s, sd.location(key)) }
            if let m = fromMeta, let md = metadata { return (m, md.location(key)) }
            let present = metadata.map { " (its metadata has: " + $0.object.keys.map(\.string).joined(separator: ", ") + ")" } ?? ""
            throw .invalidValue(key, "is missing: an Evidently report takes model, version, window_start and window_end "
                + "from its metadata or from the sidecar \(sidePath)\(present)", metadata?.location() ?? report.location())
        }
        let (model, modelAt) = try text("model")
        let (version, versionAt) = try text("version")
        let (startText, startAt) = try text("window_start")
        let (endText, endAt) = try text("window_end")
        let start = try time("window_start", startText, startAt)
        let end = try time("window_end", endText, endAt)
        if end <= start { throw .invalidValue("window_end", "must be after window_start", endAt) }
        return EvidentlyIdentity(model: model, version: version, start: start, end: end, modelLocation: modelAt, versionLocation: versionAt)
    }

    /// Byte-equal identifiers; times equal as instants.
    private static func same(_ key: String, _ a: JSONString, _ b: JSONString, _ at: SourceLocation) throws(SourceError) -> Bool {
        guard key.hasPrefix("window_") else { return a == b }
        return try time(key, a, at) == time(key, b, at)
    }

    private static func time(_ key: String, _ text: JSONString, _ at: SourceLocation) throws(SourceError) -> Timestamp {
        guard case .valid(let t) = Timestamp.parse(text.string) else {
            throw .invalidValue(key, "must be an RFC 3339 date-time with offset, found \"\(text)\"", at)
        }
        return t
    }
}

/// Model, version and window of an Evidently report.
struct EvidentlyIdentity: Sendable, Equatable {
    var model: JSONString
    var version: JSONString
    var start: Timestamp
    var end: Timestamp
    var modelLocation: SourceLocation? = nil
    var versionLocation: SourceLocation? = nil
}

/// What a form reader found in a report before its identity is known.
struct EvidentlyContent {
    var metadata: StrictObject?
    var metrics: [DriftMetric] = []
    /// Evidently's dataset-level drift verdicts; empty when the report has per-column results only.
    var datasetVerdicts: [Bool] = []
}

extension StrictObject {
    /// A number member that may be absent or `null`.
    func optionalNumber(_ key: String) throws(SourceError) -> Double? {
        object[key]?.isNull == true ? nil : try number(key)
    }

    /// A boolean member that may be absent or `null`.
    func optionalBool(_ key: String) throws(SourceError) -> Bool? {
        object[key]?.isNull == true ? nil : try bool(key)
    }

    /// A nested object member, or nil when absent or `null`.
    func optionalChild(_ key: String) throws(SourceError) -> StrictObject? {
        object[key]?.isNull == true ? nil : try child(key)
    }
}
