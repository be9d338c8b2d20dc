/// DRF-REVALIDATION: a drift window with drift is answered by a revalidation.triggered or
/// capa.opened within policy.revalidationDays after its end.
enum DrfRevalidation: RuleDefinition {
    static let rule = Rule(id: .drfRevalidation, severity: .critical, clause: "FDA/MHRA GMLP principle 10; EU GMP Annex 11 §11",
        what: "A drift window with drift that no revalidation.triggered or capa.opened answered within policy.revalidationDays after the window's end.",
        why: "A model whose data drifted is no longer shown to be valid; drift must trigger re-validation.",
        remedy: "Trigger re-validation (or open a CAPA) for the model version and record it.")

    /// At the end of the log: each window's status (deadline, answer) and the overdue ones' findings.
    static func finish(_ windows: [DriftWindow], versions: [VersionRef: VersionLifecycle], revalidationDays: Int64,
                       asOf: Timestamp?) -> ([Finding], [DriftStatus]) {
        var out: [Finding] = []
        var status: [DriftStatus] = []
        let days = Timestamp.seconds(days: revalidationDays)
        for w in windows {
            let deadline = w.end.adding(seconds: days)
            var s = DriftStatus(window: w, deadline: deadline, answeredBy: nil, answeredAction: nil, state: "ok")
            if w.drift {
                let v = versions[w.versionRef]
                let answer = v?.steps.first { step in
                    guard step.action == "revalidation.triggered" || step.action == "capa.opened",
                          case .valid(let t) = Timestamp.parse(step.time) else { return false }
                    return t >= w.start && t <= deadline
                }
                if let answer {
                    s.answeredBy = answer.seq
                    s.answeredAction = answer.action
                    s.state = "answered"
                } else if let asOf, deadline < asOf {
                    s.state = "overdue"
                    out.append(Finding(.drfRevalidation, "drift in \(w.versionRef) window \(w.start)–\(w.end) had no revalidation.triggered or capa.opened by \(deadline)", file: w.path))
                } else {
                    s.state = "pending"
                }
            }
            status.append(s)
        }
        return (out, status)
    }
}
