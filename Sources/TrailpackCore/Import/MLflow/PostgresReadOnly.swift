import Foundation

/// An MLflow database on PostgreSQL, read in one read-only transaction (repeatable read, so all
/// tables are read at one moment). It uses the one libpq wrapper of the project, `PGConnection`;
/// it adds only the transaction and MLflow's error wording.
final class PostgresReadOnly: MLflowRows {
    private let connection: PGConnection
    /// The server as messages name it (never with a credential).
    let display: String

    init(conninfo: String, display: String) throws(ImportError) {
        self.display = display
        do {
            connection = try PGConnection(conninfo: conninfo)
        } catch {
            throw .unreadable(display, reason: "PostgreSQL server not reachable or refused the connection: \(Self.firstSentence(error.message)); "
                + "check that the server is up, the host, port and database, and PGPASSWORD, ~/.pgpass or the service file")
        }
        do {
            try connection.query("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        } catch {
            throw .unreadable(display, reason: "PostgreSQL says \(error.primary ?? error.message)")
        }
    }

    deinit { _ = try? connection.query("ROLLBACK") }

    /// libpq's connection message up to its first hint (libpq adds "Is the server running…"
    /// on a line of its own, which `PGConnection` joins with a space).
    static func firstSentence(_ message: String) -> String {
        guard let r = message.range(of: " Is the server running") else { return message }
        return String(message[..<r.lowerBound])
    }

    func rows(_ sql: String, table: String) throws(ImportError) -> [[String?]] {
        do {
            return try connection.query(sql).map { row in row.columns.indices.map { row.text($0) } }
        } catch {
            // 42P01 undefined_table, 42703 undefined_column: not the MLflow schema trailpack knows.
            if error.sqlState == "42P01" || error.sqlState == "42703" {
                throw .notMLflow(display, reason: "table \(table): PostgreSQL says \(error.primary ?? error.message)")
            }
            throw .unreadable(display, reason: "table \(table): PostgreSQL says \(error.primary ?? error.message)")
        }
    }
}
