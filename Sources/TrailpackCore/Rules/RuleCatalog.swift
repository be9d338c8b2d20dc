/// The stable id of a rule (contract section 7).
public enum RuleID: String, Sendable, Hashable, CaseIterable, Codable {
    case intParse = "INT-PARSE", intHash = "INT-HASH", intChain = "INT-CHAIN", intSeq = "INT-SEQ"
    case intCheckpoint = "INT-CHECKPOINT", intCheckpointSig = "INT-CHECKPOINT-SIG"
    case intArtifact = "INT-ARTIFACT", intTime = "INT-TIME"
    case atReason = "AT-REASON", atChanges = "AT-CHANGES"
    case sigInvalid = "SIG-INVALID", sigManifest = "SIG-MANIFEST", sigKey = "SIG-KEY", sigRequired = "SIG-REQUIRED", sigSigner = "SIG-SIGNER"
    case sigSOD = "SIG-SOD"
    case relApproval = "REL-APPROVAL", relValidation = "REL-VALIDATION", relRegistry = "REL-REGISTRY"
    case relBias = "REL-BIAS", relXAI = "REL-XAI"
    case trcUntested = "TRC-UNTESTED", trcFailed = "TRC-FAILED", trcUnknown = "TRC-UNKNOWN"
    case capaMissing = "CAPA-MISSING", capaOverdue = "CAPA-OVERDUE"
    case drfRevalidation = "DRF-REVALIDATION", drfGap = "DRF-GAP"
    /// A `finding.waived` event that waives nothing.
    case waiverInvalid = "WAIVER-INVALID"

    /// The rule's catalogue entry.
    public var rule: Rule { RuleCatalog.byID[self] ?? RuleCatalog.fallback(self) }
}

/// What a rule checks, why, the regulation clause it serves and how to fix a finding: one table
/// shared by the checks, the findings page and `docs/rules.md`.
public struct Rule: Sendable, Hashable {
    public var id: RuleID
    public var severity: Severity
    public var clause: String
    public var what: String
    public var why: String
    public var remedy: String
}

/// All rules, in the contract's order.
public enum RuleCatalog {
    public static let all: [Rule] = [
        Rule(id: .intParse, severity: .critical, clause: "21 CFR 11.10(a)",
             what: "A line of the audit store that is not one canonical (RFC 8785) JSON event: not JSON, not an object, not UTF-8, a BOM, a CR, a blank line, a duplicate key, a missing or mistyped field, or any byte that differs from the canonical form.",
             why: "The hash of an event is only reproducible from its canonical bytes; a record that cannot be read exactly cannot be shown to be accurate and complete.",
             remedy: "Write events with an RFC 8785 serializer (or `trailpack record`). Never edit segments by hand; if a line is damaged, restore the segment from backup and verify again."),
        Rule(id: .intHash, severity: .critical, clause: "21 CFR 11.10(e); EU GMP Annex 11 §9",
             what: "An event whose recorded `hash` differs from SHA-256 of its canonical form without `hash`.",
             why: "A hash mismatch means the event's content changed after it was recorded.",
             remedy: "Treat as tampering or corruption: restore the segment from a trusted copy, investigate who changed it, and record the investigation as an exception with CAPA."),
        Rule(id: .intChain, severity: .critical, clause: "21 CFR 11.10(e)",
             what: "An event whose `prev` is not the `hash` of the event before it (64 zeros for the first).",
             why: "The chain makes deletion, insertion and reordering of events evident.",
             remedy: "Find where the chain breaks (the finding names the line); restore the missing or altered events from a trusted copy."),
        Rule(id: .intSeq, severity: .critical, clause: "21 CFR 11.10(e)",
             what: "A `seq` gap, repeat or reordering, or an event `id` used twice.",
             why: "Sequence numbers and unique ids show that the trail is complete and that each record is referenced unambiguously.",
             remedy: "Restore the missing or duplicated events from a trusted copy; never renumber events by hand."),
        Rule(id: .intCheckpoint, severity: .critical, clause: "21 CFR 11.10(e)",
             what: "A checkpoint whose Merkle root differs from the root of the log's first N events, that is longer than the log, or whose origin is not the pack's.",
             why: "A signed checkpoint attests what the log was; a log that no longer reproduces it was rewritten after the checkpoint.",
             remedy: "Compare the log with the copy that was checkpointed; restore the original events. Do not delete the checkpoint: it is the evidence."),
        Rule(id: .intCheckpointSig, severity: .critical, clause: "21 CFR 11.10(e)",
             what: "A checkpoint with no valid signature by a trusted key, a malformed checkpoint, or a trusted key's signature that does not verify.",
             why: "An unsigned or forged checkpoint proves nothing about the log.",
             remedy: "Re-create the checkpoint with `trailpack checkpoint --key` using a key listed in keys/ (and in --trust); remove forged checkpoint files after investigation."),
        Rule(id: .intArtifact, severity: .critical, clause: "21 CFR 11.10(a)",
             what: "An artifact referenced by an event whose file is missing, lies outside the pack source, or whose SHA-256 differs from the recorded digest.",
             why: "Evidence must be the exact file that was reviewed when the event was recorded.",
             remedy: "Restore the original artifact file into artifacts/ at the recorded path; if it is lost, raise an exception with CAPA."),
        Rule(id: .intTime, severity: .major, clause: "21 CFR 11.10(e); ALCOA+ (contemporaneous)",
             what: "An event time without a UTC offset, not RFC 3339, or earlier than the latest time seen so far by more than policy.clockSkewSeconds; (v1.1) an `occurred` that is not RFC 3339 with an offset, or later than the event's time by more than policy.clockSkewSeconds.",
             why: "Audit trails must be time-stamped unambiguously and contemporaneously.",
             remedy: "Fix the recording pipeline's clock and time format (RFC 3339 with Z or +hh:mm); record a wrong time's correction as a record.modified (old and new value, reason) and waive the finding with it (docs/format.md)."),
        Rule(id: .atReason, severity: .major, clause: "EU GMP Annex 11 §9",
             what: "A modification, deletion, stage change, override or waiver without a non-empty `reason`.",
             why: "Annex 11 requires the reason for a change or deletion of GMP-relevant data to be documented.",
             remedy: "Record a follow-up `record.modified` event that documents the reason, referencing the original event in refs.event."),
        Rule(id: .atChanges, severity: .major, clause: "21 CFR 11.10(e)",
             what: "A `*.modified` event without `changes` listing each field's old and new value.",
             why: "Audit trails must not obscure previously recorded information.",
             remedy: "Record the old and new values of every changed field in `changes`."),
        Rule(id: .sigInvalid, severity: .critical, clause: "21 CFR 11.70",
             what: "An electronic signature that does not verify over the event's signed content, or whose algorithm is not ed25519.",
             why: "Signatures must be linked to their records so that they cannot be copied or transferred to falsify a record.",
             remedy: "The signed content was changed or the signature was copied from another record: investigate, and have the signer sign the correct record again."),
        Rule(id: .sigManifest, severity: .major, clause: "21 CFR 11.50",
             what: "A signature without the signer's printed name, the time, or one of the meanings authorship, review, approval, responsibility; a printed name (`signature.name` or `actor.name`) other than the one the key's first `key.registered` gives its owner (`data.name`), or a signing time more than policy.clockSkewSeconds away from the event's time. Such a signature does not count.",
             why: "Signed records must show the printed name, date and time, and meaning of the signature, and those must be the signer's own: a name or time the signer can choose freely would let one person sign in another's name or at another time.",
             remedy: "Have the signing tool fill name, time and meaning from the key's registration and the event; re-sign the record."),
        Rule(id: .sigKey, severity: .critical, clause: "21 CFR 11.100, 11.300",
             what: "A signature by a key that is unknown (not in keys/ or not in --trust), not registered, registered to someone other than the signer, or revoked by an earlier valid key.revoked event; a key.registered that names another owner than the key's trust line or first registration (a key belongs to one person for good; it changes nothing); two key names with the same public key (every signature by either); a key.revoked not validly signed by the key's owner or a policy.keyAdministrators person (it changes nothing); a signature in an event by a key marked checkpoint in the trust list.",
             why: "Each signature must be unique to one individual and controls over their identification codes must be in place: nobody may take over, copy or revoke another person's key.",
             remedy: "Register each key once, naming its owner (and the owner in the trust list); revoke keys only as their owner or a key administrator, signed; keep one key file per key; sign events only with personal keys and checkpoints only with the checkpoint key."),
        Rule(id: .sigRequired, severity: .critical, clause: "21 CFR 11.10(e), 11.70",
             what: "An event whose action policy.requireSigned lists, without a valid signature by a key registered to its actor (services may own keys). It counts for no other rule.",
             why: "Records that anyone who can write the log could add (a passing test, a training, a deployment) are evidence only when their author signed them.",
             remedy: "Give the pipeline that records these actions its own key, register it to the pipeline's service id, and sign its events (`trailpack record --key`)."),
        Rule(id: .sigSigner, severity: .critical, clause: "21 CFR 11.100",
             what: "A signature whose `signer` differs from the event's `actor.id`.",
             why: "The person who signs must be the person who acts.",
             remedy: "Sign events as their actor; record a new, correctly signed event."),
        Rule(id: .sigSOD, severity: .major, clause: "EU GMP Annex 11 §2; GAMP 5",
             what: "A version approved by the actor of its `model.trained`, or of a `code.changed` whose commit matches the version's commit; actors compared after mapping through `identities` (one person across MLflow, OpenLineage and git).",
             why: "The approver must be independent of the work they approve.",
             remedy: "Have an independent, qualified person review and approve the version."),
        Rule(id: .relApproval, severity: .critical, clause: "21 CFR 11.10(f); EU GMP Annex 11 §14",
             what: "A version deployed or moved to production without an earlier valid approval: a `model.approved` by a person whose signature verifies with meaning approval, by one of policy.approvers when listed, not followed by a `model.trained` for the version (which voids it) nor by a valid `model.rejected` (the latest valid decision before the release step counts).",
             why: "Release to production requires a documented, signed approval in the right sequence.",
             remedy: "Roll back or approve: record a signed approval and redeploy; document the unapproved deployment as an exception with CAPA."),
        Rule(id: .relValidation, severity: .critical, clause: "GAMP 5",
             what: "A version approved or deployed while, for one of its model's requirements, the latest earlier test for that version is missing or failed.",
             why: "A version may be released only after it has been verified against every requirement.",
             remedy: "Run the missing or failed tests, fix the model if needed, and approve again."),
        Rule(id: .relRegistry, severity: .major, clause: "21 CFR 11.10(e)",
             what: "A registry fact (a version exists, its stage) that no event explains, or a version trained twice (a second `model.trained` for it).",
             why: "The registry is the current state; the audit trail must hold its full history.",
             remedy: "Record the missing model.registered or model.stage_changed event, or correct the registry to match the trail."),
        Rule(id: .relBias, severity: .major, clause: "FDA/MHRA GMLP principle 3; EU AI Act Art. 10(2)(f)",
             what: "A version in scope without a `bias.evaluated` event (when policy.requireBiasEvaluation).",
             why: "Performance across relevant subgroups must be evaluated before release.",
             remedy: "Run the subgroup evaluation and record it as bias.evaluated."),
        Rule(id: .relXAI, severity: .minor, clause: "FDA/MHRA GMLP principles 7, 9",
             what: "A version in scope without an `explanation.generated` event (when policy.requireExplainability).",
             why: "Users need information about how the model reaches its outputs.",
             remedy: "Generate and record an explanation (for example SHAP) with its artifact."),
        Rule(id: .trcUntested, severity: .major, clause: "GAMP 5",
             what: "A requirement of a model in scope with no executed test for the version in scope.",
             why: "Every requirement must be traced to a test that verifies it.",
             remedy: "Write and run a test for the requirement and record it with refs.requirements."),
        Rule(id: .trcFailed, severity: .critical, clause: "GAMP 5",
             what: "A requirement whose latest test for the version in scope failed.",
             why: "A version that fails a requirement is not fit for its intended use.",
             remedy: "Fix the model or the requirement through change control, then re-test."),
        Rule(id: .trcUnknown, severity: .minor, clause: "GAMP 5",
             what: "A test naming a requirement that the model in its refs.model does not have.",
             why: "Traceability links must point at real requirements.",
             remedy: "Correct the test's requirement ids, or add the requirement to the model's registry record."),
        Rule(id: .capaMissing, severity: .major, clause: "ICH Q10 §3.2.2; 21 CFR 211.192",
             what: "An exception with no CAPA opened for it.",
             why: "Deviations must be investigated and lead to corrective and preventive action.",
             remedy: "Open a CAPA whose refs.event names the exception event."),
        Rule(id: .capaOverdue, severity: .major, clause: "ICH Q10 §3.2.2",
             what: "A CAPA still open past its due date (data.due, else opening + policy.capaDueDays) at the as-of time.",
             why: "CAPAs must be completed in time, or their extension justified.",
             remedy: "Close the CAPA with its evidence, or record a justified new due date."),
        Rule(id: .drfRevalidation, severity: .critical, clause: "FDA/MHRA GMLP principle 10; EU GMP Annex 11 §11",
             what: "A drift window with drift that no revalidation.triggered or capa.opened answered within policy.revalidationDays after the window's end.",
             why: "A model whose data drifted is no longer shown to be valid; drift must trigger re-validation.",
             remedy: "Trigger re-validation (or open a CAPA) for the model version and record it."),
        Rule(id: .drfGap, severity: .major, clause: "FDA/MHRA GMLP principle 10; EU GMP Annex 11 §11",
             what: "A version in scope whose consecutive drift windows leave time uncovered between them; (v1.1) or a version in scope that is in production and has no drift window at all.",
             why: "Monitoring must be continuous; a gap is time during which drift could have gone unseen.",
             remedy: "Run monitoring for the missing period (or start monitoring a production version) and add its results, or document why it was not monitored."),
        Rule(id: .waiverInvalid, severity: .major, clause: "21 CFR 11.10(e), 11.50",
             what: "A finding.waived event that waives nothing: unsigned, signature invalid, meaning not approval, by a service, by someone not in policy.approvers (when listed), without a reason, without data.rule and data.location, of a finding that is never waived (INT-PARSE, INT-HASH, INT-CHAIN, INT-SEQ, INT-CHECKPOINT, INT-CHECKPOINT-SIG, SIG-INVALID, SIG-KEY, SIG-SIGNER, SIG-REQUIRED, WAIVER-INVALID), or signed by the actor of the event its finding names. A valid waiver that matches no finding is listed on the findings page as unused; it is not a finding.",
             why: "Only a signed, attributable decision by an independent approver may accept a finding, and tampering or a broken signature is never accepted: it is undone, not explained.",
             remedy: "Record the waiver again, signed by a person with meaning approval, with the rule and location exactly as printed in the finding."),
    ]

    static let byID: [RuleID: Rule] = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })

    static func fallback(_ id: RuleID) -> Rule {
        Rule(id: id, severity: .major, clause: "", what: id.rawValue, why: "", remedy: "")
    }
}
