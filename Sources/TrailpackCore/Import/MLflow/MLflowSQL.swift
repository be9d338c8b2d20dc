import Foundation

/// A read-only SQL connection to an MLflow database (SQLite or PostgreSQL): rows as text.
protocol MLflowRows: AnyObject {
    /// Every row of `sql`; `table` names the table in messages.
    func rows(_ sql: String, table: String) throws(ImportError) -> [[String?]]
}

/// Reads MLflow's database schema (alembic head `dc11669786a5`, MLflow 3.x) into a snapshot.
enum MLflowSQLReader {
    /// The alembic heads trailpack knows.
    static let knownSchemas = ["dc11669786a5"]

    static func read(_ db: MLflowRows, place: String) throws(ImportError) -> MLflowSnapshot {
        let heads = try db.rows("SELECT version_num FROM alembic_version", table: "alembic_version")
        let found = heads.compactMap { $0.first ?? nil }
        guard let head = found.first else { throw .notMLflow(place, reason: "table alembic_version is empty") }
        guard found.count == 1, knownSchemas.contains(head) else {
            throw .unknownSchema(place, found: found.joined(separator: ", "), known: knownSchemas.joined(separator: ", "))
        }
        var snap = MLflowSnapshot()
        func text(_ row: [String?], _ i: Int) -> String? { i < row.count ? row[i] : nil }
        func need(_ row: [String?], _ i: Int, _ table: String, _ column: String) throws(ImportError) -> String {
            guard let v = text(row, i) else { throw .badRecord("\(place): table \(table)", problem: "a row has no \(column)") }
            return v
        }
        func int(_ row: [String?], _ i: Int, _ table: String, _ column: String, of what: String) throws(ImportError) -> Int64? {
            guard let v = text(row, i) else { return nil }
            guard let n = Int64(v) else {
                throw .badRecord("\(place): table \(table), \(what)", problem: "\(column) \"\(v)\" is not a whole number of milliseconds")
            }
            return n
        }

        var models: [String: MLflowSnapshot.RegisteredModel] = [:]
        for r in try db.rows("SELECT name, creation_time, last_updated_time, description FROM registered_models", table: "registered_models") {
            let name = try need(r, 0, "registered_models", "name")
            models[name] = MLflowSnapshot.RegisteredModel(
                name: name, creationTime: try int(r, 1, "registered_models", "creation_time", of: "row \(name)") ?? 0,
                lastUpdatedTime: try int(r, 2, "registered_models", "last_updated_time", of: "row \(name)") ?? 0,
                description: text(r, 3))
        }
        for r in try db.rows("SELECT key, value, name FROM registered_model_tags", table: "registered_model_tags") {
            let name = try need(r, 2, "registered_model_tags", "name")
            models[name]?.tags[try need(r, 0, "registered_model_tags", "key")] = text(r, 1) ?? ""
        }
        for r in try db.rows("SELECT alias, version, name FROM registered_model_aliases", table: "registered_model_aliases") {
            let name = try need(r, 2, "registered_model_aliases", "name")
            models[name]?.aliases[try need(r, 0, "registered_model_aliases", "alias")] = try need(r, 1, "registered_model_aliases", "version")
        }
        snap.models = models.values.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }

        var versions: [[String]: MLflowSnapshot.ModelVersion] = [:]
        let vsql = "SELECT name, version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id, status FROM model_versions"
        for r in try db.rows(vsql, table: "model_versions") {
            let name = try need(r, 0, "model_versions", "name"), version = try need(r, 1, "model_versions", "version")
            let what = "row \(name)/\(version)"
            versions[[name, version]] = MLflowSnapshot.ModelVersion(
                name: name, version: version,
                creationTime: try int(r, 2, "model_versions", "creation_time", of: what) ?? 0,
                lastUpdatedTime: try int(r, 3, "model_versions", "last_updated_time", of: what) ?? 0,
                description: text(r, 4), userID: text(r, 5), currentStage: text(r, 6) ?? "None", source: text(r, 7),
                runID: text(r, 8), status: text(r, 9))
        }
        for r in try db.rows("SELECT key, value, name, version FROM model_version_tags", table: "model_version_tags") {
            let key = [try need(r, 2, "model_version_tags", "name"), try need(r, 3, "model_version_tags", "version")]
            versions[key]?.tags[try need(r, 0, "model_version_tags", "key")] = text(r, 1) ?? ""
        }
        snap.versions = versions.values.sorted { ($0.name, Int64($0.version) ?? 0, $0.version) < ($1.name, Int64($1.version) ?? 0, $1.version) }

        let wanted = Set(snap.versions.compactMap(\.runID))
        var runs: [String: MLflowSnapshot.Run] = [:]
        for r in try db.rows("SELECT run_uuid, name, user_id, status, start_time, end_time FROM runs", table: "runs") {
            let id = try need(r, 0, "runs", "run_uuid")
            guard wanted.contains(id) else { continue }
            runs[id] = MLflowSnapshot.Run(
                id: id, name: text(r, 1), userID: text(r, 2), status: text(r, 3),
                startTime: try int(r, 4, "runs", "start_time", of: "run \(id)"), endTime: try int(r, 5, "runs", "end_time", of: "run \(id)"))
        }
        for r in try db.rows("SELECT key, value, run_uuid FROM tags", table: "tags") {
            guard let id = text(r, 2), runs[id] != nil else { continue }
            runs[id]?.tags[try need(r, 0, "tags", "key")] = text(r, 1) ?? ""
        }
        for r in try db.rows("SELECT key, value, run_uuid FROM params", table: "params") {
            guard let id = text(r, 2), runs[id] != nil else { continue }
            runs[id]?.params[try need(r, 0, "params", "key")] = text(r, 1) ?? ""
        }
        for r in try db.rows("SELECT key, value, is_nan, run_uuid FROM latest_metrics", table: "latest_metrics") {
            guard let id = text(r, 3), runs[id] != nil else { continue }
            let key = try need(r, 0, "latest_metrics", "key")
            let nan = ["1", "t", "true"].contains(text(r, 2) ?? "0")
            var value: Double?
            if !nan {
                guard let v = text(r, 1).flatMap(Double.init), v.isFinite else {
                    throw .badRecord("\(place): table latest_metrics, run \(id)", problem: "metric \(key) has the value \(text(r, 1) ?? "null"), not a finite number")
                }
                value = v
            }
            runs[id]?.metrics.append(MLflowSnapshot.Metric(key: key, value: value))
        }
        var datasets: [String: MLflowSnapshot.Dataset] = [:]
        for r in try db.rows("SELECT dataset_uuid, name, digest, dataset_source_type, dataset_source, dataset_schema, dataset_profile FROM datasets",
                             table: "datasets") {
            let uuid = try need(r, 0, "datasets", "dataset_uuid")
            datasets[uuid] = MLflowSnapshot.Dataset(
                name: try need(r, 1, "datasets", "name"), digest: try need(r, 2, "datasets", "digest"),
                sourceType: text(r, 3), source: text(r, 4), schema: text(r, 5), profile: text(r, 6))
        }
        var contexts: [String: String] = [:]
        for r in try db.rows("SELECT input_uuid, value FROM input_tags WHERE name = 'mlflow.data.context'", table: "input_tags") {
            if let id = text(r, 0), let v = text(r, 1) { contexts[id] = v }
        }
        for r in try db.rows("SELECT input_uuid, source_id, destination_id FROM inputs WHERE source_type = 'DATASET' AND destination_type = 'RUN'",
                             table: "inputs") {
            guard let run = text(r, 2), runs[run] != nil, let ds = text(r, 1).flatMap({ datasets[$0] }) else { continue }
            var d = ds
            d.context = text(r, 0).flatMap { contexts[$0] }
            runs[run]?.datasets.append(d)
        }
        for (id, var run) in runs {
            run.metrics.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            run.datasets.sort { ($0.name, $0.digest) < ($1.name, $1.digest) }
            runs[id] = run
        }
        snap.runs = runs
        return snap
    }
}
