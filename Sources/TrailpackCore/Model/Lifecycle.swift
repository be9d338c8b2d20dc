/// One step of a model version's life, linking to its event.
public struct LifecycleStep: Sendable, Hashable {
    public var seq: Int64
    public var time: String
    public var action: String
    public var actor: String
    /// A one-line description of what happened.
    public var summary: String
    /// Verification result of the event's signature, when signed.
    public var signature: String?
    /// The commit the summary ends with ("… at commit <commit>"), so that a page can mark it as a digest.
    public var commit: String? = nil
}

/// A `test.executed` event as traceability needs it.
public struct TestRecord: Sendable, Hashable {
    public var seq: Int64
    public var time: String
    public var test: JSONString
    public var version: VersionRef
    public var requirements: [JSONString]
    /// `pass`, `fail` or what the event said.
    public var result: String
    public var artifacts: [ArtifactRef]
    public var actor: String
    /// The measured values the test recorded (`data.metrics`), each number as written in the
    /// event (integers and decimals kept apart), in the event's (canonical) order.
    public var metrics: [(name: String, value: String)] = []

    public var passed: Bool { result == "pass" }

    public static func == (a: TestRecord, b: TestRecord) -> Bool {
        a.seq == b.seq && a.time == b.time && a.test == b.test && a.version == b.version && a.requirements == b.requirements
            && a.result == b.result && a.artifacts == b.artifacts && a.actor == b.actor
            && a.metrics.map(\.name) == b.metrics.map(\.name) && a.metrics.map(\.value) == b.metrics.map(\.value)
    }

    public func hash(into h: inout Hasher) {
        h.combine(seq)
        h.combine(test)
    }

    /// `data.metrics` of a test event: numbers as written; other values are not measurements.
    static func metrics(of data: JSONObject) -> [(name: String, value: String)] {
        guard let m = data["metrics"]?.objectValue else { return [] }
        return m.members.compactMap { member in
            switch member.value {
            case .integer(let i): return (member.key.string, String(i))
            case .decimal(let d): return (member.key.string, JCS.formatNumber(d))
            default: return nil
            }
        }
    }
}

/// A `model.approved` event and whether it counts as a valid approval.
public struct ApprovalRecord: Sendable, Hashable {
    public var seq: Int64
    public var time: String
    public var timestamp: Timestamp?
    public var actor: JSONString
    public var name: String
    public var meaning: String?
    public var signatureValid: Bool
    public var isPerson: Bool
    /// The actor is in `policy.approvers`, or approvers are not restricted.
    public var byApprover = true
    /// Why a later event took the approval back (a `model.trained` or a valid rejection after it), if any.
    public var voidedBy: String? = nil

    /// Signed by a person, verified, with meaning `approval`, by an approver, not voided (REL-APPROVAL, section 4.4).
    public var isValidApproval: Bool { isValidDecision && voidedBy == nil }

    /// A valid decision when it was made (contract section 4.4: a person, a valid signature with
    /// meaning `approval`, an approver), whether or not a later event took it back. An invalid
    /// one counts for no rule.
    public var isValidDecision: Bool { signatureValid && isPerson && meaning == "approval" && byApprover }

    /// The printed name beside the actor id.
    public var display: String { name.utf8.elementsEqual(actor.utf8) ? name : "\(name) (\(actor.string))" }

    /// Why the approval does not count, in words (nil when it counts).
    public var invalidReason: String? {
        var why: [String] = []
        if !isPerson { why.append("by a service") }
        if !signatureValid { why.append("no valid signature by the approver's own key") }
        if meaning != "approval" { why.append("signature meaning is not approval") }
        if !byApprover { why.append("not one of policy.approvers") }
        if let v = voidedBy { why.append(v) }
        return why.isEmpty ? nil : why.joined(separator: "; ")
    }
}

/// An exception and the CAPAs opened for it.
public struct ExceptionRecord: Sendable, Hashable {
    public var id: JSONString
    public var seq: Int64
    public var time: String
    public var timestamp: Timestamp?
    public var subject: String
    public var description: String
    public var actor: String
    public var capas: [JSONString] = []
}

/// A corrective and preventive action from `capa.opened` to `capa.closed`.
public struct CapaRecord: Sendable, Hashable {
    public var id: JSONString
    public var openedSeq: Int64
    public var opened: Timestamp?
    public var openedText: String
    public var owner: String
    public var title: String
    /// The exception event id it answers (refs.event), if any.
    public var exception: JSONString?
    /// The model version it answers (refs.model, drift CAPAs), if any.
    public var model: VersionRef?
    public var due: Timestamp?
    public var closedSeq: Int64?
    public var closed: Timestamp?
    public var closedText: String?
    /// Set at the end: open past its due date at the as-of time.
    public var overdue = false
}

/// An electronic signature in the manifest.
public struct SignatureRecord: Sendable, Hashable {
    public var seq: Int64
    public var eventTime: String
    public var action: String
    public var subject: String
    public var signer: String
    public var name: String
    public var meaning: String
    public var time: String
    public var key: String
    public var fingerprint: String?
    public var valid: Bool
    public var status: String
    /// The subject's type and id (`id@version`), which `subject` joins with a space.
    public var subjectType = ""
    public var subjectID = ""
}

/// What the trail says about one model version.
public struct VersionLifecycle: Sendable {
    public var ref: VersionRef
    public var inRelease: Bool
    public var registry: RegistryVersion?
    public var steps: [LifecycleStep] = []
    public var registeredSeq: Int64?
    public var trainers: [JSONString] = []
    /// Seqs of the `model.trained` events for this version (a second one is REL-REGISTRY).
    public var trainedSeqs: [Int64] = []
    public var trainedCommits: [String] = []
    public var tests: [TestRecord] = []
    public var approvals: [ApprovalRecord] = []
    public var deployments: [Int64] = []
    public var stageFromEvents = "none"
    public var stageChangedSeq: Int64?
    public var biasEvaluations: [Int64] = []
    public var explanations: [Int64] = []
    /// Times of `revalidation.triggered` events and of `capa.opened` naming this version.
    public var revalidations: [Timestamp] = []
    /// The `drift.detected` events for this version, in log order.
    public var driftDetected: [DriftDetection] = []
    /// *(v1.1)* Runs and tags of this version brought in from other systems (section 9).
    public var sourceRecords: [SourceRecord] = []

    /// The latest test of a requirement, optionally only those before `seq`.
    public func latestTest(for requirement: JSONString, before seq: Int64? = nil) -> TestRecord? {
        tests.last { t in t.requirements.contains(requirement) && (seq.map { t.seq < $0 } ?? true) }
    }

    /// The requirements this version's tests name that `listed` (the model's registry
    /// requirements) does not, whose latest test (before `seq`, when given) failed, each with
    /// that test, in order of first mention: removing a requirement from the registry, which is
    /// not chained, does not clear its failure.
    public func failedUnlisted(_ listed: [Requirement], before seq: Int64? = nil) -> [(requirement: JSONString, latest: TestRecord)] {
        var known = Set(listed.map(\.id))
        var out: [(requirement: JSONString, latest: TestRecord)] = []
        for t in tests where seq.map({ t.seq < $0 }) ?? true {
            for r in t.requirements where !known.contains(r) {
                known.insert(r)
                if let latest = latestTest(for: r, before: seq), !latest.passed { out.append((r, latest)) }
            }
        }
        return out
    }

    /// The latest valid approval.
    public var latestApproval: ApprovalRecord? { approvals.last { $0.isValidApproval } }
}

/// A `drift.detected` event of a version: the log's own record of drift, which the windows of
/// `drift/` (not chained) cannot undo.
public struct DriftDetection: Sendable, Hashable {
    public var seq: Int64
    /// The event's time.
    public var time: Timestamp
    /// `data.windowStart`, when it is a valid time no later than the event's: the drift began then.
    public var windowStart: Timestamp?

    /// From when a revalidation or CAPA answers it.
    public var from: Timestamp { windowStart ?? time }
}

/// A run or the tags of a version as another system (e.g. MLflow) recorded them, shown beside
/// the e-signatures the trail holds.
public struct SourceRecord: Sendable, Hashable {
    public var seq: Int64
    public var system: String
    /// `run` (a `model.trained`) or `tags` (a `model.registered`'s tags).
    public var kind: String
    /// The record's id in the other system.
    public var id: String
    /// Key and value pairs, values as compact JSON where they are not strings.
    public var fields: [KeyValue]

    public struct KeyValue: Sendable, Hashable {
        public var key: String
        public var value: String
    }
}

/// One row of the traceability matrix.
public struct TraceRow: Sendable, Hashable {
    public var version: VersionRef
    public var requirement: Requirement
    public var tests: [TestRecord]
    public var latest: TestRecord?
    /// `passed`, `failed` or `untested`.
    public var status: String
    /// The valid approval after the latest test, if any.
    public var approval: ApprovalRecord?
}

/// Requirement coverage of one model version.
public struct Coverage: Sendable, Hashable {
    public var version: VersionRef
    public var requirements = 0, tested = 0, passed = 0, failed = 0, untested = 0
}
