/// The compliance rules evaluated once the whole log was read: registry reconciliation, release
/// readiness, traceability, CAPA, drift, separation of duties; then waivers.
struct ComplianceRules {
    let config: Config
    let registry: Registry
    let asOf: Timestamp?

    /// Commit ids match when one is a prefix of the other and the shorter has at least 7 hex digits.
    static func commitsMatch(_ a: String, _ b: String) -> Bool {
        let (s, l) = a.utf8.count <= b.utf8.count ? (a, b) : (b, a)
        return s.utf8.count >= 7 && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }
            && l.lowercased().hasPrefix(s.lowercased())
    }

    /// *(v1.1)* The actor id `identities` maps an id to (`mlflow:alice` -> `u:alice`), else the id:
    /// events imported before a mapping was added are compared as the person they name.
    func person(_ id: JSONString) -> JSONString { config.identity(id.string) ?? id }

    func separationOfDuties(_ v: VersionLifecycle, coders: [(commit: String, actor: JSONString)]) -> [Finding] {
        var out: [Finding] = []
        let commits = ([v.registry?.commit].compactMap { $0 }).isEmpty ? v.trainedCommits : [v.registry?.commit].compactMap { $0 }
        let trainers = Set(v.trainers.map(person))
        for a in v.approvals {
            var roles: [String] = []
            let approver = person(a.actor)
            if trainers.contains(approver) { roles.append("trained it (model.trained)") }
            if coders.contains(where: { c in person(c.actor) == approver && commits.contains { Self.commitsMatch($0, c.commit) } }) {
                roles.append("changed its code (code.changed at its commit)")
            }
            if !roles.isEmpty {
                out.append(Finding(.sigSOD, "\(v.ref) approved by \(a.actor.string), who also " + roles.joined(separator: " and "), seq: a.seq))
            }
        }
        return out
    }

    func registryReconciliation(_ v: VersionLifecycle, model: RegistryModel) -> [Finding] {
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

    /// *(v1.1)* A version's registry `aliases` must equal those its model's latest
    /// `model.alias_changed` events give it (REL-REGISTRY).
    func registryAliases(_ v: VersionLifecycle, model: RegistryModel, holders: [[String]: String?]) -> [Finding] {
        guard let r = v.registry else { return [] }
        let listed = Set(r.aliases.map(\.string))
        let fromEvents = Set(holders.filter { $0.key.first == v.ref.model.string && $0.value == v.ref.version.string }.compactMap { $0.key.last })
        guard listed != fromEvents else { return [] }
        func names(_ s: Set<String>) -> String { s.isEmpty ? "none" : s.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.joined(separator: ", ") }
        return [Finding(.relRegistry, "registry aliases of \(v.ref) are \(names(listed)), but the model.alias_changed events give it \(names(fromEvents))",
                        file: model.path, line: r.line)]
    }

    func release(_ v: VersionLifecycle, model: RegistryModel) -> (findings: [Finding], rows: [TraceRow], coverage: Coverage) {
        var out: [Finding] = []
        let line = v.registry?.line
        if config.policy.requireBiasEvaluation && v.biasEvaluations.isEmpty {
            out.append(Finding(.relBias, "\(v.ref) is in the release without a bias.evaluated event", file: model.path, line: line))
        }
        if config.policy.requireExplainability && v.explanations.isEmpty {
            out.append(Finding(.relXAI, "\(v.ref) is in the release without an explanation.generated event", file: model.path, line: line))
        }
        var rows: [TraceRow] = []
        var cov = Coverage(version: v.ref)
        for req in model.requirements {
            let tests = v.tests.filter { $0.requirements.contains(req.id) }
            let latest = tests.last
            let status: String
            cov.requirements += 1
            if let latest {
                cov.tested += 1
                if latest.passed { status = "passed"; cov.passed += 1 } else {
                    status = "failed"; cov.failed += 1
                    out.append(Finding(.trcFailed, "requirement \(req.id) of \(v.ref): latest test \(latest.test) (seq \(latest.seq)) \(latest.result)",
                                       file: model.path, line: req.line))
                }
            } else {
                status = "untested"; cov.untested += 1
                out.append(Finding(.trcUntested, "requirement \(req.id) of \(v.ref) has no executed test for this version", file: model.path, line: req.line))
            }
            // The approval covering the requirement: the latest valid approval made after a passing
            // test of it (a later re-test, e.g. after drift, does not uncover it).
            let approval = v.approvals.last { a in a.isValidApproval && tests.contains { $0.passed && $0.seq < a.seq } }
            rows.append(TraceRow(version: v.ref, requirement: req, tests: tests, latest: latest, status: status, approval: approval))
        }
        return (out, rows, cov)
    }

    func capa(exceptions: [ExceptionRecord], capas: inout [CapaRecord]) -> [Finding] {
        var out: [Finding] = []
        for e in exceptions where e.capas.isEmpty {
            out.append(Finding(.capaMissing, "exception \(e.id) (\(e.subject)) has no CAPA opened for it", seq: e.seq))
        }
        for i in capas.indices where capas[i].closedSeq == nil {
            let due = capas[i].due ?? capas[i].opened?.adding(seconds: Timestamp.seconds(days: config.policy.capaDueDays))
            capas[i].due = due
            if let due, let asOf, due < asOf {
                capas[i].overdue = true
                out.append(Finding(.capaOverdue, "CAPA \(capas[i].id) is open past its due date \(due) (as of \(asOf))", seq: capas[i].openedSeq))
            }
        }
        return out
    }

    func drift(_ windows: [DriftWindow], versions: [VersionRef: VersionLifecycle]) -> ([Finding], [DriftStatus]) {
        var out: [Finding] = []
        var status: [DriftStatus] = []
        let days = Timestamp.seconds(days: config.policy.revalidationDays)
        for w in windows {
            let deadline = w.end.adding(seconds: days)
            var s = DriftStatus(window: w, deadline: deadline, answeredBy: nil, answeredAction: nil, state: "ok")
            if w.drift {
                let v = versions[w.versionRef]
                let answer = v?.steps.first { step in
                    guard step.action == "revalidation.triggered" || step.action == "capa.opened",
                          case .valid(let t) = Timestamp.parse(step.time) else { return false }
                    return t >= w.start && t <= deadline
                }
                if let answer {
                    s.answeredBy = answer.seq
                    s.answeredAction = answer.action
                    s.state = "answered"
                } else if let asOf, deadline < asOf {
                    s.state = "overdue"
                    out.append(Finding(.drfRevalidation, "drift in \(w.versionRef) window \(w.start)–\(w.end) had no revalidation.triggered or capa.opened by \(deadline)", file: w.path))
                } else {
                    s.state = "pending"
                }
            }
            status.append(s)
        }
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
        return (out, status)
    }

    /// Marks findings covered by a valid waiver (same rule and location); returns the unused waivers.
    /// A waiver signed by the actor of the event its finding names waives nothing: it becomes a
    /// WAIVER-INVALID finding (appended, findings stay sorted).
    static func applyWaivers(_ findings: inout [Finding], _ waivers: [PendingWaiver],
                             actorAt: (Int64) -> JSONString? = { _ in nil }) -> [Waiver] {
        var used = Set<Int64>()
        var selfWaived = Set<Int64>()
        var invalid: [Finding] = []
        for i in findings.indices {
            // A waiver names the finding's printed location or, for an event, `seq N` (contract section 10).
            guard let w = waivers.first(where: {
                $0.rule == findings[i].rule.rawValue && ($0.location == findings[i].location || $0.location == findings[i].seq.map { "seq \($0)" })
            }) else { continue }
            if let seq = findings[i].seq, let actor = actorAt(seq), actor == w.signer {
                if selfWaived.insert(w.waiver.seq).inserted {
                    invalid.append(Finding(.waiverInvalid, "finding.waived waives nothing: it is signed by \(w.signer.string), the actor of the event (seq \(seq)) whose \(w.rule) finding it names; a waiver needs someone independent",
                                           file: w.file, line: w.line, seq: w.waiver.seq))
                }
                continue
            }
            findings[i].waiver = w.waiver
            used.insert(w.waiver.seq)
        }
        if !invalid.isEmpty {
            findings += invalid
            findings.sort(by: Finding.ordered)
        }
        return waivers.map(\.waiver).filter { !used.contains($0.seq) && !selfWaived.contains($0.seq) }
    }
}
