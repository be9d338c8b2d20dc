import Foundation

/// Where a pack source's audit log lives: `audit/*.jsonl` or a PostgreSQL database (contract
/// section 10). Both yield the same canonical line bytes in log order, so everything above this
/// seam (verify, checkpoint, build, diff) is the same code for both.
public enum LogStore: Sendable {
    case files(AuditStore)
    case postgresql(PostgresStore)

    /// The store named by `config` for the pack source at `source`.
    public static func open(source: URL, config: Config) throws -> LogStore {
        if let setting = config.store { return .postgresql(try PostgresStore(conninfo: setting.postgresql)) }
        return .files(try AuditStore(source: source))
    }

    /// The segments lines refer to (one pseudo-segment, located by `seq`, for PostgreSQL).
    public var segments: [Segment] {
        switch self {
        case .files(let s): return s.segments
        case .postgresql: return [PostgresStore.rowsSegment]
        }
    }

    /// Bytes of the log when cheaply known (0 for PostgreSQL): a hint for preallocation only.
    public var totalBytes: Int {
        switch self {
        case .files(let s): return s.totalBytes
        case .postgresql: return 0
        }
    }

    /// How the store is named in messages.
    public var name: String {
        switch self {
        case .files: return "audit/"
        case .postgresql(let s): return "the PostgreSQL audit store (\(s.target))"
        }
    }

    /// Every line in log order, in batches, in bounded memory.
    public func readLines(batchLines: Int = 4096, _ body: (LineBatch) throws -> Void) throws {
        switch self {
        case .files(let s): try s.readLines(batchLines: batchLines, body)
        case .postgresql(let s): try s.readLines(batchLines: batchLines, body)
        }
    }
}
