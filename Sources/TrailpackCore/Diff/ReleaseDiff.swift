/// What changed between two releases of a pack (OLD and NEW), with the integrity verdict that
/// says whether NEW's audit log extends OLD's. Computed by `Trailpack.diff(old:new:trust:)`;
/// printed as text, JSON (`trailpack-diff/1`) and the changes page in HTML and Markdown
/// (`ChangesPage`). Every list is sorted, so the same two sources always give the same bytes.
public struct ReleaseDiff: Sendable {
    /// The older release.
    public var old: DiffSide
    /// The newer release.
    public var new: DiffSide
    /// Whether NEW's log extends OLD's, with the RFC 9162 consistency proof.
    public var integrity: DiffIntegrity
    /// Events after OLD's tree size, counted by action and actor.
    public var events: AddedEvents
    /// Registry models added or removed, sorted by id.
    public var models: [ModelChange]
    /// Model versions added, removed, retired or with a new stage or release scope, sorted.
    public var versions: [VersionChange]
    /// `model.approved` events with seq above OLD's tree size, by seq.
    public var approvals: [AddedApproval]
    /// Electronic signatures on events with seq above OLD's tree size, by seq.
    public var signatures: [SignatureRecord]
    /// Traceability rows (per model and requirement id) whose version or status changed.
    public var requirements: [RequirementChange]
    /// Tests (per model version and test id) whose latest result now fails and did not before.
    public var testsNewlyFailing: [TestChange]
    /// Tests whose latest result now passes and did not before (or that are new).
    public var testsNewlyPassing: [TestChange]
    /// Findings matched by rule and location.
    public var findings: FindingsDelta
    /// Drift windows added, removed, newly breached or resolved.
    public var drift: [DriftChange]
    /// Policy keys of `trailpack.json` whose value changed (section 4.4: what an insider could still change), sorted by key.
    public var policyChanges: [PolicyChange] = []
    /// Signed checkpoints of OLD (size and root) that NEW no longer holds, by size.
    public var checkpointsRemoved: [LoadedCheckpoint] = []

    /// Why `--fail-on-regression` fails, in order: history rewritten, coverage lost, tests newly
    /// failing, critical findings opened.
    public var regressions: [Regression] {
        var out: [Regression] = []
        if integrity.verdict == .rewritten {
            let at = integrity.firstDifference.map { "; the first difference is at event \($0.index)" } ?? ""
            out.append(Regression(kind: .historyRewritten, message: "NEW's log does not extend OLD's" + at))
        }
        for r in requirements where r.change == .lost {
            out.append(Regression(kind: .coverageLost, message: "\(r.model.string) \(r.requirement.string): \(r.transition)"))
        }
        for t in testsNewlyFailing {
            out.append(Regression(kind: .testFailing, message: "test \(t.test.string) of \(t.version): \(t.transition)"))
        }
        for f in findings.opened where f.severity == .critical && f.waiver == nil {
            out.append(Regression(kind: .criticalFinding, message: f.textLine))
        }
        for p in policyChanges {
            out.append(Regression(kind: .policyChanged, message: "\(p.setting) changed from \(p.old) to \(p.new) in trailpack.json"))
        }
        for c in checkpointsRemoved {
            out.append(Regression(kind: .checkpointRemoved, message: "\(c.file) (\(c.size) events, root \(c.root.hex), signed by \(c.validSigners.joined(separator: ", "))) is in OLD but NEW holds no signed checkpoint of that size and root"))
        }
        return out
    }

    /// True when `--fail-on-regression` exits 1.
    public var hasRegression: Bool { !regressions.isEmpty }

    /// True when NEW is OLD: the same log and no difference in any record compared.
    public var isUnchanged: Bool {
        integrity.verdict == .identical && events.count == 0 && models.isEmpty && versions.isEmpty && approvals.isEmpty
            && signatures.isEmpty && requirements.isEmpty && testsNewlyFailing.isEmpty && testsNewlyPassing.isEmpty
            && findings.opened.isEmpty && findings.resolved.isEmpty && drift.isEmpty && policyChanges.isEmpty && checkpointsRemoved.isEmpty
    }

    /// The page title: `Changes since <OLD's release>`.
    public var title: String { "Changes since release \(old.release)" }
}

/// One side of a diff: where it was read from, which release and which log.
public struct DiffSide: Sendable, Hashable {
    /// The path as given on the command line.
    public var source: String
    /// `origin` of trailpack.json: the log's name.
    public var origin: String
    /// `release.name` of trailpack.json.
    public var release: String
    /// The release's model versions, `model@version`, sorted by model.
    public var releaseModels: [String]
    /// The last event's time.
    public var asOf: String?
    /// The number of events (Merkle leaves).
    public var treeSize: Int
    /// The Merkle root of the whole log.
    public var root: SHA256.Digest
}

/// Where one event stands in a log.
public struct EventPointer: Sendable, Hashable {
    /// 1-based position in the log (equals `seq` in a sound log).
    public var index: Int
    /// The event's `seq`, if it has one.
    public var seq: Int64?
    /// The event's `id`, if it has one.
    public var id: String?
    /// The event's `action`.
    public var action: String
    /// `audit/<segment>.jsonl`
    public var file: String
    /// 1-based line in `file`.
    public var line: Int
    /// Lowercase hex of the event's hash as recorded: the Merkle leaf data.
    public var hash: String

    /// `file:line`
    public var location: String { "\(file):\(line)" }

    /// `seq 12 (id "e-12", model.approved) at audit/0001.jsonl:12`
    public var description: String {
        "seq \(seq.map(String.init) ?? "?") (id \"\(id ?? "?")\", \(action)) at \(location)"
    }
}

/// The integrity verdict of a diff.
public enum DiffVerdict: String, Sendable, Hashable {
    /// Same tree size and root: NEW's log is OLD's.
    case identical
    /// NEW's first OLD-size events reproduce OLD's root and the consistency proof verifies.
    case extended
    /// NEW does not contain OLD's log as its prefix: an event was changed, removed or inserted.
    case rewritten
}

/// The first position at which OLD's and NEW's logs differ.
public struct Divergence: Sendable, Hashable {
    /// 1-based position in both logs.
    public var index: Int
    /// NEW's event there; nil when NEW ends before it.
    public var new: EventPointer?
    /// OLD's event there.
    public var old: EventPointer?
}

/// The log comparison: sizes, roots, the consistency proof and, when history was rewritten,
/// the first differing event.
public struct DiffIntegrity: Sendable, Hashable {
    /// Identical, extended or rewritten.
    public var verdict: DiffVerdict
    /// OLD's tree size (events).
    public var oldSize: Int
    /// NEW's tree size (events).
    public var newSize: Int
    /// OLD's Merkle root, from OLD's own log.
    public var oldRoot: SHA256.Digest
    /// NEW's Merkle root.
    public var newRoot: SHA256.Digest
    /// NEW's root over its first `oldSize` events (nil when NEW is shorter).
    public var newRootAtOldSize: SHA256.Digest?
    /// The RFC 9162 §2.1.4 consistency proof from `oldSize` to `newSize`, computed from NEW's
    /// leaves (empty when the verdict is not `extended`, or when the sizes are equal).
    public var proof: [SHA256.Digest]
    /// True when `MerkleTree.verifyConsistency` accepted the proof against OLD's and NEW's roots.
    public var proofVerified: Bool
    /// Set when the verdict is `rewritten`.
    public var firstDifference: Divergence?
    /// True when the two packs name different logs (`origin`).
    public var originsDiffer: Bool
    /// One sentence stating the verdict.
    public var message: String
}

/// One count of a key (an action, an actor id).
public struct KeyCount: Sendable, Hashable {
    /// The action or actor id.
    public var key: String
    /// How many events have it.
    public var count: Int
}

/// The events of NEW after OLD's tree size.
public struct AddedEvents: Sendable, Hashable {
    /// How many events NEW holds beyond OLD's tree size.
    public var count: Int
    /// Positions `firstIndex...lastIndex` of NEW's log (nil when none were added).
    public var firstIndex: Int?
    /// See `firstIndex`.
    public var lastIndex: Int?
    /// Counts by action, sorted by key bytes.
    public var byAction: [KeyCount]
    /// Counts by actor id, sorted by key bytes.
    public var byActor: [KeyCount]
}

/// A registry model that appeared or disappeared.
public struct ModelChange: Sendable, Hashable {
    /// `added` or `removed`.
    public enum Kind: String, Sendable, Hashable { case added, removed }
    /// The model id.
    public var model: JSONString
    /// The model's display name.
    public var name: String
    /// Added or removed.
    public var change: Kind
}

/// What a model version looked like in one release.
public struct VersionState: Sendable, Hashable {
    /// The registry's stage, nil when the registry does not list the version.
    public var registryStage: String?
    /// The stage the audit log's latest `model.stage_changed` gives (`none` if none).
    public var eventStage: String
    /// Whether the release of `trailpack.json` names this version.
    public var inRelease: Bool

    /// The registry's stage when listed, else the events'.
    public var stage: String { registryStage ?? eventStage }

    /// `production (in release)`, or `staging (events: none)` when the events disagree.
    public var description: String {
        stage + (eventStage != stage ? " (events: \(eventStage))" : "") + (inRelease ? " (in release)" : "")
    }
}

/// A model version that changed between the releases.
public struct VersionChange: Sendable, Hashable {
    /// The main change, by precedence: added, removed, retired, stage, release.
    public enum Kind: String, Sendable, Hashable { case added, removed, retired, stage, release }
    /// The model version.
    public var version: VersionRef
    /// The main change.
    public var change: Kind
    /// The version in OLD (nil when added).
    public var old: VersionState?
    /// The version in NEW (nil when removed).
    public var new: VersionState?
}

/// A `model.approved` event recorded after OLD's tree size.
public struct AddedApproval: Sendable, Hashable {
    /// The approved model version.
    public var version: VersionRef
    /// The approval, with whether it is valid.
    public var approval: ApprovalRecord
}

/// A requirement's traceability status in one release.
public struct RequirementState: Sendable, Hashable {
    /// The release version of the model the row is about.
    public var version: JSONString
    /// `passed`, `failed` or `untested`.
    public var status: String
    /// The latest test and its seq, if any.
    public var test: JSONString?
    /// The seq of that test's event.
    public var seq: Int64?
}

/// A traceability row (model, requirement id) that changed version or status.
public struct RequirementChange: Sendable, Hashable {
    /// `gained` (now passed, not before), `lost` (passed before, now failed or untested),
    /// `added` / `removed` (the row exists in one release only), `status` (another status
    /// change), `version` (same status, another version).
    public enum Kind: String, Sendable, Hashable { case gained, lost, added, removed, status, version }
    /// The model id.
    public var model: JSONString
    /// The requirement id.
    public var requirement: JSONString
    /// The requirement's title (NEW's, else OLD's).
    public var title: String
    /// What changed.
    public var change: Kind
    /// The row in OLD (nil when added).
    public var old: RequirementState?
    /// The row in NEW (nil when removed).
    public var new: RequirementState?

    /// `3 passed → 4 failed`
    public var transition: String {
        func side(_ s: RequirementState?) -> String { s.map { "\($0.version.string) \($0.status)" } ?? "none" }
        return "\(side(old)) → \(side(new))"
    }
}

/// The latest result of a test in one release.
public struct TestResultState: Sendable, Hashable {
    /// `pass`, `fail` or what the event said.
    public var result: String
    /// The seq of the `test.executed` event.
    public var seq: Int64
    /// Its time as written.
    public var time: String
}

/// A test of a model version whose latest result changed.
public struct TestChange: Sendable, Hashable {
    /// The model version under test.
    public var version: VersionRef
    /// The test id (`subject.id` of `test.executed`).
    public var test: JSONString
    /// The latest result in OLD (nil when the test had not run).
    public var old: TestResultState?
    /// The latest result in NEW.
    public var new: TestResultState

    /// `pass (seq 12) → fail (seq 40)`
    public var transition: String {
        let before = old.map { "\($0.result) (seq \($0.seq))" } ?? "not run"
        return "\(before) → \(new.result) (seq \(new.seq))"
    }
}

/// Findings matched by rule and location (`Finding.location`; a run of lines by its first line,
/// the finding that closes a rule's capped list by its rule); several findings with the same
/// rule and location are paired in order. A pair whose extent changed (a run that grew, more
/// findings left out) is opened, with NEW's extent, and not also resolved.
public struct FindingsDelta: Sendable, Hashable {
    /// In NEW, not in OLD.
    public var opened: [Finding]
    /// In OLD, not in NEW.
    public var resolved: [Finding]
    /// In both (NEW's finding is kept).
    public var persisting: [Finding]
}

/// What a drift window looked like in one release.
public struct DriftState: Sendable, Hashable {
    /// Whether the window shows drift.
    public var drift: Bool
    /// `ok`, `answered`, `pending` or `overdue` (see `DriftStatus.state`).
    public var state: String
}

/// A drift window (matched by path, else by model version and start) that changed.
public struct DriftChange: Sendable, Hashable {
    /// `breach`: drifting now, not before (a new window or a flipped one); `resolved`: drifting and
    /// unanswered (pending or overdue) before, answered or not drifting now; `added`, `removed`:
    /// a window without drift that exists in one release only; `state`: another state change.
    public enum Kind: String, Sendable, Hashable { case breach, resolved, added, removed, state }
    /// `drift/<name>.json` (NEW's, or OLD's for a removed window).
    public var path: String
    /// The monitored model version.
    public var version: VersionRef
    /// The window's start.
    public var start: Timestamp
    /// The window's end.
    public var end: Timestamp
    /// What changed.
    public var change: Kind
    /// The window in OLD (nil when new).
    public var old: DriftState?
    /// The window in NEW (nil when removed).
    public var new: DriftState?
}

/// A reason for `--fail-on-regression` to exit 1.
public struct Regression: Sendable, Hashable {
    /// The kind of regression.
    public enum Kind: String, Sendable, Hashable {
        case historyRewritten = "history-rewritten", coverageLost = "coverage-lost"
        case testFailing = "test-failing", criticalFinding = "critical-finding"
        case policyChanged = "policy-changed", checkpointRemoved = "checkpoint-removed"
    }
    /// What regressed.
    public var kind: Kind
    /// One line naming it.
    public var message: String
}
