/// The key revocations that took effect so far in the log (contract section 4.4), bound to
/// public keys rather than to file names: trust is by fingerprint, and a revoked key stays in the
/// trust list so that its earlier signatures verify, so a revocation kept by name alone would end
/// when the key's file is renamed in `keys/` and the new name registered. SIG-KEY decides what
/// counts (``SigKey/apply(_:signatureValid:seq:keyring:keyAdministrators:keyOwners:registrations:revocations:at:into:)``).
public struct KeyRevocations: Sendable, Hashable {
    /// A `key.revoked` that took effect.
    public struct Revocation: Sendable, Hashable {
        /// The key name the event revoked (`subject.id`).
        public var name: String
        public var seq: Int64
    }

    /// Key name -> the revocation of its public key: its own, or one of another name of `keys/`
    /// with the same public key.
    public private(set) var byName: [String: Revocation] = [:]
    /// Fingerprint -> the revocation of that public key.
    public private(set) var byFingerprint: [String: Revocation] = [:]
    /// Owner -> the first revocation of one of their keys whose public key is unknown (no trusted
    /// `keys/<name>.pem`, no trusted fingerprint in its `key.registered`): no key of that owner
    /// can be told apart from it afterwards.
    public private(set) var unbound: [JSONString: Revocation] = [:]

    public init() {}

    /// Key name -> seq of the revocation that revoked it (reports and pages).
    public var seqByName: [String: Int64] { byName.mapValues(\.seq) }

    /// The revocation a signature by `keyName` (owned by `owner`) comes after, if any: of the
    /// key's public key, or an unbound one of its owner's.
    func revocation(of keyName: String, owner: JSONString?) -> (revocation: Revocation, unbound: Bool)? {
        if let r = byName[keyName] { return (r, false) }
        if let owner, let r = unbound[owner] { return (r, true) }
        return nil
    }

    /// The revocation of a key name or of a public key, if either was revoked.
    func revocation(of keyName: String, fingerprint: String?) -> Revocation? {
        byName[keyName] ?? fingerprint.flatMap { byFingerprint[$0] }
    }

    /// Revokes `name` and its public keys (`fingerprints`, possibly none: then, with an owner,
    /// every key of the owner) from `seq` on, together with every name of `keyring` holding one
    /// of them.
    mutating func revoke(_ name: String, seq: Int64, fingerprints: Set<String>, owner: JSONString?, keyring: Keyring) {
        let r = Revocation(name: name, seq: seq)
        if byName[name] == nil { byName[name] = r }
        for f in fingerprints where byFingerprint[f] == nil { byFingerprint[f] = r }
        for k in keyring.keys where fingerprints.contains(k.fingerprint) && byName[k.name] == nil { byName[k.name] = r }
        if fingerprints.isEmpty, let owner, unbound[owner] == nil { unbound[owner] = r }
    }
}
