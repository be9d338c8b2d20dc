import Foundation

/// MLflow's facts as events (docs/import.md has the table of every field).
enum MLflowMapping {
    /// What a version tag is, on the site and in `data`.
    static let tagNote = "recorded in MLflow as a tag, not an e-signature"

    /// MLflow's stages (`None`, `Staging`, `Production`, `Archived`), as trailpack writes them.
    static let stages: Set<String> = ["none", "staging", "production", "archived"]

    /// A stage as MLflow writes it, as trailpack writes it (``MLflowSnapshot/check(place:)``
    /// refuses any other before mapping).
    static func stage(_ mlflow: String) -> String {
        let s = mlflow.lowercased()
        return stages.contains(s) ? s : "none"
    }

    /// Milliseconds since the epoch as a time (floored, for times before 1970), for every
    /// Int64 without overflow; whether the time can be written is checked by the reader
    /// (``MLflowSnapshot/check(place:)``).
    static func time(_ ms: Int64) -> Timestamp {
        var s = ms / 1000
        var rem = ms % 1000
        if rem < 0 {
            s -= 1
            rem += 1000
        }
        return Timestamp(seconds: s, nanoseconds: Int32(rem) * 1_000_000)
    }

    static func strings(_ d: [String: String]) -> JSONValue {
        .object(JSONObject(d.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            .map { JSONMember(key: JSONString($0.key), value: JSONValue($0.value)) }))
    }

    static func opt(_ s: String?) -> JSONValue { s.map { JSONValue($0) } ?? .null }
    static func opt(_ n: Int64?) -> JSONValue { n.map { .integer($0) } ?? .null }

    static func obj(_ pairs: [(String, JSONValue)]) -> JSONObject {
        JSONObject(pairs.map { JSONMember(key: JSONString($0.0), value: $0.1) })
    }

    static func metrics(_ m: [MLflowSnapshot.Metric]) -> JSONValue {
        .object(JSONObject(m.map { JSONMember(key: JSONString($0.key), value: $0.value.map { JSONValue.decimal($0) } ?? JSONValue("NaN")) }))
    }

    static func versionSubject(_ model: String, _ version: String) -> JSONObject {
        obj([("type", JSONValue("model")), ("id", JSONValue(model)), ("version", JSONValue(version))])
    }

    /// A JSON text from MLflow (a dataset's schema or profile) as its value, else as the string.
    static func embedded(_ text: String?) -> JSONValue {
        guard let text else { return .null }
        return (try? JSONReader().parse(Array(text.utf8))) ?? JSONValue(text)
    }

    /// Notes for the versions of the models selected (all when `selected` is empty) that name a
    /// run the store does not hold: they get no `model.trained` event, and the import says so.
    static func missingRuns(_ snap: MLflowSnapshot, selected: Set<String>, place: String) -> [String] {
        snap.versions.compactMap { v -> String? in
            let name = v.name.precomposedStringWithCanonicalMapping
            guard selected.isEmpty || selected.contains(name), let r = v.runID, !r.isEmpty, snap.runs[r] == nil else { return nil }
            return "model version \(name)@\(v.version) names run \(r), which MLflow at \(place) does not hold: no model.trained event is written for it"
        }
    }

    /// The facts of the models selected (all when `models` is empty), names in NFC.
    static func facts(_ snap: MLflowSnapshot, models: [String], place: String) throws(ImportError) -> [ImportedFact] {
        let names = snap.models.map { $0.name.precomposedStringWithCanonicalMapping }
        for m in models where !names.contains(m.precomposedStringWithCanonicalMapping) {
            throw .unknownModel(m, store: place, available: names)
        }
        let selected = Set(models.map { $0.precomposedStringWithCanonicalMapping })
        var facts: [ImportedFact] = []
        for model in snap.models {
            let name = model.name.precomposedStringWithCanonicalMapping
            guard selected.isEmpty || selected.contains(name) else { continue }
            guard !name.isEmpty, name.utf8.count <= 200, name.utf8.allSatisfy(isIDByte) else {
                throw .badModelID(name, store: place)
            }
            for v in snap.versions where v.name.precomposedStringWithCanonicalMapping == name {
                facts += versionFacts(name, v, run: v.runID.flatMap { snap.runs[$0] })
            }
            let versions = Set(snap.versions.filter { $0.name.precomposedStringWithCanonicalMapping == name }.map(\.version))
            for (alias, version) in model.aliases.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                guard versions.contains(version) else {
                    throw .badRecord("\(place): registered model \(name), alias \(alias)", problem: "names version \(version), which MLflow does not have")
                }
                facts.append(aliasFact(name, alias: alias, version: version, updated: model.lastUpdatedTime))
            }
        }
        return facts
    }

    static func aliasFact(_ model: String, alias: String, version: String?, updated: Int64, lost: String? = nil) -> ImportedFact {
        let alias = alias.precomposedStringWithCanonicalMapping
        let fields = obj([("name", JSONValue(model)), ("alias", JSONValue(alias)), ("version", opt(version)),
                          ("last_updated_timestamp", .integer(updated))])
        return ImportedFact(
            action: "model.alias_changed", subject: versionSubject(model, version ?? lost ?? ""), user: nil, occurred: time(updated),
            sourceID: "\(model)@\(alias)", sourceFields: fields, refs: JSONObject(),
            data: obj([("alias", JSONValue(alias)), ("to", opt(version)), ("observed", .bool(true))]),
            once: .alias(model: model, alias: alias, version: version), rank: 4)
    }

    static func versionFacts(_ model: String, _ v: MLflowSnapshot.ModelVersion, run: MLflowSnapshot.Run?) -> [ImportedFact] {
        var facts: [ImportedFact] = []
        let subject = versionSubject(model, v.version)
        let ref = "\(model)/\(v.version)"
        var refs = JSONObject()
        if let r = v.runID { refs["run"] = JSONValue("mlflow:\(r)") }
        if let run {
            var runRefs = JSONObject()
            runRefs["run"] = JSONValue("mlflow:\(run.id)")
            if let c = run.tags["mlflow.source.git.commit"], !c.isEmpty { runRefs["commit"] = JSONValue(c) }
            let ds = run.datasets.map { "\($0.name.precomposedStringWithCanonicalMapping)@\($0.digest)" }
            if !ds.isEmpty { runRefs["datasets"] = .array(ds.map { JSONValue($0) }) }
            let datasetFields = JSONValue.array(run.datasets.map { d in
                .object(obj([("name", JSONValue(d.name)), ("digest", JSONValue(d.digest)), ("context", opt(d.context))]))
            })
            let fields = obj([
                ("run_id", JSONValue(run.id)), ("run_name", opt(run.name)), ("user_id", opt(run.userID)), ("status", opt(run.status)),
                ("start_time", opt(run.startTime)), ("end_time", opt(run.endTime)), ("tags", strings(run.tags)),
                ("params", strings(run.params)), ("metrics", metrics(run.metrics)), ("datasets", datasetFields),
            ])
            var data = obj([("metrics", metrics(run.metrics)), ("params", strings(run.params)), ("status", opt(run.status))])
            if let n = run.name { data["runName"] = JSONValue(n) }
            if !run.tags.isEmpty { data["tags"] = strings(run.tags) }
            let user = run.userID.flatMap { $0.isEmpty || $0 == "unknown" ? nil : $0 }
            facts.append(ImportedFact(
                action: "model.trained", subject: subject, user: user, occurred: time(run.endTime ?? run.startTime ?? v.creationTime),
                sourceID: run.id, sourceFields: fields, refs: runRefs, data: data,
                once: .versionEvent(action: "model.trained", model: model, version: v.version), rank: 1))
            for d in run.datasets {
                let dfields = obj([("name", JSONValue(d.name)), ("digest", JSONValue(d.digest)), ("source_type", opt(d.sourceType)),
                                   ("source", opt(d.source)), ("schema", opt(d.schema)), ("profile", opt(d.profile))])
                let name = d.name.precomposedStringWithCanonicalMapping
                var ddata = obj([("digest", JSONValue(d.digest)), ("sourceType", opt(d.sourceType)), ("source", embedded(d.source))])
                if d.schema != nil { ddata["schema"] = embedded(d.schema) }
                if d.profile != nil { ddata["profile"] = embedded(d.profile) }
                facts.append(ImportedFact(
                    action: "dataset.registered",
                    subject: obj([("type", JSONValue("dataset")), ("id", JSONValue(name)), ("version", JSONValue(d.digest))]),
                    user: nil, occurred: time(run.startTime ?? v.creationTime), sourceID: "dataset/\(name)@\(d.digest)",
                    sourceFields: dfields, refs: JSONObject(), data: ddata, once: .dataset(id: name, version: d.digest), rank: 0))
            }
        }
        let vfields = obj([
            ("name", JSONValue(v.name)), ("version", JSONValue(v.version)), ("creation_timestamp", .integer(v.creationTime)),
            ("user_id", opt(v.userID)), ("source", opt(v.source)), ("run_id", opt(v.runID)), ("status", opt(v.status)),
            ("description", opt(v.description)), ("tags", strings(v.tags)),
        ])
        var vdata = obj([("source", opt(v.source)), ("status", opt(v.status))])
        if let d = v.description { vdata["description"] = JSONValue(d) }
        if !v.tags.isEmpty {
            vdata["tags"] = strings(v.tags)
            vdata["tagsNote"] = JSONValue(tagNote)
        }
        let vuser = v.userID.flatMap { $0.isEmpty ? nil : $0 }
        facts.append(ImportedFact(
            action: "model.registered", subject: subject, user: vuser, occurred: time(v.creationTime), sourceID: ref,
            sourceFields: vfields, refs: refs, data: vdata,
            once: .versionEvent(action: "model.registered", model: model, version: v.version), rank: 2))
        let stage = stage(v.currentStage)
        let sfields = obj([("name", JSONValue(v.name)), ("version", JSONValue(v.version)), ("current_stage", JSONValue(v.currentStage)),
                           ("last_updated_timestamp", .integer(v.lastUpdatedTime))])
        facts.append(ImportedFact(
            action: "model.stage_changed", subject: subject, user: nil, occurred: time(v.lastUpdatedTime), sourceID: "\(ref)#stage",
            sourceFields: sfields, refs: JSONObject(), data: obj([("to", JSONValue(stage)), ("observed", .bool(true))]),
            once: .stage(model: model, version: v.version, stage: stage), rank: 3))
        return facts
    }
}

extension Trailpack {
    /// `trailpack import mlflow`: brings MLflow's records of the selected models (all when
    /// `models` is empty) into the audit log of `source` (contract section 9).
    public static func importMLflow(source: String, trackingURI: String, models: [String], dryRun: Bool) throws -> ImportResult {
        let location = try MLflowLocation.parse(trackingURI)
        let (sourceURL, config) = try writableSource(source)
        let uri = MLflowLocation.redacted(trackingURI)
        let snap: MLflowSnapshot
        switch location {
        case .sqlite(let path):
            snap = try MLflowSQLReader.read(try SQLiteDatabase(path: path), place: path)
        case .fileStore(let path):
            snap = try MLflowFileStore.read(path: path)
        case .postgres(let conninfo):
            let db = try PostgresReadOnly(conninfo: conninfo, display: uri)
            snap = try MLflowSQLReader.read(db, place: uri)
        }
        try snap.check(place: uri)
        let facts = try MLflowMapping.facts(snap, models: models, place: uri)
        let runner = ImportRunner(sourceURL: sourceURL, config: config, origin: ImportOrigin(system: "mlflow", uri: uri), dryRun: dryRun)
        let selected = Set(models.map { $0.precomposedStringWithCanonicalMapping })
        let imported = Dictionary(snap.models.map { ($0.name.precomposedStringWithCanonicalMapping, $0.lastUpdatedTime) }, uniquingKeysWith: { a, _ in a })
            .filter { selected.isEmpty || selected.contains($0.key) }
        var result = try runner.run(facts) { model, alias, holder in
            // An alias the trail gives a version but MLflow no longer has: observed as lost.
            imported[model].map { MLflowMapping.aliasFact(model, alias: alias, version: nil, updated: $0, lost: holder) }
        }
        result.notes += MLflowMapping.missingRuns(snap, selected: selected, place: uri)
        if !dryRun { result.notes += try MLflowRegistry.follow(snap, models: models, source: sourceURL) }
        return result
    }
}

/// A byte of a model id that fits a registry file name (`[A-Za-z0-9._-]`).
func isIDByte(_ b: UInt8) -> Bool {
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x2D
}
