internal import CPostgres
import Foundation

/// A libpq connection to an MLflow database, in one read-only transaction, owning its `PGconn*`.
/// MLflow-specific and self-contained (the audit store in PostgreSQL has its own).
final class PostgresReadOnly: MLflowRows {
    private let conn: OpaquePointer
    /// The server as messages name it (never with a credential).
    let display: String

    init(conninfo: String, display: String) throws(ImportError) {
        self.display = display
        guard let c = PQconnectdb(conninfo) else { throw .unreadable(display, reason: "libpq could not allocate a connection") }
        conn = c
        guard PQstatus(c) == CONNECTION_OK else {
            let message = Self.firstLine(PQerrorMessage(c))
            throw .unreadable(display, reason: "PostgreSQL server not reachable or refused the connection: \(message); check that the server is up, the host, port and database, and PGPASSWORD, ~/.pgpass or the service file")
        }
        try exec("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
    }

    deinit {
        _ = PQexec(conn, "ROLLBACK").map { PQclear($0) }
        PQfinish(conn)
    }

    static func firstLine(_ p: UnsafePointer<CChar>?) -> String {
        guard let p else { return "no message" }
        let text = String(cString: p).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.split(separator: "\n").first.map(String.init) ?? "no message"
    }

    private func exec(_ sql: String) throws(ImportError) {
        guard let r = PQexec(conn, sql) else { throw .unreadable(display, reason: "libpq returned no result") }
        defer { PQclear(r) }
        guard PQresultStatus(r) == PGRES_COMMAND_OK else {
            throw .unreadable(display, reason: "PostgreSQL says \(Self.firstLine(PQresultErrorMessage(r)))")
        }
    }

    func rows(_ sql: String, table: String) throws(ImportError) -> [[String?]] {
        guard let r = PQexec(conn, sql) else { throw .unreadable(display, reason: "libpq returned no result for table \(table)") }
        defer { PQclear(r) }
        guard PQresultStatus(r) == PGRES_TUPLES_OK else {
            let message = Self.firstLine(PQresultErrorMessage(r))
            if message.contains("does not exist") {
                throw .notMLflow(display, reason: "table \(table): PostgreSQL says \(message)")
            }
            throw .unreadable(display, reason: "table \(table): PostgreSQL says \(message)")
        }
        let n = Int(PQntuples(r)), m = Int(PQnfields(r))
        var out: [[String?]] = []
        out.reserveCapacity(n)
        for i in 0..<Int32(n) {
            var row: [String?] = []
            for j in 0..<Int32(m) {
                if PQgetisnull(r, i, j) == 1 { row.append(nil); continue }
                guard let v = PQgetvalue(r, i, j) else { row.append(nil); continue }
                row.append(String(cString: v))
            }
            out.append(row)
        }
        return out
    }
}
