/// Readers of the three Evidently forms: each finds the drift results and Evidently's own verdicts;
/// docs/drift.md has the field-by-field mapping. Metrics that are not drift results (a data summary
/// run in the same report) are not read.
enum EvidentlyForms {
    static let metricPrefix = "evidently:metric_v2:"

    // MARK: - Snapshot.save_json() (0.7+)

    /// `{"metrics": [{"id", "metric_name", "config": {"type", ...}, "value"}], "tests": [...]}`.
    static func saveJSON(_ o: StrictObject) throws(SourceError) -> EvidentlyContent {
        var content = EvidentlyContent(metadata: try o.optionalChild("metadata"))
        let metrics = try o.objects("metrics", required: true)
        var ids: Set<String> = []
        for m in metrics { if let id = try m.string("id") { ids.insert(id) } }
        var verdicts: [String: [Bool?]] = [:]
        for t in try o.objects("tests") {
            let id = try testMetricID(t)
            guard ids.contains(id) else {
                throw .invalidValue("metric_id", "names metric \"\(id)\", which is not among the report's metrics[]", t.location())
            }
            verdicts[id, default: []].append(try verdict(t))
        }
        for m in metrics {
            _ = try m.string("metric_name", required: true)
            guard let config = try m.child("config", required: true) else { continue }
            let id = try m.string("id")
            let verdict = combine(id.flatMap { verdicts[$0] } ?? [])
            switch try metricType(config) {
            case "ValueDrift":
                guard let value = try m.number("value", required: true) else { continue }
                content.metrics.append(try valueDrift(config, score: value, verdict: verdict))
            case "DriftedColumnsCount":
                guard let value = try m.child("value", required: true),
                      let share = try value.number("share", required: true) else { continue }
                let metric = try datasetMetric(share: share, driftShare: try config.optionalNumber("drift_share"),
                                               verdict: verdict, at: config, driftShareKey: "drift_share")
                content.metrics.append(metric)
                content.datasetVerdicts.append(metric.breach)
            default:
                continue
            }
        }
        return content
    }

    // MARK: - Snapshot.dumps() (0.7+)

    /// `{"metadata", "timestamp", "metric_results": {ID: {"metric_value_location": {"metric": {"params"}}, "value" | "count"/"share", "tests"}}, ...}`.
    static func dumps(_ o: StrictObject) throws(SourceError) -> EvidentlyContent {
        var content = EvidentlyContent(metadata: try o.optionalChild("metadata"))
        guard let results = try o.child("metric_results", required: true) else { return content }
        for member in results.object.members {
            let r = try StrictObject(member.value, path: results.path + [member.key.string], locations: results.locations,
                                     what: "metric_results")
            guard let placement = try r.child("metric_value_location", required: true),
                  let metric = try placement.child("metric", required: true),
                  let params = try metric.child("params", required: true) else { continue }
            let type = try metricType(params)
            guard type == "ValueDrift" || type == "DriftedColumnsCount" else { continue }
            var tests = try r.objects("tests")
            let count = try r.optionalChild("count")
            let share = try r.optionalChild("share")
            tests += try count?.objects("tests") ?? []
            tests += try share?.objects("tests") ?? []
            var verdicts: [Bool?] = []
            for t in tests { verdicts.append(try verdict(t)) }
            if type == "ValueDrift" {
                guard let value = try r.number("value", required: true) else { continue }
                content.metrics.append(try valueDrift(params, score: value, verdict: combine(verdicts)))
            } else {
                guard let share, let value = try share.number("value", required: true) else {
                    throw .missingKey("share", r.location())
                }
                let metric = try datasetMetric(share: value, driftShare: try params.optionalNumber("drift_share"),
                                               verdict: combine(verdicts), at: params, driftShareKey: "drift_share")
                content.metrics.append(metric)
                content.datasetVerdicts.append(metric.breach)
            }
        }
        return content
    }

    // MARK: - legacy Report.save_json() (≤ 0.6, evidently.legacy)

    /// `{"version", "metrics": [{"metric": "DataDriftTable", "result": {"drift_by_columns": {...}, "dataset_drift"}}], "timestamp"}`.
    static func legacy(_ o: StrictObject) throws(SourceError) -> EvidentlyContent {
        var content = EvidentlyContent(metadata: try o.optionalChild("metadata"))
        var tables: [(share: Double?, verdict: Bool?, at: StrictObject)] = []
        var sawDatasetMetric = false
        for m in try o.objects("metrics", required: true) {
            guard let kind = try m.string("metric", required: true) else { continue }
            switch kind {
            case "DatasetDriftMetric":
                guard let r = try m.child("result", required: true),
                      let share = try r.number("share_of_drifted_columns", required: true) else { continue }
                let metric = try datasetMetric(share: share, driftShare: try r.optionalNumber("drift_share"),
                                               verdict: try r.optionalBool("dataset_drift"), at: r, driftShareKey: "drift_share")
                content.metrics.append(metric)
                content.datasetVerdicts.append(metric.breach)
                sawDatasetMetric = true
            case "DataDriftTable":
                guard let r = try m.child("result", required: true),
                      let columns = try r.child("drift_by_columns", required: true) else { continue }
                for c in columns.object.members {
                    let col = try StrictObject(c.value, path: columns.path + [c.key.string], locations: columns.locations,
                                               what: "drift_by_columns")
                    content.metrics.append(try legacyColumn(col, fallbackName: c.key.string))
                }
                tables.append((try r.optionalNumber("share_of_drifted_columns"), try r.optionalBool("dataset_drift"), r))
            case "ColumnDriftMetric":
                guard let r = try m.child("result", required: true) else { continue }
                content.metrics.append(try legacyColumn(r, fallbackName: nil))
            default:
                continue
            }
        }
        for t in tables {
            if let v = t.verdict { content.datasetVerdicts.append(v) }
            // The table carries no drift_share: its share becomes a metric only when no DatasetDriftMetric gives one.
            if !sawDatasetMetric, let share = t.share {
                content.metrics.append(try datasetMetric(share: share, driftShare: nil, verdict: t.verdict, at: t.at,
                                                         driftShareKey: "dataset_drift"))
            }
        }
        return content
    }

    /// One entry of `drift_by_columns`, or the result of a `ColumnDriftMetric`.
    static func legacyColumn(_ c: StrictObject, fallbackName: String?) throws(SourceError) -> DriftMetric {
        guard let column = try c.string("column_name") ?? fallbackName else { throw .missingKey("column_name", c.location()) }
        guard let method = try c.string("stattest_name", required: true),
              let score = try c.number("drift_score", required: true) else { throw .missingKey("drift_score", c.location()) }
        return try columnMetric(method: method, column: column, score: score, threshold: try c.optionalNumber("stattest_threshold"),
                                verdict: try c.optionalBool("drift_detected"), at: c, methodKey: "stattest_name",
                                thresholdKey: "stattest_threshold")
    }

    // MARK: - Shared

    /// The `X` of `"type": "evidently:metric_v2:X"`.
    static func metricType(_ config: StrictObject) throws(SourceError) -> String {
        guard let type = try config.string("type", required: true) else { throw .missingKey("type", config.location()) }
        guard type.hasPrefix(metricPrefix) else {
            throw .invalidValue("type", "must name an Evidently 0.7 metric (\(metricPrefix)…), found \"\(type)\"", config.location("type"))
        }
        return String(type.dropFirst(metricPrefix.count))
    }

    /// A `ValueDrift` metric from its config (`column`, `method`, `threshold`) and score.
    static func valueDrift(_ config: StrictObject, score: Double, verdict: Bool?) throws(SourceError) -> DriftMetric {
        guard let column = try config.string("column", required: true),
              let method = try config.string("method", required: true) else { throw .missingKey("column", config.location()) }
        return try columnMetric(method: method, column: column, score: score, threshold: try config.optionalNumber("threshold"),
                                verdict: verdict, at: config, methodKey: "method", thresholdKey: "threshold")
    }

    /// The id of the metric a 0.7 test belongs to: `metric_config.metric_id`, else `bound_test.metric_fingerprint`.
    static func testMetricID(_ t: StrictObject) throws(SourceError) -> String {
        if let id = try t.optionalChild("metric_config")?.string("metric_id") { return id }
        if let id = try t.optionalChild("bound_test")?.string("metric_fingerprint") { return id }
        throw .missingKey("metric_config", t.location())
    }

    /// Evidently's verdict of one test: FAIL and WARNING (a failed non-critical test) are drift,
    /// SUCCESS is none, ERROR and SKIPPED give no verdict.
    static func verdict(_ t: StrictObject) throws(SourceError) -> Bool? {
        guard let status = try t.string("status", required: true) else { return nil }
        switch status {
        case "FAIL", "WARNING": return true
        case "SUCCESS": return false
        case "ERROR", "SKIPPED": return nil
        default:
            throw .invalidValue("status", "must be SUCCESS, FAIL, WARNING, ERROR or SKIPPED, found \"\(status)\"", t.location("status"))
        }
    }

    /// The verdict of a metric from all its tests: drift if any test says so, none if any passed, else unknown.
    static func combine(_ verdicts: [Bool?]) -> Bool? {
        if verdicts.contains(true) { return true }
        if verdicts.contains(false) { return false }
        return nil
    }

    /// A per-column metric: Evidently's verdict when the report has one, else the method's own comparison.
    static func columnMetric(method: String, column: String, score: Double, threshold: Double?, verdict: Bool?,
                             at o: StrictObject, methodKey: String, thresholdKey: String) throws(SourceError) -> DriftMetric {
        let known = EvidentlyMethod.named(method)
        let breach: Bool
        if let verdict {
            breach = verdict
        } else {
            guard let known, known.computable else {
                throw .invalidValue(methodKey, "is \"\(method)\", whose drift trailpack cannot decide from the score, and the "
                    + "report has no verdict for column \"\(column)\" (run the report with tests, or use a stattest listed in docs/drift.md)",
                    o.location(methodKey))
            }
            guard let threshold else { throw .missingKey(thresholdKey, o.location()) }
            breach = known.breaches(score, threshold)
        }
        return DriftMetric(name: method, feature: column, value: score, threshold: threshold, direction: known?.direction,
                           breach: breach)
    }

    /// The dataset-level metric: the share of drifted columns against `drift_share`, drift at or above it.
    static func datasetMetric(share: Double, driftShare: Double?, verdict: Bool?, at o: StrictObject,
                              driftShareKey: String) throws(SourceError) -> DriftMetric {
        guard let breach = verdict ?? driftShare.map({ share >= $0 }) else { throw .missingKey(driftShareKey, o.location()) }
        return DriftMetric(name: EvidentlyReader.datasetMetricName, feature: nil, value: share, threshold: driftShare,
                           direction: "max", breach: breach)
    }
}
