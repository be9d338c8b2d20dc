internal import CPostgres
import Foundation

/// One query parameter: text (type inferred by the server) or binary `bytea`.
enum PGParam: Sendable {
    case text(String)
    case bytes([UInt8])
}

/// One result row, copied out of libpq: each column's bytes (nil for NULL), in the format asked for.
struct PGRow: Sendable {
    var columns: [[UInt8]?]

    func text(_ i: Int) -> String? { columns[i].map { String(decoding: $0, as: UTF8.self) } }
}

/// A failed libpq call: what failed, the SQLSTATE when the server answered, and libpq's message
/// (with any password stripped).
struct PGFailure: Error, Sendable {
    var sqlState: String?
    var message: String
    /// The server's primary message alone (without "ERROR:", the statement or the caret line).
    var primary: String? = nil
}

/// A libpq connection (the only owner of the `PGconn`), closed on release. Queries are
/// parameterised (`PQexecParams`); bytes travel in binary, so they are never re-encoded.
final class PGConnection {
    private let conn: OpaquePointer

    /// Connects; the caller has already refused a connection string carrying a password.
    init(conninfo: String) throws(PGFailure) {
        guard let c = PQconnectdb(conninfo) else { throw PGFailure(sqlState: nil, message: "out of memory") }
        guard PQstatus(c) == CONNECTION_OK else {
            let message = Self.clean(String(cString: PQerrorMessage(c)))
            PQfinish(c)
            throw PGFailure(sqlState: nil, message: message)
        }
        conn = c
    }

    deinit { PQfinish(conn) }

    /// libpq's message on one line, without a password should one ever appear in it.
    static func clean(_ message: String) -> String {
        let one = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        return StoreSetting.redacted(one)
    }

    /// Runs one parameterised statement and returns its rows (binary results when `binary`).
    @discardableResult
    func query(_ sql: String, _ params: [PGParam] = [], binary: Bool = false) throws(PGFailure) -> [PGRow] {
        let result = run(sql, params, binary: binary)
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else { throw failure(result) }
        return rows(result)
    }

    /// Copies every row of a result out of libpq.
    private func rows(_ result: OpaquePointer?) -> [PGRow] {
        let rows = Int(PQntuples(result)), cols = Int(PQnfields(result))
        var out: [PGRow] = []
        out.reserveCapacity(rows)
        for r in 0..<rows {
            var row = PGRow(columns: [])
            for c in 0..<cols {
                if PQgetisnull(result, Int32(r), Int32(c)) == 1 { row.columns.append(nil); continue }
                let n = Int(PQgetlength(result, Int32(r), Int32(c)))
                guard let p = PQgetvalue(result, Int32(r), Int32(c)) else { row.columns.append([]); continue }
                row.columns.append(p.withMemoryRebound(to: UInt8.self, capacity: max(n, 1)) { Array(UnsafeBufferPointer(start: $0, count: n)) })
            }
            out.append(row)
        }
        return out
    }

    /// Statements prepared on this connection, by name.
    private var prepared = Set<String>()

    /// One statement of a pipeline: parameterised, or prepared once per connection under a name.
    struct Step {
        var sql: String
        var params: [PGParam] = []
        var binary = false
        var prepared: String? = nil
    }

    /// Sends `steps` in one go (libpq's pipeline mode: one round trip) and returns each one's
    /// rows or failure, in order. After a failure the server skips the steps up to the end of
    /// the pipeline (their failure says so); an open transaction is then left aborted.
    func pipeline(_ steps: [Step]) throws(PGFailure) -> [Result<[PGRow], PGFailure>] {
        for step in steps {
            guard let name = step.prepared, !prepared.contains(name) else { continue }
            let types: [Oid] = step.params.map { if case .bytes = $0 { return 17 } else { return 0 } }
            let result = PQprepare(conn, name, step.sql, Int32(step.params.count), types)
            defer { PQclear(result) }
            guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw failure(result) }
            prepared.insert(name)
        }
        guard PQenterPipelineMode(conn) == 1 else { throw connectionFailure() }
        var sent = 0
        for step in steps {
            let ok: Int32
            if let name = step.prepared {
                ok = withParams(step.params) { n, values, lengths, formats in
                    PQsendQueryPrepared(conn, name, n, values, lengths, formats, step.binary ? 1 : 0)
                }
            } else {
                let types: [Oid] = step.params.map { if case .bytes = $0 { return 17 } else { return 0 } }
                ok = withParams(step.params) { n, values, lengths, formats in
                    PQsendQueryParams(conn, step.sql, n, types, values, lengths, formats, step.binary ? 1 : 0)
                }
            }
            if ok != 1 { break }
            sent += 1
        }
        let synced = PQpipelineSync(conn) == 1
        var out: [Result<[PGRow], PGFailure>] = []
        for _ in 0..<sent {
            var rows: [PGRow] = []
            var fail: PGFailure?
            while let r = PQgetResult(conn) {
                switch PQresultStatus(r) {
                case PGRES_TUPLES_OK, PGRES_COMMAND_OK: rows += self.rows(r)
                case PGRES_PIPELINE_ABORTED: fail = fail ?? PGFailure(sqlState: nil, message: "not run: an earlier statement of the same pipeline failed")
                default: fail = fail ?? failure(r)
                }
                PQclear(r)
            }
            out.append(fail.map { .failure($0) } ?? .success(rows))
        }
        // The sync point, then nothing more is pending and the pipeline can be left.
        if synced {
            while let r = PQgetResult(conn) {
                let done = PQresultStatus(r) == PGRES_PIPELINE_SYNC
                PQclear(r)
                if done { break }
            }
        }
        let left = PQexitPipelineMode(conn) == 1
        guard sent == steps.count, synced, left else { throw connectionFailure() }
        return out
    }

    private func connectionFailure() -> PGFailure {
        PGFailure(sqlState: nil, message: Self.clean(String(cString: PQerrorMessage(conn))))
    }

    /// Runs one or more parameterless statements separated by `;` in one round trip (libpq's
    /// simple query protocol) and returns the rows of the last one, in text format. A failing
    /// statement ends the string there.
    @discardableResult
    func exec(_ sql: String) throws(PGFailure) -> [PGRow] {
        let result = PQexec(conn, sql)
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else { throw failure(result) }
        return rows(result)
    }

    /// Runs `COPY (…) TO STDOUT` and hands each data message to `body` as it arrives.
    func copyOut(_ sql: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let result = run(sql, [], binary: false)
        let status = PQresultStatus(result)
        let startFailure: PGFailure? = status == PGRES_COPY_OUT ? nil : failure(result)
        PQclear(result)
        if let startFailure { throw startFailure }
        var bodyError: Error?
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let n = PQgetCopyData(conn, &buffer, 0)
            if n > 0, let buffer {
                defer { PQfreemem(buffer) }
                if bodyError == nil {
                    do { try body(UnsafeRawBufferPointer(start: buffer, count: Int(n))) } catch { bodyError = error }
                }
                continue
            }
            if n == -2 { throw PGFailure(sqlState: nil, message: Self.clean(String(cString: PQerrorMessage(conn)))) }
            break
        }
        // Drain the final result(s) of the COPY.
        var end: PGFailure?
        while let r = PQgetResult(conn) {
            if PQresultStatus(r) != PGRES_COMMAND_OK && end == nil { end = failure(r) }
            PQclear(r)
        }
        if let bodyError { throw bodyError }
        if let end { throw end }
    }

    private func run(_ sql: String, _ params: [PGParam], binary: Bool) -> OpaquePointer? {
        let types: [Oid] = params.map { if case .bytes = $0 { return 17 } else { return 0 } }
        return withParams(params) { n, values, lengths, formats in
            PQexecParams(conn, sql, n, types, values, lengths, formats, binary ? 1 : 0)
        }
    }

    /// Hands libpq the parameters' values (each NUL-terminated; binary values carry their
    /// length), lengths and formats.
    private func withParams<R>(_ params: [PGParam], _ body: (Int32, [UnsafePointer<CChar>?], [Int32], [Int32]) -> R) -> R {
        let formats: [Int32] = params.map { if case .bytes = $0 { return 1 } else { return 0 } }
        let storage: [[UInt8]] = params.map {
            switch $0 {
            case .text(let s): return Array(s.utf8) + [0]
            case .bytes(let b): return b.isEmpty ? [0] : b
            }
        }
        let lengths: [Int32] = params.map { if case .bytes(let b) = $0 { return Int32(clamping: b.count) } else { return 0 } }
        let pointers = storage.map { bytes -> UnsafeMutablePointer<CChar> in
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
            bytes.withUnsafeBytes { raw in
                if let base = raw.baseAddress { UnsafeMutableRawPointer(p).copyMemory(from: base, byteCount: raw.count) }
            }
            return p
        }
        defer { pointers.forEach { $0.deallocate() } }
        let values: [UnsafePointer<CChar>?] = pointers.map { UnsafePointer($0) }
        return body(Int32(params.count), values, lengths, formats)
    }

    private func failure(_ result: OpaquePointer?) -> PGFailure {
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        let message = PQresultErrorMessage(result).map { String(cString: $0) } ?? ""
        let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { Self.clean(String(cString: $0)) }
        return PGFailure(sqlState: state, message: Self.clean(message.isEmpty ? String(cString: PQerrorMessage(conn)) : message), primary: primary)
    }
}
