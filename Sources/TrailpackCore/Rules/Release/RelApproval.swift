/// REL-APPROVAL: a version is deployed, moved to production or given a production alias only
/// after a valid approval (one not voided by a later training or a valid rejection).
enum RelApproval: RuleDefinition {
    static let rule = Rule(id: .relApproval, severity: .critical, clause: "21 CFR 11.10(f); EU GMP Annex 11 §14",
        what: "A version deployed or moved to production without an earlier valid approval: a `model.approved` by a person whose signature verifies with meaning approval, by one of policy.approvers when listed, not followed by a `model.trained` for the version (which voids it) nor by a valid `model.rejected` (the latest valid decision before the release step counts).",
        why: "Release to production requires a documented, signed approval in the right sequence.",
        remedy: "Roll back or approve: record a signed approval and redeploy; document the unapproved deployment as an exception with CAPA.")

    /// In log order, at a release step of `v` (its lifecycle before this event).
    static func check(_ v: VersionLifecycle, _ e: Event, _ add: (RuleID, String) -> Void) {
        if !v.approvals.contains(where: \.isValidApproval) {
            let what = e.action == "model.deployed" ? "deployed"
                : e.action == "model.alias_changed" ? "given the production alias \(e.data["alias"]?.stringValue ?? "")" : "moved to production"
            let tried = v.approvals.isEmpty ? "no model.approved before it" :
                "no earlier approval counts (" + v.approvals.map { "seq \($0.seq): \($0.invalidReason ?? "")" }.joined(separator: "; ") + ")"
            add(.relApproval, "\(v.ref) \(what) without an earlier signed approval: \(tried)")
        }
    }
}
