import Foundation
import Testing
@testable import TrailpackCore

/// Evidently drift reports read in the three forms Evidently writes (docs/drift.md).
struct EvidentlyTests {
    static let sidecar = """
        {"model": "ae-classifier", "version": "2", "window_start": "2024-04-29T00:00:00Z", "window_end": "2024-05-06T00:00:00Z"}
        """

    /// A pack source whose drift/ holds a copy of a shared sample (and a sidecar when given).
    static func source(sample: String, as name: String, sidecar: String? = sidecar) throws -> TempDir {
        let dir = try TempDir()
        try dir.write("drift/\(name).json", try Data(contentsOf: Shared.url("samples/evidently/\(sample)")))
        if let sidecar { try dir.write("drift/\(name).meta.json", sidecar) }
        return dir
    }

    /// A pack source with one drift file written from text.
    static func source(_ text: String, sidecar: String? = sidecar) throws -> TempDir {
        let dir = try TempDir()
        try dir.write("drift/report.json", text)
        if let sidecar { try dir.write("drift/report.meta.json", sidecar) }
        return dir
    }

    static func load(_ dir: TempDir) throws -> DriftWindow {
        let windows = try DriftStore.load(from: dir.url)
        try #require(windows.count == 1)
        return windows[0]
    }

    /// The error loading a source gives.
    static func error(_ dir: TempDir) -> SourceError? {
        do {
            _ = try DriftStore.load(from: dir.url)
            return nil
        } catch {
            return error
        }
    }

    /// The raw JSON of a sample, through Foundation (independent of trailpack's reader).
    static func raw(_ sample: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Shared.url("samples/evidently/\(sample)"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func number(_ v: Any?) -> Double? { (v as? NSNumber)?.doubleValue }

    /// Equal up to the last digits: Foundation's JSONSerialization on Linux does not round decimal
    /// text correctly (it reads 0.6621198615134749 as 0.6621198615134747), trailpack's reader does.
    static func close(_ a: Double?, _ b: Double?) -> Bool {
        guard let a, let b else { return false }
        return abs(a - b) <= 1e-14 * max(abs(a), abs(b))
    }

    /// Checks what every sample has in common: identity, four p-value columns, a dataset metric.
    static func checkCommon(_ w: DriftWindow, format: String, path: String) {
        #expect(w.format == format)
        #expect(w.path == path)
        #expect(w.model == "ae-classifier")
        #expect(w.version == "2")
        #expect(w.start.description == "2024-04-29T00:00:00Z")
        #expect(w.end.description == "2024-05-06T00:00:00Z")
        let columns = w.metrics.filter { $0.feature != nil }
        #expect(Set(columns.compactMap(\.feature)) == ["age", "dose_mg", "site", "prediction"])
        #expect(columns.allSatisfy { $0.direction == "min" && $0.threshold == 0.05 })
        let dataset = w.metrics.filter { $0.feature == nil }
        #expect(dataset.count == 1)
        #expect(dataset.first?.name == "share_of_drifted_columns")
        #expect(dataset.first?.value == 0.5)
        #expect(dataset.first?.direction == "max")
    }

    @Test("save_json sample: breaches are the columns whose tests[] FAIL")
    func saveJSONSample() throws {
        let w = try Self.load(try Self.source(sample: "evidently_drift.json", as: "w18"))
        Self.checkCommon(w, format: "evidently-save_json", path: "drift/w18.json")
        let raw = try Self.raw("evidently_drift.json")
        let metrics = try #require(raw["metrics"] as? [[String: Any]])
        let tests = try #require(raw["tests"] as? [[String: Any]])
        var failed: Set<String> = []
        var datasetFailed = false
        for t in tests where t["status"] as? String == "FAIL" {
            let params = (t["metric_config"] as? [String: Any])?["params"] as? [String: Any]
            if let column = params?["column"] as? String { failed.insert(column) } else { datasetFailed = true }
        }
        #expect(Set(w.metrics.filter(\.breach).compactMap(\.feature)) == failed)
        #expect(w.drift == datasetFailed)
        #expect(w.metrics.first { $0.feature == nil }?.breach == datasetFailed)
        for m in metrics {
            guard let config = m["config"] as? [String: Any], let column = config["column"] as? String else { continue }
            let metric = w.metrics.first { $0.feature == column }
            #expect(Self.close(metric?.value, Self.number(m["value"])))
            #expect(metric?.name == config["method"] as? String)
        }
    }

    @Test("dumps sample: breaches are the metric_results whose tests FAIL")
    func dumpsSample() throws {
        let w = try Self.load(try Self.source(sample: "evidently_snapshot.json", as: "w18"))
        Self.checkCommon(w, format: "evidently-dumps", path: "drift/w18.json")
        let results = try #require(try Self.raw("evidently_snapshot.json")["metric_results"] as? [String: [String: Any]])
        var failed: Set<String> = []
        var datasetFailed = false
        for (_, r) in results {
            let location = r["metric_value_location"] as? [String: Any]
            let params = (location?["metric"] as? [String: Any])?["params"] as? [String: Any]
            let fails = (r["tests"] as? [[String: Any]] ?? []).contains { $0["status"] as? String == "FAIL" }
            if let column = params?["column"] as? String {
                if fails { failed.insert(column) }
                #expect(Self.close(w.metrics.first { $0.feature == column }?.value, Self.number(r["value"])))
            } else if fails {
                datasetFailed = true
            }
        }
        #expect(Set(w.metrics.filter(\.breach).compactMap(\.feature)) == failed)
        #expect(w.drift == datasetFailed)
    }

    @Test("legacy sample: breaches are the columns with drift_detected")
    func legacySample() throws {
        let w = try Self.load(try Self.source(sample: "evidently_drift_legacy.json", as: "w18"))
        Self.checkCommon(w, format: "evidently-legacy", path: "drift/w18.json")
        let metrics = try #require(try Self.raw("evidently_drift_legacy.json")["metrics"] as? [[String: Any]])
        var detected: Set<String> = []
        var datasetDrift = false
        for m in metrics {
            let result = m["result"] as? [String: Any]
            datasetDrift = datasetDrift || (result?["dataset_drift"] as? Bool ?? false)
            for (name, c) in result?["drift_by_columns"] as? [String: [String: Any]] ?? [:] {
                if c["drift_detected"] as? Bool == true { detected.insert(name) }
                #expect(Self.close(w.metrics.first { $0.feature == name }?.value, Self.number(c["drift_score"])))
            }
        }
        #expect(Set(w.metrics.filter(\.breach).compactMap(\.feature)) == detected)
        #expect(w.drift == datasetDrift)
        #expect(w.metrics.first { $0.feature == nil }?.threshold == 0.5)
    }

    @Test("the three forms of one run give the same metrics")
    func formsAgree() throws {
        let samples = ["evidently_drift.json", "evidently_snapshot.json", "evidently_drift_legacy.json"]
        var seen: [[String: DriftMetric]] = []
        for s in samples {
            let w = try Self.load(try Self.source(sample: s, as: "w"))
            seen.append(Dictionary(uniqueKeysWithValues: w.metrics.map { ($0.feature ?? "", $0) }))
        }
        #expect(seen[0] == seen[1])
        #expect(seen[0] == seen[2])
        #expect(Set(seen[0].values.filter(\.breach).compactMap(\.feature)) == ["age", "site"])
    }
}
