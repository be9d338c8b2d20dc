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
    /// Appends one batch on a connection of its own (see `PostgresAppender.append`).
    func append(_ make: (LogTail) throws -> (rows: [AppendRow], maxTime: String?)) throws -> LogTail {
        var appender = try PostgresAppender(store: self)
        return try appender.append(make)
    }

    /// A unique index refused a row (an id already in the log); the transaction is rolled back.
    struct DuplicateRow: Error {}
}

/// One connection to the PostgreSQL store kept across appends (`record --batch-size` streams
/// many batches through one): the schema is checked once at connection, and the key events,
/// which only grow, are read once and then only those after the last one seen.
struct PostgresAppender {
    let store: PostgresStore
    let connection: PGConnection
    /// Key registrations and revocations of the rows up to `keysThrough`.
    private var keys = LogTail()
    private var keysThrough: Int64 = 0

    init(store: PostgresStore) throws(PostgresStoreError) {
        self.store = store
        connection = try store.connect()
    }

    /// The tail statement: the last row, and the key events after those already seen.
    static let tailSQL = """
        (SELECT seq, line, false FROM trailpack_events ORDER BY seq DESC LIMIT 1)
        UNION ALL
        (SELECT seq, line, true FROM trailpack_events WHERE key_event AND seq > $1::bigint ORDER BY seq)
        """

    /// Appends one batch in one transaction: locks the log's head row (`SELECT … FOR UPDATE` on
    /// `trailpack_head`, so writers on any machine queue there), reads the tail (last row, latest
    /// time, key events), lets `make` check the batch and chain it, inserts the rows and updates
    /// the head, and commits all or nothing. Returns the tail the batch was chained to.
    ///
    /// Two round trips, each a libpq pipeline: `BEGIN`, the head lock and the tail statement
    /// (which runs once the lock is granted, with a snapshot taken then, so it sees every batch
    /// committed before); then the insert with the head update, and `COMMIT`. The tail and
    /// insert statements are prepared once per connection.
    mutating func append(_ make: (LogTail) throws -> (rows: [AppendRow], maxTime: String?)) throws -> LogTail {
        let c = connection
        let target = store.target
        func failed(_ what: String, _ detail: String) -> PostgresStoreError {
            _ = try? c.exec("ROLLBACK")
            return .queryFailed(target, what: what, detail: detail)
        }
        let opened: [Result<[PGRow], PGFailure>]
        do {
            opened = try c.pipeline([
                .init(sql: "BEGIN"),
                .init(sql: "SELECT max_time FROM trailpack_head FOR UPDATE"),
                .init(sql: Self.tailSQL, params: [.text(String(keysThrough))], binary: true, prepared: "trailpack_tail"),
            ])
        } catch {
            throw failed("locking the log head (trailpack_head)", error.message)
        }
        let head: [PGRow], tailRows: [PGRow]
        switch (opened[0], opened[1], opened[2]) {
        case (.success, .success(let h), .success(let t)): (head, tailRows) = (h, t)
        case (.failure(let e), _, _), (_, .failure(let e), _):
            throw failed("locking the log head (trailpack_head)", e.message)
        case (_, _, .failure(let e)):
            throw failed("reading the last row and the key events of trailpack_events", e.message)
        }
        do {
            let tail = try lockedTail(head: head, rows: tailRows)
            let (rows, maxTime) = try make(tail)
            var steps = insertSteps(rows, maxTime: maxTime)
            steps.append(.init(sql: "COMMIT"))
            let done: [Result<[PGRow], PGFailure>]
            do { done = try c.pipeline(steps) } catch {
                throw failed("inserting into trailpack_events", error.message)
            }
            for (i, r) in done.enumerated() {
                guard case .failure(let e) = r else { continue }
                if e.sqlState == "23505" {
                    _ = try? c.exec("ROLLBACK")
                    throw PostgresStore.DuplicateRow()
                }
                throw failed(i == done.count - 1 ? "committing the append" : "inserting into trailpack_events", e.message)
            }
            return tail
        } catch {
            _ = try? c.exec("ROLLBACK")
            throw error
        }
    }

    /// The statements inserting the rows (at most 1,000 each); the last one also sets the head's
    /// latest time (a data-modifying WITH).
    private func insertSteps(_ rows: [AppendRow], maxTime: String?) -> [PGConnection.Step] {
        var steps: [PGConnection.Step] = []
        var i = 0
        repeat {
            let chunk = rows[i..<min(rows.count, i + 1000)]
            let last = chunk.endIndex == rows.count
            var sql = "INSERT INTO trailpack_events (seq, id, key_event, line) VALUES "
            var params: [PGParam] = []
            params.reserveCapacity(4 * chunk.count + 1)
            for (k, r) in chunk.enumerated() {
                if k > 0 { sql += ", " }
                sql += "($\(4 * k + 1)::bigint, $\(4 * k + 2), $\(4 * k + 3)::boolean, $\(4 * k + 4))"
                params += [.text(String(r.seq)), .bytes(r.id), .text(r.keyEvent ? "t" : "f"), .bytes(r.line)]
            }
            if last {
                sql = "WITH appended AS (\(sql) RETURNING 1) UPDATE trailpack_head SET max_time = $\(params.count + 1)"
                params.append(.text(maxTime ?? ""))
            }
            steps.append(.init(sql: sql, params: params, prepared: "trailpack_append_\(chunk.count)_\(last ? 1 : 0)"))
            i += chunk.count
        } while i < rows.count
        return steps
    }

    /// The tail under the head lock: last row's seq and hash (checked as `record` checks the last
    /// line of a segment), the latest time, and the key registrations and revocations.
    private mutating func lockedTail(head: [PGRow], rows: [PGRow]) throws -> LogTail {
        let target = store.target
        guard head.count == 1 else {
            throw PostgresStoreError.queryFailed(target, what: "locking the log head", detail: "table trailpack_head must hold exactly one row, it holds \(head.count)")
        }
        var tail = LogTail()
        if let text = head[0].text(0), !text.isEmpty, case .valid(let t) = Timestamp.parse(text) { tail.maxTime = (t, text) }
        for row in rows.dropFirst() {
            guard let seqBytes = row.columns[0], let line = row.columns[1] else { continue }
            keysThrough = max(keysThrough, seqBytes.reduce(Int64(0)) { $0 << 8 | Int64($1) })
            if let o = (try? JSONReader().parse(line))?.objectValue { keys.noteKeyEvent(o) }
        }
        if let row = rows.first, let seqBytes = row.columns[0], let line = row.columns[1] {
            let rowSeq = seqBytes.reduce(Int64(0)) { $0 << 8 | Int64($1) }
            let at = SourceLocation(file: "seq \(rowSeq)")
            let raw = RawLine(segment: 0, line: Int(clamping: rowSeq), range: 0..<line.count, terminated: true, tooLong: line.count > AuditStore.maxLineBytes)
            let (seq, hash) = try LogTail.checkLastLine(raw, line, at: at)
            guard seq == rowSeq else {
                throw RecordError.damagedTail(at, reason: "the last row's seq column \(rowSeq) differs from its event's seq \(seq)")
            }
            tail.lastSeq = seq
            tail.lastHash = hash
            tail.eventCount = Int(clamping: seq)
            tail.lineCount = tail.eventCount
        }
        tail.keyOwners = keys.keyOwners
        tail.keyNames = keys.keyNames
        tail.revoked = keys.revoked
        return tail
    }

    /// Whether an id is in the log (for the message after a unique-index refusal).
    func containsID(_ id: [UInt8]) throws -> Bool {
        try !store.run(connection, "looking up an id", "SELECT 1 FROM trailpack_events WHERE id = $1", [.bytes(id)]).isEmpty
    }
}

extension Recorder {
    /// `record` on the PostgreSQL store: the same checks and lines as on files, appended in one
    /// transaction under the head lock. Ids are unique by the database.
    func recordInPostgreSQL(_ events: [PreparedEvent], store: PostgresStore, skew: Int64, dryRun: Bool = false) throws -> RecordResult {
        var appender = try PostgresAppender(store: store)
        return try recordInPostgreSQL(events, appender: &appender, skew: skew, dryRun: dryRun)
    }

    /// Ends a dry run's transaction after every check (the appender rolls back), with the tail.
    private struct DryRunStop: Error {
        var tail: LogTail
    }

    /// One batch through a kept connection (`record --batch-size`).
    func recordInPostgreSQL(_ events: [PreparedEvent], appender: inout PostgresAppender, skew: Int64,
                            roundTripChecked: Bool = false, dryRun: Bool = false) throws -> RecordResult {
        let tail: LogTail
        do {
            tail = try appender.append { tail in
                try check(events, against: tail, skew: skew)
                let lines = try Recorder.chain(events, after: tail, roundTripChecked: roundTripChecked)
                var latest = tail.maxTime
                var rows: [AppendRow] = []
                rows.reserveCapacity(events.count)
                for (n, e) in zip(events.indices, events) {
                    if latest.map({ e.time > $0.time }) ?? true { latest = (e.time, e.timeText) }
                    rows.append(AppendRow(seq: tail.lastSeq + 1 + Int64(n), id: e.id.bytes,
                                          keyEvent: e.action == "key.registered" || e.action == "key.revoked", line: lines[n]))
                }
                if dryRun { throw DryRunStop(tail: tail) }
                return (rows, latest?.text)
            }
        } catch let stop as DryRunStop {
            tail = stop.tail
        } catch is PostgresStore.DuplicateRow {
            for e in events where try appender.containsID(e.id.bytes) {
                throw RecordError.duplicateID(e.id.string, e.input.field("id"), earlier: nil)
            }
            throw PostgresStoreError.queryFailed(appender.store.target, what: "inserting into trailpack_events", detail: "a unique index refused the batch; retry")
        }
        return RecordResult(
            appended: events.count, firstSeq: tail.lastSeq + 1, lastSeq: tail.lastSeq + Int64(events.count),
            treeSize: tail.eventCount + events.count, segment: "the PostgreSQL audit store",
            signed: events.filter(\.signedHere).count)
    }
}
