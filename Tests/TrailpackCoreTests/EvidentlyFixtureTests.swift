import Foundation
import Testing
@testable import TrailpackCore

/// Evidently reports written inline: values without verdicts, metadata and sidecars, errors.
struct EvidentlyFixtureTests {
    /// One `ValueDrift` entry of a save_json report.
    static func valueDrift(_ id: String, _ column: String, _ method: String, _ threshold: Double, _ value: Double) -> String {
        """
        {"id": "\(id)", "metric_name": "ValueDrift(column=\(column))",
         "config": {"type": "evidently:metric_v2:ValueDrift", "column": "\(column)", "method": "\(method)", "threshold": \(threshold)},
         "value": \(value)}
        """
    }

    /// A save_json report of the given metric entries and tests (values only when no tests).
    static func saveJSON(_ metrics: [String], tests: [String] = [], metadata: String? = nil) -> String {
        let meta = metadata.map { "\"metadata\": \($0), " } ?? ""
        return "{\(meta)\"metrics\": [\(metrics.joined(separator: ","))], \"tests\": [\(tests.joined(separator: ","))]}"
    }

    static func test(_ id: String, _ status: String) -> String {
        "{\"id\": \"drift\", \"metric_config\": {\"metric_id\": \"\(id)\"}, \"status\": \"\(status)\"}"
    }

    static func breaches(_ w: DriftWindow) -> [String: Bool] {
        Dictionary(uniqueKeysWithValues: w.metrics.compactMap { m in m.feature.map { ($0, m.breach) } })
    }

    @Test("values only, p-value methods: drift below the threshold (K-S and Cramér–von Mises also at it)")
    func pValues() throws {
        let w = try EvidentlyTests.load(try EvidentlyTests.source(Self.saveJSON([
            Self.valueDrift("1", "a", "K-S p_value", 0.05, 0.01),
            Self.valueDrift("2", "b", "K-S p_value", 0.05, 0.05),
            Self.valueDrift("3", "c", "chi-square p_value", 0.05, 0.05),
            Self.valueDrift("4", "d", "Z-test p_value", 0.05, 0.7),
            Self.valueDrift("5", "e", "TVD", 0.1, 0.02),
            Self.valueDrift("6", "f", "Anderson-Darling", 0.1, 0.3),
        ])))
        #expect(Self.breaches(w) == ["a": true, "b": true, "c": false, "d": false, "e": true, "f": false])
        #expect(w.metrics.allSatisfy { $0.direction == "min" })
        // 3 of 6 columns drift: share 0.5 reaches Evidently's default drift_share of 0.5.
        #expect(w.drift)
    }

    @Test("values only, distance methods: drift at or above the threshold (energy distance only above)")
    func distances() throws {
        let w = try EvidentlyTests.load(try EvidentlyTests.source(Self.saveJSON([
            Self.valueDrift("1", "a", "wasserstein", 0.1, 0.1),
            Self.valueDrift("2", "b", "Wasserstein distance (normed)", 0.1, 0.09),
            Self.valueDrift("3", "c", "PSI", 0.2, 0.31),
            Self.valueDrift("4", "d", "Jensen-Shannon distance", 0.1, 0.05),
            Self.valueDrift("5", "e", "kl_div", 0.1, 0.01),
            Self.valueDrift("6", "f", "Hellinger distance", 0.1, 0.02),
            Self.valueDrift("7", "g", "Energy-distance", 0.1, 0.1),
        ])))
        #expect(Self.breaches(w) == ["a": true, "b": false, "c": true, "d": false, "e": false, "f": false, "g": false])
        #expect(w.metrics.allSatisfy { $0.direction == "max" })
        #expect(!w.drift)  // 2 of 7 columns
    }

    @Test("tests[] decide over the values; DriftedColumnsCount decides the window")
    func verdictsDecide() throws {
        let count = """
            {"id": "n", "metric_name": "DriftedColumnsCount(drift_share=0.3)",
             "config": {"type": "evidently:metric_v2:DriftedColumnsCount", "drift_share": 0.3}, "value": {"count": 1.0, "share": 0.25}}
            """
        let metrics = [count, Self.valueDrift("1", "a", "K-S p_value", 0.05, 0.01), Self.valueDrift("2", "b", "K-S p_value", 0.05, 0.9),
                       Self.valueDrift("3", "c", "psi", 0.1, 0.5), Self.valueDrift("4", "d", "psi", 0.1, 0.0)]
        let values = try EvidentlyTests.load(try EvidentlyTests.source(Self.saveJSON(metrics)))
        #expect(Self.breaches(values) == ["a": true, "b": false, "c": true, "d": false])
        #expect(!values.drift)  // 0.25 < drift_share 0.3
        let dataset = try #require(values.metrics.first { $0.feature == nil })
        #expect(dataset.value == 0.25 && dataset.threshold == 0.3 && !dataset.breach)

        let tests = [Self.test("1", "SUCCESS"), Self.test("2", "WARNING"), Self.test("3", "ERROR"), Self.test("4", "FAIL"),
                     Self.test("n", "FAIL")]
        let judged = try EvidentlyTests.load(try EvidentlyTests.source(Self.saveJSON(metrics, tests: tests)))
        // ERROR gives no verdict: column c falls back to its value.
        #expect(Self.breaches(judged) == ["a": false, "b": true, "c": true, "d": true])
        #expect(judged.drift)
    }

    @Test("metadata in the report is enough; a sidecar that agrees is allowed")
    func metadataInReport() throws {
        let meta = """
            {"model": "m", "version": "7", "window_start": "2026-03-01T01:00:00+01:00", "window_end": "2026-03-08T00:00:00Z", "team": "x"}
            """
        let text = Self.saveJSON([Self.valueDrift("1", "a", "psi", 0.1, 0.2)], metadata: meta)
        let w = try EvidentlyTests.load(try EvidentlyTests.source(text, sidecar: nil))
        #expect(w.model == "m" && w.version == "7" && w.start.description == "2026-03-01T00:00:00Z")
        let agreeing = """
            {"model": "m", "version": "7", "window_start": "2026-03-01T00:00:00Z", "window_end": "2026-03-08T00:00:00Z"}
            """
        #expect(try EvidentlyTests.load(try EvidentlyTests.source(text, sidecar: agreeing)) == w)
        let disagreeing = agreeing.replacingOccurrences(of: "\"7\"", with: "\"8\"")
        let e = EvidentlyTests.error(try EvidentlyTests.source(text, sidecar: disagreeing))
        guard case .invalidValue("version", let why, let at) = e else { Issue.record("got \(String(describing: e))"); return }
        #expect(why.contains("\"7\"") && why.contains("\"8\"") && why.contains("drift/report.meta.json"))
        #expect(at.file == "drift/report.json" && at.line == 1)
    }

    @Test("missing metadata is an error naming the file and the key", arguments: [
        ("evidently_snapshot.json", "version"),     // its metadata has model, model_version, window
        ("evidently_drift.json", "model"),          // save_json carries no metadata
        ("evidently_drift_legacy.json", "model"),
    ])
    func missingMetadata(sample: String, key: String) throws {
        let e = EvidentlyTests.error(try EvidentlyTests.source(sample: sample, as: "w18", sidecar: nil))
        guard case .invalidValue(key, let why, let at) = e else { Issue.record("got \(String(describing: e))"); return }
        #expect(at.file == "drift/w18.json")
        #expect(why.contains("is missing") && why.contains("drift/w18.meta.json"))
        let text = e?.errorDescription ?? ""
        #expect(text.contains("drift/w18.json") && text.contains("\"\(key)\""))
        if sample == "evidently_snapshot.json" { #expect(why.contains("model_version")) }
    }

    @Test("a malformed sidecar is an error", arguments: [
        ("{\"model\": \"m\", \"version\": \"2\", \"window_start\": \"2026-03-01T00:00:00Z\", \"window_end\": \"2026-03-08T00:00:00Z\", \"windowEnd\": \"x\"}", "unknown key \"windowEnd\""),
        ("{\"model\": \"m\", \"version\": \"2\", \"window_start\": \"2026-03-01T00:00:00Z\"}", "missing required key \"window_end\""),
        ("{\"model\": \"m\", \"version\": 2, \"window_start\": \"2026-03-01T00:00:00Z\", \"window_end\": \"2026-03-08T00:00:00Z\"}", "\"version\" must be a string"),
        ("{\"model\": \"m\", \"version\": \"2\", \"window_start\": \"2026-03-01\", \"window_end\": \"2026-03-08T00:00:00Z\"}", "RFC 3339"),
        ("{\"model\": \"m\", \"version\": \"2\", \"window_start\": \"2026-03-08T00:00:00Z\", \"window_end\": \"2026-03-01T00:00:00Z\"}", "must be after window_start"),
        ("{\"model\": \"m\", \"version\": \"2\",}", "invalid JSON"),
        ("[]", "must be an object"),
    ])
    func malformedSidecar(sidecar: String, expected: String) throws {
        let e = EvidentlyTests.error(try EvidentlyTests.source(sample: "evidently_drift.json", as: "w18", sidecar: sidecar))
        let text = try #require(e?.errorDescription)
        #expect(text.contains(expected), "\(text)")
        #expect(text.contains("drift/w18.meta.json"), "\(text)")
    }

    @Test("a sidecar beside a native window is an error")
    func sidecarBesideNative() throws {
        let native = """
            {"model": "m", "version": "1", "window": {"start": "2026-03-01T00:00:00Z", "end": "2026-03-08T00:00:00Z"}, "metrics": []}
            """
        #expect(try EvidentlyTests.load(try EvidentlyTests.source(native, sidecar: nil)).format == "native")
        let text = EvidentlyTests.error(try EvidentlyTests.source(native))?.errorDescription ?? ""
        #expect(text.contains("drift/report.meta.json") && text.contains("native"))
    }

    @Test("unknown shapes and unsupported contents are errors naming the file", arguments: [
        ("{\"version\": \"0.6.0\", \"tests\": [], \"summary\": {}}", "drift/report.json:1:1", "an object with keys version, tests, summary"),
        ("{\"metrics\": [{\"metric_name\": \"X\", \"config\": {\"type\": \"evidently:metric:Old\"}, \"value\": 1}]}", "drift/report.json:1:", "evidently:metric_v2:"),
        ("{\"metrics\": [{\"id\": \"1\", \"metric_name\": \"MeanValue\", \"config\": {\"type\": \"evidently:metric_v2:MeanValue\", \"column\": \"a\"}, \"value\": 1}]}", "drift/report.json:1:", "holds no drift result"),
        ("{\"metrics\": [\(EvidentlyFixtureTests.valueDrift("1", "a", "my_custom", 0.1, 0.2))]}", "drift/report.json:", "whose drift trailpack cannot decide"),
        ("{\"metrics\": [\(EvidentlyFixtureTests.valueDrift("1", "a", "psi", 0.1, 0.2))], \"tests\": [{\"metric_config\": {\"metric_id\": \"9\"}, \"status\": \"FAIL\"}]}", "drift/report.json:", "names metric \"9\""),
        ("{\"metrics\": [\(EvidentlyFixtureTests.valueDrift("1", "a", "psi", 0.1, 0.2))], \"tests\": [{\"metric_config\": {\"metric_id\": \"1\"}, \"status\": \"PASSED\"}]}", "drift/report.json:", "must be SUCCESS, FAIL"),
        ("{\"version\": \"0.4.0\", \"metrics\": [{\"metric\": \"DataDriftTable\", \"result\": {\"drift_by_columns\": {\"a\": {\"stattest_name\": \"PSI\", \"drift_score\": 0.3}}}}]}", "drift/report.json:", "stattest_threshold"),
    ])
    func unsupported(text: String, place: String, expected: String) throws {
        let message = EvidentlyTests.error(try EvidentlyTests.source(text))?.errorDescription ?? ""
        #expect(message.hasPrefix(place), "\(message)")
        #expect(message.contains(expected), "\(message)")
    }

    @Test("an unknown method with Evidently's verdict is read, its direction left unknown")
    func unknownMethodWithVerdict() throws {
        let text = Self.saveJSON([Self.valueDrift("1", "a", "custom function 'mine'", 0.1, 0.2)], tests: [Self.test("1", "FAIL")])
        let w = try EvidentlyTests.load(try EvidentlyTests.source(text))
        #expect(w.metrics == [DriftMetric(name: "custom function 'mine'", feature: "a", value: 0.2, threshold: 0.1, direction: nil, breach: true)])
        #expect(w.drift)
    }

    @Test("legacy: a lone DataDriftTable gives its dataset_drift, ColumnDriftMetric a column")
    func legacyVariants() throws {
        let text = """
            {"version": "0.4.16", "metrics": [
              {"metric": "DataDriftTable", "result": {"share_of_drifted_columns": 0.5, "dataset_drift": false, "drift_by_columns": {
                "a": {"column_name": "a", "stattest_name": "Jensen-Shannon distance", "stattest_threshold": 0.1, "drift_score": 0.2, "drift_detected": true},
                "b": {"column_name": "b", "stattest_name": "Jensen-Shannon distance", "stattest_threshold": 0.1, "drift_score": 0.01, "drift_detected": false}}}},
              {"metric": "ColumnDriftMetric", "result": {"column_name": "target", "stattest_name": "Z-test p_value", "stattest_threshold": null,
                "drift_score": 0.5, "drift_detected": false}},
              {"metric": "DatasetSummaryMetric", "result": {}}]}
            """
        let w = try EvidentlyTests.load(try EvidentlyTests.source(text))
        #expect(w.format == "evidently-legacy")
        #expect(Self.breaches(w) == ["a": true, "b": false, "target": false])
        #expect(w.metrics.first { $0.feature == "target" }?.threshold == nil)
        let dataset = try #require(w.metrics.first { $0.feature == nil })
        #expect(dataset.value == 0.5 && dataset.threshold == nil && !dataset.breach)
        #expect(!w.drift)  // Evidently said no dataset drift (its drift_share is not in the file)
    }
}
