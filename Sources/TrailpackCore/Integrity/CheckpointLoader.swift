import Foundation

/// Reads `checkpoints/*.checkpoint` before the log is streamed; INT-CHECKPOINT-SIG checks their
/// signatures against the trusted keys of `keys/`, INT-CHECKPOINT their origin (roots are
/// compared while streaming).
enum CheckpointLoader {
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
            let file = dir.appendingPathComponent(name)
            guard PackFiles.isInside(file, source: source) else {
                findings.append(Finding(.intCheckpointSig, "checkpoint cannot be read: " + PackFiles.outsideReason, file: path))
                continue
            }
            let verification = FileManager.default.contents(atPath: file.path).map { data in
                Result { try Checkpoint.verify(String(decoding: data, as: UTF8.self), keys: trusted, source: path) }
            }
            guard let signed = IntCheckpointSig.check(verification, file: path, keyring: keyring, trusted: trusted, into: &findings),
                  let loaded = IntCheckpoint.load(signed.verification.checkpoint, file: path, origin: origin, validSigners: signed.validSigners,
                                                  into: &findings) else { continue }
            out.append(loaded)
        }
        return out.sorted { $0.size != $1.size ? $0.size < $1.size : Array($0.file.utf8).lexicographicallyPrecedes(Array($1.file.utf8)) }
    }
}
