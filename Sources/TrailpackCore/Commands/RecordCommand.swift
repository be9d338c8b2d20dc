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
    public static func record(source: String, input: [UInt8], inputName: String, signKey: String?, dryRun: Bool = false) throws -> RecordResult {
        var recorder = Recorder(source: source, signKeyPath: signKey)
        recorder.dryRun = dryRun
        return try recorder.record(input, inputName: inputName)
    }

    /// Checks that `path` is a pack source folder and reads its `trailpack.json`.
    static func writableSource(_ path: String) throws -> (URL, Config) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw SourceError.missingFolder(path) }
        guard isDir.boolValue else { throw SourceError.notAFolder(path) }
        let url = URL(fileURLWithPath: path)
        return (url, try Config.load(from: url))
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
    /// `record --dry-run`: every check, against the log's tail under the lock too, and nothing
    /// written; the result says what would have been appended.
    var dryRun = false
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
            return try recordInPostgreSQL(events, store: PostgresStore(conninfo: setting.postgresql), skew: config.policy.clockSkewSeconds,
                                          dryRun: dryRun)
        }
        var seen: (tail: LogTail, segment: String)?
        let result = try append(to: sourceURL, config: config, dryRun: dryRun) { store, tail in
            seen = (tail, store?.segments.last?.path ?? "audit/\(Trailpack.firstSegmentName)")
            return events
        }
        if let result { return result }
        guard dryRun, !events.isEmpty, let (tail, segment) = seen else { throw RecordError.emptyInput(inputName) }
        return RecordResult(appended: events.count, firstSeq: tail.lastSeq + 1, lastSeq: tail.lastSeq + Int64(events.count),
                            treeSize: tail.eventCount + events.count, segment: segment,
                            signed: events.reduce(0) { $0 + ($1.signedHere ? 1 : 0) }, wrongTimeInLog: tail.wrongFutureTime?.text)
    }

    /// The one append path of `record` and `import`: takes the exclusive lock, reads the log's
    /// tail, asks `make` for the events to append (it may read the locked store), checks them
    /// against the tail and appends them all or none, synced to disk. Returns nil, writing
    /// nothing, when `make` gives no event or `dryRun` is set (a dry run still checks every
    /// line as the append would: sizes, read-back).
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
        // A dry run reads under a shared lock and creates no lock file (it writes nothing).
        let lock = !exists ? nil : dryRun ? try StoreLock.reading(auditDirectory: auditPath) : try StoreLock(auditDirectory: auditPath, exclusive: true)
        let store = exists ? try AuditStore(source: sourceURL) : nil
        let skew = config.policy.clockSkewSeconds
        // The tail from audit/.trailpack-state when it matches the log, else from reading it all.
        var cache = store.map { LogStateCache(auditPath: auditPath, store: $0) }
        let tail = try cache?.tail(timeLimit: now.adding(seconds: skew)) ?? LogTail()
        let events = try make(store, tail)
        try check(events, against: tail, skew: skew)
        if events.isEmpty { return nil }
        if dryRun {
            // What the append would check before writing (sizes, each line reading back as itself).
            _ = try Self.plan(events, after: tail, roundTripChecked: roundTripChecked)
            return nil
        }

        let segment = store?.segments.last
        let segmentPath = segment?.url.path ?? (auditPath as NSString).appendingPathComponent(Trailpack.firstSegmentName)
        // Every check of the chain (sizes, read-back) comes before the first byte is written; the
        // lines then go to the segment a few megabytes at a time, synced once, all or none.
        let plans = try Self.plan(events, after: tail, roundTripChecked: roundTripChecked)
        let lastHash = try DurableFiles.append(to: segmentPath, create: segment == nil, failAfterWrite: failAfterWrite) { write throws(RecordError) in
            try Self.emit(events, plans, after: tail, chunkBytes: Self.writeChunk, to: write)
        }
        // Then the state (a crash before it leaves a state that no longer matches: rebuilt next time).
        if let cache {
            cache.save(after: events, lastSeq: tail.lastSeq + Int64(events.count), lastHash: lastHash,
                       segmentPath: segmentPath, segmentName: segment?.name ?? Trailpack.firstSegmentName)
        }
        withExtendedLifetime(lock) {}
        let result = RecordResult(
            appended: events.count, firstSeq: tail.lastSeq + 1, lastSeq: tail.lastSeq + Int64(events.count),
            treeSize: tail.eventCount + events.count, segment: segment?.path ?? "audit/\(Trailpack.firstSegmentName)",
            signed: events.reduce(0) { $0 + ($1.signedHere ? 1 : 0) }, wrongTimeInLog: tail.wrongFutureTime?.text)
        Parallel.letGo(consume plans)
        Parallel.letGo(consume events)
        return result
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

    /// How many bytes of lines `append` hands to one `write`.
    static let writeChunk = 4 << 20

    /// The canonical lines of `events` appended after `tail`: `seq`, `prev` and `hash` filled in
    /// (``plan(_:after:roundTripChecked:)`` then ``emit(_:_:after:chunkBytes:to:)``, one line each).
    static func chain(_ events: [PreparedEvent], after tail: LogTail, roundTripChecked: Bool = false) throws(RecordError) -> [[UInt8]] {
        let plans = try plan(events, after: tail, roundTripChecked: roundTripChecked)
        var lines: [[UInt8]] = []
        lines.reserveCapacity(events.count)
        try emit(events, plans, after: tail, chunkBytes: 0) { (bytes: [UInt8]) throws(RecordError) in
            lines.append(Array(bytes.dropLast()))
        }
        return lines
    }

    /// Each event's canonical form, and every check of its line, before anything is written.
    ///
    /// Each event is serialized once, on all cores (JCS without `seq`, `prev`, `hash`, and the
    /// places where those keys sort in), unless it comes serialized already (an import's
    /// `PreparedEvent.ahead`, without `time` too). The canonical scanner accepting the serialized
    /// event also shows that it reads back as itself, as the verifier will read it. An event the
    /// scanner declines (escaped or non-ASCII keys) takes the slow path: serialized with
    /// placeholders for `seq`, `prev` and `hash` (whose values always survive) and read back.
    /// `roundTripChecked`: `checkRoundTrip` was already done for every event (before the lock).
    /// The sizes are exact: `prev` and `hash` are 64 hex digits, and `seq` is known.
    static func plan(_ events: [PreparedEvent], after tail: LogTail, roundTripChecked: Bool = false) throws(RecordError) -> [SplicePlan?] {
        let all = events
        let chunk = 512
        let plans = (try? Parallel.map((all.count + chunk - 1) / chunk) { c -> [SplicePlan?] in
            ((c * chunk)..<min(all.count, (c + 1) * chunk)).map { all[$0].ahead ?? SplicePlan(JCS.serialize(.object(all[$0].object))) }
        }.flatMap { $0 }) ?? []
        // Through indices: the events are large to copy. The time of events made ahead is one
        // text for a whole batch, as a rule: serialized once.
        var timeFor: (text: String, count: Int)?
        for n in events.indices {
            var seqText: [UInt8] = []
            JCS.writeInteger(tail.lastSeq + 1 + Int64(n), to: &seqText)
            let size: Int
            if n < plans.count, let plan = plans[n] {
                var timeCount: Int?
                if events[n].ahead != nil {
                    if timeFor?.text != events[n].timeText { timeFor = (events[n].timeText, JCS.serialize(JSONValue(events[n].timeText)).count) }
                    timeCount = timeFor?.count
                }
                size = plan.lineCount(seq: seqText.count, time: timeCount)
            } else {
                let e = events[n]
                var object = e.object
                object["seq"] = .integer(tail.lastSeq + 1 + Int64(n))
                object["prev"] = JSONValue(EventHashing.zeroHash)
                object["hash"] = JSONValue(EventHashing.zeroHash)
                let line = JCS.serialize(.object(object))
                // The line must read back as itself, or the verifier would not reproduce its hash.
                guard roundTripChecked || ((try? JSONReader().parse(line)).map { JCS.serialize($0) == line } ?? false) else {
                    throw RecordError.invalidField("event", e.location, problem: "has a value that does not survive RFC 8785 canonicalization (a number beyond IEEE 754 range?)")
                }
                size = line.count
            }
            guard size <= AuditStore.maxLineBytes else {
                throw RecordError.eventTooLarge(events[n].location, bytes: size, limit: AuditStore.maxLineBytes)
            }
        }
        return plans
    }

    /// The lines of `events` (each with its line break), in order: `prev` and `seq` spliced in,
    /// the result hashed, and `hash` spliced in; handed to `write` whenever `chunkBytes` are
    /// gathered (0: each line on its own). Returns the last hash.
    @discardableResult
    static func emit(_ events: [PreparedEvent], _ plans: [SplicePlan?], after tail: LogTail, chunkBytes: Int,
                     to write: ([UInt8]) throws(RecordError) -> Void) throws(RecordError) -> String {
        var prev = tail.lastHash
        var out: [UInt8] = []
        out.reserveCapacity(chunkBytes + AuditStore.maxLineBytes / 64)
        // The time of events made ahead is the same text for a whole batch, as a rule: serialized once.
        var timeFor: (text: String, json: [UInt8])?
        for n in events.indices {
            var seqText: [UInt8] = []
            JCS.writeInteger(tail.lastSeq + 1 + Int64(n), to: &seqText)
            let prevText = Array("\"\(prev)\"".utf8)
            if n < plans.count, let plan = plans[n] {
                var timeText: [UInt8]?
                if events[n].ahead != nil {
                    if timeFor?.text != events[n].timeText { timeFor = (events[n].timeText, JCS.serialize(JSONValue(events[n].timeText))) }
                    timeText = timeFor?.json
                }
                prev = plan.digest(prev: prevText, seq: seqText, time: timeText).hex
                plan.write(hash: Array("\"\(prev)\"".utf8), prev: prevText, seq: seqText, time: timeText, to: &out)
            } else {
                var object = events[n].object
                object["seq"] = .integer(tail.lastSeq + 1 + Int64(n))
                object["prev"] = JSONValue(prev)
                prev = EventHashing.hash(object).hex
                object["hash"] = JSONValue(prev)
                JCS.write(.object(object), to: &out)
            }
            out.append(0x0A)
            if out.count >= chunkBytes {
                try write(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        if !out.isEmpty { try write(out) }
        return prev
    }

    /// A canonical event without `seq`, `prev` and `hash` (and, for an event made ahead, without
    /// `time`), and where each of those keys sorts in (the byte offset of the first top-level
    /// member whose key sorts after it; nil: at the end).
    struct SplicePlan: Sendable {
        var base: [UInt8]
        /// Where "hash", "prev", "seq" and "time" go; -1: before the closing brace.
        var at: (Int32, Int32, Int32, Int32)

        static let keys = ["hash", "prev", "seq", "time"].map { Array($0.utf8) }

        /// Nil when the canonical scanner declines `base`, it has no member, already one of the
        /// keys spliced in (`withTime`: `time` too), or it is too large for an offset.
        init?(_ base: [UInt8], withTime: Bool = false) {
            guard base.count < Int(Int32.max),
                  let members = base.withUnsafeBufferPointer({ CanonicalScanner.scan($0) }), !members.isEmpty else { return nil }
            let spliced = withTime ? Self.keys : Array(Self.keys.prefix(3))
            for m in members where spliced.contains(where: { base[m.key].elementsEqual($0) }) { return nil }
            self.base = base
            let places = Self.keys.map { k in Int32(members.first { k.lexicographicallyPrecedes(base[$0.key]) }?.whole.lowerBound ?? -1) }
            at = (places[0], places[1], places[2], places[3])
        }

        /// The base with `"hash":…` (when given), `"prev":…` and `"seq":…` inserted in key order;
        /// the values are canonical JSON text.
        func splice(hash: [UInt8]?, prev: [UInt8], seq: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            write(hash: hash, prev: prev, seq: seq, time: nil, to: &out)
            return out
        }

        /// The length of the line: the base with `hash`, `prev`, `seq` (of `seq` digits) and, when
        /// given, `time` (canonical text of `time` bytes, quotes included) spliced in.
        func lineCount(seq: Int, time: Int?) -> Int {
            // Each member adds its quoted key, a colon, its value and a comma: `"hash":` and
            // `"prev":` with 66 bytes of quoted hex, `"seq":` with its digits, `"time":` with its text.
            base.count + 2 * (7 + 66 + 1) + (6 + seq + 1) + (time.map { 7 + $0 + 1 } ?? 0)
        }

        /// SHA-256 of the base with `prev`, `seq` and `time` (when given) spliced in: the event's hash.
        func digest(prev: [UInt8], seq: [UInt8], time: [UInt8]?) -> SHA256.Digest {
            var hasher = SHA256.Hasher()
            pieces(hash: nil, prev: prev, seq: seq, time: time) { hasher.update($0) }
            return hasher.finalizeDigest()
        }

        /// Appends the base with the given members spliced in.
        func write(hash: [UInt8]?, prev: [UInt8], seq: [UInt8], time: [UInt8]?, to out: inout [UInt8]) {
            out.reserveCapacity(out.count + base.count + 200 + (time?.count ?? 0))
            pieces(hash: hash, prev: prev, seq: seq, time: time) { out.append(contentsOf: $0) }
        }

        private static let quotes: [[UInt8]] = keys.map { Array("\"".utf8) + $0 + Array("\":".utf8) }
        private static let comma: [UInt8] = [UInt8(ascii: ",")]

        /// The line's bytes in order, in a few pieces.
        private func pieces(hash: [UInt8]?, prev: [UInt8], seq: [UInt8], time: [UInt8]?, _ emit: (ArraySlice<UInt8>) -> Void) {
            var copied = 0
            let end = base.count - 1   // the closing brace
            func member(_ i: Int, _ value: [UInt8]?, _ place: Int32) {
                guard let value else { return }
                let pos = place < 0 ? end : Int(place)
                emit(base[copied..<pos])
                copied = pos
                if place < 0 { emit(Self.comma[...]) }
                emit(Self.quotes[i][...])
                emit(value[...])
                if place >= 0 { emit(Self.comma[...]) }
            }
            member(0, hash, at.0)
            member(1, prev, at.1)
            member(2, seq, at.2)
            member(3, time, at.3)
            emit(base[copied...])
        }
    }
}
