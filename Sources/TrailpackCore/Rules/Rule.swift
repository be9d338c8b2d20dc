/// The stable id of a rule (contract section 7).
public enum RuleID: String, Sendable, Hashable, CaseIterable, Codable {
    case intParse = "INT-PARSE", intHash = "INT-HASH", intChain = "INT-CHAIN", intSeq = "INT-SEQ"
    case intCheckpoint = "INT-CHECKPOINT", intCheckpointSig = "INT-CHECKPOINT-SIG"
    case intArtifact = "INT-ARTIFACT", intTime = "INT-TIME"
    /// A built site's files against its own SHA256SUMS (not in the contract: `verify SITE` only).
    case intSite = "INT-SITE"
    case atReason = "AT-REASON", atChanges = "AT-CHANGES"
    case sigInvalid = "SIG-INVALID", sigManifest = "SIG-MANIFEST", sigKey = "SIG-KEY", sigRequired = "SIG-REQUIRED", sigSigner = "SIG-SIGNER"
    case sigSOD = "SIG-SOD"
    case relApproval = "REL-APPROVAL", relValidation = "REL-VALIDATION", relRegistry = "REL-REGISTRY"
    case relBias = "REL-BIAS", relXAI = "REL-XAI"
    case trcUntested = "TRC-UNTESTED", trcFailed = "TRC-FAILED", trcUnknown = "TRC-UNKNOWN"
    case capaMissing = "CAPA-MISSING", capaOverdue = "CAPA-OVERDUE"
    case drfRevalidation = "DRF-REVALIDATION", drfGap = "DRF-GAP"
    /// A `finding.waived` event that waives nothing.
    case waiverInvalid = "WAIVER-INVALID"

    /// The rule's catalogue entry.
    public var rule: Rule { RuleCatalog.byID[self] ?? RuleCatalog.fallback(self) }
}

/// What a rule checks, why, the regulation clause it serves and how to fix a finding; kept in
/// the rule's file, read by the findings page, `trailpack rules` and `docs/rules.md`.
public struct Rule: Sendable, Hashable {
    public var id: RuleID
    public var severity: Severity
    public var clause: String
    public var what: String
    public var why: String
    public var remedy: String
}

/// A rule: one file `Rules/<Area>/<Rule>.swift` with its entry and its checks, called by name
/// (see RuleList.swift); listed once in `RuleCatalog.all`.
protocol RuleDefinition {
    /// The catalogue entry: id, severity, clause, what, why, remedy.
    static var rule: Rule { get }
}

/// Where a finding about one event is placed (a PostgreSQL row: by seq only).
struct FindingPlace {
    var file: String?
    var line: Int?
    var seq: Int64?

    func finding(_ rule: RuleID, _ message: String) -> Finding {
        Finding(rule, message, file: file, line: line, seq: seq)
    }
}
