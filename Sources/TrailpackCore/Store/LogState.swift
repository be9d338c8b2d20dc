import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `record`'s cache of what it must know about the file store's log (`LogTail`), so that one
/// append costs the same at 1,000 events as at 1,000,000 (issue 12, item 5). Two files beside
/// the segments, neither of which is a segment, a record or part of the contract (docs/format.md):
///
/// - `audit/.trailpack-state`: JSON: every segment's name, size, modification time and inode;
///   the last event's `seq` and `hash` and its segment's line count; the counts of lines and
///   events; the latest time; the key registrations and revocations; the ids appended since
///   the index was last written (at most `recentLimit`, as 128-bit digests); the index file's
///   identity; and a SHA-256 of all of it.
/// - `audit/.trailpack-ids`: the digests of the other ids, sorted, for a binary search.
///
/// `record` uses the state only when it describes the log as it is: the segments are the same
/// files with the same sizes and times, the log's actual last line (read and checked on every
/// append, as before) is the event the state names, and the index file is the one the state
/// names. Otherwise it reads the whole log, as without a state, and writes a new state after
/// appending. The chain always continues from the last line actually read. `verify`, `build`,
/// `diff` and `export` never read either file.
struct LogState: Sendable, Equatable {
    static let stateName = ".trailpack-state"
    static let indexName = ".trailpack-ids"
    static let version: Int64 = 1
    /// Ids kept in the state before they are merged into the index file.
    static let recentLimit = 1024

    /// Whether a path relative to the pack source is one of the cache files (or a temporary
    /// file of theirs): never published in a site's evidence.
    static func isCacheFile(_ relative: String) -> Bool {
        guard relative.hasPrefix("audit/") else { return false }
        let name = String(relative.dropFirst("audit/".count))
        return [stateName, indexName].contains { name == $0 || name.hasPrefix(".\($0).tmp-") }
    }

    /// A file as the state saw it: any write changes its size or modification time.
    struct Fingerprint: Sendable, Equatable {
        var name: String
        var size: Int64
        var modified: Int64
        var inode: UInt64
    }

    var segments: [Fingerprint] = []
    var lastSeq: Int64 = 0
    var lastHash = EventHashing.zeroHash
    /// Lines in the last non-empty segment (to locate its last line in messages).
    var tailLines = 0
    var lineCount = 0
    var eventCount = 0
    /// The latest valid time in the log (without a limit), and its text.
    var maxTime: (time: Timestamp, text: String)?
    var keyOwners: [String: JSONString] = [:]
    var keyNames: [String: String] = [:]
    var revoked = Set<String>()
    /// The index file: its generation (also in its header), entry count and fingerprint.
    var indexGeneration = ""
    var indexCount = 0
    var index: Fingerprint?
    /// Id digests not yet in the index file, in log order.
    var recent: [IDKey] = []

    static func == (l: LogState, r: LogState) -> Bool { l.serialized() == r.serialized() }

    // MARK: File form

    /// The state file's bytes: canonical JSON with a `check` member (SHA-256 of the rest).
    func serialized() -> [UInt8] {
        func fp(_ f: Fingerprint) -> JSONValue {
            // Times in nanoseconds and inodes as strings: JSON numbers are doubles (RFC 8785).
            .object(JSONObject([JSONMember(key: "inode", value: JSONValue(String(f.inode))),
                                JSONMember(key: "modified", value: JSONValue(String(f.modified))),
                                JSONMember(key: "name", value: JSONValue(f.name)), JSONMember(key: "size", value: .integer(f.size))]))
        }
        var o = JSONObject()
        o["version"] = .integer(Self.version)
        o["note"] = JSONValue("a cache of trailpack record, rebuilt from the log when it does not match; not a record (docs/format.md)")
        o["segments"] = .array(segments.map(fp))
        o["lastSeq"] = .integer(lastSeq)
        o["lastHash"] = JSONValue(lastHash)
        o["tailLines"] = .integer(Int64(tailLines))
        o["lines"] = .integer(Int64(lineCount))
        o["events"] = .integer(Int64(eventCount))
        if let m = maxTime { o["maxTime"] = JSONValue(m.text) }
        o["keyOwners"] = .object(JSONObject(keyOwners.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            .map { JSONMember(key: JSONString($0.key), value: .string($0.value)) }))
        o["keyNames"] = .object(JSONObject(keyNames.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            .map { JSONMember(key: JSONString($0.key), value: JSONValue($0.value)) }))
        o["revoked"] = .array(revoked.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { JSONValue($0) })
        o["indexGeneration"] = JSONValue(indexGeneration)
        o["indexCount"] = .integer(Int64(indexCount))
        if let index { o["index"] = fp(index) }
        o["recent"] = .array(recent.map { JSONValue($0.hex) })
        var withCheck = o
        withCheck["check"] = JSONValue(SHA256.digest(JCS.serialize(.object(o))).hex)
        return JCS.serialize(.object(withCheck)) + [0x0A]
    }

    /// Reads a state file; nil when it is not one this version wrote intact.
    static func parse(_ bytes: [UInt8]) -> LogState? {
        guard bytes.last == 0x0A, var o = (try? JSONReader().parse(Array(bytes.dropLast())))?.objectValue,
              let check = o["check"]?.stringValue else { return nil }
        o["check"] = nil
        guard SHA256.digest(JCS.serialize(.object(o))).hex == check, o["version"]?.integerValue == version else { return nil }
        func fp(_ v: JSONValue?) -> Fingerprint? {
            guard let name = v?["name"]?.stringValue, let size = v?["size"]?.integerValue,
                  let m = v?["modified"]?.stringValue.flatMap({ Int64($0) }), let i = v?["inode"]?.stringValue.flatMap({ UInt64($0) }) else { return nil }
            return Fingerprint(name: name, size: size, modified: m, inode: i)
        }
        var s = LogState()
        guard case .array(let segs)? = o["segments"], let lastSeq = o["lastSeq"]?.integerValue, let lastHash = o["lastHash"]?.stringValue,
              let tailLines = o["tailLines"]?.integerValue, let lines = o["lines"]?.integerValue, let events = o["events"]?.integerValue,
              let owners = o["keyOwners"]?.objectValue, let names = o["keyNames"]?.objectValue, case .array(let revoked)? = o["revoked"],
              let generation = o["indexGeneration"]?.stringValue, let count = o["indexCount"]?.integerValue,
              case .array(let recent)? = o["recent"] else { return nil }
        for seg in segs {
            guard let f = fp(seg) else { return nil }
            s.segments.append(f)
        }
        (s.lastSeq, s.lastHash, s.tailLines, s.lineCount, s.eventCount) = (lastSeq, lastHash, Int(tailLines), Int(lines), Int(events))
        if let text = o["maxTime"]?.stringValue {
            guard case .valid(let t) = Timestamp.parse(text) else { return nil }
            s.maxTime = (t, text)
        }
        for m in owners.members {
            guard let v = m.value.jsonString else { return nil }
            s.keyOwners[m.key.string] = v
        }
        for m in names.members {
            guard let v = m.value.stringValue else { return nil }
            s.keyNames[m.key.string] = v
        }
        for r in revoked {
            guard let k = r.stringValue else { return nil }
            s.revoked.insert(k)
        }
        s.indexGeneration = generation
        s.indexCount = Int(count)
        if let i = o["index"] {
            guard let f = fp(i) else { return nil }
            s.index = f
        }
        for r in recent {
            guard let hex = r.stringValue, let k = IDKey(hex: hex) else { return nil }
            s.recent.append(k)
        }
        return s
    }

    // MARK: Using it

    /// What `record` knows from a state that matches the log whose last line read `seq`/`hash`,
    /// or nil when the latest time is beyond `timeLimit` (the full read sets such times apart).
    func tail(index: IDIndexFile?, seq: Int64, hash: String, timeLimit: Timestamp?) -> LogTail? {
        if let limit = timeLimit, let m = maxTime, m.time > limit { return nil }
        var t = LogTail()
        t.timeLimit = timeLimit
        t.lastSeq = seq
        t.lastHash = hash
        t.maxTime = maxTime
        t.keyOwners = keyOwners
        t.keyNames = keyNames
        t.revoked = revoked
        t.lineCount = lineCount
        t.eventCount = eventCount
        t.ids = Set(recent)
        t.idIndex = index
        return t
    }

    /// The state after appending `events` (their lines already durable) to the last segment.
    mutating func add(_ events: [PreparedEvent], lastSeq: Int64, lastHash: String, segment: Fingerprint) {
        let wasTail = segments.last.map { $0.name == segment.name && $0.size > 0 } ?? false
        if let i = segments.firstIndex(where: { $0.name == segment.name }) { segments[i] = segment } else { segments.append(segment) }
        tailLines = (wasTail ? tailLines : 0) + events.count
        self.lastSeq = lastSeq
        self.lastHash = lastHash
        lineCount += events.count
        eventCount += events.count
        var keys = LogTail()
        (keys.keyOwners, keys.keyNames, keys.revoked) = (keyOwners, keyNames, revoked)
        recent.reserveCapacity(recent.count + events.count)
        // Through indices: events are large to copy.
        for n in events.indices {
            recent.append(events[n].idKey)
            if maxTime.map({ events[n].time > $0.time }) ?? true { maxTime = (events[n].time, events[n].timeText) }
            if events[n].action == "key.registered" || events[n].action == "key.revoked" { keys.noteKeyEvent(events[n].object) }
        }
        (keyOwners, keyNames, revoked) = (keys.keyOwners, keys.keyNames, keys.revoked)
    }
}

/// Loads, checks and saves the state of one locked file store for `Recorder.append`.
struct LogStateCache {
    let auditPath: String
    let store: AuditStore
    /// The state the tail came from, or nil when the log was read in full.
    private(set) var state: LogState?
    /// After a full read: every id digest, for the new index.
    private var allIDs: [IDKey]?
    /// True when `tail` found a state file that did not match the log (for tests and messages).
    private(set) var rebuilt = false
    /// True when the tail came from the state file.
    private(set) var fromStateFile = false

    init(auditPath: String, store: AuditStore) {
        self.auditPath = auditPath
        self.store = store
    }

    var statePath: String { (auditPath as NSString).appendingPathComponent(LogState.stateName) }
    var indexPath: String { (auditPath as NSString).appendingPathComponent(LogState.indexName) }

    static func fingerprint(_ path: String, name: String) -> LogState.Fingerprint? {
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return LogState.Fingerprint(name: name, size: Int64(st.st_size),
                                    modified: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec), inode: UInt64(st.st_ino))
    }

    /// The tail: from the state when it matches the log, else from reading the whole log.
    mutating func tail(timeLimit: Timestamp?) throws -> LogTail {
        if let (s, t) = try tailFromState(timeLimit: timeLimit) {
            state = s
            fromStateFile = true
            return t
        }
        rebuilt = FileManager.default.fileExists(atPath: statePath)
        let t = try LogTail.read(store, timeLimit: timeLimit)
        allIDs = Array(t.ids)
        var s = LogState()
        s.segments = store.segments.compactMap { Self.fingerprint($0.url.path, name: $0.name) }
        guard s.segments.count == store.segments.count else { return t }
        s.lastSeq = t.lastSeq
        s.lastHash = t.lastHash
        s.lineCount = t.lineCount
        s.eventCount = t.eventCount
        s.maxTime = t.wrongFutureTime ?? t.maxTime
        (s.keyOwners, s.keyNames, s.revoked) = (t.keyOwners, t.keyNames, t.revoked)
        if let tailSegment = store.segments.reversed().first(where: { seg in s.segments.first { $0.name == seg.name }.map { $0.size > 0 } ?? false }) {
            guard let n = Self.countLines(tailSegment.url.path) else { return t }
            s.tailLines = n
        }
        state = s
        return t
    }

    /// The tail from the state file, when there is one and it matches the log.
    private func tailFromState(timeLimit: Timestamp?) throws -> (LogState, LogTail)? {
        guard let data = FileManager.default.contents(atPath: statePath), let s = LogState.parse(Array(data)) else { return nil }
        let now = store.segments.map { Self.fingerprint($0.url.path, name: $0.name) }
        guard now.count == s.segments.count, zip(now, s.segments).allSatisfy({ $0 == $1 }) else { return nil }
        var index: IDIndexFile?
        if let fp = s.index {
            guard Self.fingerprint(indexPath, name: LogState.indexName) == fp,
                  let i = IDIndexFile(path: indexPath, count: s.indexCount, generation: s.indexGeneration) else { return nil }
            index = i
        } else if s.indexCount != 0 {
            return nil
        }
        // The log's actual last line, checked as a full read checks it.
        var seq: Int64 = 0, hash = EventHashing.zeroHash
        if let i = s.segments.lastIndex(where: { $0.size > 0 }) {
            let seg = store.segments[i]
            guard let (raw, bytes) = Self.lastLine(seg.url.path, size: s.segments[i].size, number: s.tailLines) else { return nil }
            (seq, hash) = try LogTail.checkLastLine(raw, bytes, at: SourceLocation(file: seg.path, line: raw.line))
        }
        guard seq == s.lastSeq, hash == s.lastHash, s.lineCount >= s.eventCount, s.indexCount + s.recent.count <= s.eventCount else { return nil }
        return s.tail(index: index, seq: seq, hash: hash, timeLimit: timeLimit).map { (s, $0) }
    }

    /// The last line of a segment of `size` bytes (without its `\n`), read backwards.
    static func lastLine(_ path: String, size: Int64, number: Int) -> (RawLine, [UInt8])? {
        guard let file = try? DurableFiles.open(path, O_RDONLY) else { return nil }
        var end = Int(size)
        var last = [UInt8](repeating: 0, count: 1)
        guard pread(file.fd, &last, 1, off_t(end - 1)) == 1 else { return nil }
        let terminated = last[0] == 0x0A
        if terminated { end -= 1 }
        var bytes: [UInt8] = []
        var at = end
        let step = 1 << 16
        while at > 0 {
            let from = max(0, at - step)
            var chunk = [UInt8](repeating: 0, count: at - from)
            guard pread(file.fd, &chunk, chunk.count, off_t(from)) == chunk.count else { return nil }
            if let nl = chunk.lastIndex(of: 0x0A) {
                bytes = Array(chunk[(nl + 1)...]) + bytes
                break
            }
            bytes = chunk + bytes
            at = from
            if bytes.count > AuditStore.maxLineBytes { break }
        }
        let tooLong = bytes.count > AuditStore.maxLineBytes
        return (RawLine(segment: 0, line: number, range: 0..<bytes.count, terminated: terminated, tooLong: tooLong), tooLong ? [] : bytes)
    }

    /// The number of lines of a file (a last line without `\n` counts).
    static func countLines(_ path: String) -> Int? {
        guard let file = try? DurableFiles.open(path, O_RDONLY) else { return nil }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var lines = 0
        var lastByte: UInt8 = 0x0A
        while true {
            let n = chunk.withUnsafeMutableBytes { read(file.fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            for i in 0..<n where chunk[i] == 0x0A { lines += 1 }
            lastByte = chunk[n - 1]
        }
        return lines + (lastByte == 0x0A ? 0 : 1)
    }

    /// Saves the state after `events` were appended to `segmentPath` (named `segmentName`). The
    /// index file is written first (under a new generation) when it is rebuilt or merged, then
    /// the state, each atomically: a crash in between leaves a state that does not match, which
    /// the next `record` rebuilds. A failure only removes the state (it is a cache).
    func save(after events: [PreparedEvent], lastSeq: Int64, lastHash: String, segmentPath: String, segmentName: String) {
        guard var s = state, let seg = Self.fingerprint(segmentPath, name: segmentName) else {
            unlink(statePath)
            return
        }
        s.add(events, lastSeq: lastSeq, lastHash: lastHash, segment: seg)
        do throws(SystemCallFailure) {
            if allIDs != nil || s.recent.count > LogState.recentLimit {
                var keys = allIDs ?? []
                if allIDs == nil {
                    guard let old = s.index.flatMap({ _ in IDIndexFile(path: indexPath, count: s.indexCount, generation: s.indexGeneration) })?.all()
                            ?? (s.indexCount == 0 ? [] : nil) else {
                        unlink(statePath)
                        return
                    }
                    keys = old + s.recent
                } else {
                    keys += events.map(\.idKey)
                }
                s.indexGeneration = try IDIndexFile.write(keys, to: indexPath)
                s.indexCount = keys.count
                s.index = Self.fingerprint(indexPath, name: LogState.indexName)
                s.recent = []
            }
            // Not synced: the segment is, and a state lost or torn by a crash does not match.
            try DurableFiles.replaceAtomically(statePath, s.serialized(), durable: false)
        } catch {
            unlink(statePath)
        }
    }
}
