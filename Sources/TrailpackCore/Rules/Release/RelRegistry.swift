/// REL-REGISTRY: the registry's facts (versions, stages, aliases) are explained by events,
/// and a version is trained once.
enum RelRegistry: RuleDefinition {
    static let rule = Rule(id: .relRegistry, severity: .major, clause: "21 CFR 11.10(e)",
        what: "A registry fact (a version exists, its stage, its aliases) that no event explains, a version trained twice (a second `model.trained` for it), or a `model.alias_changed` whose subject is not the version its `data.to` gives the alias (`data.from` when `data.to` is null): it counts for that version.",
        why: "The registry is the current state; the audit trail must hold its full history.",
        remedy: "Record the missing model.registered or model.stage_changed event, or correct the registry to match the trail.")

    /// In log order, at a `model.trained` of `v` (its lifecycle before this event).
    static func checkTrained(_ v: VersionLifecycle, _ add: (RuleID, String) -> Void) {
        if let first = v.trainedSeqs.first {
            add(.relRegistry, "\(v.ref) was already trained (model.trained at seq \(first)): a version is trained once; record a new version instead")
        }
    }

    /// In log order, at a `model.alias_changed`: `v` is the version its data names
    /// (``ComplianceCollector/aliasTarget(_:)``), which its subject must name too.
    static func checkAliasSubject(_ v: VersionLifecycle, _ e: Event, _ add: (RuleID, String) -> Void) {
        guard e.subject.version?.bytes != v.ref.version.bytes else { return }
        let alias = e.data["alias"]?.stringValue ?? "?"
        let what = e.data["to"]?.jsonString == nil ? "takes alias \(alias) from \(v.ref)" : "gives alias \(alias) to \(v.ref)"
        let subject = e.subject.version.map { "\(v.ref.model)@\($0)" } ?? "model \(v.ref.model) without a version"
        add(.relRegistry, "model.alias_changed \(what), but its subject is \(subject): it counts for \(v.ref), the version its data names")
    }

    /// At the end of the log: the registry's version and stage against the events.
    static func finish(_ v: VersionLifecycle, model: RegistryModel) -> [Finding] {
        guard let r = v.registry else { return [] }
        var out: [Finding] = []
        if v.registeredSeq == nil {
            out.append(Finding(.relRegistry, "version \(r.version) of \(model.id) is in the registry but no model.registered or model.trained event records it",
                               file: model.path, line: r.line))
        }
        if r.stage != v.stageFromEvents {
            let why = v.stageChangedSeq.map { "the latest model.stage_changed (seq \($0)) moved it to \(v.stageFromEvents)" }
                ?? "no model.stage_changed event exists (stage none)"
            out.append(Finding(.relRegistry, "registry stage of \(v.ref) is \(r.stage), but \(why)", file: model.path, line: r.stageLine))
        }
        return out
    }

    /// *(v1.1)* At the end of the log: a version's registry `aliases` equal those its model's
    /// latest `model.alias_changed` events give it.
    static func finishAliases(_ v: VersionLifecycle, model: RegistryModel, holders: [[String]: String?]) -> [Finding] {
        guard let r = v.registry else { return [] }
        let listed = Set(r.aliases.map(\.string))
        let fromEvents = Set(holders.filter { $0.key.first == v.ref.model.string && $0.value == v.ref.version.string }.compactMap { $0.key.last })
        guard listed != fromEvents else { return [] }
        func names(_ s: Set<String>) -> String { s.isEmpty ? "none" : s.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.joined(separator: ", ") }
        return [Finding(.relRegistry, "registry aliases of \(v.ref) are \(names(listed)), but the model.alias_changed events give it \(names(fromEvents))",
                        file: model.path, line: r.line)]
    }
}
