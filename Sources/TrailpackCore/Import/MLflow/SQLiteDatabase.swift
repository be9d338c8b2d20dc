internal import CSQLite
import Foundation

/// A SQLite database opened read-only (`mode=ro`), owning its `sqlite3*` handle.
final class SQLiteDatabase: MLflowRows {
    private let handle: OpaquePointer
    let path: String

    init(path: String) throws(ImportError) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            throw .missingDatabase(path)
        }
        // SQLite would block on a FIFO: only a regular file is opened.
        do throws(SystemCallFailure) { _ = try DurableFiles.openRegularFile(path) } catch {
            throw .unreadable(path, reason: error.reason)
        }
        self.path = path
        let absolute = URL(fileURLWithPath: path).path
        let escaped = absolute.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "?", with: "%3f")
            .replacingOccurrences(of: "#", with: "%23")
        var db: OpaquePointer?
        let rc = sqlite3_open_v2("file:\(escaped)?mode=ro", &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw .unreadable(path, reason: "SQLite: \(message)")
        }
        handle = db
        sqlite3_busy_timeout(db, 5000)
    }

    deinit { sqlite3_close(handle) }

    /// Every row of `sql`, each cell as text (NULL as nil; a REAL in its shortest exact form).
    func rows(_ sql: String, table: String) throws(ImportError) -> [[String?]] {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else {
            let message = String(cString: sqlite3_errmsg(handle))
            if message.contains("no such table") || message.contains("no such column") || message.contains("not a database") {
                throw .notMLflow(path, reason: "table \(table): SQLite says \(message)")
            }
            throw .unreadable(path, reason: "table \(table): SQLite says \(message)")
        }
        defer { sqlite3_finalize(stmt) }
        let columns = Int(sqlite3_column_count(stmt))
        var out: [[String?]] = []
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else {
                throw .unreadable(path, reason: "table \(table): SQLite says \(String(cString: sqlite3_errmsg(handle)))")
            }
            var row: [String?] = []
            row.reserveCapacity(columns)
            for c in 0..<Int32(columns) {
                switch sqlite3_column_type(stmt, c) {
                case SQLITE_NULL: row.append(nil)
                case SQLITE_INTEGER: row.append(String(sqlite3_column_int64(stmt, c)))
                case SQLITE_FLOAT: row.append("\(sqlite3_column_double(stmt, c))")
                default:
                    if let t = sqlite3_column_text(stmt, c) {
                        let n = Int(sqlite3_column_bytes(stmt, c))
                        row.append(String(decoding: UnsafeBufferPointer(start: t, count: n), as: UTF8.self))
                    } else {
                        row.append(nil)
                    }
                }
            }
            out.append(row)
        }
        return out
    }
}
