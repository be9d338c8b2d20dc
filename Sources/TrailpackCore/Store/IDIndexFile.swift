import Foundation
#if canImport(Glibc)
import Glibc
#endif

// The sorted id index beside the log (`audit/.trailpack-ids`), part of record's cache
// (LogState.swift): the file's form, its lookup by binary search and its writing.

extension IDKey {
    init(a: UInt64, b: UInt64) {
        self.a = a
        self.b = b
    }

    /// 32 hex digits.
    var hex: String {
        let h = String(a, radix: 16), l = String(b, radix: 16)
        return String(repeating: "0", count: 16 - h.count) + h + String(repeating: "0", count: 16 - l.count) + l
    }

    init?(hex: String) {
        guard hex.utf8.count == 32, let a = UInt64(hex.prefix(16), radix: 16), let b = UInt64(hex.suffix(16), radix: 16) else { return nil }
        self.init(a: a, b: b)
    }

    static func < (l: IDKey, r: IDKey) -> Bool { l.a != r.a ? l.a < r.a : l.b < r.b }
}

/// `audit/.trailpack-ids`: a 32-byte header (magic, entry count, generation) and the id digests
/// sorted, 16 bytes each, little-endian; looked up by binary search without loading it.
final class IDIndexFile: @unchecked Sendable {
    static let magic: [UInt8] = Array("TPIDS\u{0}\u{0}\u{1}".utf8)
    let file: FileDescriptor
    let count: Int
    let generation: String

    /// Opens the index and checks its header and size against what the state expects.
    init?(path: String, count: Int, generation: String) {
        guard let file = try? DurableFiles.open(path, O_RDONLY | O_NOFOLLOW) else { return nil }
        var header = [UInt8](repeating: 0, count: 32)
        guard pread(file.fd, &header, 32, 0) == 32, Array(header[0..<8]) == Self.magic,
              Self.load(header, 8) == UInt64(count), Hex.encode(header[16..<32]) == generation,
              (try? DurableFiles.size(file, path: path)) == Int64(32 + 16 * count) else { return nil }
        self.file = file
        self.count = count
        self.generation = generation
    }

    private static func load(_ b: [UInt8], _ at: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in (0..<8).reversed() { v = v << 8 | UInt64(b[at + i]) }
        return v
    }

    private static func store(_ v: UInt64, into b: inout [UInt8]) {
        for i in 0..<8 { b.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    /// Whether the index holds `key`.
    func contains(_ key: IDKey) -> Bool {
        var lo = 0, hi = count
        var entry = [UInt8](repeating: 0, count: 16)
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            guard pread(file.fd, &entry, 16, off_t(32 + 16 * mid)) == 16 else { return false }
            let k = IDKey(a: Self.load(entry, 0), b: Self.load(entry, 8))
            if k == key { return true }
            if k < key { lo = mid + 1 } else { hi = mid }
        }
        return false
    }

    /// Every entry, in order (for a merge).
    func all() -> [IDKey]? {
        var bytes = [UInt8](repeating: 0, count: 16 * count)
        guard count == 0 || pread(file.fd, &bytes, 16 * count, 32) == 16 * count else { return nil }
        return (0..<count).map { IDKey(a: Self.load(bytes, 16 * $0), b: Self.load(bytes, 16 * $0 + 8)) }
    }

    /// Writes a new index of `keys` (sorted here) atomically at `path`; returns its generation.
    static func write(_ keys: [IDKey], to path: String) throws(SystemCallFailure) -> String {
        var g = SystemRandomNumberGenerator()
        var genBytes: [UInt8] = []
        store(g.next(), into: &genBytes)
        store(g.next(), into: &genBytes)
        var bytes = magic
        bytes.reserveCapacity(32 + 16 * keys.count)
        store(UInt64(keys.count), into: &bytes)
        bytes += genBytes
        for k in keys.sorted(by: <) {
            store(k.a, into: &bytes)
            store(k.b, into: &bytes)
        }
        try DurableFiles.replaceAtomically(path, bytes)
        return Hex.encode(genBytes)
    }
}
