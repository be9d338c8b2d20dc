/// TRC-UNTESTED: each requirement of a model in scope has an executed test for the version.
enum TrcUntested: RuleDefinition {
    static let rule = Rule(id: .trcUntested, severity: .major, clause: "GAMP 5",
        what: "A requirement of a model in scope with no executed test for the version in scope.",
        why: "Every requirement must be traced to a test that verifies it.",
        remedy: "Write and run a test for the requirement and record it with refs.requirements.")

    /// At the end of the log, for a requirement of a version in the release with no test.
    static func finding(_ req: Requirement, _ v: VersionLifecycle, model: RegistryModel) -> Finding {
        var f = Finding(.trcUntested, "requirement \(req.id) of \(v.ref) has no executed test for this version", file: model.path, line: req.line)
        // The version's first event: a waiver from before the version existed does not cover it.
        f.evidenceSeq = [v.registeredSeq, v.trainedSeqs.first].compactMap { $0 }.min()
        return f
    }
}
