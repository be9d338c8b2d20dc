/// TRC-FAILED: the latest test of each requirement, for the version in scope, passed.
enum TrcFailed: RuleDefinition {
    static let rule = Rule(id: .trcFailed, severity: .critical, clause: "GAMP 5",
        what: "A requirement whose latest test for the version in scope failed, also when the model's registry record no longer lists the requirement (located at that test).",
        why: "A version that fails a requirement is not fit for its intended use.",
        remedy: "Fix the model or the requirement through change control, then re-test.")

    /// At the end of the log, for a requirement of a version in the release whose latest test failed.
    static func finding(_ req: Requirement, _ v: VersionLifecycle, latest: TestRecord, model: RegistryModel) -> Finding {
        var f = Finding(.trcFailed, "requirement \(req.id) of \(v.ref): latest test \(latest.test) (seq \(latest.seq)) \(latest.result)",
                        file: model.path, line: req.line)
        f.evidenceSeq = latest.seq
        return f
    }

    /// At the end of the log, for a requirement that a test of a version in the release names,
    /// that the model's registry record does not list, and whose latest test failed: the registry
    /// is not chained, so deleting a failing requirement from it must not clear the failure.
    static func unlisted(_ req: JSONString, _ v: VersionLifecycle, latest: TestRecord, model: RegistryModel) -> Finding {
        var f = Finding(.trcFailed, "requirement \(req) of \(v.ref), not in the registry (\(model.path)): latest test \(latest.test) (seq \(latest.seq)) \(latest.result)",
                        seq: latest.seq)
        f.evidenceSeq = latest.seq
        return f
    }
}
