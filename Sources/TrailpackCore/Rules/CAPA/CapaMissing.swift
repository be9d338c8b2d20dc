/// CAPA-MISSING: each exception has a CAPA opened for it.
enum CapaMissing: RuleDefinition {
    static let rule = Rule(id: .capaMissing, severity: .major, clause: "ICH Q10 §3.2.2; 21 CFR 211.192",
        what: "An exception with no CAPA opened for it.",
        why: "Deviations must be investigated and lead to corrective and preventive action.",
        remedy: "Open a CAPA whose refs.event names the exception event.")

    /// At the end of the log.
    static func finish(_ exceptions: [ExceptionRecord]) -> [Finding] {
        exceptions.filter { $0.capas.isEmpty }.map { e in
            Finding(.capaMissing, "exception \(e.id) (\(e.subject)) has no CAPA opened for it", seq: e.seq)
        }
    }
}
