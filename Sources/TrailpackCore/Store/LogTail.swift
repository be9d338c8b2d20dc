/// What `record` must know about the log before appending, read in one streaming pass while the
/// store is locked: the last event's `seq` and `hash`, the latest time, every id (as a digest),
/// and the key registrations and revocations that decide who may sign.
struct LogTail: Sendable {
    /// `seq` of the last event (0 for an empty log).
    var lastSeq: Int64 = 0
    /// `hash` of the last event (64 zeros for an empty log).
    var lastHash = EventHashing.zeroHash
    /// The latest valid time of any event, and its text.
    var maxTime: (time: Timestamp, text: String)?
    /// Digests of every id in the log.
    var ids = Set<IDKey>()
    /// Key name -> owner, from `key.registered` (the latest one wins, as in the verifier).
    var keyOwners: [String: JSONString] = [:]
    /// Key names revoked by `key.revoked`.
    var revoked = Set<String>()
    var lineCount = 0
    /// Lines that are JSON objects: the events, each a Merkle leaf.
    var eventCount = 0

    /// Reads the whole store. Throws `RecordError.damagedTail` unless the last line is a
    /// terminated, canonical, well-formed event whose `hash` matches its content.
    static func read(_ store: AuditStore) throws -> LogTail {
        var tail = LogTail()
        var last: (raw: RawLine, bytes: [UInt8])?
        try store.readLines { batch in
            for raw in batch.lines {
                tail.lineCount += 1
                // As the verifier does: a BOM is skipped, any JSON object is an event.
                var bytes = batch.bytes(raw)
                if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
                guard !raw.tooLong, let value = try? JSONReader().parse(bytes), let o = value.objectValue else { continue }
                tail.eventCount += 1
                tail.note(o)
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

    /// Folds one event object of the log into the state.
    private mutating func note(_ o: JSONObject) {
        if let id = o["id"]?.jsonString { ids.insert(IDKey(id)) }
        if let t = o["time"]?.stringValue, case .valid(let ts) = Timestamp.parse(t), maxTime.map({ ts > $0.time }) ?? true {
            maxTime = (ts, t)
        }
        guard let action = o["action"]?.jsonString, let key = o["subject"]?["id"]?.stringValue else { return }
        if action.equals("key.registered"), let owner = o["data"]?["owner"]?.jsonString {
            keyOwners[key] = owner
        } else if action.equals("key.revoked") {
            revoked.insert(key)
        }
    }

    /// The `seq` and `hash` of the last line, which must be a sound event to append after.
    private static func checkLastLine(_ raw: RawLine, _ bytes: [UInt8], at: SourceLocation) throws(RecordError) -> (Int64, String) {
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
