import Foundation

/// Why `keygen`, `record` or `checkpoint` refused to write. Every message names the input line
/// and field (or the file) concerned and says how to fix it; the store is left untouched.
/// The CLI prints the message after `trailpack: ` and exits 2.
public enum RecordError: LocalizedError, Sendable, Equatable {
    // Input events.
    /// The input file or standard input cannot be read.
    case inputUnreadable(String, reason: String)
    /// The input holds no JSON value at all.
    case emptyInput(String)
    /// The input is not valid JSON at the place the reader names.
    case invalidJSON(JSONError)
    /// A JSON value of the input is not an object.
    case notAnObject(SourceLocation, found: String)
    /// The input event carries `seq`, `prev` or `hash`, which `record` fills itself.
    case reservedField(String, SourceLocation)
    /// A required field is missing or empty; `rule` says why it is required.
    case missingField(String, SourceLocation, rule: String)
    /// A field has the wrong type or value; `problem` says what is wrong and how to fix it.
    case invalidField(String, SourceLocation, problem: String)
    /// The event's `id` is already in the log (`earlier` is nil) or earlier in the input.
    case duplicateID(String, SourceLocation, earlier: SourceLocation?)
    /// The event's time is earlier than the latest time so far by more than the allowed skew.
    case timeGoesBack(SourceLocation, time: String, latest: String, skewSeconds: Int64)
    /// The event's time is ahead of the writing machine's clock by more than the allowed skew.
    case timeAhead(SourceLocation, time: String, now: String, skewSeconds: Int64)
    /// The canonical line would exceed the store's line limit.
    case eventTooLarge(SourceLocation, bytes: Int, limit: Int)

    // Signatures.
    /// A `signature` block without `sig`, and no `--sign-key` to make it.
    case signatureNeedsKey(SourceLocation, key: String)
    /// `--sign-key` is not the private key of `keys/<key>.pem`.
    case signingKeyMismatch(SourceLocation, key: String, keyFile: String)
    /// A `sig` present in the input does not verify with `keys/<key>.pem`.
    case signatureDoesNotVerify(SourceLocation, key: String)
    /// `signature.signer` differs from `actor.id`.
    case signerNotActor(SourceLocation, signer: String, actor: String)
    /// `keys/<key>.pem` is missing or not an Ed25519 public key.
    case unknownKey(SourceLocation, key: String, reason: String)
    /// No earlier `key.registered` event names the key's owner.
    case keyNotRegistered(SourceLocation, key: String, signer: String)
    /// The key is registered to someone other than the signer.
    case keyOwnedByOther(SourceLocation, key: String, owner: String, signer: String)
    /// The key was revoked by an earlier event.
    case keyRevoked(SourceLocation, key: String)
    /// A printed name or signing time that the verifier would report as SIG-MANIFEST (contract 4.4).
    case signatureManifest(SourceLocation, problem: String)
    /// A private key file cannot be read or is not an Ed25519 PKCS#8 key.
    case privateKeyUnusable(String, reason: String)

    // The store.
    /// The log does not end in a well-formed, terminated event; nothing is appended to it.
    case damagedTail(SourceLocation, reason: String)
    /// The lock on the audit store cannot be taken.
    case lockFailed(String, reason: String)
    /// Writing or syncing failed; `rolledBack` tells whether the file was restored.
    case writeFailed(String, reason: String, rolledBack: Bool)

    // Keys and checkpoints.
    /// A key name outside `[A-Za-z0-9._-]{1,64}`.
    case invalidKeyName(String)
    /// A file that would be overwritten already exists.
    case fileExists(String)
    /// keygen's `--out` lies in a folder of a pack source that every site publishes (the folder
    /// given, the copied folder): the private key would end up in the site's evidence.
    case privateKeyWouldBePublished(String, folder: String)
    /// A file or folder cannot be created.
    case cannotCreate(String, reason: String)
    /// An import into a pack whose audit store is in PostgreSQL (not supported yet).
    case importNeedsFileStore(String)
    /// The checkpoint key has no `keys/<name>.pem`, or that file is not usable.
    case checkpointKeyMissing(name: String, path: String, reason: String)
    /// `keys/<name>.pem` is not the public key of the checkpoint's private key.
    case checkpointKeyMismatch(name: String, path: String, expected: String, found: String)
    /// The log has integrity findings that a checkpoint must not attest.
    case logHasIntegrityFindings([Finding])
    /// A different checkpoint of the same size already exists.
    case checkpointConflict(String)
    /// `checkpoints` is a symbolic link or not a folder (`reason` says which, and the fix).
    case checkpointFolderUnusable(String, reason: String)

    /// The message, naming the place and the fix.
    public var errorDescription: String? {
        switch self {
        case let .inputUnreadable(p, why):
            return "\(p): cannot read the input events: \(why)"
        case let .emptyInput(p):
            return "\(p): no event in the input; give one JSON object, or one object per line (JSON Lines)"
        case let .invalidJSON(e):
            return "\(e.location): input is not valid JSON: \(e.reason); nothing was recorded"
        case let .notAnObject(l, found):
            return "\(l): input value is a JSON \(found), not an event object; give one JSON object per event"
        case let .reservedField(f, l):
            return "\(l): input event carries \"\(f)\"; record fills seq, prev and hash itself: remove them from the input"
        case let .missingField(f, l, rule):
            return "\(l): missing field \"\(f)\" (\(rule)); add it and record again"
        case let .invalidField(f, l, problem):
            return "\(l): field \"\(f)\" \(problem)"
        case let .duplicateID(id, l, earlier):
            let whereFrom = earlier.map { "by the input event at \($0)" } ?? "by an event in the log"
            return "\(l): id \"\(id)\" is already used \(whereFrom); every event needs a unique id"
        case let .timeGoesBack(l, t, latest, skew):
            return "\(l): time \(t) is earlier than the latest time \(latest) by more than policy.clockSkewSeconds (\(skew) s); "
                + "fix the clock of the system that wrote it, or record events in time order"
        case let .timeAhead(l, t, now, skew):
            return "\(l): time \(t) is ahead of this machine's clock (\(now)) by more than policy.clockSkewSeconds (\(skew) s); "
                + "an event is recorded when it is written: give the current time (and the time the fact happened as \"occurred\"), "
                + "or fix this machine's clock"
        case let .eventTooLarge(l, bytes, limit):
            return "\(l): the event's canonical line is \(bytes) bytes, more than the store's limit of \(limit); "
                + "move large content into an artifact file and reference it by digest"
        case let .signatureNeedsKey(l, key):
            return "\(l): the signature block has no \"sig\" and no --sign-key was given; "
                + "sign with --sign-key FILE (the private key of keys/\(key).pem)"
        case let .signingKeyMismatch(l, key, file):
            return "\(l): \(file) is not the private key of keys/\(key).pem; sign with the key whose public key is keys/\(key).pem"
        case let .signatureDoesNotVerify(l, key):
            return "\(l): \"signature.sig\" does not verify with keys/\(key).pem over this event (it covers the event "
                + "without seq, prev, hash and sig, including signature.alg \"ed25519\"); re-sign it, or drop sig and use --sign-key"
        case let .signerNotActor(l, signer, actor):
            return "\(l): \"signature.signer\" \"\(signer)\" differs from \"actor.id\" \"\(actor)\"; a person signs only their own actions"
        case let .unknownKey(l, key, why):
            return "\(l): signing key keys/\(key).pem cannot be used: \(why); add the signer's public key as keys/\(key).pem"
        case let .keyNotRegistered(l, key, signer):
            return "\(l): key \(key) has no key.registered event naming its owner; record a key.registered event "
                + "(subject {\"type\": \"key\", \"id\": \"\(key)\"}, data.owner \"\(signer)\") before this one"
        case let .keyOwnedByOther(l, key, owner, signer):
            return "\(l): key \(key) is registered to \"\(owner)\", not to signer \"\(signer)\"; sign with the signer's own key"
        case let .keyRevoked(l, key):
            return "\(l): key \(key) was revoked by an earlier key.revoked event; sign with a current key"
        case let .signatureManifest(l, problem):
            return "\(l): \(problem) (21 CFR 11.50, contract section 4.4); a signature must show its owner's registered printed name and the time of the event"
        case let .privateKeyUnusable(p, why):
            return "\(p): cannot use the private key: \(why); give an unencrypted PKCS#8 Ed25519 key as `trailpack keygen` writes"
        case let .damagedTail(l, why):
            return "\(l): the audit log does not end in a well-formed event (\(why)); nothing was appended. "
                + "Run `trailpack verify` and restore the segment from a trusted copy before recording"
        case let .lockFailed(p, why):
            return "\(p): cannot lock the audit store: \(why)"
        case let .writeFailed(p, why, rolledBack):
            return "\(p): writing the events failed: \(why); "
                + (rolledBack ? "the segment was restored to its previous size, nothing was recorded"
                              : "the segment could NOT be restored: run `trailpack verify` before recording again")
        case let .invalidKeyName(n):
            return "key name \"\(n)\" is not allowed; use 1 to 64 of A-Z, a-z, 0-9, '.', '_' and '-'"
        case let .fileExists(p):
            return "\(p) already exists; refusing to overwrite it (choose another name or folder)"
        case let .privateKeyWouldBePublished(p, folder):
            return "\(p) lies in \(folder), a folder of a pack source that every site built from it publishes in evidence/: "
                + "the private key would be published. Fix: --out a folder outside the pack source (e.g. ~/.trailpack/keys), "
                + "then copy only NAME.pem into the pack's keys/"
        case let .cannotCreate(p, why):
            return "\(p): cannot create: \(why)"
        case let .importNeedsFileStore(p):
            return "\(p) keeps its audit store in PostgreSQL (\"store\"), and import writes only to the file store in this "
                + "version; nothing was written. Import into a pack source whose log is in audit/ (see docs/import.md)"
        case let .checkpointKeyMissing(name, path, why):
            return "\(path): \(why); a checkpoint signed by key \"\(name)\" could not be verified by anyone. "
                + "Add the public key as \(path) (or give --name of a key in keys/)"
        case let .checkpointKeyMismatch(name, path, expected, found):
            return "\(path) (fingerprint \(found)) is not the public key of the checkpoint key \"\(name)\" (fingerprint \(expected)); "
                + "give the private key that belongs to \(path), or the right --name"
        case let .logHasIntegrityFindings(findings):
            let shown = findings.prefix(20).map { "  " + $0.textLine }.joined(separator: "\n")
            let more = findings.count > 20 ? "\n  … and \(findings.count - 20) more" : ""
            return "the audit log has \(findings.count) integrity finding(s); a checkpoint must not attest a damaged log. "
                + "Run `trailpack verify` and repair the log first:\n\(shown)\(more)"
        case let .checkpointConflict(p):
            return "\(p) already exists with different content; refusing to replace a signed checkpoint (it is evidence)"
        case let .checkpointFolderUnusable(p, reason):
            return "\(p): cannot write the checkpoint there: \(reason); nothing was written"
        }
    }
}
