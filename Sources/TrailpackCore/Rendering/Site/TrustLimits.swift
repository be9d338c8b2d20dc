/// One-line statements of what the pack's trust settings leave open (contract section 4.4): shown
/// on the summary and the integrity page, so that the site never implies more than it checked.
enum TrustLimits {
    /// The summary's statements: no trust list, approvals not restricted, test results not required to be signed.
    static func summary(_ a: PackAnalysis) -> [String] { summary(a.config, a.integrity.keyring) }

    static func summary(_ config: Config, _ keyring: Keyring) -> [String] {
        var out: [String] = []
        if keyring.trust == nil {
            out.append("No trust list was given (--trust): the keys in keys/ were trusted as found, so anyone who can write the pack source could have added a key and signed with it.")
        }
        if config.policy.approvers.isEmpty {
            out.append("Approvals are not restricted (policy.approvers is empty): a valid signature by any person counts as an approval, rejection or waiver.")
        }
        if !config.policy.requireSigned.contains("test.executed") {
            out.append("Test results are not required to be signed (policy.requireSigned does not list test.executed): anyone who can write the log can add a test result.")
        }
        return out
    }

    /// The integrity page's statements: the summary's, and what policy.requireSigned leaves open.
    static func integrity(_ a: PackAnalysis) -> [String] { integrity(a.config, a.integrity.keyring) }

    static func integrity(_ config: Config, _ keyring: Keyring) -> [String] {
        var out = summary(config, keyring).filter { !$0.hasPrefix("Test results") }
        let required = config.policy.requireSigned
        if required.isEmpty {
            out.append("No action is required to be signed (policy.requireSigned is empty): anyone who can write the log can add unsigned records (tests, trainings, deployments), and they count.")
        } else {
            out.append("Only these actions must carry a valid signature by their actor's key (policy.requireSigned): \(required.map(\.string).joined(separator: ", ")); anyone who can write the log can add unsigned records of other actions.")
        }
        return out
    }
}
