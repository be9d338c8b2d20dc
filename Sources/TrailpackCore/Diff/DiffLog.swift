import Foundation

/// The Merkle leaf data of a checked event: `CheckedEvent.hashDigest`, which is what
/// `IntegrityChecker.fold` appends (the recorded `hash`, or the computed one when unusable).
enum DiffLeaf {
    static func data(_ c: CheckedEvent) -> SHA256.Digest { c.hashDigest }

    static func pointer(_ c: CheckedEvent, data: SHA256.Digest) -> EventPointer {
        EventPointer(index: Int(c.index), seq: c.event.seq, id: c.event.id?.string, action: c.event.action,
                     file: c.file, line: c.line, hash: data.hex)
    }
}

/// Collects OLD's leaf data (32 bytes per event) while OLD is analysed.
public struct OldLogCollector: Sendable {
    /// The leaf data (the events' recorded hashes), in log order.
    public private(set) var leafData: [SHA256.Digest] = []

    /// An empty collector.
    public init() {}

    /// Records one event; pass it every event of `Trailpack.analyze(source:trust:onEvent:)`.
    public mutating func observe(_ c: CheckedEvent) {
        leafData.append(DiffLeaf.data(c))
    }
}

/// Collects what the diff needs from NEW's log while NEW is analysed: the root of NEW's first
/// events up to OLD's tree size, NEW's leaf hashes after it (for the consistency proof), the
/// first event that differs from OLD's, and action and actor counts of the events after OLD's
/// tree size. Memory: 32 bytes per event added after OLD's size plus the counts (NEW's leaves up
/// to OLD's size are OLD's, already held, whenever a proof is made).
public struct NewLogCollector: Sendable {
    let oldLeafData: [SHA256.Digest]
    /// NEW's leaves up to OLD's tree size, streamed.
    private var prefix = MerkleAccumulator()
    /// NEW's leaf hashes after OLD's tree size.
    private var added: [SHA256.Digest] = []
    /// NEW's events observed.
    public private(set) var size = 0
    /// The first event of NEW whose leaf data differs from OLD's event at the same position.
    public private(set) var firstDifference: EventPointer?
    var actionCounts: [String: Int] = [:]
    var actorCounts: [String: Int] = [:]
    var firstAdded: Int?
    var lastAdded: Int?

    /// A collector comparing against OLD's leaf data.
    public init(old: OldLogCollector) {
        oldLeafData = old.leafData
    }

    /// The root of NEW's first events up to OLD's tree size (all of NEW when it is shorter).
    var rootAtOldSize: SHA256.Digest { prefix.root }

    /// The RFC 9162 consistency proof from OLD's tree size to NEW's. NEW's leaves up to OLD's size
    /// are taken from OLD's leaf data, which NEW's equal: only asked when no event differed (and
    /// the proof is verified against both roots by the caller).
    func consistencyProof() throws -> [SHA256.Digest] {
        guard firstDifference == nil, size >= oldLeafData.count else {
            throw DiffError.leafMismatch("no consistency proof: NEW's log does not start with OLD's events")
        }
        let old = oldLeafData, after = added
        return try MerkleTree.consistencyProof(from: old.count, to: size) { i in
            i < old.count ? old[i].withUnsafeBytes { MerkleHash.leaf($0) } : after[i - old.count]
        }
    }

    /// Records one event; pass it every event of `Trailpack.analyze(source:trust:onEvent:)`.
    public mutating func observe(_ c: CheckedEvent) {
        let data = DiffLeaf.data(c)
        let leaf = data.withUnsafeBytes { MerkleHash.leaf($0) }
        size += 1
        let position = size
        if position <= oldLeafData.count {
            prefix.append(leafHash: leaf)
            if firstDifference == nil, oldLeafData[position - 1] != data {
                firstDifference = DiffLeaf.pointer(c, data: data)
            }
        } else {
            added.append(leaf)
            actionCounts[c.event.action, default: 0] += 1
            actorCounts[c.event.actor.id.string, default: 0] += 1
            if firstAdded == nil { firstAdded = position }
            lastAdded = position
        }
    }

    /// The counts of the events after OLD's tree size.
    var addedEvents: AddedEvents {
        func sorted(_ d: [String: Int]) -> [KeyCount] {
            d.map { KeyCount(key: $0.key, count: $0.value) }
                .sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        }
        let count = max(0, size - oldLeafData.count)
        return AddedEvents(count: count, firstIndex: firstAdded, lastIndex: lastAdded,
                           byAction: sorted(actionCounts), byActor: sorted(actorCounts))
    }
}

/// Why a diff cannot be computed (exit 2).
public enum DiffError: LocalizedError, Sendable {
    /// The leaves collected from a log do not give the root the verifier computed (a bug).
    case leafMismatch(String)

    /// The message printed before exiting with status 2.
    public var errorDescription: String? {
        switch self {
        case .leafMismatch(let why): return "internal error: \(why)"
        }
    }
}

/// Compares OLD's and NEW's logs: the verdict, the consistency proof and its verification.
enum DiffLogComparison {
    static func compare(old: PackAnalysis, oldLog: OldLogCollector, new: PackAnalysis, newLog: NewLogCollector)
    throws -> DiffIntegrity {
        let oldSize = old.integrity.treeSize, newSize = new.integrity.treeSize
        let oldRoot = old.integrity.root, newRoot = new.integrity.root
        guard oldLog.leafData.count == oldSize, newLog.size == newSize else {
            throw DiffError.leafMismatch("collected \(oldLog.leafData.count) and \(newLog.size) leaves for logs of \(oldSize) and \(newSize) events")
        }
        let originsDiffer = old.config.origin != new.config.origin
        var result = DiffIntegrity(
            verdict: .rewritten, oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot,
            newRootAtOldSize: nil, proof: [], proofVerified: false, firstDifference: nil, originsDiffer: originsDiffer,
            message: "")
        if newSize >= oldSize {
            let prefixRoot = newLog.rootAtOldSize
            result.newRootAtOldSize = prefixRoot
            if prefixRoot == oldRoot {
                let proof = oldSize == 0 ? [] : try newLog.consistencyProof()
                do {
                    if oldSize > 0 {
                        try MerkleTree.verifyConsistency(size1: UInt64(oldSize), size2: UInt64(newSize),
                                                         root1: oldRoot, root2: newRoot, proof: proof)
                    }
                    result.proof = proof
                    result.proofVerified = true
                    if oldSize == newSize {
                        result.verdict = .identical
                        result.message = "NEW's log is OLD's log: \(newSize) events, the same Merkle root"
                    } else {
                        result.verdict = .extended
                        result.message = oldSize == 0
                            ? "OLD's log has no events; NEW's \(newSize) events extend it trivially"
                            : "NEW extends OLD: its first \(oldSize) events reproduce OLD's root and the consistency proof \(oldSize) → \(newSize) (\(ReleaseDiff.plural(proof.count, "hash", "hashes"))) verifies"
                    }
                    return result
                } catch {
                    throw DiffError.leafMismatch("the consistency proof computed from NEW's leaves does not verify: \(error.localizedDescription)")
                }
            }
        }
        // History rewritten: find the first position where the logs differ.
        let index: Int
        if let d = newLog.firstDifference {
            index = d.index
        } else {
            guard newSize < oldSize else {
                throw DiffError.leafMismatch("OLD's root differs from NEW's root at OLD's size, yet every leaf matches")
            }
            index = newSize + 1
        }
        let oldEvent = try locate(index: index, in: old)
        result.firstDifference = Divergence(index: index, new: newLog.firstDifference, old: oldEvent)
        let at = newLog.firstDifference ?? oldEvent
        let named = at.map { " (seq \($0.seq.map(String.init) ?? "?"), id \"\($0.id ?? "?")\")" } ?? ""
        result.message = newSize < oldSize
            ? "history rewritten: NEW holds \(newSize) events, fewer than OLD's \(oldSize); the first difference is at event \(index)\(named)"
            : "history rewritten: NEW's log does not contain OLD's as its prefix; the first difference is at event \(index)\(named)"
        return result
    }

    /// Thrown to stop streaming once the wanted event was seen.
    private struct Found: Error {}

    /// The event at 1-based `index` of a pack's log, found by streaming the log up to it with
    /// the verifier's own notion of an event (signatures are not checked: no keys are loaded).
    static func locate(index: Int, in pack: PackAnalysis) throws -> EventPointer? {
        let store = try AuditStore(source: pack.source)
        var keyring = Keyring(source: pack.source, trust: nil)
        keyring.keys = []
        var count = 0
        var found: EventPointer?
        do {
            try store.readLines { batch in
                for raw in batch.lines {
                    let a = LineAnalysis.analyze(raw, in: batch, keyring: keyring)
                    guard let e = a.event else { continue }
                    count += 1
                    if count == index {
                        let data = a.recordedHash ?? a.computedHash ?? SHA256.Digest.zero
                        found = EventPointer(index: index, seq: e.seq, id: e.id?.string, action: e.action,
                                             file: store.segments[a.segment].path, line: a.line, hash: data.hex)
                        throw Found()
                    }
                }
            }
        } catch is Found {}
        return found
    }
}
