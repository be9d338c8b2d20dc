/// One-line statements of what the pack's trust settings leave open (contract section 4.4): shown
/// on the summary and the integrity page, so that the site never implies more than it checked.
enum TrustLimits {
    /// The summary's warnings: no trust list, approvals not restricted, test results not required
    /// to be signed, events after the last checkpoint, consistent checkpoints over changed events,
    /// actions policy.requireSigned lists that the log never has, imported names that no identity maps.
    static func summary(_ a: PackAnalysis) -> [String] {
        var out = summary(a.config, a.integrity.keyring)
        let after = a.integrity.eventsAfterLastCheckpoint
        if after > 0 {
            out.append("\(after) event\(after == 1 ? " was" : "s were") recorded after the last consistent signed checkpoint: no signed tree head covers \(after == 1 ? "it" : "them") yet, so \(after == 1 ? "it" : "they") could be rewritten without a checkpoint showing it (run trailpack checkpoint).")
        }
        // Checkpoints stay consistent over an event whose content was changed after it was
        // hashed (the tree is built from the recorded hashes): say so beside "consistent".
        let changed = hashMismatches(a)
        let over = a.integrity.checkpoints.filter { cp in cp.consistent == true && changedEvents(changed, covered: cp) > 0 }.count
        if over > 0 {
            out.append("\(over) consistent checkpoint\(over == 1 ? " covers" : "s cover") \(changed.count) event\(changed.count == 1 ? " whose content does" : "s whose content does") not match \(changed.count == 1 ? "its" : "their") recorded hash: the Merkle tree is built from the hashes the events recorded, so a checkpoint still matches after an event's content was changed (INT-HASH on the findings page).")
        }
        // An action policy.requireSigned lists that no event of the log has: a misspelling makes
        // the requirement cover nothing, and nothing else would say so.
        let seen = Set(a.actionCounts.map { Array($0.0.utf8) })
        let never = a.config.policy.requireSigned.filter { !seen.contains($0.bytes) }
        if !never.isEmpty {
            out.append("policy.requireSigned lists \(never.map(\.string).joined(separator: ", ")), which no event of the log has: check the spelling, or the requirement covers nothing.")
        }
        let unmapped = a.unmappedNames.count
        if unmapped > 0 {
            out.append("\(unmapped) name\(unmapped == 1 ? "" : "s") brought in from other systems (MLflow, OpenLineage, git) \(unmapped == 1 ? "is" : "are") mapped by no identities entry: separation of duties cannot recognise \(unmapped == 1 ? "that person" : "those people") (see Integrity).")
        }
        return out
    }

    /// The seqs of the events whose content does not match their recorded hash (INT-HASH, not waived).
    static func hashMismatches(_ a: PackAnalysis) -> [Int64] {
        a.findings.filter { $0.rule == .intHash && $0.waiver == nil }.compactMap(\.seq)
    }

    /// How many of those events a checkpoint covers: the tree is built from the recorded hashes,
    /// so a checkpoint over them stays consistent.
    static func changedEvents(_ mismatches: [Int64], covered cp: LoadedCheckpoint) -> Int {
        mismatches.filter { $0 <= Int64(cp.size) }.count
    }

    static func summary(_ config: Config, _ keyring: Keyring) -> [String] {
        var out: [String] = []
        if keyring.trust == nil {
            out.append("No trust list was given (--trust): the keys in keys/ were trusted as found, so anyone who can write the pack source could have added a key and signed with it.")
        }
        if config.policy.approvers.isEmpty {
            out.append("Approvals are not restricted (policy.approvers is empty): a valid signature by any person counts as an approval, rejection or waiver.")
        }
        if !config.policy.requireSigned.contains("test.executed") {
            out.append("Test results are not required to be signed (policy.requireSigned does not list test.executed): anyone who can write the log can add a test result.")
        }
        return out
    }

    /// The integrity page's statements (report.json and `verify` list them as `limits`): the
    /// summary's, and what policy.requireSigned leaves open.
    static func integrity(_ a: PackAnalysis) -> [String] { integrity(a.config, a.integrity.keyring) }

    static func integrity(_ config: Config, _ keyring: Keyring) -> [String] {
        summary(config, keyring).filter { !$0.hasPrefix("Test results") } + [signing(config)]
    }

    /// The integrity page's amber warnings: the trust settings among the summary's warnings (no
    /// trust list, approvals not restricted, test results not required to be signed). What
    /// policy.requireSigned covers (``signing(_:)``) is stated beside them, not as a warning.
    static func integrityWarnings(_ a: PackAnalysis) -> [String] { summary(a.config, a.integrity.keyring) }

    /// Which actions must be signed (policy.requireSigned), and that others need not be.
    static func signing(_ config: Config) -> String {
        let required = config.policy.requireSigned
        if required.isEmpty {
            return "No action is required to be signed (policy.requireSigned is empty): anyone who can write the log can add unsigned records (tests, trainings, deployments), and they count."
        }
        return "Only these actions must carry a valid signature by their actor's key (policy.requireSigned): \(required.map(\.string).joined(separator: ", ")); anyone who can write the log can add unsigned records of other actions."
    }
}
