/// INT-ARTIFACT: each artifact an event names lies inside the pack source, exists and has the
/// recorded SHA-256 (digests from the shared `ArtifactChecker`, each file read once).
enum IntArtifact: RuleDefinition {
    static let rule = Rule(id: .intArtifact, severity: .critical, clause: "21 CFR 11.10(a)",
        what: "An artifact referenced by an event whose file is missing, lies outside the pack source, or whose SHA-256 differs from the recorded digest.",
        why: "Evidence must be the exact file that was reviewed when the event was recorded.",
        remedy: "Restore the original artifact file into artifacts/ at the recorded path; if it is lost, raise an exception with CAPA.")

    /// In log order.
    static func check(_ refs: Refs, artifacts: inout ArtifactChecker, at place: FindingPlace, into findings: inout [Finding]) {
        for a in refs.artifacts {
            switch artifacts.digest(of: a.path) {
            case .success(let h):
                if h != a.sha256 {
                    findings.append(place.finding(.intArtifact, "artifact \(a.path): SHA-256 is \(h), the event records \(a.sha256)"))
                }
            case .failure(.outside):
                findings.append(place.finding(.intArtifact, "artifact path \(a.path) lies outside the pack source"))
            case .failure(.missing):
                findings.append(place.finding(.intArtifact, "artifact \(a.path) is missing"))
            case .failure(.unreadable(let p)):
                findings.append(place.finding(.intArtifact, "artifact \(p) cannot be read"))
            }
        }
    }
}
