import Foundation

/// SIG-KEY: a signature's key is known, trusted, registered to the signer, not shared, not
/// revoked, not the checkpoint key; `key.registered` and `key.revoked` as section 4.4 reads
/// them (a key belongs to one person for good; its owner or a key administrator revokes it).
enum SigKey: RuleDefinition {
    static let rule = Rule(id: .sigKey, severity: .critical, clause: "21 CFR 11.100, 11.300",
        what: "A signature by a key that is unknown (not in keys/ or not in --trust), not registered, registered to someone other than the signer, or revoked by an earlier valid key.revoked event (a revocation revokes the public key: every key name with the same public key, in keys/ or as the fingerprint a key.registered records; a key.registered of a revoked public key changes nothing); a key.registered that names another owner than the key's trust line or first registration (a key belongs to one person for good; it changes nothing), or that gives its owner a printed name an earlier registration gave another owner (it changes nothing); two key names with the same public key (every signature by either); a key.revoked not validly signed by the key's owner or a policy.keyAdministrators person (it changes nothing); a valid key.revoked of a key whose public key is unknown (no trusted keys/ file, no trusted recorded fingerprint: every later signature by a key of its owner is then SIG-KEY); a signature in an event by a key marked checkpoint in the trust list.",
        why: "Each signature must be unique to one individual and controls over their identification codes must be in place: nobody may take over, copy or revoke another person's key.",
        remedy: "Register each key once, naming its owner (and the owner in the trust list) and its fingerprint; revoke keys only as their owner or a key administrator, signed; keep one key file per key, and keep a revoked key's file; sign events only with personal keys and checkpoints only with the checkpoint key.")

    /// A file of keys/ whose name is not a key name (when the keyring is read).
    static func invalidKeyFileName(_ name: String, file path: String) -> Finding {
        Finding(.sigKey, "key file name \"\(name)\" is not a valid key name ([A-Za-z0-9._-]{1,64}); the key is ignored", file: path)
    }

    /// A file of keys/ that holds no usable Ed25519 public key (when the keyring is read).
    static func unusableKeyFile(_ error: Error, file path: String) -> Finding {
        Finding(.sigKey, "key file cannot be used: \(error.localizedDescription); signatures by it count as unknown", file: path)
    }

    /// The key as the workers found it: unknown or not trusted.
    static func check(_ crypto: SignatureCheck?, fingerprint: String?, status: inout [String], at place: FindingPlace, into findings: inout [Finding]) {
        switch crypto {
        case .unknownKey(let k)?:
            status.append("unknown key")
            findings.append(place.finding(.sigKey, "signature by unknown key \(k): no keys/\(k).pem"))
        case .untrustedKey(let k)?:
            status.append("key not trusted")
            findings.append(place.finding(.sigKey, "signature by key \(k) (fingerprint \(fingerprint ?? "?")) which is not in the trust list"))
        default:
            break
        }
    }

    /// A validly named key: not the checkpoint key, not shared, registered to the signer.
    static func checkKey(_ keyName: String, info: KeyInfo?, _ sig: Signature, keyring: Keyring, registration: KeyRegistration?,
                         status: inout [String], at place: FindingPlace, into findings: inout [Finding]) {
        if info?.checkpointOnly == true {
            status.append("checkpoint key")
            findings.append(place.finding(.sigKey, "key \(keyName) is marked checkpoint in the trust list: it signs checkpoints and nothing else"))
        }
        if keyring.shared.contains(keyName) {
            status.append("public key shared by several key names")
            findings.append(place.finding(.sigKey, "key \(keyName) has the same public key as keys/\(keyring.sameKey(as: keyName).joined(separator: ".pem, keys/")).pem: a key belongs to one person, so no signature by either counts"))
        }
        if let reg = registration, reg.owner.bytes != (sig.signer?.bytes ?? []) {
            status.append("key belongs to another person")
            findings.append(place.finding(.sigKey, "key \(keyName) is registered to \"\(reg.owner.string)\", not to signer \"\(sig.signer?.string ?? "")\""))
        }
    }

    /// A validly named key: registered before the signature, not revoked before it (its public
    /// key under any name, or, after a revocation whose public key is unknown, any key of its owner).
    static func checkRegistered(_ keyName: String, info: KeyInfo?, registered: Bool,
                                revoked: (revocation: KeyRevocations.Revocation, unbound: Bool)?, owner: JSONString?,
                                status: inout [String], at place: FindingPlace, into findings: inout [Finding]) {
        if !registered, let info {
            status.append("key not registered")
            let owner = info.trustOwner.map { " (the trust list names \"\($0.string)\")" } ?? ""
            findings.append(place.finding(.sigKey, "key \(keyName) has no earlier key.registered event naming its owner\(owner)"))
        }
        guard let revoked else { return }
        let r = revoked.revocation
        status.append("key revoked")
        if revoked.unbound {
            findings.append(place.finding(.sigKey, "key \(keyName) belongs to \"\(owner?.string ?? "")\", whose key \(r.name) was revoked by the event with seq \(r.seq) while its public key is unknown (no trusted keys/\(r.name).pem, no trusted fingerprint in its key.registered): no key of \"\(owner?.string ?? "")\" can be told apart from it, so none signs after it"))
        } else if r.name == keyName {
            findings.append(place.finding(.sigKey, "key \(keyName) was revoked by the event with seq \(r.seq), before this signature"))
        } else {
            findings.append(place.finding(.sigKey, "key \(keyName) has the public key of key \(r.name), which was revoked by the event with seq \(r.seq), before this signature: a revocation revokes the key under any name"))
        }
    }

    /// The public keys a revocation of `name` binds: its file's in `keys/` and the one its counted
    /// registration recorded, each only if trusted (an untrusted file may have been swapped).
    static func revokedFingerprints(_ name: String, keyring: Keyring, registration: KeyRegistration?) -> Set<String> {
        var out: Set<String> = []
        if let k = keyring.info(named: name), k.trusted { out.insert(k.fingerprint) }
        if let f = registration?.fingerprint, keyring.trust?.fingerprints.contains(f) ?? true { out.insert(f) }
        return out
    }

    /// A counted `key.registered` or `key.revoked`: changes the key state (after this event).
    static func apply(_ e: Event, signatureValid: Bool, seq: Int64, keyring: Keyring, keyAdministrators: Set<JSONString>,
                      keyOwners: inout [String: JSONString], registrations: inout [String: KeyRegistration], revocations: inout KeyRevocations,
                      at place: FindingPlace, into findings: inout [Finding]) {
        let name = e.subject.id.string
        // Key state is kept by name; only a valid name (ASCII letters, digits, `.`, `_`, `-`)
        // may change it: "\u{212A}ey" (KELVIN SIGN) is equal to "Key" as a Swift String, and
        // would take over the registration of a key it is not.
        guard e.action != "key.registered" && e.action != "key.revoked" || Keyring.isValidName(name) else {
            findings.append(place.finding(.sigKey, "\(e.action) names \"\(name)\", which is not a key name (1 to 64 of A-Z a-z 0-9 . _ -): it changes nothing"))
            return
        }
        if e.action == "key.registered", let owner = e.data["owner"]?.jsonString {
            if keyOwners[name] == nil { keyOwners[name] = owner }
            if let t = keyring.info(named: name)?.trustOwner, t != owner {
                findings.append(place.finding(.sigKey, "key.registered names \"\(owner.string)\" as owner of key \(name), but the trust list names \"\(t.string)\": the registration changes nothing"))
                return
            }
            if let r = registrations[name] {
                if r.owner != owner {
                    findings.append(place.finding(.sigKey, "key \(name) belongs to \"\(r.owner.string)\" (registered by the event with seq \(r.seq)); a key belongs to one person for good: this reassignment to \"\(owner.string)\" changes nothing"))
                }
                return
            }
            let recorded = e.data["fingerprint"]?.stringValue.flatMap { TrustList.hex32($0) == nil ? nil : $0 }
            // A revoked public key is not registered again under a new name (a renamed file).
            if let r = revocations.revocation(of: name, fingerprint: recorded) {
                let which = r.name == name ? "" : " (as key \(r.name))"
                findings.append(place.finding(.sigKey, "key.registered of key \(name), whose public key was revoked by the event with seq \(r.seq)\(which): a revoked key is not registered again; the registration changes nothing"))
                return
            }
            // A printed name names one person (21 CFR 11.50): a key registered to another owner
            // under a name an earlier registration gave someone would show that person's name
            // beside its signatures ("Quinn QA (u:eng)").
            if let printed = e.data["name"]?.stringValue,
               let other = registrations.values.filter({ r in r.owner != owner && r.name.map { $0.utf8.elementsEqual(printed.utf8) } == true })
                   .min(by: { $0.seq < $1.seq }) {
                findings.append(place.finding(.sigKey, "key.registered gives key \(name) of \"\(owner.string)\" the printed name \"\(printed)\", which the event with seq \(other.seq) gave \"\(other.owner.string)\": a printed name names one person; the registration changes nothing"))
                return
            }
            registrations[name] = KeyRegistration(owner: owner, name: e.data["name"]?.stringValue, seq: seq, fingerprint: recorded)
        }
        if e.action == "key.revoked", revocations.byName[name] == nil {
            let owner = registrations[name]?.owner ?? keyring.info(named: name)?.trustOwner
            let signer = e.actor.id
            if signatureValid && (owner == signer || keyAdministrators.contains(signer)) {
                let fingerprints = revokedFingerprints(name, keyring: keyring, registration: registrations[name])
                revocations.revoke(name, seq: seq, fingerprints: fingerprints, owner: owner, keyring: keyring)
                if fingerprints.isEmpty {
                    let whose = owner.map { "every key of \"\($0.string)\" counts as revoked after it" } ?? "no key can be found to revoke"
                    findings.append(place.finding(.sigKey, "key.revoked of key \(name), whose public key is unknown: keys/\(name).pem is missing or not trusted and its key.registered records no trusted fingerprint, so a copy of it under another name could sign again; \(whose) until the key file is restored"))
                }
            } else {
                let admins = keyAdministrators.sorted().map(\.string).joined(separator: ", ")
                findings.append(place.finding(.sigKey, "key.revoked of key \(name) is not validly signed by its owner (\(owner?.string ?? "none registered")) or by a key administrator (policy.keyAdministrators: \(admins.isEmpty ? "none" : admins)): the revocation changes nothing"))
            }
        }
    }
}
