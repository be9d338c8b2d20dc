/// The lineage ready for the pages: datasets with their versions in log order, versions that are
/// the same data (joined by digest), and what each model version was trained on.
///
/// Everything here is linear in the lineage (plus sorting): versions that are the same data form
/// classes, whose lists are made once per class, and what a version's section lists from its
/// class is capped at ``listLimit`` with a count of the rest, so that thousands of versions with
/// one digest (every empty partition has the same) neither hang the build nor fill the disk.
struct LineageIndex: Sendable {
    struct Dataset: Sendable {
        var id: JSONString
        /// Indices into `versions`, in order of first appearance in the log.
        var versions: [Int]
    }

    /// A model version listed on a dataset version's section: trained on it (`model.trained`) or
    /// written by a run that read it, through version `via` (the version itself, or one that is
    /// the same data).
    struct ModelUse: Sendable {
        /// How the model version used the data: a training or a run (indices into the collector's lists).
        enum By: Sendable {
            case training(Int)
            case run(Int)
        }

        var model: VersionRef
        var seq: Int64
        var by: By
        var via: Int
    }

    /// At most this many entries of a list that a version gets from the versions that are the
    /// same data (those versions, the model versions trained on them); the page says how many more.
    static let listLimit = 50

    var collected: LineageCollector
    /// Datasets sorted by id bytes.
    var datasets: [Dataset] = []
    /// Model version -> the dataset versions it was trained on (version indices), in log order.
    var trainedOn: [VersionRef: [Int]] = [:]
    /// Version index -> (dataset index, page number) for links.
    var place: [Int: (dataset: Int, page: Int)] = [:]
    /// Run ref -> run indices (a run may have several events, e.g. started then completed).
    var runsByRef: [String: [Int]] = [:]
    /// Version index -> its class of versions that are the same data (only versions with another
    /// in their class).
    private var classOf: [Int: Int] = [:]
    /// Per class: the model versions trained on it, each once (the first by seq), sorted by seq.
    private var classModels: [[ModelUse]] = []
    /// Per class and dataset id: the first ``listLimit`` versions of the class of other datasets,
    /// and how many of them there are.
    private var others: [OthersKey: (versions: [Int], count: Int)] = [:]

    private struct OthersKey: Hashable, Sendable {
        var cls: Int
        var id: JSONString
    }

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
        let classes: [[Int]]
        (classOf, classes) = Self.sameData(c)
        for (k, members) in classes.enumerated() {
            classModels.append(Self.models(members.flatMap { j in c.versions[j].trainings.map { ($0, j) } },
                                           members.flatMap { j in c.versions[j].readers.map { ($0, j) } }, c))
            // Per dataset id of the class: its other versions are those of the other ids, found by
            // one scan from the start per id (it passes at most the id's own versions).
            var count: [JSONString: Int] = [:]
            for j in members { count[c.versions[j].key.id, default: 0] += 1 }
            for (id, n) in count {
                var first: [Int] = []
                for j in members where c.versions[j].key.id != id {
                    first.append(j)
                    if first.count == Self.listLimit { break }
                }
                others[OthersKey(cls: k, id: id)] = (first, members.count - n)
            }
        }
        var trained: [VersionRef: Set<Int>] = [:]
        func train(_ m: VersionRef, _ i: Int) {
            if trained[m, default: []].insert(i).inserted { trainedOn[m, default: []].append(i) }
        }
        for t in c.trainings {
            for i in t.datasets { train(t.model, i) }
        }
        for r in c.runs {
            for m in r.models {
                for i in r.inputs { train(m, i) }
            }
        }
        for (n, r) in c.runs.enumerated() { if let ref = r.ref { runsByRef[ref, default: []].append(n) } }
    }

    /// Classes of versions that are the same data: versions whose version or `data.digest` is the
    /// same content digest (``digestKey(_:)``), joined transitively (union-find); classes of one
    /// version are left out.
    static func sameData(_ c: LineageCollector) -> (classOf: [Int: Int], classes: [[Int]]) {
        var parent = Array(c.versions.indices)
        func root(_ i: Int) -> Int {
            var r = i
            while parent[r] != r { r = parent[r] }
            var j = i
            while parent[j] != r { (parent[j], j) = (r, parent[j]) }
            return r
        }
        var first: [String: Int] = [:]
        for (i, v) in c.versions.enumerated() {
            for key in [v.digest.flatMap(digestKey), v.key.version.flatMap { digestKey($0.string) }].compactMap({ $0 }) {
                guard let j = first[key] else { first[key] = i; continue }
                let (a, b) = (root(i), root(j))
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var byRoot: [Int: [Int]] = [:]
        for i in c.versions.indices { byRoot[root(i), default: []].append(i) }
        var classOf: [Int: Int] = [:]
        var classes: [[Int]] = []
        for r in byRoot.keys.sorted() {
            guard let members = byRoot[r], members.count > 1 else { continue }
            for j in members { classOf[j] = classes.count }
            classes.append(members)
        }
        return (classOf, classes)
    }

    /// The model versions of trainings and of model-writing runs (each with the version it read),
    /// each once: trainings first (the first by seq), then runs, sorted by seq.
    static func models(_ trainings: [(Int, Int)], _ runs: [(Int, Int)], _ c: LineageCollector) -> [ModelUse] {
        var out: [ModelUse] = []
        var seen = Set<VersionRef>()
        for (t, via) in trainings.sorted(by: { (c.trainings[$0.0].seq, $0.1) < (c.trainings[$1.0].seq, $1.1) }) {
            let tr = c.trainings[t]
            if seen.insert(tr.model).inserted { out.append(ModelUse(model: tr.model, seq: tr.seq, by: .training(t), via: via)) }
        }
        for (r, via) in runs.sorted(by: { (c.runs[$0.0].seq, $0.1) < (c.runs[$1.0].seq, $1.1) }) {
            for m in c.runs[r].models where seen.insert(m).inserted {
                out.append(ModelUse(model: m, seq: c.runs[r].seq, by: .run(r), via: via))
            }
        }
        // Stable: a model that two uses share keeps the one chosen above.
        return out.enumerated().sorted { ($0.element.seq, $0.offset) < ($1.element.seq, $1.offset) }.map(\.element)
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

    /// The versions of other datasets that are the same data as version `i`: the first
    /// ``listLimit`` in log order, and how many more there are.
    func same(of i: Int) -> (versions: [Int], more: Int) {
        guard let k = classOf[i], let o = others[OthersKey(cls: k, id: collected.versions[i].key.id)] else { return ([], 0) }
        return (o.versions, o.count - o.versions.count)
    }

    /// The model versions trained on version `i` or on the same data (``ModelUse``), the first
    /// ``listLimit`` by seq, and how many more there are. A use that version `i` itself has is
    /// named through `i`.
    func models(of i: Int) -> (uses: [ModelUse], more: Int) {
        let v = collected.versions[i]
        guard let k = classOf[i] else {
            let all = Self.models(v.trainings.map { ($0, i) }, v.readers.map { ($0, i) }, collected)
            return (Array(all.prefix(Self.listLimit)), max(0, all.count - Self.listLimit))
        }
        let all = classModels[k]
        // `trainings` and `readers` grow in log order: found by binary search.
        let uses = all.prefix(Self.listLimit).map { u -> ModelUse in
            var u = u
            switch u.by {
            case .training(let t): if v.trainings.sortedContains(t) { u.via = i }
            case .run(let r): if v.readers.sortedContains(r) { u.via = i }
            }
            return u
        }
        return (uses, all.count - uses.count)
    }

    /// Every model version trained on the versions of dataset `d` or on the same data.
    func allModels(of d: Dataset) -> Set<VersionRef> {
        var out = Set<VersionRef>()
        var done = Set<Int>()
        for i in d.versions {
            if let k = classOf[i] {
                if done.insert(k).inserted { out.formUnion(classModels[k].map(\.model)) }
            } else {
                for t in collected.versions[i].trainings { out.insert(collected.trainings[t].model) }
                for r in collected.versions[i].readers { out.formUnion(collected.runs[r].models) }
            }
        }
        return out
    }
}
