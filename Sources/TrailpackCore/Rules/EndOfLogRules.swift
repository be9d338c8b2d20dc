/// The end of the log: the rules that need the whole log (`run`, in RuleList.swift), over the
/// state `ComplianceCollector` gathered, with what they share: the traceability matrix, CAPA due
/// dates and the drift windows' status. Waivers come after (`WaiverInvalid.apply`).
struct EndOfLogRules {
    let config: Config
    let registry: Registry
    let asOf: Timestamp?

    /// What the end-of-log pass makes.
    struct Outcome {
        var findings: [Finding] = []
        /// Every version's lifecycle, sorted by model and version.
        var versions: [VersionLifecycle] = []
        var matrix: [TraceRow] = []
        var coverage: [Coverage] = []
        /// The CAPAs with due dates and overdue marks set.
        var capas: [CapaRecord] = []
        var driftStatus: [DriftStatus] = []
    }

    /// A version in the release: its traceability rows and coverage, and the rules of its evidence
    /// (REL-BIAS, REL-XAI, TRC-FAILED, TRC-UNTESTED). A requirement its tests name that the
    /// registry does not list has no row; when its latest test failed it counts as failed.
    func release(_ v: VersionLifecycle, model: RegistryModel) -> (findings: [Finding], rows: [TraceRow], coverage: Coverage) {
        var out: [Finding] = []
        if let f = RelBias.finish(v, model: model, policy: config.policy) { out.append(f) }
        if let f = RelXAI.finish(v, model: model, policy: config.policy) { out.append(f) }
        var rows: [TraceRow] = []
        var cov = Coverage(version: v.ref)
        for req in model.requirements {
            let tests = v.tests.filter { $0.requirements.contains(req.id) }
            let latest = tests.last
            let status: String
            cov.requirements += 1
            if let latest {
                cov.tested += 1
                if latest.passed { status = "passed"; cov.passed += 1 } else {
                    status = "failed"; cov.failed += 1
                    out.append(TrcFailed.finding(req, v, latest: latest, model: model))
                }
            } else {
                status = "untested"; cov.untested += 1
                out.append(TrcUntested.finding(req, v, model: model))
            }
            // The approval covering the requirement: the latest valid approval made after a passing
            // test of it (a later re-test, e.g. after drift, does not uncover it).
            let approval = v.approvals.last { a in a.isValidApproval && tests.contains { $0.passed && $0.seq < a.seq } }
            rows.append(TraceRow(version: v.ref, requirement: req, tests: tests, latest: latest, status: status, approval: approval))
        }
        // A failure of a requirement the registry no longer lists stays a failure.
        for (r, latest) in v.failedUnlisted(model.requirements) {
            cov.requirements += 1
            cov.tested += 1
            cov.failed += 1
            out.append(TrcFailed.unlisted(r, v, latest: latest, model: model))
        }
        return (out, rows, cov)
    }
}
