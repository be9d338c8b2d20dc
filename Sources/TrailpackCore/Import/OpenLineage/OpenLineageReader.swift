import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One OpenLineage RunEvent as trailpack reads it: the spec's required fields checked, the
/// rest kept as parsed (integers and decimals apart) for the mapping.
struct OpenLineageEvent: Sendable, Equatable {
    /// The file the event was read from, and its line there.
    var file: String
    var line: Int
    /// `file:line` where the event was read.
    var place: String { "\(file):\(line)" }
    var time: Timestamp
    /// `eventType`: START, RUNNING, COMPLETE, ABORT, FAIL or OTHER.
    var type: String
    var runID: String
    /// `job.namespace/job.name`, in NFC.
    var job: String
    /// The whole event as parsed.
    var object: JSONObject
    /// The event's canonical bytes (RFC 8785), for the digest of its run.
    var canonical: [UInt8]

    var runFacets: JSONObject { object["run"]?["facets"]?.objectValue ?? JSONObject() }
    var jobFacets: JSONObject { object["job"]?["facets"]?.objectValue ?? JSONObject() }
    var inputs: [JSONObject] { object["inputs"]?.arrayValue?.compactMap(\.objectValue) ?? [] }
    var outputs: [JSONObject] { object["outputs"]?.arrayValue?.compactMap(\.objectValue) ?? [] }
    var isTerminal: Bool {
        switch type {
        case "COMPLETE", "FAIL", "ABORT": return true
        default: return false
        }
    }
}

extension String {
    /// The string in Unicode NFC; ASCII (nearly every name) is returned as it is, without
    /// Foundation's normalization.
    var nfc: String { utf8.allSatisfy { $0 < 0x80 } ? self : precomposedStringWithCanonicalMapping }
}

/// Reads OpenLineage RunEvents from files as the FileTransport writes them (JSON Lines, one
/// event per line) or one event per `.json` file, with the project's strict `JSONReader`.
enum OpenLineageReader {
    /// No file larger than this is read (a bound, not a format rule).
    static let maxFileBytes = 1 << 30
    static let eventTypes: Set<String> = ["START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"]

    /// The files of the files and folders given (a folder: its `.json` and `.jsonl` files, in
    /// byte order of name), in the order they are read.
    static func files(_ paths: [String]) throws(ImportError) -> [String] {
        var out: [String] = []
        for p in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else {
                throw .unreadable(p, reason: "no such file or folder")
            }
            if isDir.boolValue {
                let names: [String]
                do { names = try FileManager.default.contentsOfDirectory(atPath: p) } catch {
                    throw .unreadable(p, reason: error.localizedDescription)
                }
                let chosen = names.filter { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") }
                    .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                    .map { (p as NSString).appendingPathComponent($0) }
                // A link in the folder may point to another file of it, never outside: an insider
                // who can write to the folder must not bring another file into the trail.
                for f in chosen where !PackFiles.isInside(URL(fileURLWithPath: f), source: URL(fileURLWithPath: p)) {
                    throw .unreadable(f, reason: "a symbolic link that leads outside \(p); only the folder's own files are read. "
                                      + "Fix: copy the file into the folder, or give it on the command line")
                }
                out += chosen
            } else {
                out.append(p)
            }
        }
        return out
    }

    /// The events of the files and folders given, in the order read.
    static func read(paths: [String]) throws(ImportError) -> [OpenLineageEvent] {
        var events: [OpenLineageEvent] = []
        for f in try files(paths) {
            do {
                try forEachBlock(f) { bytes, spans, _ in events += try parseAll(bytes, spans, file: f) { $0 } }
            } catch let e as ImportError {
                throw e
            } catch {
                throw .unreadable(f, reason: "\(error)")
            }
        }
        return events
    }

    /// Where each event of a file is: the whole file (`wholeFile`), else each non-blank line
    /// (without its line break), with its 1-based line number.
    static func spans(_ bytes: [UInt8], wholeFile: Bool) -> [(range: Range<Int>, line: Int)] {
        if wholeFile { return [(bytes.startIndex..<bytes.endIndex, 1)] }
        return lineSpans(bytes[...], firstLine: 1).spans
    }

    /// The non-blank lines of `bytes` (each without its line break and a `\r` before it), numbered
    /// from `firstLine`, and the number of the line after the last line break.
    static func lineSpans(_ bytes: ArraySlice<UInt8>, firstLine: Int) -> (spans: [(range: Range<Int>, line: Int)], next: Int) {
        var lines: [(range: Range<Int>, line: Int)] = []
        var line = firstLine
        bytes.withUnsafeBufferPointer { buf in
            let base = bytes.startIndex
            var start = 0
            while start < buf.count {
                var end = start
                while end < buf.count && buf[end] != 0x0A { end += 1 }
                var stop = end
                if stop > start && buf[stop - 1] == 0x0D { stop -= 1 }
                var blank = true
                for b in buf[start..<stop] where b != 0x20 && b != 0x09 {
                    blank = false
                    break
                }
                if !blank { lines.append(((base + start)..<(base + stop), line)) }
                if end < buf.count { line += 1 }
                start = end + 1
            }
        }
        return (lines, line)
    }

    /// How much of a JSON Lines file is read at a time.
    static let blockBytes = 2 << 20

    /// The events of one file, a block of whole lines at a time (``BlockReader``): `body` gets the
    /// bytes, where each event lies in them with its line number, and the offset of the bytes in the file.
    static func forEachBlock(_ f: String, blockBytes: Int = blockBytes,
                             _ body: (_ bytes: [UInt8], _ spans: [(range: Range<Int>, line: Int)], _ offset: Int) throws -> Void) throws {
        var reader = try BlockReader(f, blockBytes: blockBytes)
        while let b = try reader.next() { try body(b.bytes, b.spans, b.offset) }
    }

    /// A block's events, parsed in the background (``parseInBackground(_:file:)``), with where
    /// each lies in the block.
    struct ParsedBlock: Sendable {
        var spans: [(range: Range<Int>, line: Int)]
        /// The events in order, in parts of up to 1,024.
        var parts: [[OpenLineageEvent]]
    }

    /// Bytes of a file holding whole events: `lines` of `bytes` (whole lines from line
    /// `firstLine`, or the whole file of a `.json` file), at `offset` in the file.
    struct Block: Sendable {
        var bytes: [UInt8]
        var lines: Range<Int>
        var firstLine: Int
        var offset: Int
        var wholeFile: Bool

        /// Where each event lies in `bytes`, with its line number.
        var spans: [(range: Range<Int>, line: Int)] {
            wholeFile ? OpenLineageReader.spans(bytes, wholeFile: true) : lineSpans(bytes[lines], firstLine: firstLine).spans
        }
    }

    /// The blocks of one file in order, read on demand: for JSON Lines, the whole lines of about
    /// `blockBytes` at a time (the part after the last line break waits for the next block); a
    /// `.json` file is one block, one event. At most ``maxFileBytes`` are read.
    struct BlockReader {
        let f: String
        let file: FileDescriptor
        let wholeFile: Bool
        let size: Int
        let blockBytes: Int
        var offset = 0          // of `carry` in the file
        var carry: [UInt8] = []
        var line = 1
        var total = 0
        var done = false

        init(_ f: String, blockBytes: Int = OpenLineageReader.blockBytes) throws(ImportError) {
            self.f = f
            do throws(SystemCallFailure) { file = try DurableFiles.openRegularFile(f) } catch {
                throw ImportError.unreadable(f, reason: error.reason)
            }
            let size: Int64
            do throws(SystemCallFailure) { size = try DurableFiles.size(file, path: f) } catch {
                throw ImportError.unreadable(f, reason: error.reason)
            }
            guard size <= Int64(maxFileBytes) else { throw ImportError.unreadable(f, reason: "larger than \(maxFileBytes) bytes") }
            self.size = Int(size)
            self.blockBytes = max(blockBytes, 1)
            wholeFile = f.hasSuffix(".json")
        }

        /// The next block, nil at the end of the file. The bytes are read straight into the
        /// block's own array (after what was left of the block before), not copied.
        mutating func next() throws(ImportError) -> Block? {
            if done { return nil }
            if wholeFile {
                done = true
                let bytes = try OpenLineageReader.read(file, f, at: 0, count: size, upTo: maxFileBytes)
                return Block(bytes: bytes, lines: bytes.indices, firstLine: 1, offset: 0, wholeFile: true)
            }
            var bytes = carry
            while true {
                let have = bytes.count
                // A line longer than a block: the read grows with it (amortized, not quadratic).
                let want = max(blockBytes, have)
                let (file, f, at) = (self.file, self.f, offset + have)
                var failure: ImportError?
                let grown = [UInt8](unsafeUninitializedCapacity: have + want) { buf, n in
                    _ = buf.initialize(from: bytes)
                    var got = 0
                    while got < want {
                        let r = pread(file.fd, buf.baseAddress.map { $0 + have + got }, want - got, off_t(at + got))
                        if r < 0 {
                            if errno == EINTR { continue }
                            failure = .unreadable(f, reason: SystemCallFailure("read", f).reason)
                            break
                        }
                        if r == 0 { break }
                        got += r
                    }
                    n = have + got
                }
                if let failure { throw failure }
                let n = grown.count - have
                bytes = grown
                total += n
                guard total <= maxFileBytes else { throw ImportError.unreadable(f, reason: "larger than \(maxFileBytes) bytes") }
                if n == 0 {
                    done = true
                    carry = []
                    if bytes.isEmpty { return nil }
                    return Block(bytes: bytes, lines: bytes.indices, firstLine: line, offset: offset, wholeFile: false)
                }
                guard let last = bytes[have...].lastIndex(of: 0x0A) else { continue }
                let out = Block(bytes: bytes, lines: 0..<(last + 1), firstLine: line, offset: offset, wholeFile: false)
                var breaks = 0
                bytes.withUnsafeBufferPointer { b in
                    for i in 0...last where b[i] == 0x0A { breaks += 1 }
                }
                line += breaks
                offset += last + 1
                carry = Array(bytes[(last + 1)...])
                return out
            }
        }
    }

    /// Up to `count` bytes of the file at `offset` (fewer at its end); more than `limit` in all is an error.
    static func read(_ file: FileDescriptor, _ f: String, at offset: Int, count: Int, upTo limit: Int) throws(ImportError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = bytes.withUnsafeMutableBytes { pread(file.fd, $0.baseAddress.map { $0 + got }, count - got, off_t(offset + got)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(f, reason: SystemCallFailure("read", f).reason)
            }
            if n == 0 { break }
            got += n
        }
        guard got <= limit else { throw .unreadable(f, reason: "larger than \(maxFileBytes) bytes") }
        bytes.removeSubrange(got...)
        return bytes
    }

    /// The bytes of events read before, at their places in `file` (for runs mapped again).
    static func reread(_ f: String, _ places: [(offset: Int, count: Int)]) throws(ImportError) -> [[UInt8]] {
        let file: FileDescriptor
        do throws(SystemCallFailure) { file = try DurableFiles.openRegularFile(f) } catch {
            throw .unreadable(f, reason: error.reason)
        }
        var out: [[UInt8]] = []
        for p in places {
            let bytes = try read(file, f, at: p.offset, count: p.count, upTo: p.count)
            guard bytes.count == p.count else { throw .unreadable(f, reason: "it changed while it was imported; import it again") }
            out.append(bytes)
        }
        return out
    }

    /// `transform` of every event at `spans` of `bytes`, parsed and checked on all cores, a chunk
    /// at a time; results in the file's order, and the first bad event (in file order) is the error.
    static func parseAll<T: Sendable>(_ bytes: [UInt8], _ spans: [(range: Range<Int>, line: Int)], file: String,
                                      _ transform: @escaping @Sendable (OpenLineageEvent) -> T) throws(ImportError) -> [T] {
        let chunk = 1024
        let all = spans
        do {
            return try Parallel.map((all.count + chunk - 1) / chunk) { c throws -> [T] in
                try all[(c * chunk)..<min(all.count, (c + 1) * chunk)].map { l throws(ImportError) in
                    transform(try event(bytes[l.range], file: file, line: l.line))
                }
            }.flatMap { $0 }
        } catch let e as ImportError {
            throw e
        } catch {
            throw .unreadable(file, reason: "\(error)")
        }
    }

    /// ``parseAll(_:_:file:_:)`` of a block, started in the background: the caller goes on (reading
    /// and sorting the events of the block before) and collects the events with `wait`.
    static func parseInBackground(_ b: Block, file: String) -> Parallel.Pending<ParsedBlock> {
        Parallel.background(1) { _ throws -> ParsedBlock in
            // The lines found, then their events parsed on all cores, a chunk at a time.
            let all = b.spans, bytes = b.bytes
            let chunk = 1024
            let parts = try Parallel.map((all.count + chunk - 1) / chunk) { c throws -> [OpenLineageEvent] in
                try all[(c * chunk)..<min(all.count, (c + 1) * chunk)].map { l throws(ImportError) in
                    try event(bytes[l.range], file: file, line: l.line)
                }
            }
            return ParsedBlock(spans: all, parts: parts)
        }
    }

    /// The events of one file's bytes: the whole file one event (`wholeFile`), else one per
    /// non-blank line.
    static func parse(_ bytes: [UInt8], file: String, wholeFile: Bool) throws(ImportError) -> [OpenLineageEvent] {
        if wholeFile { return [try event(bytes[...], file: file, line: 1)] }
        return try parseAll(bytes, spans(bytes, wholeFile: false), file: file) { $0 }
    }

    /// One event, its required fields checked (OpenLineage spec 2-0-2, RunEvent).
    static func event(_ bytes: ArraySlice<UInt8>, file: String, line: Int) throws(ImportError) -> OpenLineageEvent {
        var place: String { "\(file):\(line)" }
        let value: JSONValue, written: [UInt8]?
        do { (value, written) = try JSONReader(file: file, firstLine: line).parseWritingCanonical(bytes) } catch {
            throw .badEvent(place, problem: "not JSON (\(error.reason))")
        }
        guard let o = value.objectValue else { throw .badEvent(place, problem: "not a JSON object but \(value.typeName)") }
        func text(_ path: [String]) throws(ImportError) -> String {
            var v: JSONValue? = .object(o)
            for k in path { v = v?[k] }
            // The field's name is written only into a message.
            var name: String { path.joined(separator: ".") }
            guard let v else { throw .badEvent(place, problem: "the required field \(name) is missing") }
            guard let s = v.stringValue, !s.isEmpty else {
                throw .badEvent(place, problem: "the required field \(name) must be a non-empty string, not \(v.typeName)")
            }
            return s
        }
        let timeText = try text(["eventTime"])
        guard case .valid(let time) = Timestamp.parse(timeText) else {
            throw .badEvent(place, problem: "eventTime \"\(timeText)\" is not an RFC 3339 date-time with an offset")
        }
        let type = try text(["eventType"])
        guard eventTypes.contains(type) else {
            throw .badEvent(place, problem: "eventType \"\(type)\" is not one of START, RUNNING, COMPLETE, ABORT, FAIL, OTHER")
        }
        _ = try text(["producer"])
        _ = try text(["schemaURL"])
        let runID = try text(["run", "runId"])
        guard isUUID(runID) else { throw .badEvent(place, problem: "run.runId \"\(runID)\" is not a UUID") }
        let namespace = try text(["job", "namespace"]).nfc
        let name = try text(["job", "name"]).nfc
        for key in ["inputs", "outputs"] {
            guard let a = o[key] else { continue }
            guard let items = a.arrayValue else { throw .badEvent(place, problem: "\(key) must be an array, not \(a.typeName)") }
            for (i, d) in items.enumerated() {
                guard let ns = d["namespace"]?.stringValue, !ns.isEmpty, let n = d["name"]?.stringValue, !n.isEmpty else {
                    throw .badEvent(place, problem: "\(key)[\(i)] needs a non-empty namespace and name")
                }
            }
        }
        // Written from the text itself while it was read (no second pass over the text).
        let canonical = written ?? JCS.serialize(value)
        return OpenLineageEvent(file: file, line: line, time: time, type: type, runID: runID.lowercased(), job: "\(namespace)/\(name)",
                                object: o, canonical: canonical)
    }

    /// 8-4-4-4-12 hex digits.
    static func isUUID(_ s: String) -> Bool {
        guard s.utf8.count == 36 else { return false }
        for (i, c) in s.utf8.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 { guard c == 0x2D else { return false }; continue }
            guard (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46) else { return false }
        }
        return true
    }
}
