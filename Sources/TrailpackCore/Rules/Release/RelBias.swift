/// REL-BIAS: a version in scope has a `bias.evaluated` event (when policy.requireBiasEvaluation).
enum RelBias: RuleDefinition {
    static let rule = Rule(id: .relBias, severity: .major, clause: "FDA/MHRA GMLP principle 3; EU AI Act Art. 10(2)(f)",
        what: "A version in scope without a `bias.evaluated` event (when policy.requireBiasEvaluation).",
        why: "Performance across relevant subgroups must be evaluated before release.",
        remedy: "Run the subgroup evaluation and record it as bias.evaluated.")

    /// At the end of the log, for a version in the release.
    static func finish(_ v: VersionLifecycle, model: RegistryModel, policy: Config.Policy) -> Finding? {
        guard policy.requireBiasEvaluation && v.biasEvaluations.isEmpty else { return nil }
        return Finding(.relBias, "\(v.ref) is in the release without a bias.evaluated event", file: model.path, line: v.registry?.line)
    }
}
