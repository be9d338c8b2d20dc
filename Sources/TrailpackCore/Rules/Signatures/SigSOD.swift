/// SIG-SOD: the approver of a version neither trained it nor changed its code (actors compared
/// as the person `identities` maps them to). At the end of the log.
enum SigSOD: RuleDefinition {
    static let rule = Rule(id: .sigSOD, severity: .major, clause: "EU GMP Annex 11 §2; GAMP 5",
        what: "A version approved by the actor of its `model.trained`, or of a `code.changed` whose commit matches the version's commit (the registry's or one its `model.trained` names: editing the registry hides nothing); actors compared after mapping through `identities` (one person across MLflow, OpenLineage and git).",
        why: "The approver must be independent of the work they approve.",
        remedy: "Have an independent, qualified person review and approve the version.")

    /// Commit ids match when one is a prefix of the other and the shorter has at least 7 hex digits.
    static func commitsMatch(_ a: String, _ b: String) -> Bool {
        let (s, l) = a.utf8.count <= b.utf8.count ? (a, b) : (b, a)
        return s.utf8.count >= 7 && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }
            && l.lowercased().hasPrefix(s.lowercased())
    }

    static func finish(_ v: VersionLifecycle, coders: [(commit: String, actor: JSONString)], config: Config) -> [Finding] {
        // (v1.1) The actor id `identities` maps an id to (`mlflow:alice` -> `u:alice`), else the id:
        // events imported before a mapping was added are compared as the person they name.
        func person(_ id: JSONString) -> JSONString { config.identity(id.string) ?? id }
        var out: [Finding] = []
        // The registry's commit and every commit the log's model.trained events name: the
        // registry is not chained, so editing its commit must not hide who wrote the code.
        let commits = [v.registry?.commit].compactMap { $0 } + v.trainedCommits
        let trainers = Set(v.trainers.map(person))
        // Every model.approved, valid or not: an attempted approval of one's own work is shown
        // to the inspector (docs/format.md, "Compliance rules: readings of the contract").
        for a in v.approvals {
            var roles: [String] = []
            let approver = person(a.actor)
            if trainers.contains(approver) { roles.append("trained it (model.trained)") }
            if coders.contains(where: { c in person(c.actor) == approver && commits.contains { commitsMatch($0, c.commit) } }) {
                roles.append("changed its code (code.changed at its commit)")
            }
            if !roles.isEmpty {
                out.append(Finding(.sigSOD, "\(v.ref) approved by \(a.actor.string), who also " + roles.joined(separator: " and "), seq: a.seq))
            }
        }
        return out
    }
}
