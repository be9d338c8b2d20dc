/// REL-VALIDATION: a version is approved or deployed only when, for each requirement of its
/// model, the latest earlier test for that version passed.
enum RelValidation: RuleDefinition {
    static let rule = Rule(id: .relValidation, severity: .critical, clause: "GAMP 5",
        what: "A version approved or deployed while, for one of its model's requirements, the latest earlier test for that version is missing or failed, or while the latest earlier test of a requirement that the registry no longer lists failed.",
        why: "A version may be released only after it has been verified against every requirement.",
        remedy: "Run the missing or failed tests, fix the model if needed, and approve again.")

    /// In log order, at a `model.approved` or `model.deployed` of `v`.
    static func check(_ v: VersionLifecycle, _ e: Event, seq: Int64, registry: Registry, _ add: (RuleID, String) -> Void) {
        guard let model = registry.model(v.ref.model) else { return }
        var problems: [String] = []
        for r in model.requirements {
            if let t = v.latestTest(for: r.id, before: seq) {
                if !t.passed { problems.append("\(r.id): latest test \(t.test) (seq \(t.seq)) \(t.result)") }
            } else {
                problems.append("\(r.id): no test")
            }
        }
        // A failed requirement that the registry no longer lists still fails (TRC-FAILED).
        for (r, t) in v.failedUnlisted(model.requirements, before: seq) {
            problems.append("\(r) (not in the registry): latest test \(t.test) (seq \(t.seq)) \(t.result)")
        }
        if !problems.isEmpty {
            let what = e.action == "model.approved" ? "approved" : "deployed"
            add(.relValidation, "\(v.ref) \(what) while not validated: " + problems.joined(separator: "; "))
        }
    }
}
