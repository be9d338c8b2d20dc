import Foundation

/// OpenLineage runs as events (docs/import.md has the table of every field): a run's facets
/// merged across its events, its terminal event (or, with none, its start) as a
/// `pipeline.run_*`, the output dataset versions of a completed run as `dataset.registered`,
/// data quality facets as `dataset.quality_checked`.
enum OpenLineageMapping {
    static func obj(_ pairs: [(String, JSONValue)]) -> JSONObject {
        JSONObject(pairs.map { JSONMember(key: JSONString($0.0), value: $0.1) })
    }

    /// `b`'s members over `a`'s, key by key (a later event's facet replaces an earlier one's).
    static func merge(_ a: JSONObject, _ b: JSONObject) -> JSONObject {
        var out = a
        for m in b.members { out[m.key.string] = m.value }
        return out
    }

    /// A facet without the `_producer` / `_schemaURL` bookkeeping every facet carries.
    static func plain(_ v: JSONValue?) -> JSONValue? {
        guard let o = v?.objectValue else { return v }
        return .object(JSONObject(o.members.filter { !$0.key.string.hasPrefix("_") }))
    }

    /// A dataset of a run, its facets merged across the run's events.
    struct Dataset {
        var id: String
        var namespace: String
        var name: String
        var facets = JSONObject()
        var object = JSONObject()
        var version: String? { facets["version"]?["datasetVersion"]?.stringValue }
        /// `<model>@<version>` for an output in the `mlflow://` namespace naming `models/<model>/<version>`.
        var model: String? {
            guard namespace.hasPrefix("mlflow://") || namespace == "mlflow" else { return nil }
            let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, parts[0] == "models", !parts[1].isEmpty, !parts[2].isEmpty,
                  parts[1].utf8.allSatisfy(isIDByte), parts[2].utf8.allSatisfy(isIDByte) else { return nil }
            return "\(parts[1])@\(parts[2])"
        }
        var ref: JSONValue {
            if let model { return .object(obj([("model", JSONValue(model))])) }
            return .object(obj([("dataset", JSONValue(id)), ("version", version.map { JSONValue($0) } ?? .null)]))
        }
    }

    static func datasets(_ lists: [[JSONObject]]) -> [Dataset] {
        var order: [String] = []
        var byID: [String: Dataset] = [:]
        for list in lists {
            for d in list {
                let ns = (d["namespace"]?.stringValue ?? "").nfc
                let name = (d["name"]?.stringValue ?? "").nfc
                let id = "\(ns)/\(name)"
                var cur = byID[id] ?? Dataset(id: id, namespace: ns, name: name)
                if byID[id] == nil { order.append(id) }
                for key in ["facets", "inputFacets", "outputFacets"] {
                    if let f = d[key]?.objectValue { cur.facets = merge(cur.facets, f) }
                }
                cur.object = merge(cur.object, d)
                byID[id] = cur
            }
        }
        return order.compactMap { byID[$0] }
    }

    /// The facts of the events read, and remarks for the report.
    /// With `digest`, each fact keeps its `refs.source.sha256` instead of the fields it is
    /// computed from, so that the events can be freed once mapped.
    static func facts(_ events: [OpenLineageEvent], digest: Bool = false) -> (facts: [ImportedFact], notes: [String]) {
        var runOrder: [String] = []
        var runs: [String: [(Int, OpenLineageEvent)]] = [:]
        for (i, e) in events.enumerated() {
            if runs[e.runID] == nil { runOrder.append(e.runID) }
            runs[e.runID, default: []].append((i, e))
        }
        // Runs are mapped (and their digests computed) on all cores, a chunk of runs at a time;
        // the results keep the order of the runs.
        let order = runOrder, grouped = runs
        let chunk = 256
        let parts = (try? Parallel.map((order.count + chunk - 1) / chunk) { c -> ([ImportedFact], [String]) in
            var facts: [ImportedFact] = []
            var notes: [String] = []
            var fileURIs: [String: String] = [:]
            for id in order[(c * chunk)..<min(order.count, (c + 1) * chunk)] {
                let evs = (grouped[id] ?? []).sorted { $0.1.time != $1.1.time ? $0.1.time < $1.1.time : $0.0 < $1.0 }.map(\.1)
                let (f, n) = runFacts(id, evs) { place in
                    // One file URL per file read (`URL.standardizedFileURL` is slow).
                    let file = place.split(separator: ":", omittingEmptySubsequences: false).dropLast().joined(separator: ":")
                    if let known = fileURIs[file] { return known }
                    let made = uri(place)
                    fileURIs[file] = made
                    return made
                }
                facts += digest ? f.map { $0.digested() } : f
                notes += n
            }
            return (facts, notes)
        }) ?? []
        return (parts.flatMap(\.0), parts.flatMap(\.1))
    }

    /// The facts of the files and folders given, streamed by run: a first pass parses and
    /// checks every event on all cores and keeps only its place and run id; a second maps the
    /// runs, a chunk at a time on all cores, parsing each run's events again and freeing them
    /// once mapped. The facts (with their digests) and notes are those of
    /// `facts(read(paths:), digest: true)`, without holding every parsed event at once.
    static func streamedFacts(paths: [String]) throws(ImportError) -> (facts: [ImportedFact], notes: [String]) {
        struct Place: Sendable {
            var file: Int
            var range: Range<Int>
            var line: Int
        }
        let names = try OpenLineageReader.files(paths)
        var contents: [[UInt8]] = []
        var runOrder: [String] = []
        var runs: [String: [Int]] = [:]
        var places: [Place] = []
        for (k, f) in names.enumerated() {
            let bytes = try OpenLineageReader.load(f)
            let spans = OpenLineageReader.spans(bytes, wholeFile: f.hasSuffix(".json"))
            let ids = try OpenLineageReader.parseAll(bytes, spans, file: f) { $0.runID }
            contents.append(bytes)
            for (span, id) in zip(spans, ids) {
                if runs[id] == nil { runOrder.append(id) }
                runs[id, default: []].append(places.count)
                places.append(Place(file: k, range: span.range, line: span.line))
            }
        }
        let order = runOrder, grouped = runs, at = places, files = contents, fileNames = names
        let chunk = 256
        do {
            let parts = try Parallel.map((order.count + chunk - 1) / chunk) { c throws -> ([ImportedFact], [String]) in
                var facts: [ImportedFact] = []
                var notes: [String] = []
                var fileURIs: [String: String] = [:]
                for id in order[(c * chunk)..<min(order.count, (c + 1) * chunk)] {
                    var evs: [(Int, OpenLineageEvent)] = []
                    for i in grouped[id] ?? [] {
                        let p = at[i]
                        evs.append((i, try OpenLineageReader.event(files[p.file][p.range], file: fileNames[p.file], line: p.line)))
                    }
                    let sorted = evs.sorted { $0.1.time != $1.1.time ? $0.1.time < $1.1.time : $0.0 < $1.0 }.map(\.1)
                    let (f, n) = runFacts(id, sorted) { place in
                        let file = place.split(separator: ":", omittingEmptySubsequences: false).dropLast().joined(separator: ":")
                        if let known = fileURIs[file] { return known }
                        let made = uri(place)
                        fileURIs[file] = made
                        return made
                    }
                    facts += f.map { $0.digested() }
                    notes += n
                }
                return (facts, notes)
            }
            return (parts.flatMap(\.0), parts.flatMap(\.1))
        } catch let e as ImportError {
            throw e
        } catch {
            throw .unreadable(names.first ?? "", reason: "\(error)")
        }
    }

    static func runFacts(_ runID: String, _ evs: [OpenLineageEvent],
                         uris: (String) -> String = { uri($0) }) -> (facts: [ImportedFact], notes: [String]) {
        guard let last = evs.last else { return ([], []) }
        let terminal = evs.last { $0.isTerminal }
        let live = evs.filter { $0.type == "START" || $0.type == "RUNNING" }
        guard let main = terminal ?? live.last else { return ([], []) }
        let runRef = "openlineage:\(runID)"
        let sourceURI = uris(main.place)
        var runFacets = JSONObject(), jobFacets = JSONObject()
        for e in evs {
            runFacets = merge(runFacets, e.runFacets)
            jobFacets = merge(jobFacets, e.jobFacets)
        }
        let inputs = datasets(evs.map(\.inputs))
        let outputs = datasets(evs.map(\.outputs))

        var data = obj([("eventType", JSONValue(main.type)), ("job", JSONValue(main.job))])
        if let jt = jobFacets["jobType"]?.objectValue {
            for k in ["jobType", "integration", "processingType"] { if let v = jt[k]?.stringValue { data[k] = JSONValue(v) } }
        }
        data["inputs"] = .array(inputs.map(\.ref))
        data["outputs"] = .array(outputs.map(\.ref))
        if let p = runFacets["parent"]?.objectValue, let pid = p["run"]?["runId"]?.stringValue {
            var parent = obj([("run", JSONValue("openlineage:\(pid.lowercased())"))])
            if let ns = p["job"]?["namespace"]?.stringValue, let n = p["job"]?["name"]?.stringValue {
                parent["job"] = JSONValue("\(ns)/\(n)".nfc)
            }
            data["parent"] = .object(parent)
        }
        if let nt = plain(runFacets["nominalTime"]) { data["nominalTime"] = nt }
        if let start = live.first ?? evs.first(where: { $0.type == "START" }) { data["started"] = JSONValue(start.time.description) }
        if terminal == nil { data["lastSeen"] = JSONValue(last.time.description) }
        if main.type != "COMPLETE", let msg = runFacets["errorMessage"]?["message"]?.stringValue { data["errorMessage"] = JSONValue(msg) }
        let owners = jobFacets["ownership"]?["owners"]?.arrayValue?.compactMap { o -> (String, String?)? in
            guard let n = o["name"]?.stringValue, !n.isEmpty else { return nil }
            return (n.nfc, o["type"]?.stringValue)
        } ?? []
        if !owners.isEmpty {
            data["owners"] = .array(owners.map { .object(obj([("name", JSONValue($0.0)), ("type", $0.1.map { JSONValue($0) } ?? .null)])) })
        }

        var refs = obj([("run", JSONValue(runRef))])
        if let c = commit(jobFacets) { refs["commit"] = JSONValue(c) }
        let inputRefs = inputs.compactMap { d in d.version.map { "\(d.id)@\($0)" } }
        if !inputRefs.isEmpty { refs["datasets"] = .array(inputRefs.map { JSONValue($0) }) }
        if let m = outputs.compactMap(\.model).first { refs["model"] = JSONValue(m) }

        let action: String
        switch main.type {
        case "COMPLETE": action = "pipeline.run_completed"
        case "FAIL", "ABORT": action = "pipeline.run_failed"
        default: action = "pipeline.run_started"
        }
        let subject = obj([("type", JSONValue("job")), ("id", JSONValue(main.job))])
        let fields = obj([("runId", JSONValue(runID)), ("events", .array(evs.map { .object($0.object) }))])
        let occurred = terminal?.time ?? live.first?.time ?? main.time
        var facts = [ImportedFact(
            action: action, subject: subject, user: owners.first?.0, occurred: occurred, sourceID: runID, sourceFields: fields,
            refs: refs, data: data, once: .run(ref: runRef, terminal: terminal != nil), rank: 1, uri: sourceURI)]
        var notes: [String] = []

        // Data quality facets of any dataset the run read or wrote.
        for d in inputs + outputs where d.model == nil {
            let assertions = d.facets["dataQualityAssertions"]?["assertions"]?.arrayValue ?? []
            let metrics = plain(d.facets["dataQualityMetrics"])
            guard !assertions.isEmpty || metrics != nil else { continue }
            let checks = assertions.map { a -> JSONValue in
                let name = a["assertion"]?.stringValue ?? "assertion"
                return JSONValue(a["column"]?.stringValue.map { "\($0): \(name)" } ?? name)
            }
            let passed = assertions.allSatisfy { $0["success"]?.boolValue == true }
            var qdata = obj([("checks", .array(checks)), ("passed", .bool(passed))])
            if !assertions.isEmpty { qdata["assertions"] = .array(assertions.map { plain($0) ?? $0 }) }
            if let metrics { qdata["metrics"] = metrics }
            qdata["job"] = JSONValue(main.job)
            var qsubject = obj([("type", JSONValue("dataset")), ("id", JSONValue(d.id))])
            if let v = d.version { qsubject["version"] = JSONValue(v) }
            let qfields = obj([("runId", JSONValue(runID)), ("eventTime", JSONValue(main.time.description)), ("dataset", .object(d.object))])
            facts.append(ImportedFact(
                action: "dataset.quality_checked", subject: qsubject, user: nil, occurred: occurred,
                sourceID: "\(runID)/quality/\(d.id)", sourceFields: qfields, refs: obj([("run", JSONValue(runRef))]), data: qdata,
                once: .qualityCheck(run: runRef, dataset: d.id), rank: 0, uri: sourceURI))
        }

        // Output dataset versions of a completed run.
        if terminal?.type == "COMPLETE" {
            for d in outputs where d.model == nil {
                guard let v = d.version else {
                    notes.append("run \(runID) wrote \(d.id) without a version facet: no dataset.registered for it")
                    continue
                }
                var ddata = obj([("job", JSONValue(main.job)), ("producedBy", JSONValue(runRef))])
                if let fs = d.facets["schema"]?["fields"]?.arrayValue {
                    ddata["schema"] = .array(fs.map { f in
                        .object(obj([("name", f["name"] ?? .null), ("type", f["type"] ?? .null)]))
                    })
                }
                let dfields = obj([("runId", JSONValue(runID)), ("eventTime", JSONValue(main.time.description)), ("dataset", .object(d.object))])
                facts.append(ImportedFact(
                    action: "dataset.registered",
                    subject: obj([("type", JSONValue("dataset")), ("id", JSONValue(d.id)), ("version", JSONValue(v))]),
                    user: nil, occurred: main.time, sourceID: "dataset/\(d.id)@\(v)", sourceFields: dfields,
                    refs: obj([("run", JSONValue(runRef))]), data: ddata, once: .dataset(id: d.id, version: v), rank: 0,
                    uri: sourceURI))
            }
        }
        return (facts, notes)
    }

    /// The commit the job's `sourceCodeLocation` (or `sourceCode`) facet names.
    static func commit(_ jobFacets: JSONObject) -> String? {
        for facet in ["sourceCodeLocation", "sourceCode"] {
            for key in ["version", "commit"] {
                if let c = jobFacets[facet]?[key]?.stringValue, !c.isEmpty { return c }
            }
        }
        return nil
    }

    /// `refs.source.uri` of a fact: the file its event was read from.
    static func uri(_ place: String) -> String {
        let file = place.split(separator: ":", omittingEmptySubsequences: false).dropLast().joined(separator: ":")
        return URL(fileURLWithPath: file).standardizedFileURL.absoluteString
    }
}

extension Trailpack {
    /// `trailpack import openlineage`: brings the OpenLineage RunEvents in `paths` (files or
    /// folders) into the audit log of `source` (contract section 9).
    public static func importOpenLineage(source: String, paths: [String], dryRun: Bool) throws -> ImportResult {
        let (sourceURL, config) = try writableSource(source)
        // Streamed by run: the parsed events live only while their run is mapped.
        let (facts, notes) = try OpenLineageMapping.streamedFacts(paths: paths)
        let shown = paths.map { URL(fileURLWithPath: $0).standardizedFileURL.absoluteString }.joined(separator: " ")
        let runner = ImportRunner(sourceURL: sourceURL, config: config, origin: ImportOrigin(system: "openlineage", uri: shown), dryRun: dryRun)
        return try runner.run(facts, notes: notes)
    }
}
