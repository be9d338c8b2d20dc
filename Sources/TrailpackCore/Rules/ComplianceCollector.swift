/// A waiver that passed the checks made at its event; whether it is self-signed is known only
/// when it is matched with its finding.
struct PendingWaiver: Sendable {
    var waiver: Waiver
    var rule: String
    var location: String
    var signer: JSONString
    var file: String
    var line: Int
}

/// Collects, in log order, the small state the compliance rules need (versions, tests, approvals,
/// exceptions, CAPAs, signatures, waivers) and calls, before the event changes a version's
/// lifecycle, the rules that depend on what came before it (REL-REGISTRY, REL-APPROVAL,
/// REL-VALIDATION, WAIVER-INVALID; each decides in its own file), then `InOrderRules`. Bulk events
/// only update counters.
public struct ComplianceCollector: Sendable {
    let registry: Registry
    let release: Set<VersionRef>
    /// Findings of the rules checked in order, at most ``FindingCap/perRule`` of each rule;
    /// then one finding per rule that had findings left out (``FindingCap/summaries``).
    public var findings: [Finding] { kept + cap.summaries }
    private var kept: [Finding] = []
    private(set) var cap = FindingCap()
    var versions: [VersionRef: VersionLifecycle] = [:]
    var exceptions: [ExceptionRecord] = []
    var exceptionIndex: [JSONString: Int] = [:]
    var capas: [CapaRecord] = []
    var capaIndex: [JSONString: Int] = [:]
    var signatures: [SignatureRecord] = []
    var waivers: [PendingWaiver] = []
    let approvers: Set<JSONString>
    /// Actor of each event by log position (an index into `actorList`), for the self-waiver check.
    var actorOfPosition: [Int32] = []
    var actorList: [JSONString] = []
    var actorIndex: [JSONString: Int32] = [:]
    /// `identities` keys, in NFC.
    let mappedNames: Set<String>
    /// Actor ids of imported events that `identities` does not map, by id.
    var unmappedNames: [String: UnmappedName] = [:]
    /// code.changed: commit -> actor ids.
    var coders: [(commit: String, actor: JSONString)] = []
    var actionCounts: [String: Int] = [:]
    /// Per actor: events counted, and the first name and role seen.
    struct ActorStat: Sendable {
        var count = 0
        var name: String?
        var role: String?
        var service = false
    }
    /// Keyed by the id's bytes: canonically equivalent ids are different actors.
    var actorStats: [JSONString: ActorStat] = [:]

    /// Counts an event of `actor`; the first event that names the actor gives its name and role.
    static func count(_ stat: inout ActorStat, _ actor: Actor) {
        stat.count += 1
        if actor.name != nil && stat.name == nil {
            stat.name = actor.name
            stat.role = actor.role
            stat.service = actor.isService
        }
    }

    var actorCounts: [JSONString: Int] { actorStats.mapValues(\.count) }
    var actors: [JSONString: (name: String?, role: String?, service: Bool)] {
        actorStats.mapValues { ($0.name, $0.role, $0.service) }
    }

    /// The actor of the event at a log position (1-based), if known.
    func actor(atPosition p: Int64) -> JSONString? {
        guard p >= 1, p <= Int64(actorOfPosition.count) else { return nil }
        let i = Int(actorOfPosition[Int(p - 1)])
        return i < actorList.count ? actorList[i] : nil
    }

    /// *(v1.1)* (model id, alias) -> the version its latest `model.alias_changed` gives it (nil: none).
    var aliasHolders: [[String]: String?] = [:]
    /// *(v1.1)* Aliases that put a version into production (`policy.productionAliases`), as bytes.
    var productionAliases: Set<JSONString> = []

    init(registry: Registry, config: Config) {
        self.registry = registry
        self.approvers = Set(config.policy.approvers)
        self.mappedNames = Set(config.identities.map { $0.name.string.precomposedStringWithCanonicalMapping })
        self.productionAliases = Set(config.policy.productionAliases)
        self.release = Set(config.release.models.map { VersionRef(model: $0.model, version: $0.version) })
        for m in registry.models {
            for v in m.versions {
                let ref = VersionRef(model: m.id, version: v.version)
                versions[ref] = VersionLifecycle(ref: ref, inRelease: release.contains(ref), registry: v)
            }
        }
    }

    /// Takes a version's lifecycle out of `versions` (callers store it back), so that appending to
    /// its arrays does not copy them: a copy left in the dictionary made each append O(steps).
    mutating func lifecycle(_ ref: VersionRef) -> VersionLifecycle {
        versions.removeValue(forKey: ref) ?? VersionLifecycle(ref: ref, inRelease: release.contains(ref), registry: nil)
    }

    static let lifecycleActions: Set<String> = [
        "code.changed", "config.changed", "model.trained", "model.registered", "model.stage_changed", "model.approved",
        "model.rejected", "model.deployed", "model.retired", "bias.evaluated", "explanation.generated", "drift.detected",
        "revalidation.triggered", "revalidation.completed", "record.modified", "record.deleted", "model.alias_changed",
    ]

    /// Observes one checked event.
    mutating func observe(_ c: CheckedEvent) {
        let e = c.event
        let seq = e.seq ?? c.index
        actionCounts[e.action, default: 0] += 1
        let actorKey = e.actor.id
        let actorID = actorKey.string
        if let source = e.refs.source, actorID.hasPrefix(source.system + ":"),
           !mappedNames.contains(actorID.precomposedStringWithCanonicalMapping) {
            if unmappedNames[actorID] == nil {
                unmappedNames[actorID] = UnmappedName(name: actorID, system: source.system, events: 0, firstSeq: seq)
            }
            unmappedNames[actorID]?.events += 1
        }
        // One lookup: the entry is changed in place.
        Self.count(&actorStats[actorKey, default: ActorStat(service: e.actor.isService)], e.actor)
        let ai: Int32
        if let known = actorIndex[actorKey] { ai = known } else {
            ai = Int32(truncatingIfNeeded: actorList.count)
            actorIndex[actorKey] = ai
            actorList.append(actorKey)
        }
        if c.index == Int64(actorOfPosition.count) + 1 { actorOfPosition.append(ai) }
        let time = e.timeText ?? ""
        var found: [Finding] = []
        defer { cap.append(found, to: &kept) }
        let add = { (rule: RuleID, message: String) in
            found.append(Finding(rule, message, file: c.file.isEmpty ? nil : c.file, line: c.file.isEmpty ? nil : c.line, seq: seq))
        }
        if let sig = e.signature {
            signatures.append(SignatureRecord(
                seq: seq, eventTime: time, action: e.action, subject: Self.describe(e.subject), signer: sig.signer?.string ?? "",
                name: sig.name ?? "", meaning: sig.meaning ?? "", time: sig.timeText ?? "", key: sig.key ?? "",
                fingerprint: c.keyFingerprint, valid: c.signatureValid, status: c.signatureStatus ?? "",
                subjectType: e.subject.type, subjectID: e.subject.id.string + (e.subject.version.map { "@" + $0.string } ?? "")))
        }
        // An event that policy.requireSigned names and that is not validly signed counts for no other rule.
        guard c.counts else { return }
        // A test counts for the version its refs.model names, whatever its subject (section 4.4);
        // an alias change for the version its data names (``aliasTarget(_:)``).
        let target = e.action == "test.executed" ? e.refs.model : e.action == "model.alias_changed" ? Self.aliasTarget(e) : e.subjectVersion
        if let ref = target, Self.lifecycleActions.contains(e.action) || e.action == "test.executed" {
            var v = lifecycle(ref)
            v.steps.append(LifecycleStep(seq: seq, time: time, action: e.action, actor: e.actor.name ?? actorID,
                                         summary: Self.summary(e), signature: e.signature == nil ? nil : (c.signatureStatus ?? ""),
                                         commit: Self.summaryCommit(e)))
            observeVersion(&v, c, seq: seq, add)
            versions[ref] = v
        }
        switch e.action {
        case "code.changed":
            if let commit = e.refs.commit { coders.append((commit, e.actor.id)) }
        case "exception.raised":
            if let id = e.id {
                exceptionIndex[id] = exceptions.count
                exceptions.append(ExceptionRecord(
                    id: id, seq: seq, time: time, timestamp: e.time, subject: Self.describe(e.subject),
                    description: e.data["description"]?.stringValue ?? e.reason ?? e.data["title"]?.stringValue ?? "",
                    actor: e.actor.name ?? actorID))
            }
        case "capa.opened":
            observeCapaOpened(e, seq: seq)
        case "capa.closed":
            let id = e.refs.capa ?? e.subject.id
            if let i = capaIndex[id], capas[i].closedSeq == nil {
                capas[i].closedSeq = seq
                capas[i].closed = e.time
                capas[i].closedText = time
            }
        case "finding.waived":
            observeWaiver(c, seq: seq, add)
        default:
            break
        }
        InOrderRules.observe(e, registry: registry, add)
    }

    private mutating func observeCapaOpened(_ e: Event, seq: Int64) {
        let id = e.subject.id
        var due: Timestamp?
        if let d = e.data["due"]?.stringValue, case .valid(let t) = Timestamp.parse(d) { due = t }
        capaIndex[id] = capas.count
        capas.append(CapaRecord(
            id: id, openedSeq: seq, opened: e.time, openedText: e.timeText ?? "",
            owner: e.data["owner"]?.stringValue ?? e.actor.name ?? e.actor.id.string,
            title: e.data["title"]?.stringValue ?? e.reason ?? "", exception: e.refs.event, model: e.refs.model, due: due))
        if let ex = e.refs.event, let i = exceptionIndex[ex] { exceptions[i].capas.append(id) }
        if let ref = e.refs.model, let t = e.time {
            var v = lifecycle(ref)
            v.revalidations.append(t)
            v.steps.append(LifecycleStep(seq: seq, time: e.timeText ?? "", action: e.action, actor: e.actor.name ?? e.actor.id.string,
                                         summary: Self.summary(e), signature: nil, commit: Self.summaryCommit(e)))
            versions[ref] = v
        }
    }

    private mutating func observeVersion(_ v: inout VersionLifecycle, _ c: CheckedEvent, seq: Int64, _ add: (RuleID, String) -> Void) {
        let e = c.event
        if let src = e.refs.source, let r = Self.sourceRecord(e, src, seq: seq) { v.sourceRecords.append(r) }
        switch e.action {
        case "model.registered":
            if v.registeredSeq == nil { v.registeredSeq = seq }
        case "model.trained":
            if v.registeredSeq == nil { v.registeredSeq = seq }
            RelRegistry.checkTrained(v, add)
            for i in v.approvals.indices where v.approvals[i].voidedBy == nil {
                v.approvals[i].voidedBy = "voided by the later model.trained at seq \(seq)"
            }
            v.trainedSeqs.append(seq)
            v.trainers.append(e.actor.id)
            if let commit = e.refs.commit { v.trainedCommits.append(commit) }
        case "test.executed":
            v.tests.append(TestRecord(seq: seq, time: e.timeText ?? "", test: e.subject.id, version: v.ref, requirements: e.refs.requirements,
                                      result: e.data["result"]?.stringValue ?? "unknown", artifacts: e.refs.artifacts,
                                      actor: e.actor.name ?? e.actor.id.string, metrics: TestRecord.metrics(of: e.data)))
        case "model.approved":
            let approval = ApprovalRecord(seq: seq, time: e.timeText ?? "", timestamp: e.time, actor: e.actor.id,
                                          name: e.signature?.name ?? e.actor.name ?? e.actor.id.string, meaning: e.signature?.meaning,
                                          signatureValid: c.signatureValid, isPerson: !e.actor.isService,
                                          byApprover: approvers.isEmpty || approvers.contains(e.actor.id))
            // An invalid decision counts for no rule (contract section 4.4): an unsigned approval
            // in someone's name must not raise findings against the version either.
            if approval.isValidDecision { RelValidation.check(v, e, seq: seq, registry: registry, add) }
            v.approvals.append(approval)
        case "model.rejected":
            // A valid rejection takes back every earlier approval: the latest valid decision counts.
            if c.signatureValid && !e.actor.isService && (approvers.isEmpty || approvers.contains(e.actor.id)) {
                for i in v.approvals.indices where v.approvals[i].voidedBy == nil {
                    v.approvals[i].voidedBy = "followed by the rejection at seq \(seq)"
                }
            }
        case "model.deployed":
            RelApproval.check(v, e, add)
            RelValidation.check(v, e, seq: seq, registry: registry, add)
            v.deployments.append(seq)
        case "model.stage_changed":
            let to = e.data["to"]?.stringValue ?? ""
            if to == "production" { RelApproval.check(v, e, add) }
            v.stageFromEvents = to
            v.stageChangedSeq = seq
        case "model.alias_changed":
            // `v` is the version of `aliasTarget`: the one data.to gives the alias (data.from
            // when data.to is null), whatever the subject's version says.
            RelRegistry.checkAliasSubject(v, e, add)
            if let alias = e.data["alias"]?.stringValue {
                aliasHolders[[v.ref.model.string, alias]] = .some(e.data["to"]?.stringValue)
            }
            // (v1.1) Given a production alias: the version now holding it needs an approval.
            if let alias = e.data["alias"]?.jsonString, productionAliases.contains(alias),
               let to = e.data["to"]?.jsonString, to.bytes == v.ref.version.bytes {
                RelApproval.check(v, e, add)
            }
        case "bias.evaluated": v.biasEvaluations.append(seq)
        case "explanation.generated": v.explanations.append(seq)
        case "drift.detected":
            if let t = e.time {
                var start: Timestamp?
                if let w = e.data["windowStart"]?.stringValue, case .valid(let ws) = Timestamp.parse(w), ws <= t { start = ws }
                v.driftDetected.append(DriftDetection(seq: seq, time: t, windowStart: start))
            }
        case "revalidation.triggered": if let t = e.time { v.revalidations.append(t) }
        default: break
        }
    }

    private mutating func observeWaiver(_ c: CheckedEvent, seq: Int64, _ add: (RuleID, String) -> Void) {
        guard WaiverInvalid.check(c, approvers: approvers, add) else { return }
        let e = c.event
        waivers.append(PendingWaiver(
            waiver: Waiver(seq: seq, reason: e.reason ?? "", signer: e.actor.id.string,
                           name: e.signature?.name ?? e.actor.name ?? e.actor.id.string, time: e.timeText ?? ""),
            rule: e.data["rule"]?.stringValue ?? "", location: e.data["location"]?.stringValue ?? "", signer: e.actor.id, file: c.file, line: c.line))
    }

    /// The version a `model.alias_changed` is about: in its subject's model, the version its
    /// `data.to` gives the alias, or, when `data.to` is null, the one its `data.from` names as
    /// losing it; the subject's version only when the data names neither. An event whose subject
    /// names another version counts for this one (REL-REGISTRY says so): an alias change with
    /// subject m@1 and `data.to` "2" puts m@2, not m@1, under the alias.
    static func aliasTarget(_ e: Event) -> VersionRef? {
        guard e.subject.type == "model" else { return nil }
        guard let version = e.data["to"]?.jsonString ?? e.data["from"]?.jsonString ?? e.subject.version else { return nil }
        return VersionRef(model: e.subject.id, version: version)
    }

    static func describe(_ s: Subject) -> String {
        var d = "\(s.type) \(s.id.string)"
        if let v = s.version { d += "@\(v.string)" }
        return d
    }

    /// A one-line description of an event for timelines.
    /// The run (`model.trained`) or the tags (`model.registered`) of an event brought in.
    static func sourceRecord(_ e: Event, _ src: SourceRef, seq: Int64) -> SourceRecord? {
        func text(_ v: JSONValue) -> String { v.stringValue ?? String(decoding: JCS.serialize(v), as: UTF8.self) }
        let d = e.data
        var fields: [SourceRecord.KeyValue] = []
        switch e.action {
        case "model.trained":
            if let s = d["status"] { fields.append(.init(key: "status", value: text(s))) }
            if let c = e.refs.commit { fields.append(.init(key: "commit", value: c)) }
            for (k, group) in [("param", d["params"]), ("metric", d["metrics"])] {
                for m in group?.objectValue?.members ?? [] { fields.append(.init(key: "\(k) \(m.key.string)", value: text(m.value))) }
            }
            for ds in e.refs.datasets { fields.append(.init(key: "dataset", value: ds.string)) }
            return SourceRecord(seq: seq, system: src.system, kind: "run", id: src.id.string, fields: fields)
        case "model.registered":
            for m in d["tags"]?.objectValue?.members ?? [] { fields.append(.init(key: m.key.string, value: text(m.value))) }
            return fields.isEmpty ? nil : SourceRecord(seq: seq, system: src.system, kind: "tags", id: src.id.string, fields: fields)
        default:
            return nil
        }
    }

    /// The commit that ``summary(_:)`` ends with, for the actions whose summary names one.
    static func summaryCommit(_ e: Event) -> String? {
        e.action == "model.trained" || e.action == "code.changed" ? e.refs.commit : nil
    }

    static func summary(_ e: Event) -> String {
        let d = e.data
        switch e.action {
        case "model.trained":
            return "trained from \(e.refs.datasets.map(\.string).joined(separator: ", ")) at commit \(e.refs.commit ?? "?")"
        case "test.executed":
            return "test \(e.subject.id.string) for \(e.refs.requirements.map(\.string).joined(separator: ", ")): \(d["result"]?.stringValue ?? "?")"
        case "model.stage_changed":
            return "stage \(d["from"]?.stringValue ?? "?") → \(d["to"]?.stringValue ?? "?")" + (e.reason.map { ": \($0)" } ?? "")
        case "model.alias_changed":
            return "alias \(d["alias"]?.stringValue ?? "?"): \(d["from"]?.stringValue ?? "none") → \(d["to"]?.stringValue ?? "none")"
                + (e.reason.map { ": \($0)" } ?? "")
        case "model.approved":
            return "approved by \(e.signature?.name ?? e.actor.name ?? e.actor.id.string)"
        case "bias.evaluated":
            return "bias evaluation: \(d["result"]?.stringValue ?? "?")"
        case "explanation.generated":
            return "explanation (\(d["method"]?.stringValue ?? "?"))"
        case "code.changed":
            return "code change at commit \(e.refs.commit ?? "?")"
        default:
            return e.reason ?? e.action
        }
    }
}
