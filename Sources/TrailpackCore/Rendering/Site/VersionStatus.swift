/// The inspection status of one model version, derived from its lifecycle, the traceability
/// rules, findings, CAPAs and drift: what the summary, model and version pages and `report.json`
/// show for it.
struct VersionStatus: Sendable {
    var ref: VersionRef
    var inRelease: Bool
    /// Registry stage, or the stage the events give when the registry does not list the version.
    var stage: String
    /// Requirements of the model and how their latest tests for this version ended.
    var requirements = 0, passed = 0, failed = 0, untested = 0
    /// The latest valid approval (signed by a person with meaning approval, verified).
    var approval: ApprovalRecord?
    /// Approvals recorded that do not count (unsigned, invalid signature, wrong meaning, a service).
    var invalidApprovals = 0
    /// Rule ids of the unwaived findings on the latest valid approval's event (SIG-SOD: the
    /// approver trained the version or wrote its code), in order, each once: such an approval is
    /// never shown with a green mark.
    var approvalFindings: [String] = []
    /// Seqs of `model.deployed` events.
    var deployments: [Int64] = []
    /// Indices into `PackAnalysis.findings` of the findings about this version, waived or not.
    var findings: [Int] = []
    /// Unwaived findings about this version.
    var openFindings = 0
    /// CAPAs naming this version (refs.model) or answering an exception about it, still open.
    var openCapas: [JSONString] = []
    /// The worst drift state of its windows: `overdue`, `pending`, `answered`, `ok`, or `none`
    /// when no window was recorded.
    var drift = "none"
    var driftWindows = 0

    /// Every requirement has a latest test that passed.
    var validated: Bool { requirements > 0 && passed == requirements }
}

/// Which version (or model) each finding is about, and each version's status.
struct StatusIndex: Sendable {
    var statuses: [VersionRef: VersionStatus] = [:]
    /// Findings about a model as a whole (its registry record) and not one version.
    var modelFindings: [JSONString: [Int]] = [:]

    init(_ a: PackAnalysis) {
        var seqVersion: [Int64: VersionRef] = [:]
        for v in a.versions {
            for s in v.steps { seqVersion[s.seq] = v.ref }
            for t in v.tests { seqVersion[t.seq] = v.ref }
        }
        for c in a.capas { if let m = c.model { seqVersion[c.openedSeq] = m } }
        var driftPaths: [String: VersionRef] = [:]
        for w in a.drift { driftPaths[w.path] = w.versionRef }
        var modelPaths: [String: RegistryModel] = [:]
        for m in a.registry.models { modelPaths[m.path] = m }

        for v in a.versions where a.registry.model(v.ref.model) != nil {
            var s = VersionStatus(ref: v.ref, inRelease: v.inRelease, stage: v.registry?.stage ?? v.stageFromEvents)
            if let model = a.registry.model(v.ref.model) {
                for r in model.requirements {
                    s.requirements += 1
                    if let t = v.latestTest(for: r.id) { if t.passed { s.passed += 1 } else { s.failed += 1 } } else { s.untested += 1 }
                }
                // As TRC-FAILED: a failed requirement the registry no longer lists is still failed.
                let unlisted = v.failedUnlisted(model.requirements).count
                s.requirements += unlisted
                s.failed += unlisted
            }
            s.approval = v.latestApproval
            s.invalidApprovals = v.approvals.filter { !$0.isValidApproval }.count
            s.deployments = v.deployments
            statuses[v.ref] = s
        }
        for (i, f) in a.findings.enumerated() {
            var ref: VersionRef?
            if let seq = f.seq { ref = seqVersion[seq] }
            if ref == nil, let file = f.file {
                if let r = driftPaths[file] {
                    ref = r
                } else if let m = modelPaths[file] {
                    ref = m.versions.map { VersionRef(model: m.id, version: $0.version) }
                        .first { f.message.contains($0.description + " ") || f.message.hasSuffix($0.description) }
                    if ref == nil { modelFindings[m.id, default: []].append(i) }
                }
            }
            if let ref, var s = statuses[ref] {
                s.findings.append(i)
                if f.waiver == nil {
                    s.openFindings += 1
                    // Unanswered drift that the log recorded (a drift.detected), whatever drift/ says.
                    if f.rule == .drfRevalidation, f.seq != nil { s.drift = "overdue" }
                    if let seq = f.seq, seq == s.approval?.seq, !s.approvalFindings.contains(f.rule.rawValue) {
                        s.approvalFindings.append(f.rule.rawValue)
                    }
                }
                statuses[ref] = s
            }
        }
        var exceptionVersions: [JSONString: VersionRef] = [:]
        for e in a.exceptions { if let r = seqVersion[e.seq] { exceptionVersions[e.id] = r } }
        for c in a.capas where c.closedSeq == nil {
            if let ref = c.model ?? c.exception.flatMap({ exceptionVersions[$0] }), statuses[ref] != nil {
                statuses[ref]?.openCapas.append(c.id)
            }
        }
        let rank = ["none": 0, "ok": 1, "answered": 2, "pending": 3, "overdue": 4]
        for d in a.driftStatus {
            let ref = d.window.versionRef
            guard var s = statuses[ref] else { continue }
            s.driftWindows += 1
            if (rank[d.state] ?? 0) > (rank[s.drift] ?? 0) { s.drift = d.state }
            statuses[ref] = s
        }
    }

    func status(_ ref: VersionRef) -> VersionStatus? { statuses[ref] }
}

extension VersionStatus {
    /// Template values of the status, with badges whose text carries the meaning.
    func value(_ a: PackAnalysis, locator: EventLocator) -> TemplateValue {
        let validation: TemplateValue
        if requirements == 0 {
            validation = TV.badge("No requirements", "neutral")
        } else if validated {
            validation = TV.badge("✔ Validated (\(passed)/\(requirements) passed)", "pass")
        } else {
            var parts: [String] = []
            if failed > 0 { parts.append("\(failed) failed") }
            if untested > 0 { parts.append("\(untested) untested") }
            validation = TV.badge("✖ Not validated (" + parts.joined(separator: ", ") + ")", "fail")
        }
        let approvalBadge: TemplateValue
        if approval != nil {
            // Approved, but the records do not show the version validated: never a green mark.
            if approvalFindings.contains("SIG-SOD") {
                approvalBadge = TV.badge("⚠ Approved, but not independently (SIG-SOD)", "warning")
            } else if !approvalFindings.isEmpty {
                approvalBadge = TV.badge("⚠ Approved, with an open finding on the approval (\(approvalFindings.joined(separator: ", ")))", "warning")
            } else if requirements == 0 {
                approvalBadge = TV.badge("⚠ Approved with no requirements to validate against", "warning")
            } else if !validated {
                approvalBadge = TV.badge("⚠ Approved while not validated", "warning")
            } else {
                approvalBadge = TV.badge("✔ Approved", "pass")
            }
        } else {
            approvalBadge = TV.badge(invalidApprovals > 0 ? "✖ Approval not valid" : "– Not approved", invalidApprovals > 0 ? "fail" : "neutral")
        }
        let driftBadge = DriftPages.versionBadge(drift)
        let last = deployments.last
        return [
            "model": .string(ref.model.string), "version": .string(ref.version.string),
            "modelLink": TV.page(ref.model.string, SiteLinks.model(ref.model)),
            "versionLink": TV.page(ref.description, SiteLinks.version(ref)),
            "inRelease": .bool(inRelease), "stage": .string(stage),
            "validation": validation, "approval": approvalBadge,
            "approvedBy": TV.str(approval?.display), "approvedAt": TV.time(approval?.time),
            "approvalLink": approval.map { locator.link(seq: $0.seq, label: "seq \($0.seq)") } ?? .null,
            "deployed": .bool(!deployments.isEmpty), "deployments": .int(deployments.count),
            "deploymentLink": last.map { locator.link(seq: $0, label: "seq \($0)") } ?? .null,
            "openFindings": .int(openFindings),
            "findingsBadge": openFindings == 0 ? TV.badge("✔ None open", "pass") : TV.badge("✖ \(openFindings) open", "fail"),
            "openCapas": .int(openCapas.count),
            "capasBadge": openCapas.isEmpty ? TV.badge("✔ None open", "pass") : TV.badge("! \(openCapas.count) open", "attention"),
            "drift": driftBadge, "driftWindows": .int(driftWindows),
            "driftPage": driftWindows > 0 ? TV.page("Drift page", SiteLinks.drift(ref)) : .null,
        ]
    }
}
