/// DRF-GAP: the drift windows of a version in scope leave no time uncovered; (v1.1) a version
/// in scope in production has at least one window.
enum DrfGap: RuleDefinition {
    static let rule = Rule(id: .drfGap, severity: .major, clause: "FDA/MHRA GMLP principle 10; EU GMP Annex 11 §11",
        what: "A version in scope whose consecutive drift windows leave time uncovered between them; (v1.1) or a version in scope that is in production and has no drift window at all.",
        why: "Monitoring must be continuous; a gap is time during which drift could have gone unseen.",
        remedy: "Run monitoring for the missing period (or start monitoring a production version) and add its results, or document why it was not monitored.")

    /// At the end of the log.
    static func finish(_ windows: [DriftWindow], config: Config, registry: Registry) -> [Finding] {
        var out: [Finding] = []
        let release = Set(config.release.models.map { VersionRef(model: $0.model, version: $0.version) })
        var byVersion: [VersionRef: [DriftWindow]] = [:]
        for w in windows where release.contains(w.versionRef) { byVersion[w.versionRef, default: []].append(w) }
        for (ref, ws) in byVersion.sorted(by: { $0.key < $1.key }) {
            let sorted = ws.sorted { $0.start < $1.start }
            var coveredUntil = sorted.first?.end
            for w in sorted.dropFirst() {
                if let c = coveredUntil, w.start > c {
                    out.append(Finding(.drfGap, "monitoring of \(ref) has a gap from \(c) to \(w.start)", file: w.path))
                }
                if let c = coveredUntil, w.end > c { coveredUntil = w.end } else if coveredUntil == nil { coveredUntil = w.end }
            }
        }
        // (v1.1) A version in scope that is in production and has no window at all is unmonitored.
        for (model, version) in config.release.models {
            let ref = VersionRef(model: model, version: version)
            guard byVersion[ref] == nil, let m = registry.model(model), let v = m.version(version),
                  v.stage == "production" || v.aliases.contains(where: config.policy.productionAliases.contains) else { continue }
            out.append(Finding(.drfGap, "\(ref) is in production (stage or production alias) but has no drift window at all: its monitoring is not recorded",
                               file: m.path, line: v.line))
        }
        return out
    }
}
