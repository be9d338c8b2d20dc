import Foundation

/// What `trailpack record` appended.
public struct RecordResult: Sendable, Equatable {
    /// The number of events appended.
    public var appended: Int
    /// `seq` of the first appended event.
    public var firstSeq: Int64
    /// `seq` of the last appended event.
    public var lastSeq: Int64
    /// The number of events in the log after the append (its Merkle tree size).
    public var treeSize: Int
    /// The segment appended to, e.g. `audit/000001.jsonl`.
    public var segment: String
    /// How many events `record` signed with `--sign-key`.
    public var signed: Int
    /// The latest time in the log ahead of this machine's clock by more than the allowed skew, if
    /// any: a wrong time that `record` no longer lets block correct events (docs/format.md says
    /// how to correct it).
    public var wrongTimeInLog: String? = nil
}

extension Trailpack {
    /// The segment `record` creates in an empty store.
    public static let firstSegmentName = "000001.jsonl"

    /// `trailpack record`: appends the events in `input` (one JSON object, or JSON Lines) to the
    /// audit store of `source`, all or none, filling `seq`, `prev` and `hash` and signing the
    /// events that carry a `signature` block without `sig` with the key at `signKey`.
    /// `inputName` names the input in messages (a file path or `<stdin>`).
    public static func record(source: String, input: [UInt8], inputName: String, signKey: String?) throws -> RecordResult {
        try Recorder(source: source, signKeyPath: signKey).record(input, inputName: inputName)
    }

    /// Checks that `path` is a pack source folder and reads its `trailpack.json`.
    static func writableSource(_ path: String) throws -> (URL, Config) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw SourceError.missingFolder(path)
        }
        let url = URL(fileURLWithPath: path)
        return (url, try Config.load(from: url))
    }

    /// Reads an unencrypted PKCS#8 Ed25519 private key file.
    static func loadPrivateKey(_ path: String) throws(RecordError) -> Ed25519PrivateKey {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .privateKeyUnusable(path, reason: FileProblem.reading(path, fix: "give --sign-key the private key file that keygen wrote"))
        }
        do { return try Ed25519PrivateKey(pem: text, source: path) } catch {
            throw .privateKeyUnusable(path, reason: error.reason)
        }
    }
}

extension IntegrityError {
    /// The description without the source prefix that `invalidKey` adds.
    var reason: String {
        if case .invalidKey(_, let reason) = self { return reason }
        return localizedDescription
    }
}

/// The append path of `record`: every check before the lock that needs no log, then the checks
/// against the log's tail under an exclusive lock, then one write.
struct Recorder {
    var source: String
    var signKeyPath: String?
    /// For tests: fail after writing, before the fsync, to exercise the rollback.
    var failAfterWrite = false
    /// The moment of writing: the one place where trailpack reads the wall clock (an event may
    /// not claim a time ahead of it by more than the allowed skew).
    var now: Timestamp = Recorder.wallClock()

    static func wallClock() -> Timestamp {
        let t = Date().timeIntervalSince1970
        return Timestamp(seconds: Int64(t.rounded(.down)), nanoseconds: 0)
    }

    func record(_ input: [UInt8], inputName: String) throws -> RecordResult {
        let (sourceURL, config) = try Trailpack.writableSource(source)
        let key = try signKeyPath.map { path throws(RecordError) in (key: try Trailpack.loadPrivateKey(path), path: path) }
        var preparer = EventPreparer(source: sourceURL, signKey: key)
        var events: [PreparedEvent] = []
        var inputIDs: [IDKey: SourceLocation] = [:]
        // Each event is checked as soon as it is read: the first refused one ends the reading.
        try EventInput.forEach(input, name: inputName) { (i: InputEvent) throws(RecordError) in
            let e = try preparer.prepare(i)
            if let earlier = inputIDs[e.idKey] { throw RecordError.duplicateID(e.id.string, i.field("id"), earlier: earlier) }
            inputIDs[e.idKey] = i.field("id")
            events.append(e)
        }

        if let setting = config.store {
            guard !events.isEmpty else { throw RecordError.emptyInput(inputName) }
            return try recordInPostgreSQL(events, store: PostgresStore(conninfo: setting.postgresql), skew: config.policy.clockSkewSeconds)
        }
        guard let result = try append(to: sourceURL, config: config, { _, _ in events }) else {
            throw RecordError.emptyInput(inputName)
        }
        return result
    }

    /// The one append path of `record` and `import`: takes the exclusive lock, reads the log's
    /// tail, asks `make` for the events to append (it may read the locked store), checks them
    /// against the tail and appends them all or none, synced to disk. Returns nil, writing
    /// nothing, when `make` gives no event or `dryRun` is set.
    func append(to sourceURL: URL, config: Config, dryRun: Bool = false, roundTripChecked: Bool = false,
                _ make: (AuditStore?, LogTail) throws -> [PreparedEvent]) throws -> RecordResult? {
        if config.store != nil { throw RecordError.importNeedsFileStore(sourceURL.appendingPathComponent(Config.fileName).path) }
        let auditPath = sourceURL.appendingPathComponent("audit").path
        if !dryRun {
            do { try DurableFiles.ensureDirectory(auditPath) } catch {
                throw RecordError.cannotCreate(auditPath, reason: error.reason)
            }
        }
        // A dry run of a pack without an audit folder reads an empty log and creates nothing.
        let exists = FileManager.default.fileExists(atPath: auditPath)
        let lock = exists ? try StoreLock(auditDirectory: auditPath, exclusive: !dryRun) : nil
        let store = exists ? try AuditStore(source: sourceURL) : nil
        let skew = config.policy.clockSkewSeconds
        // The tail from audit/.trailpack-state when it matches the log, else from reading it all.
        var cache = store.map { LogStateCache(auditPath: auditPath, store: $0) }
        let tail = try cache?.tail(timeLimit: now.adding(seconds: skew)) ?? LogTail()
        let events = try make(store, tail)
        try check(events, against: tail, skew: skew)
        if events.isEmpty || dryRun { return nil }

        var bytes: [UInt8] = []
        let lines = try Self.chain(events, after: tail, roundTripChecked: roundTripChecked)
        for line in lines {
            bytes.append(contentsOf: line)
            bytes.append(0x0A)
        }
        let segment = store?.segments.last
        let segmentPath = segment?.url.path ?? (auditPath as NSString).appendingPathComponent(Trailpack.firstSegmentName)
        try DurableFiles.append(bytes, to: segmentPath, create: segment == nil, failAfterWrite: failAfterWrite)
        // Then the state (a crash before it leaves a state that no longer matches: rebuilt next time).
        if let cache, let last = lines.last, let hash = (try? JSONReader().parse(last))?["hash"]?.stringValue {
            cache.save(after: events, lastSeq: tail.lastSeq + Int64(events.count), lastHash: hash,
                       segmentPath: segmentPath, segmentName: segment?.name ?? Trailpack.firstSegmentName)
        }
        withExtendedLifetime(lock) {}
        return RecordResult(
            appended: events.count, firstSeq: tail.lastSeq + 1, lastSeq: tail.lastSeq + Int64(events.count),
            treeSize: tail.eventCount + events.count, segment: segment?.path ?? "audit/\(Trailpack.firstSegmentName)",
            signed: events.filter(\.signedHere).count, wrongTimeInLog: tail.wrongFutureTime?.text)
    }

    /// Whether an event's line will read back as itself, or the verifier would not reproduce its
    /// hash. `seq`, `prev` and `hash` take placeholders here: their values (an integer, 64 hex
    /// digits) always survive, so a check made before the lock holds for the chained line.
    static func checkRoundTrip(_ e: PreparedEvent) throws(RecordError) {
        var object = e.object
        object["seq"] = .integer(1)
        object["prev"] = JSONValue(EventHashing.zeroHash)
        object["hash"] = JSONValue(EventHashing.zeroHash)
        let line = JCS.serialize(.object(object))
        guard let back = try? JSONReader().parse(line), JCS.serialize(back) == line else {
            throw RecordError.invalidField("event", e.location, problem: "has a value that does not survive RFC 8785 canonicalization (a number beyond IEEE 754 range?)")
        }
    }

    /// The canonical lines of `events` appended after `tail`: `seq`, `prev` and `hash` filled in.
    ///
    /// Each event is serialized once, on all cores (JCS without `seq`, `prev`, `hash`, and the
    /// places where those keys sort in); then, in order, `prev` and `seq` are spliced in, the
    /// result hashed, and `hash` spliced in. The canonical scanner accepting the serialized event
    /// also shows that it reads back as itself, as the verifier will read it. An event the scanner
    /// declines (escaped or non-ASCII keys) takes the slow path: serialize, hash, serialize, read back.
    /// `roundTripChecked`: `checkRoundTrip` was already done for every event (before the lock).
    static func chain(_ events: [PreparedEvent], after tail: LogTail, roundTripChecked: Bool = false) throws(RecordError) -> [[UInt8]] {
        let all = events
        let chunk = 512
        let bases = (try? Parallel.map((all.count + chunk - 1) / chunk) { c -> [SplicePlan?] in
            ((c * chunk)..<min(all.count, (c + 1) * chunk)).map { SplicePlan(JCS.serialize(.object(all[$0].object))) }
        }.flatMap { $0 }) ?? []
        var lines: [[UInt8]] = []
        var prev = tail.lastHash
        lines.reserveCapacity(events.count)
        for (n, e) in events.enumerated() {
            let seq = tail.lastSeq + 1 + Int64(n)
            let line: [UInt8]
            if n < bases.count, let plan = bases[n] {
                var seqText: [UInt8] = []
                JCS.writeInteger(seq, to: &seqText)
                let prevText = Array("\"\(prev)\"".utf8)
                prev = SHA256.digest(plan.splice(hash: nil, prev: prevText, seq: seqText)).hex
                line = plan.splice(hash: Array("\"\(prev)\"".utf8), prev: prevText, seq: seqText)
            } else {
                var object = e.object
                object["seq"] = .integer(seq)
                object["prev"] = JSONValue(prev)
                prev = EventHashing.hash(object).hex
                object["hash"] = JSONValue(prev)
                line = JCS.serialize(.object(object))
                // The line must read back as itself, or the verifier would not reproduce its hash.
                guard roundTripChecked || ((try? JSONReader().parse(line)).map { JCS.serialize($0) == line } ?? false) else {
                    throw RecordError.invalidField("event", e.location, problem: "has a value that does not survive RFC 8785 canonicalization (a number beyond IEEE 754 range?)")
                }
            }
            guard line.count <= AuditStore.maxLineBytes else {
                throw RecordError.eventTooLarge(e.location, bytes: line.count, limit: AuditStore.maxLineBytes)
            }
            lines.append(line)
        }
        return lines
    }

    /// A canonical event without `seq`, `prev` and `hash`, and where each of those keys sorts in
    /// (the byte offset of the first top-level member whose key sorts after it; nil: at the end).
    struct SplicePlan: Sendable {
        var base: [UInt8]
        var at: [Int?]

        static let keys = ["hash", "prev", "seq"].map { Array($0.utf8) }

        /// Nil when the canonical scanner declines `base`, or it has no member or already one of the keys.
        init?(_ base: [UInt8]) {
            guard let members = base.withUnsafeBufferPointer({ CanonicalScanner.scan($0) }), !members.isEmpty else { return nil }
            for m in members where Self.keys.contains(where: { base[m.key].elementsEqual($0) }) { return nil }
            self.base = base
            at = Self.keys.map { k in members.first { k.lexicographicallyPrecedes(base[$0.key]) }?.whole.lowerBound }
        }

        /// The base with `"hash":…` (when given), `"prev":…` and `"seq":…` inserted in key order;
        /// the values are canonical JSON text.
        func splice(hash: [UInt8]?, prev: [UInt8], seq: [UInt8]) -> [UInt8] {
            let values: [[UInt8]?] = [hash, prev, seq]
            var out: [UInt8] = []
            out.reserveCapacity(base.count + 100 + prev.count + (hash?.count ?? 0))
            var copied = 0
            let end = base.count - 1   // the closing brace
            for (i, key) in Self.keys.enumerated() {
                guard let value = values[i] else { continue }
                let pos = at[i] ?? end
                out += base[copied..<pos]
                copied = pos
                if at[i] == nil { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\""))
                out += key
                out += [UInt8(ascii: "\""), UInt8(ascii: ":")]
                out += value
                if at[i] != nil { out.append(UInt8(ascii: ",")) }
            }
            out += base[copied...]
            return out
        }
    }

    /// The checks that need the log: unique ids, time order within the clock skew, and keys
    /// registered to their signer and not revoked (state advancing through the input in order).
    func check(_ events: [PreparedEvent], against tail: LogTail, skew: Int64) throws(RecordError) {
        var latest = tail.maxTime
        var owners = tail.keyOwners
        var names = tail.keyNames
        var revoked = tail.revoked
        for e in events {
            if tail.hasID(e.idKey) { throw .duplicateID(e.id.string, e.input.field("id"), earlier: nil) }
            if e.time > now.adding(seconds: skew) {
                throw .timeAhead(e.input.field("time"), time: e.timeText, now: now.description, skewSeconds: skew)
            }
            if let o = e.occurred, o.time > e.time.adding(seconds: skew) {
                throw .invalidField("occurred", e.input.field("occurred"), problem: "\(o.text) is later than \"time\" \(e.timeText) by more than "
                    + "policy.clockSkewSeconds (\(skew) s); occurred is when the fact happened, at most when it is recorded")
            }
            if let m = latest, e.time.adding(seconds: skew) < m.time {
                throw .timeGoesBack(e.input.field("time"), time: e.timeText, latest: m.text, skewSeconds: skew)
            }
            if latest.map({ e.time > $0.time }) ?? true { latest = (e.time, e.timeText) }
            if let sig = e.signature {
                guard let owner = owners[sig.key] else {
                    throw .keyNotRegistered(sig.location, key: sig.key, signer: sig.signer.string)
                }
                guard owner.bytes == sig.signer.bytes else {
                    throw .keyOwnedByOther(sig.location, key: sig.key, owner: owner.string, signer: sig.signer.string)
                }
                if revoked.contains(sig.key) { throw .keyRevoked(sig.location, key: sig.key) }
                if let printed = names[sig.key] {
                    for (field, given) in [("signature.name", e.signatureName), ("actor.name", e.actorName)] {
                        if let given, !given.utf8.elementsEqual(printed.utf8) {
                            throw .signatureManifest(e.input.field(field.split(separator: ".").map(String.init)),
                                                     problem: "\(field) \"\(given)\" is not \"\(printed)\", the printed name registered for key \(sig.key)")
                        }
                    }
                }
                if let st = e.signatureTime, st.adding(seconds: skew) < e.time || e.time.adding(seconds: skew) < st {
                    throw .signatureManifest(e.input.field("signature", "time"),
                                             problem: "signature.time is more than \(skew) s away from the event's time \(e.timeText)")
                }
            }
            // As in the verifier, a key event takes effect after the event itself.
            if e.action == "key.registered", let owner = e.keyOwner, owners[e.subjectID.string] == nil {
                owners[e.subjectID.string] = owner
                if let name = e.keyOwnerName { names[e.subjectID.string] = name }
            }
            if e.action == "key.revoked" { revoked.insert(e.subjectID.string) }
        }
    }
}
