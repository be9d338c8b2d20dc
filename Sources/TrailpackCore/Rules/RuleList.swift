/// The rule list: every rule once, in the contract's order. The catalogue (`trailpack rules`,
/// docs/rules.md, the findings page) comes from the rules' entries.
public enum RuleCatalog {
    /// All rules' catalogue entries, in the contract's order. A new rule: its file under
    /// Rules/<Area>/, a case of `RuleID`, and one line here.
    public static let all: [Rule] = [
        // Integrity/
        IntParse.rule,
        IntHash.rule,
        IntChain.rule,
        IntSeq.rule,
        IntCheckpoint.rule,
        IntCheckpointSig.rule,
        IntArtifact.rule,
        IntTime.rule,
        // AuditTrail/
        AtReason.rule,
        AtChanges.rule,
        // Signatures/
        SigInvalid.rule,
        SigManifest.rule,
        SigKey.rule,
        SigRequired.rule,
        SigSigner.rule,
        SigSOD.rule,
        // Release/
        RelApproval.rule,
        RelValidation.rule,
        RelRegistry.rule,
        RelBias.rule,
        RelXAI.rule,
        // Traceability/
        TrcUntested.rule,
        TrcFailed.rule,
        TrcUnknown.rule,
        // CAPA/
        CapaMissing.rule,
        CapaOverdue.rule,
        // Drift/
        DrfRevalidation.rule,
        DrfGap.rule,
        // Waivers/
        WaiverInvalid.rule,
    ]

    static let byID: [RuleID: Rule] = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })

    static func fallback(_ id: RuleID) -> Rule {
        Rule(id: id, severity: .major, clause: "", what: id.rawValue, why: "", remedy: "")
    }
}

/// The checks that depend on one event alone: run on the worker threads, so each must be a
/// pure function of the event. Listed here, called directly (no dynamic dispatch per event).
enum EventRules {
    static func check(_ e: Event) -> [(rule: RuleID, message: String)] {
        var out: [(rule: RuleID, message: String)] = []
        AtReason.check(e, into: &out)
        AtChanges.check(e, into: &out)
        return out
    }
}
