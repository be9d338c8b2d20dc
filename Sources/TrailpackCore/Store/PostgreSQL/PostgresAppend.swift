import Foundation

/// One row to insert: the event's canonical line and what the database indexes.
struct AppendRow: Sendable {
    var seq: Int64
    /// The id's UTF-8 bytes (unique by the database).
    var id: [UInt8]
    var keyEvent: Bool
    var line: [UInt8]
}

extension PostgresStore {
    /// Appends one batch in one transaction: locks the log's head row (`SELECT … FOR UPDATE` on
    /// `trailpack_head`, so writers on any machine queue there), reads the tail (last row, latest
    /// time, key events), lets `make` check the batch and chain it, inserts the rows, and
    /// commits all or nothing. Returns the tail the batch was chained to.
    func append(_ make: (LogTail) throws -> (rows: [AppendRow], maxTime: String?)) throws -> LogTail {
        let c = try connect()
        _ = try run(c, "starting a transaction", "BEGIN")
        do {
            let tail = try lockedTail(c)
            let (rows, maxTime) = try make(tail)
            var i = 0
            while i < rows.count {
                let chunk = rows[i..<min(rows.count, i + 1000)]
                var sql = "INSERT INTO trailpack_events (seq, id, key_event, line) VALUES "
                var params: [PGParam] = []
                for (k, r) in chunk.enumerated() {
                    if k > 0 { sql += ", " }
                    sql += "($\(4 * k + 1)::bigint, $\(4 * k + 2), $\(4 * k + 3)::boolean, $\(4 * k + 4))"
                    params += [.text(String(r.seq)), .bytes(r.id), .text(r.keyEvent ? "t" : "f"), .bytes(r.line)]
                }
                do { try c.query(sql, params) } catch {
                    if error.sqlState == "23505" { throw DuplicateRow() }
                    throw PostgresStoreError.queryFailed(target, what: "inserting into trailpack_events", detail: error.message)
                }
                i += chunk.count
            }
            _ = try run(c, "updating trailpack_head", "UPDATE trailpack_head SET max_time = $1", [.text(maxTime ?? "")])
            _ = try run(c, "committing the append", "COMMIT")
            return tail
        } catch {
            _ = try? c.query("ROLLBACK")
            throw error
        }
    }

    /// A unique index refused a row (an id already in the log); the transaction is rolled back.
    struct DuplicateRow: Error {}

    /// The tail under the head lock: last row's seq and hash (checked as `record` checks the last
    /// line of a segment), the latest time, and the key registrations and revocations.
    private func lockedTail(_ c: PGConnection) throws -> LogTail {
        let head = try run(c, "locking the log head (trailpack_head)", "SELECT max_time FROM trailpack_head FOR UPDATE")
        guard head.count == 1 else {
            throw PostgresStoreError.queryFailed(target, what: "locking the log head", detail: "table trailpack_head must hold exactly one row, it holds \(head.count)")
        }
        var tail = LogTail()
        if let text = head[0].text(0), !text.isEmpty, case .valid(let t) = Timestamp.parse(text) { tail.maxTime = (t, text) }
        let last = try run(c, "reading the last row of trailpack_events",
                           "SELECT seq, line FROM trailpack_events ORDER BY seq DESC LIMIT 1", binary: true)
        if let row = last.first, let seqBytes = row.columns[0], let line = row.columns[1] {
            let rowSeq = seqBytes.reduce(Int64(0)) { $0 << 8 | Int64($1) }
            let raw = RawLine(segment: 0, line: Int(clamping: rowSeq), range: 0..<line.count, terminated: true, tooLong: line.count > AuditStore.maxLineBytes)
            let (seq, hash) = try LogTail.checkLastLine(raw, line, at: SourceLocation(file: "seq \(rowSeq)"))
            guard seq == rowSeq else {
                throw RecordError.damagedTail(SourceLocation(file: "seq \(rowSeq)"), reason: "the last row's seq column \(rowSeq) differs from its event's seq \(seq)")
            }
            tail.lastSeq = seq
            tail.lastHash = hash
            tail.eventCount = Int(clamping: seq)
            tail.lineCount = tail.eventCount
        }
        let keys = try run(c, "reading key events", "SELECT line FROM trailpack_events WHERE key_event ORDER BY seq", binary: true)
        for row in keys {
            guard let line = row.columns[0], let o = (try? JSONReader().parse(line))?.objectValue,
                  let action = o["action"]?.jsonString, let key = o["subject"]?["id"]?.stringValue else { continue }
            if action.equals("key.registered"), let owner = o["data"]?["owner"]?.jsonString {
                tail.keyOwners[key] = owner
            } else if action.equals("key.revoked") {
                tail.revoked.insert(key)
            }
        }
        return tail
    }

    /// Whether an id is in the log (for the message after a unique-index refusal).
    func containsID(_ id: [UInt8]) throws -> Bool {
        let c = try connect()
        return try !run(c, "looking up an id", "SELECT 1 FROM trailpack_events WHERE id = $1", [.bytes(id)]).isEmpty
    }
}

extension Recorder {
    /// `record` on the PostgreSQL store: the same checks and lines as on files, appended in one
    /// transaction under the head lock. Ids are unique by the database.
    func recordInPostgreSQL(_ events: [PreparedEvent], store: PostgresStore, skew: Int64) throws -> RecordResult {
        let tail: LogTail
        do {
            tail = try store.append { tail in
                try check(events, against: tail, skew: skew)
                let lines = try Recorder.chain(events, after: tail)
                var latest = tail.maxTime
                var rows: [AppendRow] = []
                for (n, e) in zip(events.indices, events) {
                    if latest.map({ e.time > $0.time }) ?? true { latest = (e.time, e.timeText) }
                    rows.append(AppendRow(seq: tail.lastSeq + 1 + Int64(n), id: e.id.bytes,
                                          keyEvent: e.action == "key.registered" || e.action == "key.revoked", line: lines[n]))
                }
                return (rows, latest?.text)
            }
        } catch is PostgresStore.DuplicateRow {
            for e in events where try store.containsID(e.id.bytes) {
                throw RecordError.duplicateID(e.id.string, e.input.field("id"), earlier: nil)
            }
            throw PostgresStoreError.queryFailed(store.target, what: "inserting into trailpack_events", detail: "a unique index refused the batch; retry")
        }
        return RecordResult(
            appended: events.count, firstSeq: tail.lastSeq + 1, lastSeq: tail.lastSeq + Int64(events.count),
            treeSize: tail.eventCount + events.count, segment: "the PostgreSQL audit store",
            signed: events.filter(\.signedHere).count)
    }
}
