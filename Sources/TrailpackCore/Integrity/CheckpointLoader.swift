import Foundation

/// Reads `checkpoints/*.checkpoint` and checks their signatures against the trusted keys of
/// `keys/`, before the log is streamed (roots are compared while streaming).
enum CheckpointLoader {
    /// The signature-valid checkpoints, sorted by size then file; problems become findings.
    static func load(source: URL, origin: String, keyring: Keyring, findings: inout [Finding]) -> [LoadedCheckpoint] {
        let dir = source.appendingPathComponent("checkpoints")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(".checkpoint") }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var trusted: [String: Ed25519PublicKey] = [:]
        for k in keyring.keys where k.trusted { trusted[k.name] = k.key }
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
                let named = results.map(\.signature.keyName).sorted().joined(separator: ", ")
                let untrusted = results.map(\.signature.keyName).filter { keyring.info(named: $0) != nil && trusted[$0] == nil }
                var why = "no valid signature by a trusted key in keys/ (signed by: \(named.isEmpty ? "nobody" : named))"
                if !untrusted.isEmpty { why += "; key(s) \(untrusted.joined(separator: ", ")) are in keys/ but not in the trust list" }
                findings.append(Finding(.intCheckpointSig, why, file: path))
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
