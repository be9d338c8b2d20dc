import Dispatch
import Foundation

/// What `record` must know about the log before appending, read in one streaming pass while the
/// store is locked: the last event's `seq` and `hash`, the latest time, every id (as a digest),
/// and the key registrations and revocations that decide who may sign.
struct LogTail: Sendable {
    /// `seq` of the last event (0 for an empty log).
    var lastSeq: Int64 = 0
    /// `hash` of the last event (64 zeros for an empty log).
    var lastHash = EventHashing.zeroHash
    /// The latest valid time of any event not after `timeLimit`, and its text.
    var maxTime: (time: Timestamp, text: String)?
    /// Times after this instant (the writing machine's clock plus the allowed skew) are known to
    /// be wrong and do not count as the latest time (they would refuse every correct event).
    var timeLimit: Timestamp?
    /// The latest time beyond `timeLimit`, if the log holds any (for messages).
    var wrongFutureTime: (time: Timestamp, text: String)?
    /// Digests of every id in the log (with `idIndex`: of those not in it).
    var ids = Set<IDKey>()
    /// The sorted id index of `audit/.trailpack-state`, when the tail came from it (LogState.swift).
    var idIndex: IDIndexFile? = nil

    /// Whether the log holds an event with this id.
    func hasID(_ key: IDKey) -> Bool { ids.contains(key) || idIndex?.contains(key) == true }
    /// Key name -> owner, from the first `key.registered` (a key belongs to one person for good, as
    /// in the verifier without a trust list; a later registration naming another owner changes nothing).
    var keyOwners: [String: JSONString] = [:]
    /// Key name -> the printed name (`data.name`) of its first registration.
    var keyNames: [String: String] = [:]
    /// Key names revoked by `key.revoked`.
    var revoked = Set<String>()
    var lineCount = 0
    /// Lines that are JSON objects: the events, each a Merkle leaf.
    var eventCount = 0

    /// What one line contributes, computed on all cores and folded in log order.
    private struct LineFacts: Sendable {
        var isEvent = false
        var id: IDKey?
        var time: (time: Timestamp, text: String)?
        /// The full object, kept only for key registrations and revocations.
        var keyEvent: JSONObject?
    }

    /// Reads the whole store. Throws `RecordError.damagedTail` unless the last line is a
    /// terminated, canonical, well-formed event whose `hash` matches its content.
    static func read(_ store: AuditStore, timeLimit: Timestamp? = nil) throws -> LogTail {
        var tail = LogTail()
        tail.timeLimit = timeLimit
        var last: (raw: RawLine, bytes: [UInt8])?
        try store.readLines { batch in
            let parts = Parallel.chunks(batch.lines.count) { range in range.map { facts(batch.lines[$0], batch) } }
            for part in parts {
                for f in part {
                    tail.lineCount += 1
                    guard f.isEvent else { continue }
                    tail.eventCount += 1
                    tail.note(f)
                }
            }
            if let l = batch.lines.last { last = (l, Array(batch.bytes(l))) }
        }
        guard let last else { return tail }
        let at = SourceLocation(file: store.segments[last.raw.segment].path, line: last.raw.line)
        let (seq, hash) = try checkLastLine(last.raw, last.bytes, at: at)
        tail.lastSeq = seq
        tail.lastHash = hash
        return tail
    }

    /// The facts of one line. As the verifier does: a BOM is skipped and any JSON object is an
    /// event; canonical lines are read by the scanner without building their value.
    private static func facts(_ raw: RawLine, _ batch: LineBatch) -> LineFacts {
        var f = LineFacts()
        var bytes = batch.bytes(raw)
        if raw.tooLong { return f }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let members = bytes.withUnsafeBufferPointer({ CanonicalScanner.scan($0) }) {
            f.isEvent = true
            let base = bytes.startIndex
            var action: ArraySlice<UInt8> = []
            for m in members {
                let key = bytes[(base + m.key.lowerBound)..<(base + m.key.upperBound)]
                let value = bytes[(base + m.value.lowerBound)..<(base + m.value.upperBound)]
                switch Event.field(bytes: key) {
                case .id?: if let id = Event.quickValue(value)?.jsonString { f.id = IDKey(id) }
                case .time?: f.time = validTime(Event.quickValue(value)?.stringValue)
                case .action?: action = value
                default: break
                }
            }
            if action.elementsEqual("\"key.registered\"".utf8) || action.elementsEqual("\"key.revoked\"".utf8) {
                f.keyEvent = (try? JSONReader().parse(bytes))?.objectValue
            }
            return f
        }
        guard let o = (try? JSONReader().parse(bytes))?.objectValue else { return f }
        f.isEvent = true
        if let id = o["id"]?.jsonString { f.id = IDKey(id) }
        f.time = validTime(o["time"]?.stringValue)
        if let a = o["action"]?.jsonString, a.equals("key.registered") || a.equals("key.revoked") { f.keyEvent = o }
        return f
    }

    private static func validTime(_ text: String?) -> (time: Timestamp, text: String)? {
        guard let text, case .valid(let t) = Timestamp.parse(text) else { return nil }
        return (t, text)
    }

    /// Folds one event of the log into the state.
    private mutating func note(_ f: LineFacts) {
        if let id = f.id { ids.insert(id) }
        if let t = f.time {
            if let limit = timeLimit, t.time > limit {
                if wrongFutureTime.map({ t.time > $0.time }) ?? true { wrongFutureTime = t }
            } else if maxTime.map({ t.time > $0.time }) ?? true {
                maxTime = t
            }
        }
        if let o = f.keyEvent { noteKeyEvent(o) }
    }

    /// Folds one `key.registered` or `key.revoked` event (in log order) into the key state.
    mutating func noteKeyEvent(_ o: JSONObject) {
        guard let action = o["action"]?.jsonString, let key = o["subject"]?["id"]?.stringValue else { return }
        if action.equals("key.registered"), let owner = o["data"]?["owner"]?.jsonString {
            if keyOwners[key] == nil {
                keyOwners[key] = owner
                if let name = o["data"]?["name"]?.stringValue { keyNames[key] = name }
            }
        } else if action.equals("key.revoked") {
            revoked.insert(key)
        }
    }

    /// The `seq` and `hash` of the last line, which must be a sound event to append after.
    static func checkLastLine(_ raw: RawLine, _ bytes: [UInt8], at: SourceLocation) throws(RecordError) -> (Int64, String) {
        func damaged(_ why: String) -> RecordError { .damagedTail(at, reason: why) }
        if raw.tooLong { throw damaged("the last line is longer than \(AuditStore.maxLineBytes) bytes") }
        if !raw.terminated { throw damaged("the last line has no terminating newline: a write was interrupted or the file was cut") }
        if bytes.isEmpty { throw damaged("the last line is blank") }
        let value: JSONValue
        do { value = try JSONReader(file: at.file, firstLine: at.line).parse(bytes) } catch {
            throw damaged("the last line is not JSON: \(error.reason) at column \(error.location.column)")
        }
        guard case .object(let object) = value else { throw damaged("the last line is a JSON \(value.typeName), not an event") }
        guard JCS.serialize(value) == bytes else { throw damaged("the last line is not in RFC 8785 canonical form") }
        let event = Event(object)
        if !event.shapeProblems.isEmpty {
            throw damaged("the last event is malformed: " + event.shapeProblems.joined(separator: "; "))
        }
        guard let seq = event.seq, seq >= 1, let hash = event.hash else { throw damaged("the last event has no valid seq") }
        guard EventHashing.hash(object).hex == hash else {
            throw damaged("the last event's recorded hash does not match its content")
        }
        return (seq, hash)
    }
}
