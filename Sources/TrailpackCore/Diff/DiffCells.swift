// The text of each changed row's cells on the changes page, which the site (`build --previous`)
// and the `diff` command (`--format html|markdown`, `--out`) render alike (issue 12, item 6).

extension RequirementState {
    /// `2: failed (T-2, seq 40)`, or `–` for no row: the one text of a row's side.
    public static func cell(_ s: RequirementState?) -> String {
        guard let s else { return "–" }
        return "\(s.version.string): \(s.status)" + (s.test.map { " (\($0.string), seq \(s.seq.map(String.init) ?? "?"))" } ?? "")
    }
}

extension DriftState {
    /// `drift, pending`, `no drift, ok`, or `–` for no window: the one text of a window's side.
    public static func cell(_ d: DriftState?) -> String { d.map { ($0.drift ? "drift, " : "no drift, ") + $0.state } ?? "–" }
}

extension VersionState {
    /// The state's description, or `–` when the version is absent from that release.
    public static func cell(_ v: VersionState?) -> String { v?.description ?? "–" }
}

extension SignatureRecord {
    /// Who signed, as the diff shows it: the printed name, else the signer id.
    public var signedBy: String { name.isEmpty ? signer : name }
}
