/// INT-CHECKPOINT: the log reproduces the root of every signed checkpoint and trust-list tree
/// head, at their size, and is at least that long; checkpoints name this pack's origin.
enum IntCheckpoint: RuleDefinition {
    static let rule = Rule(id: .intCheckpoint, severity: .critical, clause: "21 CFR 11.10(e)",
        what: "A checkpoint whose Merkle root differs from the root of the log's first N events, that is longer than the log, or whose origin is not the pack's.",
        why: "A signed checkpoint attests what the log was; a log that no longer reproduces it was rewritten after the checkpoint.",
        remedy: "Compare the log with the copy that was checkpointed; restore the original events. Do not delete the checkpoint: it is the evidence.")

    /// A signature-valid checkpoint as read, before the log is streamed: nil when it cannot count.
    static func load(_ cp: Checkpoint, file path: String, origin: String, validSigners: [String], into findings: inout [Finding]) -> LoadedCheckpoint? {
        if cp.origin != origin {
            findings.append(Finding(.intCheckpoint, "checkpoint origin \"\(cp.origin)\" is not this pack's origin \"\(origin)\"", file: path))
            return nil
        }
        guard cp.size <= UInt64(Int.max) else {
            findings.append(Finding(.intCheckpoint, "checkpoint size \(cp.size) is out of range", file: path))
            return nil
        }
        var loaded = LoadedCheckpoint(file: path, origin: cp.origin, size: Int(cp.size), root: cp.root, validSigners: validSigners, consistent: nil)
        if cp.size == 0 {
            loaded.consistent = cp.root == MerkleHash.emptyRoot
            if loaded.consistent == false {
                findings.append(Finding(.intCheckpoint, "checkpoint of size 0 must carry the empty tree's root", file: path))
            }
        }
        return loaded
    }

    /// In log order, when the log holds `size` events with Merkle root `root` and a checkpoint
    /// (indices `due`) or tree head has that size.
    static func observe(size: Int, root: SHA256.Digest, due: [Int]?, checkpoints: inout [LoadedCheckpoint],
                        trustTrees: inout [TrustTreeResult], trustPath: String?, into findings: inout [Finding]) {
        if let due {
            for i in due {
                checkpoints[i].consistent = checkpoints[i].root == root
                if checkpoints[i].root != root {
                    findings.append(Finding(.intCheckpoint, "checkpoint attests root \(checkpoints[i].root.hex) for the first \(size) events, but the log's root is \(root.hex): the log was rewritten after the checkpoint (the change lies in events 1 to \(size))", file: checkpoints[i].file))
                }
            }
        }
        for i in trustTrees.indices where trustTrees[i].tree.size == size {
            trustTrees[i].consistent = trustTrees[i].tree.root == root
            if trustTrees[i].tree.root != root {
                findings.append(Finding(.intCheckpoint, "the trust list's tree head attests root \(trustTrees[i].tree.root.hex) for the first \(size) events, but the log's root is \(root.hex): the log was rewritten after that tree head was taken", file: trustPath, line: trustTrees[i].tree.line))
            }
        }
    }

    /// At the end of the log (`size` events): checkpoints and tree heads longer than the log.
    static func finish(size: Int, checkpoints: inout [LoadedCheckpoint], trustTrees: inout [TrustTreeResult], trustPath: String?,
                       into findings: inout [Finding]) {
        for i in trustTrees.indices where trustTrees[i].tree.size > size {
            trustTrees[i].consistent = false
            findings.append(Finding(.intCheckpoint, "the trust list's tree head attests \(trustTrees[i].tree.size) events but the log holds \(size): events were removed", file: trustPath, line: trustTrees[i].tree.line))
        }
        for i in checkpoints.indices where checkpoints[i].size > size {
            checkpoints[i].consistent = false
            findings.append(Finding(.intCheckpoint, "checkpoint attests \(checkpoints[i].size) events but the log holds \(size): events were removed", file: checkpoints[i].file))
        }
    }
}
