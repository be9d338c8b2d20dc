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
}

/// A `tree` line of the trust list and whether the log agreed with it.
public struct TrustTreeResult: Sendable, Hashable {
    public var tree: TrustTree
    /// Nil until the log reached its size; false when shorter or with another root.
    public var consistent: Bool?
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
    /// Key name -> owner actor id named by its first `key.registered` (as the log says, valid or not).
    public private(set) var keyOwners: [String: JSONString] = [:]
    /// Key name -> the registration that counts (first one, agreeing with the trust line's owner).
    public private(set) var registrations: [String: KeyRegistration] = [:]
    /// Tree heads of the trust list, checked against the log.
    public private(set) var trustTrees: [TrustTreeResult] = []
    let keyAdministrators: Set<JSONString>
    let requireSigned: Set<JSONString>
    /// Key name -> seq of the `key.revoked` event.
    public private(set) var revokedAt: [String: Int64] = [:]
    var artifacts: ArtifactChecker
    var prevLink = SHA256.Digest.zero
    var prevLinkText: String?
    var ids = Set<IDKey>()
    var checkpointsBySize: [Int: [Int]] = [:]

    init(segments: [Segment], keyring: Keyring, checkpoints: [LoadedCheckpoint], artifacts: ArtifactChecker, clockSkewSeconds: Int64,
         keyAdministrators: [JSONString] = [], requireSigned: [JSONString] = [], expectedEvents: Int = 0) {
        self.keyAdministrators = Set(keyAdministrators)
        self.requireSigned = Set(requireSigned)
        self.trustTrees = (keyring.trust?.trees ?? []).map { TrustTreeResult(tree: $0, consistent: nil) }
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
        for i in trustTrees.indices where trustTrees[i].tree.size == merkle.size {
            let root = merkle.root
            trustTrees[i].consistent = trustTrees[i].tree.root == root
            if trustTrees[i].tree.root != root {
                findings.append(Finding(.intCheckpoint, "the trust list's tree head attests root \(trustTrees[i].tree.root.hex) for the first \(merkle.size) events, but the log's root is \(root.hex): the log was rewritten after that tree head was taken", file: keyring.trust?.path, line: trustTrees[i].tree.line))
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
        // (v1.1) When the recorded fact happened: RFC 3339 with an offset, not after the recording.
        if let o = e.occurredText {
            switch Timestamp.parse(o) {
            case .missingOffset: add(.intTime, "occurred \"\(o)\" has no UTC offset (add Z or +hh:mm)")
            case .invalid: add(.intTime, "occurred \"\(o)\" is not an RFC 3339 date-time")
            case .valid(let oc):
                if let ts = e.time, oc > ts.adding(seconds: skew) {
                    add(.intTime, "occurred \(o) is later than the event's time \(ts) by more than \(skew) s: a fact is recorded after it happens")
                }
            }
        }
        // Audit-trail content (checked during the analysis).
        for p in a.auditProblems { add(p.rule, p.message) }
        findings.append(contentsOf: artifacts.check(e.refs, file: file, line: line, seq: seq ?? (rowLocated ? Int64(a.line) : nil)))
        // Signatures.
        var checked = CheckedEvent(event: Event.placeholder, index: eventCount, file: file ?? "", line: line ?? 0, hashDigest: leaf,
                                   signatureValid: false, signatureStatus: nil, keyFingerprint: nil)
        if let sig = e.signature { checkSignature(sig, e, a.signature, &checked, add) }
        if requireSigned.contains(JSONString(e.action)) && !checked.signatureValid {
            checked.counts = false
            add(.sigRequired, "\(e.action) is listed in policy.requireSigned but carries no valid signature by a key registered to its actor \(e.actor.id.string): it counts for no other rule")
        }
        // Key state changes take effect after this event.
        if checked.counts {
            for (rule, message) in applyKeyEvent(e, checked, seq: seq ?? eventCount) { add(rule, message) }
        }
        checked.event = consume e
        return checked
    }

    /// `key.registered` and `key.revoked` as section 4.4 reads them: a key belongs to one person for
    /// good, and only its owner or a key administrator revokes it.
    private mutating func applyKeyEvent(_ e: Event, _ checked: CheckedEvent, seq: Int64) -> [(RuleID, String)] {
        var out: [(RuleID, String)] = []
        func add(_ r: RuleID, _ m: String) { out.append((r, m)) }
        let name = e.subject.id.string
        if e.action == "key.registered", let owner = e.data["owner"]?.jsonString {
            if keyOwners[name] == nil { keyOwners[name] = owner }
            if let t = keyring.info(named: name)?.trustOwner, t != owner {
                add(.sigKey, "key.registered names \"\(owner.string)\" as owner of key \(name), but the trust list names \"\(t.string)\": the registration changes nothing")
                return out
            }
            if let r = registrations[name] {
                if r.owner != owner {
                    add(.sigKey, "key \(name) belongs to \"\(r.owner.string)\" (registered by the event with seq \(r.seq)); a key belongs to one person for good: this reassignment to \"\(owner.string)\" changes nothing")
                }
                return out
            }
            registrations[name] = KeyRegistration(owner: owner, name: e.data["name"]?.stringValue, seq: seq)
        }
        if e.action == "key.revoked", revokedAt[name] == nil {
            let owner = registrations[name]?.owner ?? keyring.info(named: name)?.trustOwner
            let signer = e.actor.id
            if checked.signatureValid && (owner == signer || keyAdministrators.contains(signer)) {
                revokedAt[name] = seq
            } else {
                let admins = keyAdministrators.sorted().map(\.string).joined(separator: ", ")
                add(.sigKey, "key.revoked of key \(name) is not validly signed by its owner (\(owner?.string ?? "none registered")) or by a key administrator (policy.keyAdministrators: \(admins.isEmpty ? "none" : admins)): the revocation changes nothing")
            }
        }
        return out
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
            let info = keyring.info(named: keyName)
            if info?.checkpointOnly == true {
                ok = false; status.append("checkpoint key")
                add(.sigKey, "key \(keyName) is marked checkpoint in the trust list: it signs checkpoints and nothing else")
            }
            if keyring.shared.contains(keyName) {
                ok = false; status.append("public key shared by several key names")
                add(.sigKey, "key \(keyName) has the same public key as keys/\(keyring.sameKey(as: keyName).joined(separator: ".pem, keys/")).pem: a key belongs to one person, so no signature by either counts")
            }
            if let reg = registrations[keyName] {
                if reg.owner.bytes != (sig.signer?.bytes ?? []) {
                    ok = false; status.append("key belongs to another person")
                    add(.sigKey, "key \(keyName) is registered to \"\(reg.owner.string)\", not to signer \"\(sig.signer?.string ?? "")\"")
                }
                if let printed = reg.name {
                    var wrong: [String] = []
                    if let n = sig.name, !n.utf8.elementsEqual(printed.utf8) { wrong.append("signature.name \"\(n)\"") }
                    if let n = e.actor.name, !n.utf8.elementsEqual(printed.utf8) { wrong.append("actor.name \"\(n)\"") }
                    if !wrong.isEmpty {
                        ok = false; status.append("printed name is not the key owner's")
                        add(.sigManifest, wrong.joined(separator: " and ") + " differ from the printed name \"\(printed)\" registered for key \(keyName) (seq \(reg.seq))")
                    }
                }
            } else if info != nil {
                ok = false; status.append("key not registered")
                let owner = info?.trustOwner.map { " (the trust list names \"\($0.string)\")" } ?? ""
                add(.sigKey, "key \(keyName) has no earlier key.registered event naming its owner\(owner)")
            }
            if let r = revokedAt[keyName] {
                ok = false; status.append("key revoked")
                add(.sigKey, "key \(keyName) was revoked by the event with seq \(r), before this signature")
            }
        }
        if let st = sig.timeText, case .valid(let signed) = Timestamp.parse(st),
           let et = e.timeText, case .valid(let recorded) = Timestamp.parse(et),
           signed.adding(seconds: skew) < recorded || recorded.adding(seconds: skew) < signed {
            ok = false; status.append("signing time away from the event's time")
            add(.sigManifest, "signature time \(st) is more than \(skew) s away from the event's time \(et)")
        }
        checked.signatureValid = ok
        checked.signatureStatus = ok ? "verified" : status.joined(separator: ", ")
    }

    /// Findings that need the whole log: checkpoints longer than the log.
    mutating func finish() {
        for i in trustTrees.indices where trustTrees[i].tree.size > merkle.size {
            trustTrees[i].consistent = false
            findings.append(Finding(.intCheckpoint, "the trust list's tree head attests \(trustTrees[i].tree.size) events but the log holds \(merkle.size): events were removed", file: keyring.trust?.path, line: trustTrees[i].tree.line))
        }
        for i in checkpoints.indices where checkpoints[i].size > merkle.size {
            checkpoints[i].consistent = false
            findings.append(Finding(.intCheckpoint, "checkpoint attests \(checkpoints[i].size) events but the log holds \(merkle.size): events were removed", file: checkpoints[i].file))
        }
    }
}
