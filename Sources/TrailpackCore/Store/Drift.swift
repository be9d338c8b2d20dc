import Foundation

/// One drift metric of a monitoring window.
public struct DriftMetric: Sendable, Hashable {
    public var name: String
    public var feature: String?
    public var value: Double
    public var threshold: Double?
    /// `max` (breach at or above the threshold, the default) or `min` (breach below it).
    public var direction: String?
    public var breach: Bool
}

/// One monitoring window of a model version (contract section 6), from the native format or an
/// Evidently report.
public struct DriftWindow: Sendable, Hashable {
    public var model: JSONString
    public var version: JSONString
    public var start: Timestamp
    public var end: Timestamp
    public var metrics: [DriftMetric]
    public var drift: Bool
    /// `drift/<name>.json`
    public var path: String
    /// `native`, or the Evidently form the window was read from.
    public var format: String
    /// Where the window names its model and version (the file itself, its metadata or sidecar).
    public var modelLocation: SourceLocation? = nil
    public var versionLocation: SourceLocation? = nil

    public var versionRef: VersionRef { VersionRef(model: model, version: version) }

    /// Equal windows say the same; where they named their model and version does not count.
    public static func == (a: DriftWindow, b: DriftWindow) -> Bool {
        a.model == b.model && a.version == b.version && a.start == b.start && a.end == b.end
            && a.metrics == b.metrics && a.drift == b.drift && a.path == b.path && a.format == b.format
    }

    public func hash(into h: inout Hasher) {
        h.combine(model)
        h.combine(version)
        h.combine(start)
        h.combine(end)
        h.combine(metrics)
        h.combine(drift)
        h.combine(path)
        h.combine(format)
    }
}

/// Reads `drift/*.json` (sidecars `*.meta.json` are not windows).
public enum DriftStore {
    /// All windows, sorted by model, version, start, path.
    public static func load(from source: URL) throws(SourceError) -> [DriftWindow] {
        let dir = source.appendingPathComponent("drift")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        var out: [DriftWindow] = []
        for name in names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        where name.hasSuffix(".json") && !name.hasSuffix(".meta.json") && !name.hasPrefix(".") {
            let path = "drift/\(name)"
            let file = dir.appendingPathComponent(name)
            let sidecar = dir.appendingPathComponent(String(name.dropLast(5)) + ".meta.json")
            try PackFiles.checkInside(file, source: source, display: path)
            try PackFiles.checkInside(sidecar, source: source, display: "drift/" + sidecar.lastPathComponent)
            let (value, locations) = try StrictObject.load(file, displayPath: path)
            out.append(try DriftReader.window(value, locations: locations, path: path, sidecar: sidecar))
        }
        return out.sorted { ($0.versionRef, $0.start, $0.path) < ($1.versionRef, $1.start, $1.path) }
    }
}

/// Turns one drift file into a window, recognising the native form and the Evidently forms by their keys.
enum DriftReader {
    static func window(_ value: JSONValue, locations: JSONLocations, path: String, sidecar: URL) throws(SourceError) -> DriftWindow {
        switch DriftFileShape(value) {
        case .evidently(let form):
            return try EvidentlyReader.window(value, form: form, locations: locations, path: path, sidecar: sidecar)
        case .unknown(let keys):
            throw EvidentlyReader.unknownShape(keys, path: path, locations: locations)
        case .native:
            try EvidentlyReader.rejectSidecar(sidecar, path: path)
            return try native(value, locations: locations, path: path)
        }
    }

    static func time(_ o: StrictObject, _ key: String) throws(SourceError) -> Timestamp {
        guard let s = try o.string(key, required: true) else { throw .missingKey(key, o.location()) }
        guard case .valid(let t) = Timestamp.parse(s) else {
            throw .invalidValue(key, "must be an RFC 3339 date-time with offset, found \"\(s)\"", o.location(key))
        }
        return t
    }

    static func native(_ value: JSONValue, locations: JSONLocations, path: String) throws(SourceError) -> DriftWindow {
        let o = try StrictObject(value, locations: locations, what: path)
        try o.allowOnly(["model", "version", "window", "metrics", "drift"])
        guard let model = try o.jsonString("model", required: true), let version = try o.jsonString("version", required: true),
              let w = try o.child("window", required: true) else { throw .missingKey("model", o.location()) }
        try w.allowOnly(["start", "end"])
        let start = try time(w, "start")
        let end = try time(w, "end")
        if end <= start { throw .invalidValue("end", "must be after the window's start", w.location("end")) }
        var metrics: [DriftMetric] = []
        for m in try o.objects("metrics") {
            try m.allowOnly(["name", "feature", "value", "threshold", "breach", "direction"])
            guard let name = try m.string("name", required: true), let v = try m.number("value", required: true) else {
                throw .missingKey("name", m.location())
            }
            let threshold = try m.number("threshold")
            let direction = try m.string("direction")
            if let d = direction, d != "min" && d != "max" {
                throw .invalidValue("direction", "must be \"min\" or \"max\"", m.location("direction"))
            }
            let computed: Bool = threshold.map { t in direction == "min" ? v < t : v >= t } ?? false
            metrics.append(DriftMetric(name: name, feature: try m.string("feature"), value: v, threshold: threshold,
                                       direction: direction, breach: try m.bool("breach") ?? computed))
        }
        let drift = try o.bool("drift") ?? metrics.contains { $0.breach }
        return DriftWindow(model: model, version: version, start: start, end: end, metrics: metrics, drift: drift, path: path, format: "native",
                           modelLocation: o.location("model"), versionLocation: o.location("version"))
    }
}
