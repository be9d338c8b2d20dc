import Foundation

/// One segment file of the audit store.
public struct Segment: Sendable, Hashable {
    /// File name, e.g. `0001.jsonl`.
    public var name: String
    /// Path relative to the pack source, e.g. `audit/0001.jsonl`.
    public var path: String
    public var url: URL
    /// True for the rows of the PostgreSQL store: a line's number is its row's `seq`, and
    /// findings are located `seq N` rather than by file and line (contract section 10).
    public var seqLocated = false
}

/// One physical line of a segment, as bytes inside a batch buffer.
public struct RawLine: Sendable {
    /// Index into `AuditStore.segments`.
    public var segment: Int
    /// 1-based line number within the segment.
    public var line: Int
    /// Byte range in the batch buffer (without the `\n`).
    public var range: Range<Int>
    /// False for a last line with no `\n` (a truncated segment).
    public var terminated: Bool
    /// True when the line exceeded `AuditStore.maxLineBytes`; its bytes were not kept.
    public var tooLong: Bool
}

/// A run of consecutive lines read from the store, sharing one buffer.
public struct LineBatch: Sendable {
    public var buffer: [UInt8] = []
    public var lines: [RawLine] = []

    /// The bytes of one line.
    public func bytes(_ l: RawLine) -> ArraySlice<UInt8> { buffer[l.range] }
}

/// Why the audit store cannot be read at all.
public enum StoreError: LocalizedError, Sendable {
    case missingAuditFolder(String)
    case unreadable(String, String)
    /// A `*.jsonl` entry of `audit/` that is not a regular file (or a link to one inside the
    /// pack source): the segment and what it is.
    case notASegmentFile(String, String)

    public var errorDescription: String? {
        switch self {
        case .missingAuditFolder(let p): return "\(p): no audit/ folder; a pack source keeps its audit store in audit/*.jsonl"
        case .unreadable(let p, let why): return "\(p): cannot be read: \(why)"
        case .notASegmentFile(let p, let what):
            return "\(p): \(what), not a segment; a segment must be a regular file in audit/ (or a link to one inside the pack source), "
                + "which the site's evidence copy can hold. Fix: move it out of audit/, or replace it with the segment file itself"
        }
    }
}

/// The audit store of a pack source: `audit/*.jsonl` in byte-wise order of file name, read as one
/// stream of lines in bounded memory.
public struct AuditStore: Sendable {
    /// Lines longer than this are INT-PARSE findings; their bytes are skipped, not buffered.
    public static let maxLineBytes = 1 << 20

    public var segments: [Segment]

    /// Lists the segments of `source/audit`.
    public init(source: URL) throws(StoreError) {
        let dir = source.appendingPathComponent("audit")
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
            throw .missingAuditFolder(dir.path)
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: dir.path) } catch {
            throw .unreadable(dir.path, FileProblem.reading(dir.path, folder: true, fix: "make audit/ readable by this user"))
        }
        segments = names.filter { $0.hasSuffix(".jsonl") && !$0.hasPrefix(".") }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { Segment(name: $0, path: "audit/\($0)", url: dir.appendingPathComponent($0)) }
        for s in segments { try Self.checkKind(s, source: source) }
    }

    /// Refuses a segment that the evidence copy would not hold (``PackFiles/isInside(_:source:)``:
    /// a link out of the pack source, or a linked folder on its way), that reading would hang on
    /// (a FIFO), or that is no file (a folder, a device).
    private static func checkKind(_ s: Segment, source: URL) throws(StoreError) {
        var st = stat()
        guard lstat(s.url.path, &st) == 0 else { throw .unreadable(s.path, String(cString: strerror(errno))) }
        let isLink = st.st_mode & S_IFMT == S_IFLNK
        guard PackFiles.isInside(s.url, source: source), !isLink || stat(s.url.path, &st) == 0 else {
            throw .notASegmentFile(s.path, isLink ? "a symbolic link that does not lead to a file inside the pack source"
                                                  : "reached through a linked folder")
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFIFO: throw .notASegmentFile(s.path, "a named pipe (FIFO)")
        case S_IFDIR: throw .notASegmentFile(s.path, "a folder")
        case S_IFSOCK: throw .notASegmentFile(s.path, "a socket")
        default: throw .notASegmentFile(s.path, "a device")
        }
    }

    /// The segments' total size in bytes (0 for those that cannot be stat'ed).
    public var totalBytes: Int {
        segments.reduce(0) { sum, s in
            sum + ((try? FileManager.default.attributesOfItem(atPath: s.url.path)[.size] as? Int) ?? 0)
        }
    }

    /// Reads every line of every segment in order, handing batches of about `batchLines` lines
    /// to `body`. Memory is bounded by the batch size and `maxLineBytes`.
    public func readLines(batchLines: Int = 4096, _ body: (LineBatch) throws -> Void) throws {
        var batch = LineBatch()
        batch.buffer.reserveCapacity(batchLines * 512)
        batch.lines.reserveCapacity(batchLines)
        let chunkSize = 1 << 20
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        for (si, seg) in segments.enumerated() {
            // Checked again as opened: a FIFO put in place after the listing never hangs the reader.
            let file: FileDescriptor
            do throws(SystemCallFailure) { file = try DurableFiles.openRegularFile(seg.url.path) } catch {
                if error.detail != nil { throw StoreError.notASegmentFile(seg.path, "not a regular file") }
                throw StoreError.unreadable(seg.path, String(cString: strerror(error.code)))
            }
            let fd = file.fd
            var lineNo = 1
            var lineStart = batch.buffer.count
            var tooLong = false
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, chunkSize) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw StoreError.unreadable(seg.path, String(cString: strerror(errno)))
                }
                if n == 0 { break }
                var i = 0
                while i < n {
                    // Find the next newline in this chunk.
                    let j = chunk.withUnsafeBytes { p -> Int in
                        guard let base = p.baseAddress, let hit = memchr(base + i, 0x0A, n - i) else { return n }
                        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
                    }
                    if !tooLong {
                        if batch.buffer.count - lineStart + (j - i) > AuditStore.maxLineBytes {
                            tooLong = true
                            batch.buffer.removeSubrange(lineStart...)
                        } else {
                            batch.buffer.append(contentsOf: chunk[i..<j])
                        }
                    }
                    if j < n {
                        let end = tooLong ? lineStart : batch.buffer.count
                        batch.lines.append(RawLine(segment: si, line: lineNo, range: lineStart..<end, terminated: true, tooLong: tooLong))
                        lineNo += 1
                        tooLong = false
                        if batch.lines.count >= batchLines {
                            try body(batch)
                            batch.buffer.removeAll(keepingCapacity: true)
                            batch.lines.removeAll(keepingCapacity: true)
                        }
                        lineStart = batch.buffer.count
                    }
                    i = j + 1
                }
            }
            if batch.buffer.count > lineStart || tooLong {
                let end = tooLong ? lineStart : batch.buffer.count
                batch.lines.append(RawLine(segment: si, line: lineNo, range: lineStart..<end, terminated: false, tooLong: tooLong))
            }
        }
        if !batch.lines.isEmpty { try body(batch) }
    }
}
