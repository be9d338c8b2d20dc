import Foundation

extension ReleaseDiff {
    /// The diff of two analysed packs. `oldLog` and `newLog` must have observed every event of
    /// the analyses (pass their `observe` as `onEvent` of `Trailpack.analyze`, OLD first).
    /// `oldLabel` and `newLabel` name the sources in the output (default: their paths).
    public init(old: PackAnalysis, oldLog: OldLogCollector, new: PackAnalysis, newLog: NewLogCollector,
                oldLabel: String? = nil, newLabel: String? = nil) throws {
        func side(_ p: PackAnalysis, _ label: String?) -> DiffSide {
            DiffSide(source: label ?? p.source.path, origin: p.config.origin, release: p.config.release.name,
                     releaseModels: p.config.release.models.map { "\($0.model.string)@\($0.version.string)" },
                     asOf: p.asOf?.description, treeSize: p.integrity.treeSize, root: p.integrity.root)
        }
        let integrity = try DiffLogComparison.compare(old: old, oldLog: oldLog, new: new, newLog: newLog)
        let oldSize = integrity.oldSize
        let tests = DiffCompare.tests(old: old, new: new)
        self.init(
            old: side(old, oldLabel), new: side(new, newLabel), integrity: integrity, events: newLog.addedEvents,
            models: DiffCompare.models(old: old, new: new),
            versions: DiffCompare.versions(old: old, new: new, oldSize: oldSize),
            approvals: DiffCompare.approvals(new: new, oldSize: oldSize),
            signatures: DiffCompare.signatures(new: new, oldSize: oldSize),
            requirements: DiffCompare.requirements(old: old, new: new),
            testsNewlyFailing: tests.failing, testsNewlyPassing: tests.passing,
            findings: DiffCompare.findings(old: old, new: new),
            drift: DiffCompare.drift(old: old, new: new))
        policyChanges = PolicyChange.compare(old.config.policy, new.config.policy)
            + PolicyChange.compare(identities: old.config.identities, new.config.identities)
        let kept = Set(new.integrity.checkpoints.filter { !$0.validSigners.isEmpty }.map { "\($0.size) \($0.root.hex)" })
        checkpointsRemoved = old.integrity.checkpoints.filter { !$0.validSigners.isEmpty && !kept.contains("\($0.size) \($0.root.hex)") }
    }
}

extension Trailpack {
    /// `trailpack diff`: what changed from the pack source or built site `old` to `new`, with
    /// proof that NEW's log extends OLD's. Reads each log once (OLD, then NEW), keeping 32 bytes
    /// per event of OLD and per event NEW adds after it; OLD's log is read a second time, up to the first differing event, only
    /// when history was rewritten.
    /// - Parameters:
    ///   - old: the older release: a pack source folder or a built site (its evidence copy is read).
    ///   - new: the newer release.
    ///   - trust: the `--trust` file of trusted key fingerprints, applied to both.
    /// - Throws: `SourceError`, `StoreError`, `VerifyError` when a source cannot be read (exit 2).
    public static func diff(old: String, new: String, trust: String?) throws -> ReleaseDiff {
        // A log in PostgreSQL is read from a file-store copy (its export), as build does.
        let oldCopy = try FileStoreCopy.make(resolveSource(old))
        defer { oldCopy?.remove() }
        let newCopy = try FileStoreCopy.make(resolveSource(new))
        defer { newCopy?.remove() }
        return try diff(old: oldCopy?.url ?? resolveSource(old), new: newCopy?.url ?? resolveSource(new), trust: trustList(trust),
                        oldLabel: old, newLabel: new)
    }

    /// `diff` for resolved pack source folders.
    public static func diff(old: URL, new: URL, trust: TrustList?, oldLabel: String? = nil, newLabel: String? = nil)
    throws -> ReleaseDiff {
        var oldLog = OldLogCollector()
        let oldAnalysis = try analyze(source: old, trust: trust) { oldLog.observe($0) }
        var newLog = NewLogCollector(old: oldLog)
        let newAnalysis = try analyze(source: new, trust: trust) { newLog.observe($0) }
        return try ReleaseDiff(old: oldAnalysis, oldLog: oldLog, new: newAnalysis, newLog: newLog,
                               oldLabel: oldLabel, newLabel: newLabel)
    }
}
