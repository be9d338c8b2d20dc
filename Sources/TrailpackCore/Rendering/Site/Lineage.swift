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

    /// An event's time as the pages show it, held small: the parsed time, and the text only
    /// where it is not the parsed time's own form (``string`` gives the text as recorded).
    struct Time: Sendable {
        var at: Timestamp?
        var text: String?

        init(_ e: Event) {
            if let t = e.time, let text = e.timeText, t.description == text {
                at = t
            } else {
                self.text = e.timeText ?? ""
            }
        }

        var string: String { text ?? at?.description ?? "" }
    }

    /// An event about a version, located by `seq`.
    struct Step: Sendable {
        var seq: Int64
        var time: Time
        var action: String
        var actor: String
        /// `refs.source.system` of an imported event.
        var system: String?
    }

    struct Check: Sendable {
        var seq: Int64
        var time: Time
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

    /// A pipeline run event. `inputs` (version indices) are kept only for a run that wrote a
    /// model version (what the model was trained on); every run is in its versions' `readers`.
    struct Run: Sendable {
        var seq: Int64
        var time: Time
        var action: String
        var ref: String?
        var job: String
        var system: String?
        var inputs: [Int]
        var models: [VersionRef]
    }

    /// A `model.trained` event naming its datasets (version indices).
    struct Training: Sendable {
        var seq: Int64
        var time: Time
        var model: VersionRef
        var run: String?
        var system: String?
        var datasets: [Int]
    }

    private(set) var versions: [Version] = []
    private(set) var index: [Key: Int] = [:]
    private(set) var runs: [Run] = []
    private(set) var trainings: [Training] = []
    /// The (version, run) pairs of `producedBy`, each listed once.
    private var produced = Set<Produced>()
    /// One copy of each action, job, actor and list of checks (few, repeated on every event):
    /// with 180,000 lineage events at 1,000,000 in the log, the copies were a quarter of the build's memory.
    private var pool: [String: String] = [:]

    private mutating func shared(_ s: String) -> String {
        if let known = pool[s] { return known }
        if pool.count < 100_000 { pool[s] = s }
        return s
    }

    private struct Produced: Hashable, Sendable {
        var version: Int
        var run: String
    }

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
        let time = Time(e)
        let system = e.refs.source?.system
        let actor = shared(e.actor.name ?? e.actor.id.string)
        if isDataset {
            guard !e.subject.id.bytes.isEmpty else { return }
            let i = slot(Key(id: e.subject.id, version: e.subject.version))
            let data = e.data
            switch action {
            case "dataset.quality_checked":
                let checks = shared(data["checks"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? "")
                versions[i].checks.append(Check(seq: seq, time: time, passed: data["passed"]?.boolValue, checks: checks,
                                                run: e.refs.run, system: system))
            default:
                versions[i].steps.append(Step(seq: seq, time: time, action: shared(action), actor: actor, system: system))
                if action == "dataset.registered" {
                    if versions[i].digest == nil, let d = data["digest"]?.stringValue, !d.isEmpty { versions[i].digest = d }
                    if let r = e.refs.run, produced.insert(Produced(version: i, run: r)).inserted { versions[i].producedBy.append(r) }
                }
            }
            return
        }
        if isRun {
            let data = e.data
            let ins = Self.items(data["inputs"]), outs = Self.items(data["outputs"])
            var inputs = ins.datasets
            var named = Set(inputs)
            for d in e.refs.datasets.map(Self.key) where named.insert(d).inserted { inputs.append(d) }
            var models = outs.models
            if let m = e.refs.model, !models.contains(m) { models.append(m) }
            // Runs that touch no dataset and no model (e.g. a scheduler's heartbeat) are not lineage.
            guard !inputs.isEmpty || !outs.datasets.isEmpty || !models.isEmpty else { return }
            let job = shared(data["job"]?.stringValue ?? e.subject.id.string)
            let r = runs.count
            var read: [Int] = []
            for k in inputs {
                let i = slot(k)
                if versions[i].readers.last != r { versions[i].readers.append(r) }
                if !models.isEmpty { read.append(i) }
            }
            for k in outs.datasets { let i = slot(k); if versions[i].writers.last != r { versions[i].writers.append(r) } }
            runs.append(Run(seq: seq, time: time, action: shared(action), ref: e.refs.run, job: job, system: system,
                            inputs: read, models: models))
            return
        }
        guard let model = e.subjectVersion, !e.refs.datasets.isEmpty else { return }
        let t = trainings.count
        var read: [Int] = []
        for k in e.refs.datasets.map(Self.key) {
            let i = slot(k)
            read.append(i)
            if versions[i].trainings.last != t { versions[i].trainings.append(t) }
        }
        trainings.append(Training(seq: seq, time: time, model: model, run: e.refs.run, system: system, datasets: read))
    }
}
