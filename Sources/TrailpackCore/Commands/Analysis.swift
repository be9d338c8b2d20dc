import Foundation

/// Everything trailpack knows about a pack source after verification: the integrity result,
/// the registry, drift windows, each version's lifecycle, traceability and all findings.
/// The site, `report.json` and `verify` are all rendered from this one value.
/// *(v1.1)* An actor id `<system>:<name>` of events brought in from another system that
/// `identities` does not map (contract section 9): a person the rules cannot recognise.
public struct UnmappedName: Sendable, Equatable {
    public var name: String
    public var system: String
    public var events: Int
    public var firstSeq: Int64
}

public struct PackAnalysis: Sendable {
    public var source: URL
    public var config: Config
    public var registry: Registry
    public var integrity: IntegrityResult
    public var drift: [DriftWindow]
    /// Every finding (integrity and compliance), sorted, with waivers applied.
    public var findings: [Finding]
    /// Valid waivers that matched no finding.
    public var unusedWaivers: [Waiver]
    /// Lifecycles of every version seen in the registry or the trail, sorted by model and version.
    public var versions: [VersionLifecycle]
    /// Traceability rows of the versions in the release.
    public var matrix: [TraceRow]
    public var coverage: [Coverage]
    public var exceptions: [ExceptionRecord]
    public var capas: [CapaRecord]
    public var signatures: [SignatureRecord]
    /// Drift windows with the deadline and the answer found for each drifting one.
    public var driftStatus: [DriftStatus]
    /// Event counts by action and by actor id, sorted by key bytes.
    public var actionCounts: [(String, Int)]
    public var actorCounts: [(String, Int)]
    /// Actor id -> display name and role, from the events.
    /// Keyed by the id's bytes (canonically equivalent ids are different actors).
    public var actors: [JSONString: (name: String?, role: String?, service: Bool)]
    /// Names of imported events' actors that `identities` does not map, sorted by name bytes.
    public var unmappedNames: [UnmappedName] = []
    /// The `seq` of each finding not listed (``FindingCap``), by rule, sorted: the events whose
    /// rows link to their rule's closing finding (the one with ``Finding/omitted`` set).
    public var omittedSeqs: [RuleID: [Int64]] = [:]

    /// The last event's time: the pack's "as of" time.
    public var asOf: Timestamp? { integrity.asOf }

    /// The lifecycle of a version, if known.
    public func lifecycle(_ ref: VersionRef) -> VersionLifecycle? { versions.first { $0.ref == ref } }

    /// The versions named by the release, in release order.
    public var releaseVersions: [VersionLifecycle] {
        config.release.models.compactMap { lifecycle(VersionRef(model: $0.model, version: $0.version)) }
    }

    /// The `verify` view of the analysis.
    public var verifyReport: VerifyReport { VerifyReport(integrity: integrity, findings: findings) }
}

/// A drift window with what answered it.
public struct DriftStatus: Sendable, Hashable {
    public var window: DriftWindow
    /// The end of the window plus policy.revalidationDays.
    public var deadline: Timestamp
    /// Seq of the revalidation.triggered or capa.opened that answered a drifting window.
    public var answeredBy: Int64?
    public var answeredAction: String?
    /// `ok` (no drift), `answered`, `pending` (deadline after the as-of time) or `overdue`.
    public var state: String
}

extension Trailpack {
    /// Reads, verifies and analyses a pack source in one streaming pass. `onEvent` sees every
    /// event in log order after its checks (the site builder does not use it; it re-reads the log).
    /// A log in files is read under a shared lock (``StoreLock/reading(auditDirectory:)``): an
    /// append in progress finishes first, and none starts until the pass is over.
    public static func analyze(source: URL, trust: TrustList?, onEvent: ((CheckedEvent) throws -> Void)? = nil) throws -> PackAnalysis {
        let config = try Config.load(from: source)
        let lock = config.store == nil ? try StoreLock.reading(auditDirectory: source.appendingPathComponent("audit").path) : nil
        defer { withExtendedLifetime(lock) {} }
        let registry = try Registry.load(from: source)
        try registry.checkRelease(config)
        let drift = try DriftStore.load(from: source)
        try registry.checkDrift(drift)
        var collector = ComplianceCollector(registry: registry, config: config)
        let integrity = try Verifier.verify(source: source, config: config, options: VerifyOptions(trust: trust)) { c in
            collector.observe(c)
            try onEvent?(c)
        }
        let end = EndOfLogRules(config: config, registry: registry, asOf: integrity.asOf).run(collector, drift: drift)
        var findings = integrity.findings + collector.findings + end.findings
        findings.sort(by: Finding.ordered)
        // The actor of the event a waived finding names, and the waiver's signer, are compared as
        // the person `identities` maps them to (contract section 2): a self-waiver through an alias
        // (git:felix@example.com for u:fberger) is still one.
        let person = { (id: JSONString) -> JSONString in config.identity(id.string) ?? id }
        let unused = WaiverInvalid.apply(&findings, collector.waivers, person: person) { collector.actor(atPosition: $0) }
        func sortedCounts(_ d: [String: Int]) -> [(String, Int)] {
            d.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }.map { ($0.key, $0.value) }
        }
        func sortedCounts(_ d: [JSONString: Int]) -> [(String, Int)] {
            d.sorted { $0.key < $1.key }.map { ($0.key.string, $0.value) }
        }
        return PackAnalysis(
            source: source, config: config, registry: registry, integrity: integrity, drift: drift, findings: findings,
            unusedWaivers: unused, versions: end.versions, matrix: end.matrix, coverage: end.coverage, exceptions: collector.exceptions,
            capas: end.capas, signatures: collector.signatures, driftStatus: end.driftStatus,
            actionCounts: sortedCounts(collector.actionCounts), actorCounts: sortedCounts(collector.actorCounts), actors: collector.actors,
            unmappedNames: collector.unmappedNames.values.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) },
            omittedSeqs: integrity.omittedSeqs.merging(collector.cap.droppedSeqs, uniquingKeysWith: +).mapValues { $0.sorted() })
    }
}
