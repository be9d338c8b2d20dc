import Foundation

/// INT-CHECKPOINT-SIG: a checkpoint is readable and carries a valid signature by a trusted
/// checkpoint key, and no signature of a trusted key on it fails.
enum IntCheckpointSig: RuleDefinition {
    static let rule = Rule(id: .intCheckpointSig, severity: .critical, clause: "21 CFR 11.10(e)",
        what: "A checkpoint with no valid signature by a trusted key, a malformed checkpoint, or a trusted key's signature that does not verify.",
        why: "An unsigned or forged checkpoint proves nothing about the log.",
        remedy: "Re-create the checkpoint with `trailpack checkpoint --key` using a key listed in keys/ (and in --trust); remove forged checkpoint files after investigation.")

    /// The names of the trusted keys whose signatures verified (sorted), or nil when the file
    /// cannot count; problems become findings. `verification` is nil for an unreadable file.
    static func check(_ verification: Result<CheckpointVerification, Error>?, file path: String, keyring: Keyring,
                      trusted: [String: Ed25519PublicKey], into findings: inout [Finding]) -> (verification: CheckpointVerification, validSigners: [String])? {
        guard let verification else {
            findings.append(Finding(.intCheckpointSig, "checkpoint cannot be read", file: path))
            return nil
        }
        let v: CheckpointVerification
        switch verification {
        case .success(let ok): v = ok
        case .failure(let error):
            findings.append(Finding(.intCheckpointSig, "not a valid signed checkpoint: \(error.localizedDescription)", file: path))
            return nil
        }
        let results = v.signatures.results
        for r in results where r.status == .invalid {
            findings.append(Finding(.intCheckpointSig, "signature by key \(r.signature.keyName) does not verify: the checkpoint was altered or forged", file: path))
        }
        let valid = results.filter { $0.status == .valid }.map(\.signature.keyName).sorted()
        if valid.isEmpty {
            if !results.contains(where: { $0.status == .invalid }) {
                findings.append(Finding(.intCheckpointSig, noValidSignature(results.map(\.signature), keyring: keyring, trusted: trusted), file: path))
            }
            return nil
        }
        return (v, valid)
    }

    /// Explains why none of a checkpoint's signature lines counts.
    static func noValidSignature(_ sigs: [NoteSignature], keyring: Keyring, trusted: [String: Ed25519PublicKey]) -> String {
        guard !sigs.isEmpty else { return "no signature line" }
        let parts = sigs.map { s -> String in
            if let info = keyring.info(named: s.keyName) {
                if trusted[s.keyName] == nil {
                    return info.trusted ? "\(s.keyName) (trusted, but not marked checkpoint in the trust list)" : "\(s.keyName) (in keys/ but not in the trust list)"
                }
                return "\(s.keyName) with key id \(String(format: "%08x", s.keyID)), which is not the id of keys/\(info.name).pem (another key)"
            }
            return "\(s.keyName) (no keys/\(s.keyName).pem)"
        }
        return "no valid signature by a trusted key in keys/; signed by: " + parts.joined(separator: "; ")
    }
}
