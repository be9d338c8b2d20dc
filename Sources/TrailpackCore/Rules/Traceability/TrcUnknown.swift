/// TRC-UNKNOWN: a test names only requirements its model (refs.model) has.
enum TrcUnknown: RuleDefinition {
    static let rule = Rule(id: .trcUnknown, severity: .minor, clause: "GAMP 5",
        what: "A test naming a requirement that the model in its refs.model does not have.",
        why: "Traceability links must point at real requirements.",
        remedy: "Correct the test's requirement ids, or add the requirement to the model's registry record.")

    /// In log order, for each counted event (`InOrderRules`).
    static func observe(_ e: Event, registry: Registry, _ add: (RuleID, String) -> Void) {
        guard e.action == "test.executed", let ref = e.refs.model else { return }
        guard let model = registry.model(ref.model) else {
            if !e.refs.requirements.isEmpty {
                add(.trcUnknown, "test \(e.subject.id) names requirements of model \(ref.model), which has no registry record")
            }
            return
        }
        for r in e.refs.requirements where !model.requirements.contains(where: { $0.id == r }) {
            add(.trcUnknown, "test \(e.subject.id) names requirement \(r), which model \(ref.model) does not have")
        }
    }
}
