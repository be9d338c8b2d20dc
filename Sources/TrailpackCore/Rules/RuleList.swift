/// The rule list: every rule once, in the contract's order. The catalogue (`trailpack rules`,
/// docs/rules.md, the findings page) comes from the rules' entries.
public enum RuleCatalog {
    /// All rules' catalogue entries, in the contract's order. A new rule: its file under
    /// Rules/<Area>/, a case of `RuleID`, and one line here.
    public static let all: [Rule] = [
        // Integrity/
        IntParse.rule,
        IntHash.rule,
        IntChain.rule,
        IntSeq.rule,
        IntCheckpoint.rule,
        IntCheckpointSig.rule,
        IntArtifact.rule,
        IntTime.rule,
        IntSite.rule,
        // AuditTrail/
        AtReason.rule,
        AtChanges.rule,
        // Signatures/
        SigInvalid.rule,
        SigManifest.rule,
        SigKey.rule,
        SigRequired.rule,
        SigSigner.rule,
        SigSOD.rule,
        // Release/
        RelApproval.rule,
        RelValidation.rule,
        RelRegistry.rule,
        RelBias.rule,
        RelXAI.rule,
        // Traceability/
        TrcUntested.rule,
        TrcFailed.rule,
        TrcUnknown.rule,
        // CAPA/
        CapaMissing.rule,
        CapaOverdue.rule,
        // Drift/
        DrfRevalidation.rule,
        DrfGap.rule,
        // Waivers/
        WaiverInvalid.rule,
    ]

    static let byID: [RuleID: Rule] = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })

    static func fallback(_ id: RuleID) -> Rule {
        Rule(id: id, severity: .major, clause: "", what: id.rawValue, why: "", remedy: "")
    }
}

/// The checks that depend on one event alone: run on the worker threads, so each must be a
/// pure function of the event. Listed here, called directly (no dynamic dispatch per event).
enum EventRules {
    static func check(_ e: Event) -> [(rule: RuleID, message: String)] {
        var out: [(rule: RuleID, message: String)] = []
        AtReason.check(e, into: &out)
        AtChanges.check(e, into: &out)
        return out
    }
}

/// Rules that need the event and the registry only, in log order, for each event that counts
/// (after `ComplianceCollector` took it in; rules that read the state as it was before an event
/// are called from `ComplianceCollector.observe`).
enum InOrderRules {
    static func observe(_ e: Event, registry: Registry, _ add: (RuleID, String) -> Void) {
        TrcUnknown.observe(e, registry: registry, add)
    }
}

extension EndOfLogRules {
    /// The rules that need the whole log, in a fixed order.
    func run(_ collector: ComplianceCollector, drift: [DriftWindow]) -> Outcome {
        var o = Outcome()
        o.versions = collector.versions.values.sorted { $0.ref < $1.ref }
        for v in o.versions {
            guard let model = registry.model(v.ref.model) else { continue }
            o.findings += SigSOD.finish(v, coders: collector.coders, config: config)
            o.findings += RelRegistry.finish(v, model: model)
            o.findings += RelRegistry.finishAliases(v, model: model, holders: collector.aliasHolders)
            if v.inRelease {
                let r = release(v, model: model)
                o.findings += r.findings
                o.matrix += r.rows
                o.coverage.append(r.coverage)
            }
        }
        o.capas = collector.capas
        o.findings += CapaMissing.finish(collector.exceptions)
        o.findings += CapaOverdue.finish(&o.capas, capaDueDays: config.policy.capaDueDays, asOf: asOf)
        let (driftFindings, driftStatus) = DrfRevalidation.finish(drift, versions: collector.versions,
                                                                  revalidationDays: config.policy.revalidationDays, asOf: asOf)
        o.findings += driftFindings
        o.findings += DrfGap.finish(drift, config: config, registry: registry)
        o.driftStatus = driftStatus
        return o
    }
}
