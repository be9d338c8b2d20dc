import Dispatch
import Foundation

/// Options of a verification run.
public struct VerifyOptions: Sendable {
    /// Fingerprints trusted for checkpoints and signatures; nil trusts `keys/` as found.
    public var trust: TrustList?
    /// Lines per batch handed to the parallel analysis.
    public var batchLines: Int = 4096

    public init(trust: TrustList? = nil) { self.trust = trust }
}

/// Per-segment figures for the integrity page.
public struct SegmentSummary: Sendable, Hashable {
    public var path: String
    public var lines: Int
    public var events: Int64
    public var bytes: Int
}

/// Everything `verify` learned about a pack source's audit store.
public struct IntegrityResult: Sendable {
    public var config: Config
    /// Findings of the integrity rules, sorted.
    public var findings: [Finding]
    public var treeSize: Int
    public var root: SHA256.Digest
    public var checkpoints: [LoadedCheckpoint]
    /// Events recorded after the largest consistent checkpoint.
    public var eventsAfterLastCheckpoint: Int
    public var keyring: Keyring
    public var keyOwners: [String: JSONString]
    public var revokedAt: [String: Int64]
    /// The last event's time: the pack's "as of" time.
    public var asOf: Timestamp?
    /// The registrations that count (section 4.4).
    public var registrations: [String: KeyRegistration] = [:]
    /// The trust list's tree heads and whether the log agreed with them.
    public var trustTrees: [TrustTreeResult] = []
    public var segments: [SegmentSummary]
    public var lineCount: Int
    public var byteCount: Int
    /// The SHA-256 (or the problem) of every artifact file an event names, computed once by the
    /// verify pass and reused by the pages and report.json (``ArtifactChecker/init(source:digests:)``).
    public var artifactDigests: [String: Result<String, ArtifactChecker.ArtifactProblem>] = [:]
    /// The `seq` of each finding not listed (``FindingCap``), by rule, in log order.
    public var omittedSeqs: [RuleID: [Int64]] = [:]
}

/// Why verification could not run at all (exit 2).
public enum VerifyError: LocalizedError, Sendable {
    case emptyStore(String)

    public var errorDescription: String? {
        switch self {
        case .emptyStore(let p): return "\(p): the audit store holds no events; record events with `trailpack record` first"
        }
    }
}

/// A fixed-size buffer that parallel workers fill at distinct indices; every index must be
/// initialised (exactly once) before the buffer is read or released.
private final class Slots<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    /// Checked events are parked here after the fold, so that they are freed with the batch on a
    /// background thread instead of on the folding thread.
    let checked: UnsafeMutablePointer<CheckedEvent?>
    let count: Int
    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        checked = .allocate(capacity: max(count, 1))
        checked.initialize(repeating: nil, count: count)
    }
    deinit {
        pointer.deinitialize(count: count)
        pointer.deallocate()
        checked.deinitialize(count: count)
        checked.deallocate()
    }
}

/// Frees folded batches on a background thread: the folding thread hands over its only
/// reference, so the many small deallocations never run on it.
private final class Graveyard: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [AnyObject] = []
    private let queue = DispatchQueue(label: "trailpack.graveyard", qos: .utility)

    func bury(_ item: consuming AnyObject) {
        lock.lock()
        items.append(item)
        lock.unlock()
        queue.async { self.drain() }
    }

    private func drain() {
        lock.lock()
        var dead: [AnyObject] = []
        swap(&dead, &items)
        lock.unlock()
        dead.removeAll()
    }
}

/// Reads and verifies a pack source's audit store: streamed, analysed on all cores, folded in order.
public enum Verifier {
    /// The events to size the id set for: the store's bytes over the first batch's mean line
    /// length, with a quarter more (a set is sized in powers of two; one sized for far more
    /// events than the log holds costs memory for nothing, one too small doubles as it fills).
    static func expectedEvents(totalBytes: Int, firstBatch batch: LineBatch) -> Int {
        let bytes = batch.lines.reduce(0) { $0 + $1.range.count + 1 }
        guard !batch.lines.isEmpty, bytes > 0 else { return 0 }
        let mean = max(bytes / batch.lines.count, 64)
        let events = totalBytes / mean
        return min(events + events / 4, 50_000_000)
    }

    /// Verifies the audit store. `onEvent` sees every event, in log order, after its checks.
    public static func verify(source: URL, config: Config, options: VerifyOptions,
                              onEvent: ((CheckedEvent) throws -> Void)? = nil) throws -> IntegrityResult {
        let store = try LogStore.open(source: source, config: config)
        let keyring = Keyring(source: source, trust: options.trust)
        var pre = keyring.problems
        let checkpoints = CheckpointLoader.load(source: source, origin: config.origin, keyring: keyring, findings: &pre)
        var checker = IntegrityChecker(segments: store.segments, keyring: keyring, checkpoints: checkpoints,
                                       artifacts: ArtifactChecker(source: source), clockSkewSeconds: config.policy.clockSkewSeconds,
                                       keyAdministrators: config.policy.keyAdministrators, requireSigned: config.policy.requireSigned,
                                       expectedEvents: 0)
        // The id set is sized once the first batch shows the log's line length (see below).
        var sized = false
        var perSegment = store.segments.map { SegmentSummary(path: $0.path, lines: 0, events: 0, bytes: 0) }
        // A two-stage pipeline: worker threads analyse batch k+1 while this thread folds batch k
        // in log order; analysed batches are released on a background thread.
        var inflight: [(slots: Slots<LineAnalysis>, running: Parallel.Running)] = []
        let graveyard = Graveyard()
        func foldOldest() throws {
            let (slots, running) = inflight.removeFirst()
            running.wait()
            for i in 0..<slots.count {
                let segment = slots.pointer[i].segment
                perSegment[segment].lines += 1
                perSegment[segment].bytes += slots.pointer[i].byteCount
                if let checked = checker.fold(&slots.pointer[i]) {
                    perSegment[segment].events += 1
                    try onEvent?(checked)
                    slots.checked[i] = consume checked
                }
            }
            graveyard.bury(consume slots)
        }
        try store.readLines(batchLines: options.batchLines) { batch in
            let n = batch.lines.count
            if !sized {
                sized = true
                checker.sequence.reserve(Self.expectedEvents(totalBytes: store.totalBytes, firstBatch: batch))
            }
            let slots = Slots<LineAnalysis>(count: n)
            let running = Parallel.start(n) { range in
                for i in range {
                    (slots.pointer + i).initialize(to: LineAnalysis.analyze(batch.lines[i], in: batch, keyring: keyring))
                }
            }
            inflight.append((slots, running))
            if inflight.count > 2 { try foldOldest() }
        }
        while !inflight.isEmpty { try foldOldest() }
        checker.finish()
        if checker.eventCount == 0 && checker.lineCount == 0 {
            throw VerifyError.emptyStore(store.name)
        }
        let size = checker.merkle.size
        let consistentSizes = checker.checkpoints.filter { $0.consistent == true && !$0.validSigners.isEmpty }.map(\.size)
        let findings = (pre + checker.findings).sorted(by: Finding.ordered)
        return IntegrityResult(
            config: config, findings: findings, treeSize: size, root: checker.merkle.root,
            checkpoints: checker.checkpoints, eventsAfterLastCheckpoint: size - (consistentSizes.max() ?? 0),
            keyring: keyring, keyOwners: checker.keyOwners, revokedAt: checker.revokedAt, asOf: checker.lastTime,
            registrations: checker.registrations, trustTrees: checker.trustTrees,
            segments: perSegment, lineCount: checker.lineCount, byteCount: checker.byteCount,
            artifactDigests: checker.artifacts.cache, omittedSeqs: checker.cap.droppedSeqs)
    }
}
