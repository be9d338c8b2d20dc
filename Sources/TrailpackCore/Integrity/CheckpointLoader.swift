import Foundation

/// Reads `checkpoints/*.checkpoint` and checks their signatures against the trusted keys of
/// `keys/`, before the log is streamed (roots are compared while streaming).
enum CheckpointLoader {
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

    /// The signature-valid checkpoints, sorted by size then file; problems become findings.
    static func load(source: URL, origin: String, keyring: Keyring, findings: inout [Finding]) -> [LoadedCheckpoint] {
        let dir = source.appendingPathComponent("checkpoints")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(".checkpoint") }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let trusted = keyring.checkpointKeys
        var out: [LoadedCheckpoint] = []
        for name in names {
            let path = "checkpoints/\(name)"
            guard let data = FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) else {
                findings.append(Finding(.intCheckpointSig, "checkpoint cannot be read", file: path))
                continue
            }
            let verification: CheckpointVerification
            do {
                verification = try Checkpoint.verify(String(decoding: data, as: UTF8.self), keys: trusted, source: path)
            } catch {
                findings.append(Finding(.intCheckpointSig, "not a valid signed checkpoint: \(error.localizedDescription)", file: path))
                continue
            }
            let cp = verification.checkpoint
            let results = verification.signatures.results
            for r in results where r.status == .invalid {
                findings.append(Finding(.intCheckpointSig, "signature by key \(r.signature.keyName) does not verify: the checkpoint was altered or forged", file: path))
            }
            let valid = results.filter { $0.status == .valid }.map(\.signature.keyName).sorted()
            if valid.isEmpty {
                if !results.contains(where: { $0.status == .invalid }) {
                    findings.append(Finding(.intCheckpointSig, noValidSignature(results.map(\.signature), keyring: keyring, trusted: trusted), file: path))
                }
                continue
            }
            if cp.origin != origin {
                findings.append(Finding(.intCheckpoint, "checkpoint origin \"\(cp.origin)\" is not this pack's origin \"\(origin)\"", file: path))
                continue
            }
            guard cp.size <= UInt64(Int.max) else {
                findings.append(Finding(.intCheckpoint, "checkpoint size \(cp.size) is out of range", file: path))
                continue
            }
            var loaded = LoadedCheckpoint(file: path, origin: cp.origin, size: Int(cp.size), root: cp.root, validSigners: valid, consistent: nil)
            if cp.size == 0 {
                loaded.consistent = cp.root == MerkleHash.emptyRoot
                if loaded.consistent == false {
                    findings.append(Finding(.intCheckpoint, "checkpoint of size 0 must carry the empty tree's root", file: path))
                }
            }
            out.append(loaded)
        }
        return out.sorted { $0.size != $1.size ? $0.size < $1.size : Array($0.file.utf8).lexicographicallyPrecedes(Array($1.file.utf8)) }
    }
}
