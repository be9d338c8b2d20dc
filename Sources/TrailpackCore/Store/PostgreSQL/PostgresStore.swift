import Foundation

/// Why the PostgreSQL audit store cannot be used: each names the database object and the fix.
public enum PostgresStoreError: LocalizedError, Sendable {
    case passwordInConnectionString
    /// `sslpassword`: the passphrase of the client key.
    case sslPasswordInConnectionString
    case invalidConnectionString(String)
    case cannotConnect(String, detail: String)
    case noSchema(String)
    case otherSchemaVersion(String, found: String)
    case alreadyInitialised(String, version: String)
    case notEmpty(String, tables: [String])
    case queryFailed(String, what: String, detail: String)
    case configUnwritable(String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .passwordInConnectionString:
            return "the PostgreSQL connection string carries a password; remove it and let PostgreSQL supply it "
                + "from PGPASSWORD, ~/.pgpass or a service file (PGSERVICE): trailpack never stores or prints passwords"
        case .sslPasswordInConnectionString:
            return "the PostgreSQL connection string carries sslpassword, the passphrase of the client key: remove it and put it in a "
                + "service file (PGSERVICE), or use a client key that needs none, readable by this user only; trailpack never stores or prints passwords"
        case .invalidConnectionString(let why):
            return "the PostgreSQL connection string \(why); write it as `host=… dbname=…` or a postgresql:// URI"
        case .cannotConnect(let target, let detail):
            return "cannot connect to the PostgreSQL audit store (\(target)): check that the server runs and that "
                + "the connection string (--postgresql, or store.postgresql in trailpack.json) names an existing database (libpq: \(detail))"
        case .noSchema(let target):
            return "the database (\(target)) has no trailpack audit store (no table trailpack_schema): "
                + "run `trailpack store init SOURCE --postgresql CONNINFO` on an empty database first"
        case .otherSchemaVersion(let target, let found):
            return "the database (\(target)) holds trailpack schema version \(found) (table trailpack_schema), "
                + "this trailpack reads version \(PostgresStore.schemaVersion): use the trailpack release that made it"
        case .alreadyInitialised(let target, let version):
            return "the database (\(target)) already holds a trailpack audit store (schema version \(version)); "
                + "nothing was changed: point trailpack.json's store.postgresql at it instead of running store init again"
        case .notEmpty(let target, let tables):
            return "the database (\(target)) is not empty (tables \(tables.prefix(5).joined(separator: ", "))): "
                + "store init creates trailpack's tables only in an empty database; create one with `createdb`"
        case .queryFailed(let target, let what, let detail):
            return "the PostgreSQL audit store (\(target)) failed while \(what): \(detail)"
        case .configUnwritable(let path, let reason):
            return "\(path): cannot be written (\(reason)); nothing was changed in the database either"
        }
    }
}

/// The audit store in a PostgreSQL database (contract section 10): one row per event holding its
/// canonical line, ordered by `seq`. The database is untrusted like the files: verification
/// reads only `seq` (for order and locations) and the line's bytes; the other columns exist so
/// that the database serialises appends and keeps ids unique.
public struct PostgresStore: Sendable {
    /// The schema version this trailpack creates and reads (table `trailpack_schema`).
    public static let schemaVersion = 1

    /// The schema, created in one transaction by `store init` (also in docs/store-postgresql.md).
    public static let schemaSQL = [
        "CREATE TABLE trailpack_schema (version integer NOT NULL)",
        "INSERT INTO trailpack_schema (version) VALUES (\(schemaVersion))",
        "CREATE TABLE trailpack_head (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), max_time text)",
        "INSERT INTO trailpack_head DEFAULT VALUES",
        """
        CREATE TABLE trailpack_events (
            seq bigint PRIMARY KEY CHECK (seq >= 1),
            id bytea NOT NULL UNIQUE,
            key_event boolean NOT NULL DEFAULT false,
            line bytea NOT NULL
        )
        """,
        // record reads the key events on every append: an index of them alone, not a table scan.
        "CREATE INDEX trailpack_events_key_events ON trailpack_events (seq) WHERE key_event",
    ]

    /// The connection string (never with a password).
    public var conninfo: String

    /// Names the store in messages and locations.
    public var target: String { conninfo }

    /// The pseudo-segment of the rows: findings are located `seq N` (contract section 10).
    static let rowsSegment = Segment(name: "postgresql", path: "postgresql", url: URL(fileURLWithPath: "/dev/null"), seqLocated: true)

    public init(conninfo: String) throws(PostgresStoreError) {
        if let problem = StoreSetting.passwordProblem(conninfo) {
            if problem.contains("sslpassword") { throw .sslPasswordInConnectionString }
            if problem.contains("password") { throw .passwordInConnectionString }
            throw .invalidConnectionString(problem)
        }
        self.conninfo = conninfo
    }

    /// Connects without checking the schema.
    func connectRaw() throws(PostgresStoreError) -> PGConnection {
        do { return try PGConnection(conninfo: conninfo) } catch { throw .cannotConnect(target, detail: error.message) }
    }

    /// Connects and checks that the database holds trailpack's schema of this version.
    func connect() throws(PostgresStoreError) -> PGConnection {
        let c = try connectRaw()
        let version = try version(c)
        guard let version else { throw .noSchema(target) }
        guard version == String(Self.schemaVersion) else { throw .otherSchemaVersion(target, found: version) }
        return c
    }

    /// The schema version in the database, or nil when it has no `trailpack_schema` table.
    private func version(_ c: PGConnection) throws(PostgresStoreError) -> String? {
        let exists = try run(c, "checking for table trailpack_schema", "SELECT to_regclass('trailpack_schema') IS NOT NULL")
        guard exists.first?.text(0) == "t" else { return nil }
        let rows = try run(c, "reading table trailpack_schema", "SELECT string_agg(version::text, ',') FROM trailpack_schema")
        return rows.first?.text(0) ?? "none"
    }

    func run(_ c: PGConnection, _ what: String, _ sql: String, _ params: [PGParam] = [], binary: Bool = false) throws(PostgresStoreError) -> [PGRow] {
        do { return try c.query(sql, params, binary: binary) } catch {
            throw .queryFailed(target, what: what, detail: error.message)
        }
    }

    /// Creates trailpack's schema in an empty database, all or nothing.
    public func initialise() throws(PostgresStoreError) {
        let c = try checkEmpty()
        _ = try run(c, "starting a transaction", "BEGIN")
        do {
            for sql in Self.schemaSQL { _ = try run(c, "creating trailpack's tables", sql) }
            _ = try run(c, "committing the schema", "COMMIT")
        } catch {
            _ = try? run(c, "rolling back", "ROLLBACK")
            throw error
        }
    }

    /// Connects and checks that the database can take trailpack's schema: no schema of
    /// trailpack's, no other table (what `store init`, and its dry run, refuse).
    func checkEmpty() throws(PostgresStoreError) -> PGConnection {
        let c = try connectRaw()
        if let v = try version(c) { throw .alreadyInitialised(target, version: v) }
        let tables = try run(c, "listing tables", """
            SELECT table_schema || '.' || table_name FROM information_schema.tables
            WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
            """).compactMap { $0.text(0) }
        guard tables.isEmpty else { throw .notEmpty(target, tables: tables) }
        return c
    }

    /// Reads every row in `seq` order as lines (one pseudo-segment; `RawLine.line` is the row's
    /// `seq`), in batches of about `batchLines`, over one `COPY … TO STDOUT (FORMAT binary)`:
    /// memory is bounded by the batch as for the files.
    public func readLines(batchLines: Int = 4096, _ body: (LineBatch) throws -> Void) throws {
        let c = try connect()
        var parser = CopyBinaryParser()
        var batch = LineBatch()
        batch.buffer.reserveCapacity(batchLines * 512)
        batch.lines.reserveCapacity(batchLines)
        do {
            try c.copyOut("COPY (SELECT seq, line FROM trailpack_events ORDER BY seq) TO STDOUT (FORMAT binary)") { message in
                try parser.feed(message) { seq, line in
                    let start = batch.buffer.count
                    let tooLong = line.count > AuditStore.maxLineBytes
                    if !tooLong { batch.buffer.append(contentsOf: line) }
                    batch.lines.append(RawLine(segment: 0, line: Int(clamping: seq), range: start..<batch.buffer.count, terminated: true, tooLong: tooLong))
                    if batch.lines.count >= batchLines {
                        try body(batch)
                        batch.buffer.removeAll(keepingCapacity: true)
                        batch.lines.removeAll(keepingCapacity: true)
                    }
                }
            }
        } catch let e as PGFailure {
            throw PostgresStoreError.queryFailed(target, what: "reading table trailpack_events", detail: e.message)
        } catch let e as CopyBinaryParser.Malformed {
            throw PostgresStoreError.queryFailed(target, what: "reading table trailpack_events", detail: e.why)
        }
        if !batch.lines.isEmpty { try body(batch) }
    }
}

/// Parses PostgreSQL's binary COPY stream of (bigint, bytea) rows, however it is split into messages.
struct CopyBinaryParser {
    struct Malformed: Error { var why: String }
    private static let signature: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00]
    private var pending: [UInt8] = []
    private var headerDone = false
    private(set) var finished = false

    mutating func feed(_ message: UnsafeRawBufferPointer, _ row: (Int64, UnsafeRawBufferPointer) throws -> Void) throws {
        pending.append(contentsOf: message)
        var at = 0
        func int32(_ i: Int) -> Int32 {
            Int32(bitPattern: UInt32(pending[i]) << 24 | UInt32(pending[i + 1]) << 16 | UInt32(pending[i + 2]) << 8 | UInt32(pending[i + 3]))
        }
        if !headerDone {
            guard pending.count >= 19 else { return }
            guard pending.starts(with: Self.signature) else { throw Malformed(why: "the COPY stream has no binary header") }
            let ext = Int(int32(15))
            guard ext >= 0 else { throw Malformed(why: "bad COPY header") }
            guard pending.count >= 19 + ext else { return }
            at = 19 + ext
            headerDone = true
        }
        while !finished, pending.count - at >= 2 {
            let fields = Int16(bitPattern: UInt16(pending[at]) << 8 | UInt16(pending[at + 1]))
            if fields == -1 { finished = true; at += 2; break }
            guard fields == 2 else { throw Malformed(why: "a COPY row has \(fields) columns, expected 2") }
            // seq: length 8 + 8 bytes; line: length + bytes.
            guard pending.count - at >= 2 + 4 + 8 + 4 else { break }
            guard int32(at + 2) == 8 else { throw Malformed(why: "a row has no seq") }
            var seq: Int64 = 0
            for i in 0..<8 { seq = seq << 8 | Int64(pending[at + 6 + i]) }
            let len = Int(int32(at + 14))
            guard len >= 0 else { throw Malformed(why: "a row has no line") }
            guard pending.count - at - 18 >= len else { break }
            let start = at + 18
            try pending.withUnsafeBytes { try row(seq, UnsafeRawBufferPointer(rebasing: $0[start..<(start + len)])) }
            at = start + len
        }
        pending.removeSubrange(0..<at)
    }
}
