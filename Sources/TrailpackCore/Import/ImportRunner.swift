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
        let key = "\(origin.system):\(user.nfc)"
        if let mapped = config.identity(key) {
            return (JSONObject([JSONMember(key: "id", value: .string(mapped))]), mapped.string, true)
        }
        return (JSONObject([JSONMember(key: "id", value: JSONValue(key))]), key, false)
    }

    /// The `time` events made ahead carry until ``run(prepared:notes:absentAlias:)`` stamps the
    /// moment of writing (any valid time would do: no check before the lock compares it).
    static let standInTime = "1970-01-01T00:00:00Z"

    /// The place of the `n`-th event of the batch (0-based) in messages, with the record of the
    /// other system it comes from: `mlflow import, event 5 (mlflow <source id>)`, as the
    /// report's lines name it.
    func place(_ n: Int, sourceID: String) -> SourceLocation {
        SourceLocation(file: "\(origin.importName), event \(n + 1) (\(origin.system) \(Escape.oneLine(sourceID)))")
    }

    /// A fact ready for ``run(prepared:notes:absentAlias:)``; with `ahead`, its event made now, off
    /// the lock and on any core: built, checked by `record`'s checks and serialized
    /// (``AheadEvent``), worth it when nearly every fact will be written (an empty log). A fact
    /// whose event depends on the log (the `from` of a stage or alias change), that a check
    /// refuses, that the canonical scanner declines or that is a key event (whose object the log
    /// state reads) stays a fact, made under the lock once admitted, so that a refusal names its
    /// place in the batch.
    func prepare(_ f: ImportedFact, ahead: Bool) -> PreparedFact {
        var p = PreparedFact(occurred: f.occurred, rank: f.rank, sourceID: f.sourceID, once: f.once, made: .later(f))
        guard ahead else { return p }
        switch f.once {
        case .stage, .alias: return p
        default: break
        }
        let (actorObject, actorID, mapped) = actor(f.user)
        var preparer = EventPreparer(source: sourceURL, signKey: nil)
        preparer.allowsObservedChanges = true
        let object = event(f, actor: actorObject, timeText: Self.standInTime)
        let input = InputEvent(object: object, location: place(0, sourceID: f.sourceID), locations: JSONLocations(file: origin.importName, byPointer: [:]))
        guard let e = try? preparer.prepare(input), e.action != "key.registered" && e.action != "key.revoked", e.signature == nil else { return p }
        var base: [UInt8] = []
        base.reserveCapacity(1024)
        JCS.writeObject(e.object, excluding: ["time"], to: &base)
        // Kept until the batch is written: copied to its exact size.
        guard let plan = Recorder.SplicePlan(base.withUnsafeBufferPointer { Array($0) }, withTime: true) else { return p }
        p.made = .event(AheadEvent(plan: plan, id: e.id, idKey: e.idKey, occurred: e.occurred, action: e.action, subjectID: e.subjectID,
                                   report: report(f, actorID: actorID, mapped: mapped, occurred: e.occurred?.text)))
        return p
    }

    /// Whether the log holds no event (no segment, or only empty ones): every fact of an import
    /// will then be written, and making the events ahead is no wasted work.
    func logIsEmpty() -> Bool {
        guard let store = try? AuditStore(source: sourceURL) else { return true }
        return store.totalBytes == 0
    }

    /// The report line of a fact written.
    /// `occurred`: the text of `f.occurred` when made already (shared, not made again).
    func report(_ f: ImportedFact, actorID: String, mapped: Bool, subject: String? = nil, occurred: String? = nil) -> ImportedEvent {
        let subject = subject ?? [f.subject["id"]?.stringValue, f.subject["version"]?.stringValue].compactMap { $0 }.joined(separator: "@")
        return ImportedEvent(action: f.action, subject: subject, occurred: occurred ?? f.occurred.description, sourceID: f.sourceID,
                             detail: Self.detail(f), actor: actorID, actorMapped: mapped)
    }

    /// Writes (or, in a dry run, lists) the facts the log does not yet hold. `absentAlias`, when
    /// given, makes the fact "alias no longer held" for an alias the log gives a version of a
    /// model but the other system no longer has (nil: the model is not imported).
    func run(_ facts: [ImportedFact], notes: [String] = [],
             absentAlias: ((_ model: String, _ alias: String, _ holder: String) -> ImportedFact?)? = nil) throws -> ImportResult {
        try run(prepared: facts.map { prepare($0, ahead: false) }, notes: notes, absentAlias: absentAlias)
    }

    /// ``run(_:notes:absentAlias:)`` of facts already through ``prepare(_:ahead:)``.
    func run(prepared facts: [PreparedFact], notes: [String] = [],
             absentAlias: ((_ model: String, _ alias: String, _ holder: String) -> ImportedFact?)? = nil) throws -> ImportResult {
        try run(parts: [facts], notes: notes, absentAlias: absentAlias)
    }

    /// ``run(prepared:notes:absentAlias:)`` of the facts of `parts` in order (e.g. one part per
    /// OpenLineage run), without first copying them into one list.
    func run(parts: [[PreparedFact]], notes: [String] = [],
             absentAlias: ((_ model: String, _ alias: String, _ holder: String) -> ImportedFact?)? = nil) throws -> ImportResult {
        // Each fact's place (part, index in it), in the order given.
        let count = parts.reduce(0) { $0 + $1.count }
        var places: [(part: Int32, k: Int32)] = []
        places.reserveCapacity(count)
        for (p, part) in parts.enumerated() {
            for k in part.indices { places.append((Int32(p), Int32(k))) }
        }
        // Ordered by `occurred`, `rank`, source id, then as given, through keys (the facts
        // themselves are large to move, and reading them in a comparison costs reference counts).
        struct Key {
            var time: Timestamp
            var rank: Int
            var at: Int
        }
        var keys: [Key] = []
        keys.reserveCapacity(count)
        for (at, w) in places.enumerated() {
            keys.append(Key(time: parts[Int(w.part)][Int(w.k)].occurred, rank: parts[Int(w.part)][Int(w.k)].rank, at: at))
        }
        keys.sort { a, b in
            if a.time != b.time { return a.time < b.time }
            if a.rank != b.rank { return a.rank < b.rank }
            let x = places[a.at], y = places[b.at]
            let s = parts[Int(x.part)][Int(x.k)].sourceID.utf8, t = parts[Int(y.part)][Int(y.k)].sourceID.utf8
            if !s.elementsEqual(t) { return s.lexicographicallyPrecedes(t) }
            return a.at < b.at
        }
        let ordered = keys.map(\.at)
        keys = []
        var added: [ImportedEvent] = []
        var present = 0
        let record = try Recorder(source: sourceURL.path, signKeyPath: nil).append(to: sourceURL, config: config, dryRun: dryRun) { store, _ in
            var state = try store.map { try ImportLogState.read($0) } ?? ImportLogState()
            let time = now()
            let timeText = time.description
            // The batch in order: events made ahead (by their fact's place), and facts admitted
            // to be made now.
            enum Entry {
                case ahead(part: Int32, k: Int32)
                indirect case fact(ImportedFact, subject: String?)
            }
            var entries: [Entry] = []
            var seen = Set<ImportedFact.Once>(minimumCapacity: count)
            state.reserve(for: parts)
            entries.reserveCapacity(count)
            for i in ordered {
                let w = places[i]
                let (p, k) = (Int(w.part), Int(w.k))
                // The same fact given twice by the other system (a dataset read by two runs) is one fact.
                guard seen.insert(parts[p][k].once).inserted else { continue }
                if case .later(var f) = parts[p][k].made {
                    if let from = state.previous(f) { f.data["from"] = from }
                    guard state.admit(f.once) else { present += 1; continue }
                    entries.append(.fact(f, subject: nil))
                } else {
                    guard state.admit(parts[p][k].once) else { present += 1; continue }
                    entries.append(.ahead(part: w.part, k: w.k))
                }
            }
            if let absentAlias {
                var given = Set<[String]>()
                for part in parts {
                    for f in part { if case .alias(let m, let a, _) = f.once { given.insert([m, a]) } }
                }
                let held = state.aliases.compactMap { k, v -> (key: [String], holder: String)? in v.map { (k, $0) } }
                    .sorted { $0.key.joined(separator: "\u{0}").utf8.lexicographicallyPrecedes($1.key.joined(separator: "\u{0}").utf8) }
                for h in held where h.key.count == 2 && !given.contains(h.key) {
                    guard var f = absentAlias(h.key[0], h.key[1], h.holder) else { continue }
                    f.data["from"] = JSONValue(h.holder)
                    guard state.admit(f.once) else { continue }
                    entries.append(.fact(f, subject: "\(h.key[0])@\(h.holder)"))
                }
            }
            // The facts admitted are made now, with the time of writing, on all cores a chunk at a
            // time, each checked at its place (the first refusal in batch order is the one reported).
            let pending = entries.indices.compactMap { n -> (Int, ImportedFact, String?)? in
                if case .fact(let f, let subject) = entries[n] { return (n, f, subject) } else { return nil }
            }
            let runner = self
            let chunk = 256
            let made = try Parallel.map((pending.count + chunk - 1) / chunk) { c throws -> [(PreparedEvent, ImportedEvent)] in
                var preparer = EventPreparer(source: runner.sourceURL, signKey: nil)
                preparer.allowsObservedChanges = true
                return try pending[(c * chunk)..<min(pending.count, (c + 1) * chunk)].map { (n, f, subject) throws -> (PreparedEvent, ImportedEvent) in
                    let (actorObject, actorID, mapped) = runner.actor(f.user)
                    let at = runner.place(n, sourceID: f.sourceID)
                    let input = InputEvent(object: runner.event(f, actor: actorObject, timeText: timeText), location: at,
                                           locations: JSONLocations(file: at.file, byPointer: [:]))
                    return (try preparer.prepare(input), runner.report(f, actorID: actorID, mapped: mapped, subject: subject))
                }
            }.flatMap { $0 }
            // The batch in order: the events made ahead get their time and place, on all cores,
            // each written straight into its place in the batch.
            let madeAt = Dictionary(uniqueKeysWithValues: pending.enumerated().map { ($1.0, $0) })
            let batch = entries
            entries = []
            let events = Parallel.fill(batch.count) { n -> PreparedEvent in
                if case .ahead(let p, let k) = batch[n], case .event(let e) = parts[Int(p)][Int(k)].made {
                    return e.prepared(time: time, timeText: timeText, at: runner.place(n, sourceID: e.report.sourceID), file: runner.origin.importName)
                }
                // Every other entry is a fact made above.
                guard let k = madeAt[n] else { preconditionFailure("import batch entry \(n) was not made") }
                return made[k].0
            }
            added = Parallel.fill(batch.count) { n -> ImportedEvent in
                if case .ahead(let p, let k) = batch[n], case .event(let e) = parts[Int(p)][Int(k)].made { return e.report }
                guard let k = madeAt[n] else { preconditionFailure("import batch entry \(n) was not made") }
                return made[k].1
            }
            return events
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

/// A fact through `ImportRunner.prepare`: what orders it and makes it once-only, and its event
/// made ahead (with its report line) or, when that could not be done off the lock, the fact.
struct PreparedFact: Sendable {
    enum Made: Sendable {
        case event(AheadEvent)
        case later(ImportedFact)
    }

    var occurred: Timestamp
    var rank: Int
    var sourceID: String
    var once: ImportedFact.Once
    var made: Made
}

/// An imported event made ahead of the lock: its canonical bytes without `time`, `seq`, `prev`
/// and `hash`, what the checks against the log need of it, and its report line.
struct AheadEvent: Sendable {
    var plan: Recorder.SplicePlan
    var id: JSONString
    var idKey: IDKey
    var occurred: (time: Timestamp, text: String)?
    var action: String
    var subjectID: JSONString
    var report: ImportedEvent

    /// The event for `Recorder.append`, written at `time`, the `n`-th of its batch (`at`).
    func prepared(time: Timestamp, timeText: String, at: SourceLocation, file: String) -> PreparedEvent {
        PreparedEvent(object: JSONObject(), input: InputEvent(object: JSONObject(), location: at, locations: JSONLocations(file: file, byPointer: [:])),
                      id: id, idKey: idKey, timeText: timeText, time: time, occurred: occurred, signature: nil, signedHere: false,
                      action: action, subjectID: subjectID, keyOwner: nil, ahead: plan)
    }
}
