import Foundation

/// One OpenLineage RunEvent as trailpack reads it: the spec's required fields checked, the
/// rest kept as parsed (integers and decimals apart) for the mapping.
struct OpenLineageEvent: Sendable, Equatable {
    /// `file:line` where the event was read.
    var place: String
    var time: Timestamp
    /// `eventType`: START, RUNNING, COMPLETE, ABORT, FAIL or OTHER.
    var type: String
    var runID: String
    /// `job.namespace/job.name`, in NFC.
    var job: String
    /// The whole event as parsed.
    var object: JSONObject

    var runFacets: JSONObject { object["run"]?["facets"]?.objectValue ?? JSONObject() }
    var jobFacets: JSONObject { object["job"]?["facets"]?.objectValue ?? JSONObject() }
    var inputs: [JSONObject] { object["inputs"]?.arrayValue?.compactMap(\.objectValue) ?? [] }
    var outputs: [JSONObject] { object["outputs"]?.arrayValue?.compactMap(\.objectValue) ?? [] }
    var isTerminal: Bool { ["COMPLETE", "FAIL", "ABORT"].contains(type) }
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
                out += names.filter { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") }
                    .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                    .map { (p as NSString).appendingPathComponent($0) }
            } else {
                out.append(p)
            }
        }
        return out
    }

    /// A file's bytes (at most ``maxFileBytes``).
    static func load(_ f: String) throws(ImportError) -> [UInt8] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: f)) } catch {
            throw .unreadable(f, reason: error.localizedDescription)
        }
        guard data.count <= maxFileBytes else { throw .unreadable(f, reason: "larger than \(maxFileBytes) bytes") }
        return [UInt8](data)
    }

    /// The events of the files and folders given, in the order read.
    static func read(paths: [String]) throws(ImportError) -> [OpenLineageEvent] {
        var events: [OpenLineageEvent] = []
        for f in try files(paths) {
            events += try parse(try load(f), file: f, wholeFile: f.hasSuffix(".json"))
        }
        return events
    }

    /// Where each event of a file is: the whole file (`wholeFile`), else each non-blank line
    /// (without its line break), with its 1-based line number.
    static func spans(_ bytes: [UInt8], wholeFile: Bool) -> [(range: Range<Int>, line: Int)] {
        if wholeFile { return [(bytes.startIndex..<bytes.endIndex, 1)] }
        var lines: [(range: Range<Int>, line: Int)] = []
        var line = 1
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.endIndex
            var stop = end
            if stop > start && bytes[stop - 1] == 0x0D { stop -= 1 }
            if !bytes[start..<stop].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { lines.append((start..<stop, line)) }
            start = end < bytes.endIndex ? end + 1 : end
            line += 1
        }
        return lines
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

    /// The events of one file's bytes: the whole file one event (`wholeFile`), else one per
    /// non-blank line.
    static func parse(_ bytes: [UInt8], file: String, wholeFile: Bool) throws(ImportError) -> [OpenLineageEvent] {
        if wholeFile { return [try event(bytes[...], file: file, line: 1)] }
        return try parseAll(bytes, spans(bytes, wholeFile: false), file: file) { $0 }
    }

    /// One event, its required fields checked (OpenLineage spec 2-0-2, RunEvent).
    static func event(_ bytes: ArraySlice<UInt8>, file: String, line: Int) throws(ImportError) -> OpenLineageEvent {
        let place = "\(file):\(line)"
        let value: JSONValue
        do { value = try JSONReader(file: file, firstLine: line).parse(bytes) } catch {
            throw .badEvent(place, problem: "not JSON (\(error.reason))")
        }
        guard let o = value.objectValue else { throw .badEvent(place, problem: "not a JSON object but \(value.typeName)") }
        func text(_ path: [String]) throws(ImportError) -> String {
            var v: JSONValue? = .object(o)
            for k in path { v = v?[k] }
            let name = path.joined(separator: ".")
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
        return OpenLineageEvent(place: place, time: time, type: type, runID: runID.lowercased(), job: "\(namespace)/\(name)", object: o)
    }

    /// 8-4-4-4-12 hex digits.
    static func isUUID(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 36 else { return false }
        for (i, c) in b.enumerated() {
            if [8, 13, 18, 23].contains(i) { guard c == 0x2D else { return false }; continue }
            guard (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46) else { return false }
        }
        return true
    }
}
