/// A checkpoint file as read and signature-checked before the log is streamed.
public struct LoadedCheckpoint: Sendable, Hashable {
    /// `checkpoints/<name>.checkpoint`.
    public var file: String
    public var origin: String
    public var size: Int
    /// The 32-byte root hash it attests.
    public var root: SHA256.Digest
    /// Names of trusted keys whose signatures verified.
    public var validSigners: [String]
    /// Set once the log was streamed: whether the log's root at `size` equals `root`.
    public var consistent: Bool?
}

/// An event after the in-order checks: what later stages (rules, pages) consume.
public struct CheckedEvent: Sendable {
    public var event: Event
    /// The event's position in the log (1-based count of events, which is `seq` in a sound log).
    public var index: Int64
    /// `audit/<segment>.jsonl`, or empty for a row of the PostgreSQL store (located by `seq`).
    public var file: String
    public var line: Int
    /// The recorded (or, if unusable, computed) hash: the Merkle leaf data.
    public var hashDigest: SHA256.Digest
    /// Lowercase hex of `hashDigest`.
    public var hash: String { hashDigest.hex }
    /// True when the event carries a signature that verified by a trusted, registered, unrevoked key of its signer.
    public var signatureValid: Bool
    /// A short, human-readable verification result of the signature (nil when unsigned).
    public var signatureStatus: String?
    /// The fingerprint of the signing key, when known.
    public var keyFingerprint: String?
    /// False when the event's action is in `policy.requireSigned` and it lacks a valid signature by a
    /// key of its actor (SIG-REQUIRED): it then counts for no other rule.
    public var counts = true
}

/// The registration that binds a key to its owner for good (contract section 4.4).
public struct KeyRegistration: Sendable, Hashable {
    public var owner: JSONString
    /// The owner's printed name (`data.name`), if the registration gave it.
    public var name: String?
    public var seq: Int64
    /// The key's fingerprint as the registration recorded it (`data.fingerprint`, 64 lowercase
    /// hex digits), if it did: a revocation also binds it.
    public var fingerprint: String? = nil
}

/// A `tree` line of the trust list and whether the log agreed with it.
public struct TrustTreeResult: Sendable, Hashable {
    public var tree: TrustTree
    /// Nil until the log reached its size; false when shorter or with another root.
    public var consistent: Bool?
}

/// The in-order pass over `LineAnalysis` values in log order: the shared state (Merkle stack,
/// checkpoints, times, key registrations and revocations) and the calls, in a fixed order, of
/// the rules that run here (INT-*, AT-*, SIG-* but SIG-SOD; each decides in its own file).
public struct IntegrityChecker: Sendable {
    let segments: [Segment]
    let keyring: Keyring
    let skew: Int64
    public private(set) var findings: [Finding] = []
    public private(set) var merkle = MerkleAccumulator()
    public private(set) var checkpoints: [LoadedCheckpoint]
    public private(set) var lastTime: Timestamp?
    public private(set) var maxTime: Timestamp?
    public private(set) var eventCount: Int64 = 0
    public private(set) var lineCount: Int = 0
    public private(set) var byteCount: Int = 0
    /// Key name -> owner actor id named by its first `key.registered` (as the log says, valid or not).
    public private(set) var keyOwners: [String: JSONString] = [:]
    /// Key name -> the registration that counts (first one, agreeing with the trust line's owner).
    public private(set) var registrations: [String: KeyRegistration] = [:]
    /// Tree heads of the trust list, checked against the log.
    public private(set) var trustTrees: [TrustTreeResult] = []
    let keyAdministrators: Set<JSONString>
    let requireSigned: Set<JSONString>
    /// The revocations that took effect, by key name and by public key.
    public private(set) var revocations = KeyRevocations()
    /// Key name -> seq of the `key.revoked` event that revoked its public key.
    public var revokedAt: [String: Int64] { revocations.seqByName }
    var artifacts: ArtifactChecker
    var chain = IntChain()
    var sequence: IntSeq
    var checkpointsBySize: [Int: [Int]] = [:]
    /// At most ``FindingCap/perRule`` findings of each rule are kept.
    private(set) var cap = FindingCap()
    /// The finding of the latest run of lines that are not events: its index in `findings`, its
    /// segment, last line and problems (a next line with the same problems joins it).
    var noteRun: (index: Int, segment: Int, lastLine: Int, problems: [String])?

    init(segments: [Segment], keyring: Keyring, checkpoints: [LoadedCheckpoint], artifacts: ArtifactChecker, clockSkewSeconds: Int64,
         keyAdministrators: [JSONString] = [], requireSigned: [JSONString] = [], expectedEvents: Int = 0) {
        self.keyAdministrators = Set(keyAdministrators)
        self.requireSigned = Set(requireSigned)
        self.trustTrees = (keyring.trust?.trees ?? []).map { TrustTreeResult(tree: $0, consistent: nil) }
        self.sequence = IntSeq(expectedEvents: expectedEvents)
        self.segments = segments
        self.keyring = keyring
        self.checkpoints = checkpoints
        self.artifacts = artifacts
        self.skew = clockSkewSeconds
        for (i, c) in checkpoints.enumerated() { checkpointsBySize[c.size, default: []].append(i) }
    }

    /// Checks one line in log order; returns the event for later stages, or nil for a non-event line.
    mutating func fold(_ a: inout LineAnalysis) -> CheckedEvent? {
        lineCount += 1
        byteCount += a.byteCount
        let rowLocated = segments[a.segment].seqLocated
        let file: String? = rowLocated ? nil : segments[a.segment].path
        let line: Int? = rowLocated ? nil : a.line
        // Move the event out of the analysis (no copy); the caller keeps the checked event.
        var taken: Event?
        swap(&taken, &a.event)
        guard let e = taken else {
            // Consecutive lines of a segment file with the same problems are one finding.
            if let run = noteRun, !rowLocated, run.segment == a.segment, run.lastLine + 1 == a.line, run.problems == a.parseProblems {
                findings[run.index].lastLine = a.line
                noteRun?.lastLine = a.line
                return nil
            }
            let f = IntParse.finding(a.parseProblems, at: FindingPlace(file: file, line: line, seq: rowLocated ? Int64(a.line) : nil))
            if cap.admit(f) {
                findings.append(f)
                if !rowLocated { noteRun = (findings.count - 1, a.segment, a.line, a.parseProblems) }
            }
            return nil
        }
        let before = findings.count
        defer { cap.filter(&findings, from: before) }
        eventCount += 1
        let seq = e.seq
        // A row of the PostgreSQL store is located by its own `seq` column (where an inspector
        // finds it), an event of a segment file by file and line, and the event's seq.
        let place = FindingPlace(file: file, line: line, seq: rowLocated ? Int64(a.line) : seq)
        if !a.parseProblems.isEmpty { findings.append(IntParse.finding(a.parseProblems, at: place)) }
        if rowLocated, let s = seq, s != Int64(a.line) {
            findings.append(place.finding(.intSeq, "the row's seq column is \(a.line) but its event's seq is \(s): a row was renumbered in the database"))
        }
        sequence.observe(e, idKey: a.idKey, position: eventCount, at: place, into: &findings)
        let computed = a.computedHash ?? SHA256.Digest.zero
        IntHash.check(e, computed: computed, at: place, into: &findings)
        let leaf = e.hashDigest ?? computed
        chain.observe(e, leaf: leaf, at: place, into: &findings)
        merkle.append(leafHash: a.leafHash ?? leaf.withUnsafeBytes { MerkleHash.leaf($0) })
        let size = merkle.size
        let due = checkpointsBySize[size]
        if due != nil || trustTrees.contains(where: { $0.tree.size == size }) {
            IntCheckpoint.observe(size: size, root: merkle.root, due: due, checkpoints: &checkpoints, trustTrees: &trustTrees,
                                  trustPath: keyring.trust?.path, into: &findings)
        }
        IntTime.observe(e, time: a.time, skew: skew, maxTime: &maxTime, lastTime: &lastTime, at: place, into: &findings)
        // The rules of the event alone, checked on the workers (`EventRules`).
        for p in a.ruleProblems { findings.append(place.finding(p.rule, p.message)) }
        IntArtifact.check(e.refs, artifacts: &artifacts, at: place, into: &findings)
        // Signatures.
        var checked = CheckedEvent(event: Event.placeholder, index: eventCount, file: file ?? "", line: line ?? 0, hashDigest: leaf,
                                   signatureValid: false, signatureStatus: nil, keyFingerprint: nil)
        if let sig = e.signature {
            SignatureChecks.check(sig, e, crypto: a.signature, keyring: keyring, registrations: registrations, revocations: revocations,
                                  skew: skew, checked: &checked, at: place, into: &findings)
        }
        SigRequired.check(e, requireSigned: requireSigned, checked: &checked, at: place, into: &findings)
        // Key state changes take effect after this event.
        if checked.counts {
            SigKey.apply(e, signatureValid: checked.signatureValid, seq: seq ?? eventCount, keyring: keyring, keyAdministrators: keyAdministrators,
                         keyOwners: &keyOwners, registrations: &registrations, revocations: &revocations, at: place, into: &findings)
        }
        checked.event = consume e
        return checked
    }

    /// Findings that need the whole log: checkpoints longer than the log; then one finding per
    /// rule that had findings left out (``FindingCap``).
    mutating func finish() {
        IntCheckpoint.finish(size: merkle.size, checkpoints: &checkpoints, trustTrees: &trustTrees, trustPath: keyring.trust?.path,
                             into: &findings)
        findings += cap.summaries
    }
}
