import Foundation

/// What `trailpack store init` did (or would do with `--dry-run`).
public struct StoreInitResult: Sendable, Equatable {
    /// The connection string written to trailpack.json (no password).
    public var conninfo: String
    public var schemaVersion: Int
    public var dryRun: Bool
}

/// What `trailpack export` wrote (or would write with `--dry-run`).
public struct ExportResult: Sendable, Equatable {
    /// Segment file names in log order, e.g. `2026-03.jsonl`.
    public var segments: [String]
    public var events: Int
    public var bytes: Int
}

/// Why `export` cannot write.
public enum ExportError: LocalizedError, Sendable {
    case outputNotEmpty(String)
    case outputNotAFolder(String)
    case cannotWrite(String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .outputNotEmpty(let p): return "\(p): the output folder is not empty; export writes segments only into a new or empty folder"
        case .outputNotAFolder(let p): return "\(p): not a folder; give --out a new or empty folder for the segments"
        case .cannotWrite(let p, let why): return "\(p): cannot be written (\(why))"
        }
    }
}

extension Trailpack {
    /// `trailpack store init SOURCE --postgresql CONNINFO`: creates trailpack's schema in an empty
    /// database and writes `"store": {"postgresql": CONNINFO}` into SOURCE/trailpack.json.
    public static func storeInit(source: String, conninfo: String, dryRun: Bool) throws -> StoreInitResult {
        let (url, config) = try writableSource(source)
        let store = try PostgresStore(conninfo: conninfo)
        let configURL = url.appendingPathComponent(Config.fileName)
        if let existing = config.store {
            throw SourceError.invalidValue("store", "already names a PostgreSQL store (\(existing.postgresql)); store init is for a pack source without one", SourceLocation(file: Config.fileName))
        }
        let text: String
        do { text = try String(contentsOf: configURL, encoding: .utf8) } catch {
            throw PostgresStoreError.configUnwritable(configURL.path, reason: error.localizedDescription)
        }
        let updated = try withStoreKey(text, conninfo: conninfo)
        guard access(configURL.path, W_OK) == 0 else {
            throw PostgresStoreError.configUnwritable(configURL.path, reason: String(cString: strerror(errno)))
        }
        if dryRun {
            // Everything but the writes: the server answers and the database is empty.
            let c = try store.checkEmpty()
            withExtendedLifetime(c) {}
        } else {
            try store.initialise()
            do { try DurableFiles.replaceAtomically(configURL.path, Array(updated.utf8)) } catch {
                throw PostgresStoreError.configUnwritable(configURL.path, reason: error.reason + "; the database now holds the empty schema: add the store key by hand")
            }
        }
        return StoreInitResult(conninfo: conninfo, schemaVersion: PostgresStore.schemaVersion, dryRun: dryRun)
    }

    /// trailpack.json's text with the `store` member added before the closing brace (the rest
    /// of the file unchanged), checked by parsing it back.
    static func withStoreKey(_ text: String, conninfo: String) throws -> String {
        var body = Substring(text)
        while let last = body.last, last.isWhitespace { body = body.dropLast() }
        guard body.last == "}" else {
            throw SourceError.invalidValue("trailpack.json", "does not end with the closing brace of its object", SourceLocation(file: Config.fileName))
        }
        body = body.dropLast()
        while let last = body.last, last.isWhitespace { body = body.dropLast() }
        let value = String(decoding: JCS.serialize(JSONValue(conninfo)), as: UTF8.self)
        let out = body + ",\n  \"store\": {\"postgresql\": \(value)}\n}\n"
        let (parsed, locations): (JSONValue, JSONLocations)
        do { (parsed, locations) = try JSONReader(file: Config.fileName).parseWithLocations(Array(out.utf8)) } catch {
            throw SourceError.json(error)
        }
        let config = try Config.parse(parsed, locations: locations)
        guard config.store?.postgresql == conninfo else {
            throw SourceError.invalidValue("store", "could not be added to trailpack.json", SourceLocation(file: Config.fileName))
        }
        return String(out)
    }

    /// `trailpack export SOURCE --out DIR`: writes the log as segment files named by the UTC
    /// month of their events' `time` (`YYYY-MM.jsonl`). An event never goes into an earlier
    /// month's segment than the event before it; an event without a valid time stays in the
    /// current segment (lines before the first valid time join the first segment, which is
    /// `0000-00.jsonl` when no line of the log has a valid time).
    public static func export(source: String, out: String, dryRun: Bool) throws -> ExportResult {
        let (url, config) = try writableSource(source)
        // Not into a folder the pack's evidence copies (its audit/ would grow a copy of itself).
        try checkOutput(URL(fileURLWithPath: out), source: url)
        let store = try LogStore.open(source: url, config: config)
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDir) {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? ["?"]
            guard isDir.boolValue else { throw ExportError.outputNotAFolder(out) }
            guard entries.isEmpty else { throw ExportError.outputNotEmpty(out) }
        }
        var writer = SegmentWriter(folder: URL(fileURLWithPath: out), dryRun: dryRun)
        try store.readLines { batch in
            for raw in batch.lines { try writer.add(batch.bytes(raw), tooLong: raw.tooLong) }
        }
        try writer.finish()
        return ExportResult(segments: writer.names, events: writer.lines, bytes: writer.bytes)
    }
}

/// Writes lines into monthly segments, in order, buffering only the lines that precede the
/// first valid time (they join that first segment).
struct SegmentWriter {
    let folder: URL
    let dryRun: Bool
    private(set) var names: [String] = []
    private(set) var lines = 0
    private(set) var bytes = 0
    private var month: String?
    private var handle: FileHandle?
    private var buffer: [UInt8] = []

    init(folder: URL, dryRun: Bool) {
        self.folder = folder
        self.dryRun = dryRun
    }

    /// The UTC month of a line's `time`, when it is an event with a valid time.
    /// A canonical line is scanned without building its value, as the verifier does.
    static func month(of line: ArraySlice<UInt8>) -> String? {
        var text: String?
        if let members = line.withUnsafeBufferPointer({ CanonicalScanner.scan($0) }) {
            let base = line.startIndex
            for m in members where Event.field(bytes: line[(base + m.key.lowerBound)..<(base + m.key.upperBound)]) == .time {
                text = Event.quickValue(line[(base + m.value.lowerBound)..<(base + m.value.upperBound)])?.stringValue
            }
        } else {
            text = (try? JSONReader().parse(line))?.objectValue?["time"]?.stringValue
        }
        guard let text, case .valid(let ts) = Timestamp.parse(text) else { return nil }
        return ts.monthKey
    }

    mutating func add(_ line: ArraySlice<UInt8>, tooLong: Bool) throws {
        lines += 1
        if !tooLong, let m = Self.month(of: line), month.map({ Array($0.utf8).lexicographicallyPrecedes(Array(m.utf8)) }) ?? true {
            try open(m)
        }
        buffer.append(contentsOf: line)
        buffer.append(0x0A)
        bytes += line.count + 1
        if month != nil && buffer.count >= 1 << 20 { try flush() }
    }

    private mutating func open(_ m: String) throws {
        if month != nil { try flush(); try close() }
        month = m
        let name = "\(m).jsonl"
        names.append(name)
        guard !dryRun else { return }
        let url = folder.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw ExportError.cannotWrite(url.path, reason: "file creation failed")
            }
            handle = try FileHandle(forWritingTo: url)
        } catch let e as ExportError { throw e } catch {
            throw ExportError.cannotWrite(url.path, reason: error.localizedDescription)
        }
        try flush()
    }

    private mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        if !dryRun, let handle {
            do { try handle.write(contentsOf: buffer) } catch {
                throw ExportError.cannotWrite(folder.path, reason: error.localizedDescription)
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func close() throws {
        if let handle {
            do { try handle.synchronize(); try handle.close() } catch {
                throw ExportError.cannotWrite(folder.path, reason: error.localizedDescription)
            }
        }
        handle = nil
    }

    mutating func finish() throws {
        if month == nil && lines > 0 { try open("0000-00") }
        try flush()
        try close()
    }
}
