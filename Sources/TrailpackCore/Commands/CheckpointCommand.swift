import Foundation

/// The checkpoint `trailpack checkpoint` wrote (or found already written).
public struct CheckpointResult: Sendable, Equatable {
    /// `checkpoints/<size, 12 digits>.checkpoint`.
    public var file: String
    /// The number of events it covers.
    public var size: Int
    /// The Merkle root of those events.
    public var root: SHA256.Digest
    /// The key name in its signature line (`keys/<keyName>.pem`).
    public var keyName: String
    /// True when an identical checkpoint was already there (nothing was written).
    public var alreadyPresent: Bool
    /// The signed note as written.
    public var note: String
}

extension Trailpack {
    /// Integrity rules whose findings mean the log must not be checkpointed: a checkpoint would
    /// attest a damaged or rewritten log.
    public static let checkpointBlockingRules: Set<RuleID> = chainRules.union([.intCheckpoint])

    /// Integrity rules whose findings mean the events' recorded hashes do not commit to their
    /// content and order (nothing may then be proved by them, e.g. kept pages of a site).
    public static let chainRules: Set<RuleID> = [.intParse, .intHash, .intChain, .intSeq]

    /// The file name of the checkpoint of a log of `size` events.
    public static func checkpointFileName(size: Int) -> String {
        let digits = String(size)
        return String(repeating: "0", count: max(0, 12 - digits.count)) + digits + ".checkpoint"
    }

    /// `trailpack checkpoint`: signs a C2SP checkpoint (origin, size, Merkle root) of the current log
    /// of `source` with the private key at `keyFile`, under `name` (default: the key file's base
    /// name without extension), and writes it atomically to `checkpoints/`. `keys/<name>.pem` must
    /// be that key's public key. Refuses a log with INT-PARSE, INT-HASH, INT-CHAIN, INT-SEQ or
    /// INT-CHECKPOINT findings, and a different existing checkpoint of the same size.
    /// With `dryRun`, everything is checked and signed, and nothing is written (the log is read
    /// under a shared lock): the result names the file that would be written.
    /// With `trust` (a trust list, `--trust`), the log must also be consistent with the tree
    /// heads it lists and with the checkpoints its keys signed: a rolled-back or re-chained log
    /// whose later checkpoints were deleted is refused instead of signed.
    public static func checkpoint(source: String, keyFile: String, name: String?, dryRun: Bool = false, trust: String? = nil) throws -> CheckpointResult {
        let (sourceURL, config) = try writableSource(source)
        let privateKey = try loadPrivateKey(keyFile, option: "--key")
        let keyName = name ?? ((keyFile as NSString).lastPathComponent as NSString).deletingPathExtension
        guard Keyring.isValidName(keyName) else { throw RecordError.invalidKeyName(keyName) }
        let pemPath = "keys/\(keyName).pem"
        let publicKey: Ed25519PublicKey
        do {
            let text = try String(contentsOf: sourceURL.appendingPathComponent(pemPath), encoding: .utf8)
            publicKey = try Ed25519PublicKey(pem: text, source: pemPath)
        } catch let e as IntegrityError {
            throw RecordError.checkpointKeyMissing(name: keyName, path: pemPath, reason: e.reason)
        } catch {
            throw RecordError.checkpointKeyMissing(name: keyName, path: pemPath, reason: "no such key file")
        }
        guard publicKey == privateKey.publicKey else {
            throw RecordError.checkpointKeyMismatch(name: keyName, path: pemPath, expected: privateKey.publicKey.fingerprint,
                                                    found: publicKey.fingerprint)
        }

        // Exclusive: no record appends while the log is read, and no other checkpoint races the file.
        // In PostgreSQL the verify pass reads one snapshot (one COPY), so appends may go on.
        var lock: StoreLock?
        if config.store == nil {
            _ = try AuditStore(source: sourceURL)  // a clear message when audit/ is missing
            // A dry run reads under a shared lock and creates no lock file (it writes nothing).
            let audit = sourceURL.appendingPathComponent("audit").path
            lock = dryRun ? try StoreLock.reading(auditDirectory: audit) : try StoreLock(auditDirectory: audit, exclusive: true)
        }
        let integrity = try Verifier.verify(source: sourceURL, config: config, options: VerifyOptions(trust: try trustList(trust)))
        let blocking = integrity.findings.filter { checkpointBlockingRules.contains($0.rule) }
        guard blocking.isEmpty else { throw RecordError.logHasIntegrityFindings(blocking) }

        let note = try Checkpoint.sign(origin: config.origin, size: UInt64(integrity.treeSize), root: integrity.root,
                                       keyName: keyName, privateKey: privateKey)
        // Check that the note verifies as the verifier will read it.
        guard try Checkpoint.verify(note, keys: [keyName: publicKey]).isAccepted else {
            throw RecordError.checkpointKeyMismatch(name: keyName, path: pemPath, expected: privateKey.publicKey.fingerprint,
                                                    found: publicKey.fingerprint)
        }
        let file = "checkpoints/\(checkpointFileName(size: integrity.treeSize))"
        let dir = sourceURL.appendingPathComponent("checkpoints").path
        let path = sourceURL.appendingPathComponent(file).path
        var alreadyPresent = false
        // checkpoints/ is written only as a folder of the pack: verify never reads a checkpoint
        // through a link (INT-CHECKPOINT-SIG), so one written through it would be refused.
        var st = stat()
        if lstat(dir, &st) == 0 {
            switch st.st_mode & S_IFMT {
            case S_IFDIR: break
            case S_IFLNK: throw RecordError.checkpointFolderUnusable(dir, reason: "it is a symbolic link, and verify never reads checkpoints "
                                                                         + "through a link. Fix: replace the link by a folder of the pack")
            default: throw RecordError.checkpointFolderUnusable(dir, reason: "it is not a folder. Fix: move it away; checkpoint creates the folder")
            }
        }
        if !dryRun {
            do throws(SystemCallFailure) {
                try DurableFiles.ensureDirectory(dir)
            } catch {
                throw RecordError.cannotCreate(dir, reason: error.reason)
            }
        }
        if let existing = FileManager.default.contents(atPath: path) {
            guard Array(existing) == Array(note.utf8) else { throw RecordError.checkpointConflict(file) }
            alreadyPresent = true
        } else if !dryRun {
            do throws(SystemCallFailure) {
                try DurableFiles.replaceAtomically(path, Array(note.utf8))
            } catch {
                throw RecordError.cannotCreate(file, reason: error.reason)
            }
        }
        withExtendedLifetime(lock) {}
        return CheckpointResult(file: file, size: integrity.treeSize, root: integrity.root, keyName: keyName,
                                alreadyPresent: alreadyPresent, note: note)
    }
}
