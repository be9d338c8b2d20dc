import Foundation

/// Writes the audit store as it is generated: one canonical (RFC 8785) line per event into
/// monthly segments (`audit/YYYY-MM.jsonl`), chaining `prev`/`hash`, folding each hash into the
/// Merkle tree, and noting the tree at every segment rollover for a checkpoint. One reusable
/// line buffer and a 1 MiB output buffer; no event is kept.
struct DemoLogWriter {
    private let auditDir: URL
    private var handle: FileHandle?
    private var out: [UInt8] = []
    private var line: [UInt8] = []
    private var prevHex: [UInt8] = Array(repeating: UInt8(ascii: "0"), count: 64)
    private var monthEnd = Int64.min
    private(set) var seq: Int64 = 0
    private(set) var merkle = MerkleAccumulator()
    private(set) var segments: [String] = []
    /// Tree sizes and roots at the end of each segment, and at the end of the log.
    private(set) var checkpoints: [(size: Int, root: SHA256.Digest)] = []
    private(set) var bytes = 0
    private(set) var firstMs: Int64?
    private(set) var lastMs: Int64 = 0

    private static let hashKey = Array("hash".utf8)
    private static let prevKey = Array("prev".utf8)
    private static let seqKey = Array("seq".utf8)
    private static let flushBytes = 1 << 20

    init(root: URL) {
        auditDir = root.appendingPathComponent("audit")
        out.reserveCapacity(DemoLogWriter.flushBytes + 4096)
        line.reserveCapacity(4096)
    }

    /// Appends one event: `members` sorted by key, without `seq`, `prev` and `hash`; `ms` is
    /// its time, not earlier than the previous event's.
    mutating func append(_ members: [JSONMember], ms: Int64) throws {
        if ms >= monthEnd { try rollover(ms) }
        if firstMs == nil { firstMs = ms }
        lastMs = ms
        seq += 1
        line.removeAll(keepingCapacity: true)
        line.append(UInt8(ascii: "{"))
        var hashAt = -1
        var wrotePrev = false
        var wroteSeq = false
        func key(_ k: [UInt8]) {
            if line.count > 1 { line.append(UInt8(ascii: ",")) }
            JCS.writeString(k, to: &line)
            line.append(UInt8(ascii: ":"))
        }
        func specials(before k: [UInt8]?) {
            if hashAt < 0, k.map({ DemoLogWriter.hashKey.lexicographicallyPrecedes($0) }) ?? true { hashAt = line.count }
            if !wrotePrev, k.map({ DemoLogWriter.prevKey.lexicographicallyPrecedes($0) }) ?? true {
                key(DemoLogWriter.prevKey)
                line.append(UInt8(ascii: "\""))
                line.append(contentsOf: prevHex)
                line.append(UInt8(ascii: "\""))
                wrotePrev = true
            }
            if !wroteSeq, k.map({ DemoLogWriter.seqKey.lexicographicallyPrecedes($0) }) ?? true {
                key(DemoLogWriter.seqKey)
                JCS.writeInteger(seq, to: &line)
                wroteSeq = true
            }
        }
        for m in members {
            specials(before: m.key.bytes)
            key(m.key.bytes)
            JCS.write(m.value, to: &line)
        }
        specials(before: nil)
        line.append(UInt8(ascii: "}"))
        let digest = SHA256.digest(line)
        digest.withUnsafeBytes { raw in
            for (i, b) in raw.enumerated() {
                prevHex[2 * i] = DemoTime.hexDigits[Int(b >> 4)]
                prevHex[2 * i + 1] = DemoTime.hexDigits[Int(b & 0xF)]
            }
            merkle.append(leafData: raw)
        }
        out.append(contentsOf: line[0..<hashAt])
        out.append(contentsOf: #","hash":""#.utf8)
        out.append(contentsOf: prevHex)
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: line[hashAt...])
        out.append(0x0A)
        if out.count >= DemoLogWriter.flushBytes { try flush() }
    }

    private mutating func flush() throws {
        guard !out.isEmpty, let handle else { return }
        do { try handle.write(contentsOf: out) } catch {
            throw DemoError.cannotWrite(auditDir.path, error.localizedDescription)
        }
        bytes += out.count
        out.removeAll(keepingCapacity: true)
    }

    private mutating func closeSegment() throws {
        try flush()
        if let handle {
            do { try handle.close() } catch { throw DemoError.cannotWrite(auditDir.path, error.localizedDescription) }
        }
        handle = nil
        if seq > 0 && checkpoints.last?.size != Int(seq) { checkpoints.append((Int(seq), merkle.root)) }
    }

    private mutating func rollover(_ ms: Int64) throws {
        try closeSegment()
        let month = DemoTime.month(ms)
        monthEnd = month.next
        let name = "\(month.key).jsonl"
        let url = auditDir.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: auditDir, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw DemoError.cannotWrite(url.path, "file creation failed")
            }
            handle = try FileHandle(forWritingTo: url)
        } catch let e as DemoError {
            throw e
        } catch {
            throw DemoError.cannotWrite(url.path, error.localizedDescription)
        }
        segments.append(name)
    }

    /// Writes what is buffered and closes the last segment.
    mutating func finish() throws { try closeSegment() }
}
