import Foundation

/// What the log already holds of imported kinds of facts (contract section 9, "Once"), read
/// while the store is locked; facts admitted during an import update it in order.
struct ImportLogState {
    /// Two strings as one key (no array to allocate per lookup).
    struct Pair: Hashable {
        var a: String
        var b: String
    }

    var versionEvents = Set<[String]>()
    var datasets = Set<Pair>()
    /// (model, version) -> `data.to` of its latest `model.stage_changed`.
    var stages: [[String]: String] = [:]
    /// (model, alias) -> `data.to` of its latest `model.alias_changed` (nil: none).
    var aliases: [[String]: String?] = [:]
    /// `refs.run` of `pipeline.run_completed` / `pipeline.run_failed`, and of `pipeline.run_started`.
    var terminalRuns = Set<String>()
    var startedRuns = Set<String>()
    /// (`refs.run`, dataset id) of `dataset.quality_checked`.
    var qualityChecks = Set<Pair>()
    /// `refs.commit` of `code.changed`, lowercase.
    var commits = Set<String>()

    /// What one line of the log says that an import must know (nil: nothing).
    struct Fact: Sendable {
        var action: String
        var id: String
        var version: String?
        var run: String?
        var to: String?
        var alias: String?
        var commit: String?
    }

    static func fact(_ bytes: ArraySlice<UInt8>) -> Fact? {
        guard let o = (try? JSONReader().parse(bytes))?.objectValue,
              let action = o["action"]?.stringValue, action.hasPrefix("model.") || action.hasPrefix("dataset.")
                || action.hasPrefix("pipeline.") || action == "code.changed",
              let id = o["subject"]?["id"]?.stringValue else { return nil }
        let data = o["data"]
        return Fact(action: action, id: id, version: o["subject"]?["version"]?.stringValue, run: o["refs"]?["run"]?.stringValue,
                    to: data?["to"]?.stringValue, alias: data?["alias"]?.stringValue, commit: o["refs"]?["commit"]?.stringValue)
    }

    static func read(_ store: AuditStore) throws -> ImportLogState {
        var s = ImportLogState()
        try store.readLines { batch in
            // Lines are parsed on all cores; their facts are folded in log order.
            let lines = batch.lines.filter { !$0.tooLong }
            let chunk = 1024
            let parts = (try? Parallel.map((lines.count + chunk - 1) / chunk) { c -> [Fact] in
                lines[(c * chunk)..<min(lines.count, (c + 1) * chunk)].compactMap { fact(batch.bytes($0)) }
            }) ?? []
            for f in parts.joined() { s.observe(f) }
        }
        return s
    }

    mutating func observe(_ f: Fact) {
        let id = f.id, version = f.version, run = f.run
        switch f.action {
        case "model.registered", "model.trained":
            if let version { versionEvents.insert([f.action, id, version]) }
        case "dataset.registered":
            if let version { datasets.insert(Pair(a: id, b: version)) }
        case "model.stage_changed":
            if let version, let to = f.to { stages[[id, version]] = to }
        case "model.alias_changed":
            if let alias = f.alias { aliases[[id, alias]] = .some(f.to) }
        case "pipeline.run_completed", "pipeline.run_failed":
            if let run { terminalRuns.insert(run) }
        case "pipeline.run_started":
            if let run { startedRuns.insert(run) }
        case "dataset.quality_checked":
            if let run { qualityChecks.insert(Pair(a: run, b: id)) }
        case "code.changed":
            if let c = f.commit { commits.insert(c.lowercased()) }
        default: break
        }
    }

    /// Room for the facts of an import in the sets they go to (no rehashing while they are admitted).
    mutating func reserve(for parts: [[PreparedFact]]) {
        var datasetFacts = 0, runFacts = 0, qualityFacts = 0, commitFacts = 0
        for part in parts {
            for k in part.indices {
            switch part[k].once {
            case .dataset: datasetFacts += 1
            case .run: runFacts += 1
            case .qualityCheck: qualityFacts += 1
            case .commit: commitFacts += 1
            default: break
            }
            }
        }
        datasets.reserveCapacity(datasets.count + datasetFacts)
        terminalRuns.reserveCapacity(terminalRuns.count + runFacts)
        qualityChecks.reserveCapacity(qualityChecks.count + qualityFacts)
        commits.reserveCapacity(commits.count + commitFacts)
    }

    /// `data.from` of a stage or alias change: what the log says now.
    func previous(_ f: ImportedFact) -> JSONValue? {
        switch f.once {
        case .stage(let model, let version, _): return JSONValue(stages[[model, version]] ?? "none")
        case .alias(let model, let alias, _): return (aliases[[model, alias]] ?? nil).map { JSONValue($0) } ?? .null
        default: return nil
        }
    }

    /// True when the fact is not yet in the log (and notes it as written).
    mutating func admit(_ once: ImportedFact.Once) -> Bool {
        switch once {
        case .versionEvent(let action, let model, let version):
            return versionEvents.insert([action, model, version]).inserted
        case .dataset(let id, let version):
            return datasets.insert(Pair(a: id, b: version)).inserted
        case .stage(let model, let version, let stage):
            if (stages[[model, version]] ?? "none") == stage { return false }
            stages[[model, version]] = stage
            return true
        case .alias(let model, let alias, let version):
            let current: String? = aliases[[model, alias]] ?? nil
            if current == version { return false }
            aliases[[model, alias]] = .some(version)
            return true
        case .run(let ref, true):
            return terminalRuns.insert(ref).inserted
        case .run(let ref, false):
            return !terminalRuns.contains(ref) && startedRuns.insert(ref).inserted
        case .qualityCheck(let run, let dataset):
            return qualityChecks.insert(Pair(a: run, b: dataset)).inserted
        case .commit(let hash):
            return commits.insert(hash.lowercased()).inserted
        }
    }
}
