import Foundation

/// What `trailpack record --batch-size` appended over the whole input.
public struct RecordStreamResult: Sendable, Equatable {
    /// The number of events appended.
    public var appended = 0
    /// The number of batches committed.
    public var batches = 0
    /// `seq` of the first and last event this run appended (0 when none).
    public var firstSeq: Int64 = 0
    public var lastSeq: Int64 = 0
    /// How many events `record` signed with `--sign-key`.
    public var signed = 0

    mutating func add(_ r: RecordResult) {
        if appended == 0 { firstSeq = r.firstSeq }
        appended += r.appended
        batches += 1
        lastSeq = r.lastSeq
        signed += r.signed
    }
}

/// `record --batch-size` stopped at a refused event or a failed append after committing earlier
/// batches: the cause, and what stays in the log.
public struct RecordStreamStopped: LocalizedError, Sendable {
    /// The message of the refusal or failure (naming the input line).
    public var reason: String
    /// What was committed before it.
    public var committed: RecordStreamResult
    /// The input lines of the batch that was not recorded (the refused event's batch).
    public var batchLines: ClosedRange<Int>?

    public var errorDescription: String? {
        var cause = reason
        for suffix in ["; nothing was recorded", "; nothing was appended."] where cause.hasSuffix(suffix) {
            cause.removeLast(suffix.count)
        }
        let c = committed
        let batch = batchLines.map { $0.count == 1 ? "input line \($0.lowerBound)" : "input lines \($0.lowerBound)-\($0.upperBound)" }
        return cause + ". The batch of \(batch ?? "this event") was not recorded; the \(c.appended) event\(c.appended == 1 ? "" : "s") of the "
            + "\(c.batches) batch\(c.batches == 1 ? "" : "es") before it were (seq \(c.firstSeq)-\(c.lastSeq)) and stay in the log: "
            + "fix the input and record again from line \(batchLines?.lowerBound ?? 1)"
    }
}

extension Trailpack {
    /// The largest `--batch-size`: a batch is held in memory and written in one transaction.
    public static let maxBatchSize = 10_000

    /// `trailpack record --batch-size N`: reads JSON Lines events from `inputPath` (standard
    /// input when nil) as they arrive and appends every `batchSize` events, and the remainder at
    /// the end of the input, as a batch of its own, all or none, through one connection to the
    /// PostgreSQL store (or one lock acquisition per batch on files). Each event is checked as it
    /// is read, with the same refusals as `record`; `committed` is called after each batch is
    /// durable. A refusal ends the run: batches before it stay committed, and the error
    /// (`RecordStreamStopped`, or the refusal itself when nothing was committed) says so.
    public static func recordStream(source: String, inputPath: String?, inputName: String, batchSize: Int, signKey: String?,
                                    committed: (RecordResult) -> Void) throws -> RecordStreamResult {
        guard (1...maxBatchSize).contains(batchSize) else {
            throw RecordError.invalidField("--batch-size", SourceLocation(file: "arguments"), problem: "must be 1 to \(maxBatchSize), is \(batchSize)")
        }
        let fd: FileDescriptor
        if let inputPath {
            do { fd = try DurableFiles.open(inputPath, O_RDONLY) } catch {
                throw RecordError.inputUnreadable(inputPath, reason: FileProblem.reading(inputPath, fix: "give --event an existing JSON Lines file, or - for standard input"))
            }
        } else {
            fd = FileDescriptor(dup(0))
        }
        var stream = try RecordStream(source: source, signKey: signKey, batchSize: batchSize)
        return try stream.run(fd: fd.fd, inputName: inputName, committed: committed)
    }
}

/// The streaming append path: events checked one by one as they are read, then appended in
/// batches through `Recorder`, keeping what can be kept between batches (the connection to
/// PostgreSQL with its key state; the parsed keys of `--sign-key`).
struct RecordStream {
    /// Where the batches go.
    private enum Sink {
        case files(URL, Config)
        case postgresql(PostgresAppender, skew: Int64)
    }

    var recorder: Recorder
    let batchSize: Int
    private var sink: Sink
    private var preparer: EventPreparer

    init(source: String, signKey: String?, batchSize: Int) throws {
        recorder = Recorder(source: source, signKeyPath: signKey)
        self.batchSize = batchSize
        let (sourceURL, config) = try Trailpack.writableSource(source)
        let key = try signKey.map { path throws(RecordError) in (key: try Trailpack.loadPrivateKey(path), path: path) }
        preparer = EventPreparer(source: sourceURL, signKey: key)
        if let setting = config.store {
            sink = .postgresql(try PostgresAppender(store: PostgresStore(conninfo: setting.postgresql)), skew: config.policy.clockSkewSeconds)
        } else {
            sink = .files(sourceURL, config)
        }
    }

    mutating func run(fd: Int32, inputName: String, committed: (RecordResult) -> Void) throws -> RecordStreamResult {
        var total = RecordStreamResult()
        var batch: [PreparedEvent] = []
        batch.reserveCapacity(batchSize)
        var inputIDs: [IDKey: SourceLocation] = [:]
        var lastLine = 0
        func lines() -> ClosedRange<Int>? { batch.first.map { $0.location.line...max($0.location.line, lastLine) } }

        do {
            try EventInput.forEachLine(of: fd, name: inputName) { input in
                lastLine = input.location.line
                let e = try preparer.prepare(input)
                // Checked here, so that the work under the store's lock is only the chaining.
                try Recorder.checkRoundTrip(e)
                if let earlier = inputIDs[e.idKey] { throw RecordError.duplicateID(e.id.string, input.field("id"), earlier: earlier) }
                inputIDs[e.idKey] = input.field("id")
                batch.append(e)
                if batch.count == batchSize {
                    let r = try append(batch)
                    total.add(r)
                    committed(r)
                    batch.removeAll(keepingCapacity: true)
                    inputIDs.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty {
                let r = try append(batch)
                total.add(r)
                committed(r)
            }
        } catch {
            guard total.appended > 0 else { throw error }
            throw RecordStreamStopped(reason: error.localizedDescription, committed: total, batchLines: lines() ?? (lastLine...lastLine))
        }
        if total.appended == 0 { throw RecordError.emptyInput(inputName) }
        return total
    }

    /// Appends one batch: on files under the lock, reading the tail; on PostgreSQL in one
    /// transaction on the kept connection. The wall clock is read again for each batch.
    private mutating func append(_ events: [PreparedEvent]) throws -> RecordResult {
        recorder.now = Recorder.wallClock()
        switch sink {
        case .files(let url, let config):
            guard let r = try recorder.append(to: url, config: config, roundTripChecked: true, { _, _ in events }) else {
                throw RecordError.emptyInput("batch")
            }
            return r
        case .postgresql(var appender, let skew):
            defer { sink = .postgresql(appender, skew: skew) }
            return try recorder.recordInPostgreSQL(events, appender: &appender, skew: skew, roundTripChecked: true)
        }
    }
}
