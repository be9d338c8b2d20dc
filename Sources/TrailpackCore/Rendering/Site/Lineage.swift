/// Data lineage for the dataset pages, collected in log order from trailpack's own events and
/// imported ones alike: dataset versions (`dataset.registered`, `dataset.curated`,
/// `dataset.quality_checked`), the pipeline runs that wrote and read them (`pipeline.run_*`,
/// with `data.inputs` / `data.outputs` as `import openlineage` writes them, or `refs.datasets`),
/// and the model versions trained on them (`model.trained` with `refs.datasets`, or a run whose
/// output is a model version, `refs.model`). Only events about data are kept, so memory grows
/// with the lineage, not with the log.
struct LineageCollector: Sendable {
    /// A dataset version: `id` and `version` (nil: events that name the dataset without a version).
    struct Key: Hashable, Sendable {
        var id: JSONString
        var version: JSONString?
    }

    /// An event about a version, located by `seq`.
    struct Step: Sendable {
        var seq: Int64
        var time: String
        var action: String
        var actor: String
        /// `refs.source.system` of an imported event.
        var system: String?
    }

    struct Check: Sendable {
        var seq: Int64
        var time: String
        /// `data.passed` (nil when absent or not a boolean).
        var passed: Bool?
        /// `data.checks` joined.
        var checks: String
        var run: String?
        var system: String?
    }

    struct Version: Sendable {
        var key: Key
        var steps: [Step] = []
        var checks: [Check] = []
        /// `data.digest` of a registration.
        var digest: String?
        /// `refs.run` of its registration (the run that produced it).
        var producedBy: [String] = []
        /// Runs (indices into `runs`) that wrote it and that read it.
        var writers: [Int] = []
        var readers: [Int] = []
        /// Trainings (indices into `trainings`) that read it.
        var trainings: [Int] = []
    }

    /// A pipeline run event.
    struct Run: Sendable {
        var seq: Int64
        var time: String
        var action: String
        var ref: String?
        var job: String
        var system: String?
        var inputs: [Key]
        var outputs: [Key]
        var models: [VersionRef]
    }

    /// A `model.trained` event naming its datasets.
    struct Training: Sendable {
        var seq: Int64
        var time: String
        var model: VersionRef
        var run: String?
        var system: String?
        var datasets: [Key]
    }

    private(set) var versions: [Version] = []
    private(set) var index: [Key: Int] = [:]
    private(set) var runs: [Run] = []
    private(set) var trainings: [Training] = []

    static let pipelinePrefix = "pipeline."

    mutating func slot(_ key: Key) -> Int {
        if let i = index[key] { return i }
        versions.append(Version(key: key))
        index[key] = versions.count - 1
        return versions.count - 1
    }

    /// `id@version` of `refs.datasets` (split at the last `@`; no `@`: a dataset without version).
    static func key(_ ref: JSONString) -> Key {
        if let v = VersionRef(ref) { return Key(id: v.model, version: v.version) }
        return Key(id: ref, version: nil)
    }

    /// `{"dataset", "version"}` items of `data.inputs` / `data.outputs` and `{"model"}` outputs.
    static func items(_ v: JSONValue?) -> (datasets: [Key], models: [VersionRef]) {
        var ds: [Key] = [], ms: [VersionRef] = []
        for item in v?.arrayValue ?? [] {
            if case .string(let id)? = item["dataset"], !id.bytes.isEmpty {
                if case .string(let version)? = item["version"] { ds.append(Key(id: id, version: version)) } else { ds.append(Key(id: id, version: nil)) }
            } else if case .string(let m)? = item["model"], let ref = VersionRef(m) {
                ms.append(ref)
            }
        }
        return (ds, ms)
    }

    mutating func observe(_ c: CheckedEvent) {
        let e = c.event
        let action = e.action
        let isDataset = action.hasPrefix("dataset.") && e.subject.type == "dataset"
        let isRun = action.hasPrefix(Self.pipelinePrefix)
        guard isDataset || isRun || action == "model.trained" else { return }
        let seq = e.seq ?? c.index
        let time = e.timeText ?? ""
        let system = e.refs.source?.system
        let actor = e.actor.name ?? e.actor.id.string
        if isDataset {
            guard !e.subject.id.bytes.isEmpty else { return }
            let i = slot(Key(id: e.subject.id, version: e.subject.version))
            let data = e.data
            switch action {
            case "dataset.quality_checked":
                let checks = data["checks"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? ""
                versions[i].checks.append(Check(seq: seq, time: time, passed: data["passed"]?.boolValue, checks: checks,
                                                run: e.refs.run, system: system))
            default:
                versions[i].steps.append(Step(seq: seq, time: time, action: action, actor: actor, system: system))
                if action == "dataset.registered" {
                    if versions[i].digest == nil, let d = data["digest"]?.stringValue, !d.isEmpty { versions[i].digest = d }
                    if let r = e.refs.run, !versions[i].producedBy.contains(r) { versions[i].producedBy.append(r) }
                }
            }
            return
        }
        if isRun {
            let data = e.data
            let ins = Self.items(data["inputs"]), outs = Self.items(data["outputs"])
            var inputs = ins.datasets
            for d in e.refs.datasets.map(Self.key) where !inputs.contains(d) { inputs.append(d) }
            var models = outs.models
            if let m = e.refs.model, !models.contains(m) { models.append(m) }
            // Runs that touch no dataset and no model (e.g. a scheduler's heartbeat) are not lineage.
            guard !inputs.isEmpty || !outs.datasets.isEmpty || !models.isEmpty else { return }
            let job = data["job"]?.stringValue ?? e.subject.id.string
            let r = runs.count
            runs.append(Run(seq: seq, time: time, action: action, ref: e.refs.run, job: job, system: system,
                            inputs: inputs, outputs: outs.datasets, models: models))
            for k in inputs { let i = slot(k); if versions[i].readers.last != r { versions[i].readers.append(r) } }
            for k in outs.datasets { let i = slot(k); if versions[i].writers.last != r { versions[i].writers.append(r) } }
            return
        }
        guard let model = e.subjectVersion, !e.refs.datasets.isEmpty else { return }
        let keys = e.refs.datasets.map(Self.key)
        let t = trainings.count
        trainings.append(Training(seq: seq, time: time, model: model, run: e.refs.run, system: system, datasets: keys))
        for k in keys { let i = slot(k); if versions[i].trainings.last != t { versions[i].trainings.append(t) } }
    }
}

/// The lineage ready for the pages: datasets with their versions in log order, versions that are
/// the same data (joined by digest), and what each model version was trained on.
struct LineageIndex: Sendable {
    struct Dataset: Sendable {
        var id: JSONString
        /// Indices into `versions`, in order of first appearance in the log.
        var versions: [Int]
    }

    var collected: LineageCollector
    /// Datasets sorted by id bytes.
    var datasets: [Dataset] = []
    /// Version index -> the other versions that are the same data (same content digest).
    var same: [Int: [Int]] = [:]
    /// Model version -> the dataset versions it was trained on (version indices), in log order.
    var trainedOn: [VersionRef: [Int]] = [:]
    /// Version index -> (dataset index, page number) for links.
    var place: [Int: (dataset: Int, page: Int)] = [:]
    /// Run ref -> run indices (a run may have several events, e.g. started then completed).
    var runsByRef: [String: [Int]] = [:]

    var isEmpty: Bool { datasets.isEmpty }

    init(_ c: LineageCollector = LineageCollector(), pageSize: Int = 500) {
        collected = c
        var byID: [JSONString: [Int]] = [:]
        for (i, v) in c.versions.enumerated() { byID[v.key.id, default: []].append(i) }
        datasets = byID.keys.sorted().map { Dataset(id: $0, versions: byID[$0] ?? []) }
        for (d, ds) in datasets.enumerated() {
            // Unversioned events (nil) first, then versions in log order.
            let ordered = ds.versions.filter { c.versions[$0].key.version == nil } + ds.versions.filter { c.versions[$0].key.version != nil }
            datasets[d].versions = ordered
            for (n, v) in ordered.enumerated() { place[v] = (d, n / max(1, pageSize) + 1) }
        }
        var byDigest: [String: [Int]] = [:]
        for (i, v) in c.versions.enumerated() {
            var keys = Set<String>()
            if let d = v.digest.flatMap(Self.digestKey) { keys.insert(d) }
            if let d = v.key.version.flatMap({ Self.digestKey($0.string) }) { keys.insert(d) }
            for k in keys { byDigest[k, default: []].append(i) }
        }
        for (_, group) in byDigest where group.count > 1 {
            for i in group {
                for j in group where j != i && c.versions[j].key.id != c.versions[i].key.id && !(same[i] ?? []).contains(j) {
                    same[i, default: []].append(j)
                }
            }
        }
        for k in same.keys { same[k]?.sort() }
        for t in c.trainings {
            for k in t.datasets {
                guard let i = c.index[k] else { continue }
                if !(trainedOn[t.model] ?? []).contains(i) { trainedOn[t.model, default: []].append(i) }
            }
        }
        for r in c.runs {
            for m in r.models {
                for k in r.inputs {
                    guard let i = c.index[k] else { continue }
                    if !(trainedOn[m] ?? []).contains(i) { trainedOn[m, default: []].append(i) }
                }
            }
        }
        for (n, r) in c.runs.enumerated() { if let ref = r.ref { runsByRef[ref, default: []].append(n) } }
    }

    /// The join key of a version or digest that is a content digest: 8 or more hex digits with at
    /// least one letter (so that `7` or `20260203` never join), lowercase, after an optional
    /// `sha256:` or `md5:`.
    static func digestKey(_ s: String) -> String? {
        var t = s.lowercased()
        for p in ["sha256:", "md5:"] where t.hasPrefix(p) { t = String(t.dropFirst(p.count)) }
        let b = Array(t.utf8)
        guard b.count >= 8, b.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }),
              b.contains(where: { $0 >= 0x61 }) else { return nil }
        return t
    }

    /// The dataset versions (indices) a model version was trained on, with those joined to them.
    func sources(of ref: VersionRef) -> [Int] { trainedOn[ref] ?? [] }

    /// Trainings of a version and of the versions that are the same data, with the version named.
    func trainings(of i: Int) -> [(training: Int, via: Int)] {
        var out: [(Int, Int)] = []
        for j in [i] + (same[i] ?? []) {
            for t in collected.versions[j].trainings where !out.contains(where: { $0.0 == t }) { out.append((t, j)) }
        }
        return out.sorted { collected.trainings[$0.0].seq < collected.trainings[$1.0].seq }
    }

    /// Runs whose output is a model version and that read version `i` (or the same data).
    func modelRuns(of i: Int) -> [(run: Int, via: Int)] {
        var out: [(Int, Int)] = []
        for j in [i] + (same[i] ?? []) {
            for r in collected.versions[j].readers where !collected.runs[r].models.isEmpty && !out.contains(where: { $0.0 == r }) {
                out.append((r, j))
            }
        }
        return out.sorted { collected.runs[$0.0].seq < collected.runs[$1.0].seq }
    }
}
