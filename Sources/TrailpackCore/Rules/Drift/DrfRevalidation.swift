/// DRF-REVALIDATION: a drift window with drift is answered by a revalidation.triggered or
/// capa.opened within policy.revalidationDays after its end.
enum DrfRevalidation: RuleDefinition {
    static let rule = Rule(id: .drfRevalidation, severity: .critical, clause: "FDA/MHRA GMLP principle 10; EU GMP Annex 11 §11",
        what: "A drift window with drift that no revalidation.triggered or capa.opened answered within policy.revalidationDays after the window's end; or a `drift.detected` event that none answered between its data.windowStart (else its time) and policy.revalidationDays after it, whatever drift/ says (unless a drifting window that covers it already has this finding).",
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
        out += detections(versions: versions, windows: status, days: days, asOf: asOf)
        return (out, status)
    }

    /// The log's `drift.detected` events, each answered by a `revalidation.triggered` or
    /// `capa.opened` for its version in [its windowStart (else its time), its time +
    /// revalidationDays]. `drift/` is not chained: a window set to no drift or deleted must not
    /// clear drift that the log recorded. An unanswered detection that a drifting window covering
    /// it (start ≤ time ≤ end + revalidationDays) already reports as overdue adds nothing.
    static func detections(versions: [VersionRef: VersionLifecycle], windows: [DriftStatus], days: Int64, asOf: Timestamp?) -> [Finding] {
        guard let asOf else { return [] }
        var out: [Finding] = []
        for v in versions.values.sorted(by: { $0.ref < $1.ref }) {
            for d in v.driftDetected {
                let deadline = d.time.adding(seconds: days)
                guard deadline < asOf, !v.revalidations.contains(where: { $0 >= d.from && $0 <= deadline }) else { continue }
                let covering = windows.filter { $0.window.drift && $0.window.versionRef == v.ref && $0.window.start <= d.time && d.time <= $0.deadline }
                if covering.contains(where: { $0.state == "overdue" }) { continue }
                let files = covering.isEmpty ? "; no drift window in drift/ shows this drift" : ""
                var f = Finding(.drfRevalidation, "drift.detected for \(v.ref) at \(d.time) (seq \(d.seq)) had no revalidation.triggered or capa.opened from \(d.from) to \(deadline)\(files)",
                                seq: d.seq)
                f.evidenceSeq = d.seq
                out.append(f)
            }
        }
        return out
    }
}
