/// AT-CHANGES: a `*.modified` event lists each changed field's old and new value.
enum AtChanges: RuleDefinition {
    static let rule = Rule(id: .atChanges, severity: .major, clause: "21 CFR 11.10(e)",
        what: "A `*.modified` event without `changes` listing each field's old and new value.",
        why: "Audit trails must not obscure previously recorded information.",
        remedy: "Record the old and new values of every changed field in `changes`.")

    /// Per event, on the workers (pure).
    static func check(_ e: Event, into out: inout [(rule: RuleID, message: String)]) {
        if Event.requiresChanges(e.action) {
            let changes = e.changes ?? []
            if changes.isEmpty || !changes.allSatisfy(Event.isCompleteChange) {
                out.append((.atChanges, "\(e.action) without old and new values for each changed field"))
            }
        }
    }
}
