/// TRC-FAILED: the latest test of each requirement, for the version in scope, passed.
enum TrcFailed: RuleDefinition {
    static let rule = Rule(id: .trcFailed, severity: .critical, clause: "GAMP 5",
        what: "A requirement whose latest test for the version in scope failed.",
        why: "A version that fails a requirement is not fit for its intended use.",
        remedy: "Fix the model or the requirement through change control, then re-test.")

    /// At the end of the log, for a requirement of a version in the release whose latest test failed.
    static func finding(_ req: Requirement, _ v: VersionLifecycle, latest: TestRecord, model: RegistryModel) -> Finding {
        var f = Finding(.trcFailed, "requirement \(req.id) of \(v.ref): latest test \(latest.test) (seq \(latest.seq)) \(latest.result)",
                        file: model.path, line: req.line)
        f.evidenceSeq = latest.seq
        return f
    }
}
