/// REL-XAI: a version in scope has an `explanation.generated` event (when policy.requireExplainability).
enum RelXAI: RuleDefinition {
    static let rule = Rule(id: .relXAI, severity: .minor, clause: "FDA/MHRA GMLP principles 7, 9",
        what: "A version in scope without an `explanation.generated` event (when policy.requireExplainability).",
        why: "Users need information about how the model reaches its outputs.",
        remedy: "Generate and record an explanation (for example SHAP) with its artifact.")

    /// At the end of the log, for a version in the release.
    static func finish(_ v: VersionLifecycle, model: RegistryModel, policy: Config.Policy) -> Finding? {
        guard policy.requireExplainability && v.explanations.isEmpty else { return nil }
        return Finding(.relXAI, "\(v.ref) is in the release without an explanation.generated event", file: model.path, line: v.registry?.line)
    }
}
