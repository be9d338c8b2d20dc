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
}

/// The in-order integrity checks of contract section 7 (INT-*, AT-*, SIG-* but SIG-SOD), folded
/// over `LineAnalysis` values in log order. State is small: the previous hash, the Merkle stack,
/// the set of id digests, key registrations and revocations.
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
    /// Key name -> owner actor id, from `key.registered`.
    public private(set) var keyOwners: [String: JSONString] = [:]
    /// Key name -> seq of the `key.revoked` event.
    public private(set) var revokedAt: [String: Int64] = [:]
    var artifacts: ArtifactChecker
    var prevLink = SHA256.Digest.zero
    var prevLinkText: String?
    var ids = Set<IDKey>()
    var checkpointsBySize: [Int: [Int]] = [:]

    init(segments: [Segment], keyring: Keyring, checkpoints: [LoadedCheckpoint], artifacts: ArtifactChecker, clockSkewSeconds: Int64,
         expectedEvents: Int = 0) {
        ids.reserveCapacity(expectedEvents)
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
            findings.append(Finding(.intParse, a.parseProblems.joined(separator: "; "), file: file, line: line, seq: rowLocated ? Int64(a.line) : nil))
            return nil
        }
        eventCount += 1
        let seq = e.seq
        func add(_ rule: RuleID, _ message: String) {
            findings.append(Finding(rule, message, file: file, line: line, seq: seq ?? (rowLocated ? Int64(a.line) : nil)))
        }
        if !a.parseProblems.isEmpty { add(.intParse, a.parseProblems.joined(separator: "; ")) }
        // Sequence and ids.
        if let s = seq, s != eventCount {
            add(.intSeq, s < eventCount ? "seq \(s) repeats or goes back: event \(eventCount) of the log expected seq \(eventCount)"
                                         : "seq \(s) skips ahead: event \(eventCount) of the log expected seq \(eventCount) (events missing?)")
        }
        if let k = a.idKey, let id = e.id, !ids.insert(k).inserted {
            add(.intSeq, "id \"\(id.string)\" is used by an earlier event")
        }
        // Hash and chain.
        let computed = a.computedHash ?? SHA256.Digest.zero
        if let recorded = e.hashDigest {
            if recorded != computed {
                add(.intHash, "recorded hash \(recorded.hex) differs from the computed \(computed.hex)")
            }
        } else if let text = e.hash {
            add(.intHash, "hash \"\(text.prefix(80))\" is not 64 lowercase hex digits")
        }
        if let p = e.prevDigest {
            if p != prevLink || prevLinkText != nil {
                add(.intChain, "prev \(p.hex) is not the hash of the previous event (\(prevLinkText ?? prevLink.hex))")
            }
        } else if let p = e.prev {
            add(.intChain, "prev \"\(p.prefix(80))\" is not the hash of the previous event (\(prevLinkText ?? prevLink.hex))")
        }
        let leaf = e.hashDigest ?? computed
        prevLink = leaf
        prevLinkText = e.hashDigest == nil ? e.hash : nil
        merkle.append(leafHash: a.leafHash ?? leaf.withUnsafeBytes { MerkleHash.leaf($0) })
        if let idx = checkpointsBySize[merkle.size] {
            let root = merkle.root
            for i in idx {
                checkpoints[i].consistent = checkpoints[i].root == root
                if checkpoints[i].root != root {
                    findings.append(Finding(.intCheckpoint, "checkpoint attests root \(checkpoints[i].root.hex) for the first \(merkle.size) events, but the log's root is \(root.hex): the log was rewritten after the checkpoint (the change lies in events 1 to \(merkle.size))", file: checkpoints[i].file))
                }
            }
        }
        // Time.
        if let t = e.timeText, let parsed = a.time {
            switch parsed {
            case .missingOffset: add(.intTime, "time \"\(t)\" has no UTC offset (add Z or +hh:mm)")
            case .invalid: add(.intTime, "time \"\(t)\" is not an RFC 3339 date-time")
            case .valid(let ts):
                if let m = maxTime, ts.adding(seconds: skew) < m {
                    add(.intTime, "time \(t) is earlier than the latest time seen so far (\(m)) by more than \(skew) s")
                }
                if maxTime.map({ ts > $0 }) ?? true { maxTime = ts }
                lastTime = ts
            }
        }
        // Audit-trail content (checked during the analysis).
        for p in a.auditProblems { add(p.rule, p.message) }
        findings.append(contentsOf: artifacts.check(e.refs, file: file, line: line, seq: seq ?? (rowLocated ? Int64(a.line) : nil)))
        // Signatures.
        var checked = CheckedEvent(event: Event.placeholder, index: eventCount, file: file ?? "", line: line ?? 0, hashDigest: leaf,
                                   signatureValid: false, signatureStatus: nil, keyFingerprint: nil)
        if let sig = e.signature { checkSignature(sig, e, a.signature, &checked, add) }
        // Key state changes take effect after this event.
        if e.action == "key.registered", let owner = e.data["owner"]?.jsonString {
            keyOwners[e.subject.id.string] = owner
        }
        if e.action == "key.revoked", revokedAt[e.subject.id.string] == nil {
            revokedAt[e.subject.id.string] = seq ?? eventCount
        }
        checked.event = consume e
        return checked
    }

    private func checkSignature(_ sig: Signature, _ e: Event, _ crypto: SignatureCheck?, _ checked: inout CheckedEvent,
                                _ add: (RuleID, String) -> Void) {
        var ok = true
        var status: [String] = []
        var missing: [String] = []
        if (sig.name ?? "").isEmpty { missing.append("printed name") }
        if let t = sig.timeText, case .valid = Timestamp.parse(t) {} else { missing.append("time") }
        if !Signature.meanings.contains(sig.meaning ?? "") { missing.append("meaning (one of \(Signature.meanings.joined(separator: ", ")))") }
        if !missing.isEmpty {
            add(.sigManifest, "signature lacks " + missing.joined(separator: ", "))
        }
        if sig.signer?.bytes != e.actor.id.bytes {
            ok = false
            status.append("signer differs from actor")
            add(.sigSigner, "signature signer \"\(sig.signer?.string ?? "")\" differs from actor \"\(e.actor.id.string)\"")
        }
        let keyName = sig.key ?? ""
        checked.keyFingerprint = keyring.info(named: keyName)?.fingerprint
        switch crypto {
        case .verified?: break
        case .doesNotVerify?:
            ok = false; status.append("does not verify")
            add(.sigInvalid, "signature by key \(keyName) does not verify over this event")
        case .unsupportedAlgorithm(let alg)?:
            ok = false; status.append("unsupported algorithm")
            add(.sigInvalid, "signature algorithm \"\(alg)\" is not ed25519")
        case .malformed(let why)?:
            ok = false; status.append("malformed")
            add(.sigInvalid, why)
        case .unknownKey(let k)?:
            ok = false; status.append("unknown key")
            add(.sigKey, "signature by unknown key \(k): no keys/\(k).pem")
        case .untrustedKey(let k)?:
            ok = false; status.append("key not trusted")
            add(.sigKey, "signature by key \(k) (fingerprint \(checked.keyFingerprint ?? "?")) which is not in the trust list")
        case nil:
            ok = false
        }
        if Keyring.isValidName(keyName) {
            if let owner = keyOwners[keyName] {
                if owner.bytes != (sig.signer?.bytes ?? []) {
                    ok = false; status.append("key belongs to another person")
                    add(.sigKey, "key \(keyName) is registered to \"\(owner.string)\", not to signer \"\(sig.signer?.string ?? "")\"")
                }
            } else if keyring.info(named: keyName) != nil {
                ok = false; status.append("key not registered")
                add(.sigKey, "key \(keyName) has no earlier key.registered event naming its owner")
            }
            if let r = revokedAt[keyName] {
                ok = false; status.append("key revoked")
                add(.sigKey, "key \(keyName) was revoked by the event with seq \(r), before this signature")
            }
        }
        checked.signatureValid = ok
        checked.signatureStatus = ok ? "verified" : status.joined(separator: ", ")
    }

    /// Findings that need the whole log: checkpoints longer than the log.
    mutating func finish() {
        for i in checkpoints.indices where checkpoints[i].size > merkle.size {
            checkpoints[i].consistent = false
            findings.append(Finding(.intCheckpoint, "checkpoint attests \(checkpoints[i].size) events but the log holds \(merkle.size): events were removed", file: checkpoints[i].file))
        }
    }
}
