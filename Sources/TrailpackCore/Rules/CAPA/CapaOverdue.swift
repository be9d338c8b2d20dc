/// CAPA-OVERDUE: no CAPA is still open past its due date at the as-of time.
enum CapaOverdue: RuleDefinition {
    static let rule = Rule(id: .capaOverdue, severity: .major, clause: "ICH Q10 §3.2.2",
        what: "A CAPA still open past its due date (data.due, else opening + policy.capaDueDays) at the as-of time.",
        why: "CAPAs must be completed in time, or their extension justified.",
        remedy: "Close the CAPA with its evidence, or record a justified new due date.")

    /// At the end of the log: sets each open CAPA's `due` (data.due, else opening + capaDueDays) and `overdue`.
    static func finish(_ capas: inout [CapaRecord], capaDueDays: Int64, asOf: Timestamp?) -> [Finding] {
        var out: [Finding] = []
        for i in capas.indices where capas[i].closedSeq == nil {
            let due = capas[i].due ?? capas[i].opened?.adding(seconds: Timestamp.seconds(days: capaDueDays))
            capas[i].due = due
            if let due, let asOf, due < asOf {
                capas[i].overdue = true
                out.append(Finding(.capaOverdue, "CAPA \(capas[i].id) is open past its due date \(due) (as of \(asOf))", seq: capas[i].openedSeq))
            }
        }
        return out
    }
}
