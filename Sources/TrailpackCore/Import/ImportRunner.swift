import Foundation

/// The generic import path (contract section 9), shared by every importer: facts from another
/// system become events with `occurred` and `refs.source`, actors mapped through `identities`,
/// facts the log already holds left out, ordered by `occurred`, and appended all or none
/// through `record`'s lock, chain and fsync.
struct ImportRunner {
    var sourceURL: URL
    var config: Config
    var origin: ImportOrigin
    var dryRun: Bool
    /// The moment of writing: the one place the wall clock is read.
    var now: @Sendable () -> Timestamp = { ImportRunner.wallClock() }

    static func wallClock() -> Timestamp {
        let ms = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        return Timestamp(seconds: ms / 1000, nanoseconds: Int32(ms % 1000) * 1_000_000)
    }

    /// The actor id for a user name of the other system, and whether `identities` mapped it.
    func actor(_ user: String?) -> (object: JSONObject, id: String, mapped: Bool) {
        guard let user, !user.isEmpty else {
            let id = "svc:\(origin.system)"
            return (JSONObject([JSONMember(key: "id", value: JSONValue(id)), JSONMember(key: "kind", value: JSONValue("service"))]), id, true)
        }
        let key = "\(origin.system):\(user.precomposedStringWithCanonicalMapping)"
        if let mapped = config.identity(key) {
            return (JSONObject([JSONMember(key: "id", value: .string(mapped))]), mapped.string, true)
        }
        return (JSONObject([JSONMember(key: "id", value: JSONValue(key))]), key, false)
    }

    /// Writes (or, in a dry run, lists) the facts the log does not yet hold. `absentAlias`, when
    /// given, makes the fact "alias no longer held" for an alias the log gives a version of a
    /// model but the other system no longer has (nil: the model is not imported).
    func run(_ facts: [ImportedFact], notes: [String] = [],
             absentAlias: ((_ model: String, _ alias: String, _ holder: String) -> ImportedFact?)? = nil) throws -> ImportResult {
        let ordered = facts.sorted { a, b in
            if a.occurred != b.occurred { return a.occurred < b.occurred }
            if a.rank != b.rank { return a.rank < b.rank }
            return a.sourceID.utf8.lexicographicallyPrecedes(b.sourceID.utf8)
        }
        var added: [ImportedEvent] = []
        var present = 0
        let record = try Recorder(source: sourceURL.path, signKeyPath: nil).append(to: sourceURL, config: config, dryRun: dryRun) { store, _ in
            var state = try store.map { try ImportLogState.read($0) } ?? ImportLogState()
            let time = now()
            let timeText = time.description
            var objects: [JSONObject] = []
            var seen = Set<ImportedFact.Once>()
            for var f in ordered {
                // The same fact given twice by the other system (a dataset read by two runs) is one fact.
                guard seen.insert(f.once).inserted else { continue }
                if let from = state.previous(f) { f.data["from"] = from }
                guard state.admit(f) else { present += 1; continue }
                let (actorObject, actorID, mapped) = actor(f.user)
                objects.append(event(f, actor: actorObject, timeText: timeText))
                let subject = [f.subject["id"]?.stringValue, f.subject["version"]?.stringValue].compactMap { $0 }.joined(separator: "@")
                added.append(ImportedEvent(action: f.action, subject: subject, occurred: f.occurred.description, sourceID: f.sourceID,
                                           detail: Self.detail(f), actor: actorID, actorMapped: mapped))
            }
            if let absentAlias {
                let given = Set(ordered.compactMap { f -> [String]? in
                    if case .alias(let m, let a, _) = f.once { return [m, a] } else { return nil }
                })
                let held = state.aliases.compactMap { k, v -> (key: [String], holder: String)? in v.map { (k, $0) } }
                    .sorted { $0.key.joined(separator: "\u{0}").utf8.lexicographicallyPrecedes($1.key.joined(separator: "\u{0}").utf8) }
                for h in held where h.key.count == 2 && !given.contains(h.key) {
                    guard var f = absentAlias(h.key[0], h.key[1], h.holder) else { continue }
                    f.data["from"] = JSONValue(h.holder)
                    guard state.admit(f) else { continue }
                    let (actorObject, actorID, mapped) = actor(f.user)
                    objects.append(event(f, actor: actorObject, timeText: timeText))
                    added.append(ImportedEvent(action: f.action, subject: "\(h.key[0])@\(h.holder)", occurred: f.occurred.description,
                                               sourceID: f.sourceID, detail: Self.detail(f), actor: actorID, actorMapped: mapped))
                }
            }
            if objects.isEmpty { return [] }
            // The objects go to `record`'s checks as they are: serializing them and parsing them
            // back (with a JSON Pointer location for every member) cost most of an import's time
            // and memory. A problem is located as `<system> import:N`, N the event's place in the batch.
            // Imported events are never signed, so each is checked on its own: on all cores, a
            // chunk at a time, in order (the first refusal by position is the one reported).
            var preparer = EventPreparer(source: sourceURL, signKey: nil)
            preparer.allowsObservedChanges = true
            let name = "\(origin.system) import"
            let all = objects, template = preparer
            let chunk = 1024
            return try Parallel.map((all.count + chunk - 1) / chunk) { c throws -> [PreparedEvent] in
                var p = template
                return try ((c * chunk)..<min(all.count, (c + 1) * chunk)).map { n throws(RecordError) in
                    let place = SourceLocation(file: name, line: n + 1, column: 1)
                    return try p.prepare(InputEvent(object: all[n], location: place, locations: JSONLocations(file: name, byPointer: [:])))
                }
            }.flatMap { $0 }
        }
        return ImportResult(system: origin.system, uri: origin.uri, dryRun: dryRun, events: added, alreadyPresent: present,
                            record: record, notes: notes + requireSignedNotes(added))
    }

    /// Imported events are never signed (contract section 9): those whose action
    /// `policy.requireSigned` lists will be SIG-REQUIRED, and the import says so.
    func requireSignedNotes(_ added: [ImportedEvent]) -> [String] {
        let actions = Set(added.map(\.action)).filter { a in config.policy.requireSigned.contains { $0.equals(a) } }
        guard !actions.isEmpty else { return [] }
        return ["policy.requireSigned lists \(actions.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.joined(separator: ", ")): "
                + "events brought in are never signed, so these will be SIG-REQUIRED and count for no other rule"]
    }

    /// The event object of a fact: `id`, `time`, `occurred`, `actor`, `refs.source`.
    func event(_ f: ImportedFact, actor actorObject: JSONObject, timeText: String) -> JSONObject {
        let digest = f.sourceDigest
        var refs = f.refs
        refs["source"] = .object(JSONObject([
            JSONMember(key: "system", value: JSONValue(origin.system)),
            JSONMember(key: "uri", value: JSONValue(f.uri ?? origin.uri)),
            JSONMember(key: "id", value: JSONValue(f.sourceID)),
            JSONMember(key: "sha256", value: JSONValue(digest)),
        ]))
        let idSeed = JCS.serialize(.array([JSONValue(origin.system), JSONValue(f.action), JSONValue(f.sourceID), JSONValue(digest)]))
        let id = "\(origin.system)-" + String(SHA256.digest(idSeed).hex.prefix(24))
        var o = JSONObject([
            JSONMember(key: "id", value: JSONValue(id)),
            JSONMember(key: "time", value: JSONValue(timeText)),
            JSONMember(key: "occurred", value: JSONValue(f.occurred.description)),
            JSONMember(key: "actor", value: .object(actorObject)),
            JSONMember(key: "action", value: JSONValue(f.action)),
            JSONMember(key: "subject", value: .object(f.subject)),
            JSONMember(key: "refs", value: .object(refs)),
        ])
        if !f.data.isEmpty { o["data"] = .object(f.data) }
        return o
    }

    static func detail(_ f: ImportedFact) -> String {
        switch f.once {
        case .stage(_, _, let to):
            return "stage \(f.data["from"]?.stringValue ?? "none") -> \(to), observed (MLflow updated \(f.occurred.description))"
        case .alias(_, let alias, let to):
            return "alias \(alias): \(f.data["from"]?.stringValue ?? "none") -> \(to ?? "none"), observed (MLflow updated \(f.occurred.description))"
        default:
            return ""
        }
    }
}

/// What the log already holds of imported kinds of facts (contract section 9, "Once"), read
/// while the store is locked; facts admitted during an import update it in order.
struct ImportLogState {
    var versionEvents = Set<[String]>()
    var datasets = Set<[String]>()
    /// (model, version) -> `data.to` of its latest `model.stage_changed`.
    var stages: [[String]: String] = [:]
    /// (model, alias) -> `data.to` of its latest `model.alias_changed` (nil: none).
    var aliases: [[String]: String?] = [:]
    /// `refs.run` of `pipeline.run_completed` / `pipeline.run_failed`, and of `pipeline.run_started`.
    var terminalRuns = Set<String>()
    var startedRuns = Set<String>()
    /// (`refs.run`, dataset id) of `dataset.quality_checked`.
    var qualityChecks = Set<[String]>()
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
            if let version { datasets.insert([id, version]) }
        case "model.stage_changed":
            if let version, let to = f.to { stages[[id, version]] = to }
        case "model.alias_changed":
            if let alias = f.alias { aliases[[id, alias]] = .some(f.to) }
        case "pipeline.run_completed", "pipeline.run_failed":
            if let run { terminalRuns.insert(run) }
        case "pipeline.run_started":
            if let run { startedRuns.insert(run) }
        case "dataset.quality_checked":
            if let run { qualityChecks.insert([run, id]) }
        case "code.changed":
            if let c = f.commit { commits.insert(c.lowercased()) }
        default: break
        }
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
    mutating func admit(_ f: ImportedFact) -> Bool {
        switch f.once {
        case .versionEvent(let action, let model, let version):
            return versionEvents.insert([action, model, version]).inserted
        case .dataset(let id, let version):
            return datasets.insert([id, version]).inserted
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
            return qualityChecks.insert([run, dataset]).inserted
        case .commit(let hash):
            return commits.insert(hash.lowercased()).inserted
        }
    }
}
