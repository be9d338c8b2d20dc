import Foundation

/// How serious a finding is. Ordered: `minor` < `major` < `critical`.
public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable, Codable {
    case minor, major, critical

    private var rank: Int {
        switch self {
        case .minor: return 0
        case .major: return 1
        case .critical: return 2
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// A finding's waiver: a signed `finding.waived` event by QA (contract section 3.2).
public struct Waiver: Sendable, Hashable {
    public var seq: Int64
    public var reason: String
    public var signer: String
    public var name: String
    public var time: String
}

/// One violation of a rule, with where it was found.
public struct Finding: Sendable, Hashable {
    public var rule: RuleID
    public var severity: Severity
    public var message: String
    /// Segment or record path relative to the pack source.
    public var file: String?
    public var line: Int?
    /// The last line of a run of consecutive lines with the same problem (lines that are not
    /// events: one finding for the run, `line` through `lastLine`); nil for a single line.
    public var lastLine: Int?
    /// The event's `seq`, when the finding is about an event.
    public var seq: Int64?
    /// Set when a valid `finding.waived` covers this finding.
    public var waiver: Waiver?
    /// How many findings of this rule this one stands for that are not listed (``FindingCap``):
    /// 0 for every finding but the one that closes a rule's list. Counted in ``FindingCounts``;
    /// never waived.
    public var omitted = 0
    /// For a finding located in a record file (a registry line) that events brought about: the
    /// seq of the latest such event (the failing test, the version's first event). A waiver
    /// recorded before it does not cover the finding: a waiver accepts what existed when it was
    /// signed, so an edit that moves lines of the file, or a later version with the same
    /// requirement, cannot slide an old waiver onto a new finding. Not part of the output.
    var evidenceSeq: Int64?

    public init(_ rule: RuleID, _ message: String, file: String? = nil, line: Int? = nil, seq: Int64? = nil) {
        self.rule = rule
        self.severity = rule.rule.severity
        self.message = message
        self.file = file
        self.line = line
        self.seq = seq
    }

    /// The location as printed (`audit/0001.jsonl:12`, `registry/models/x.json`, `seq 42`); waivers
    /// name findings by rule and this text.
    public var location: String {
        if let file {
            if let line {
                if let lastLine, lastLine > line { return "\(file):\(line)–\(lastLine)" }
                return "\(file):\(line)"
            }
            return file
        }
        if let seq { return "seq \(seq)" }
        return "pack"
    }

    /// Sort order for output: by file, line, seq, rule, message (all byte-wise).
    public static func ordered(_ a: Finding, _ b: Finding) -> Bool {
        let fa = Array((a.file ?? "\u{10FFFF}").utf8), fb = Array((b.file ?? "\u{10FFFF}").utf8)
        if fa != fb { return fa.lexicographicallyPrecedes(fb) }
        if (a.line ?? 0) != (b.line ?? 0) { return (a.line ?? 0) < (b.line ?? 0) }
        if (a.seq ?? 0) != (b.seq ?? 0) { return (a.seq ?? 0) < (b.seq ?? 0) }
        if a.rule != b.rule { return Array(a.rule.rawValue.utf8).lexicographicallyPrecedes(Array(b.rule.rawValue.utf8)) }
        return Array(a.message.utf8).lexicographicallyPrecedes(Array(b.message.utf8))
    }

    /// `file:line: severity: [RULE] message`.
    ///
    /// Line breaks in it (a location, message or waiver quotes the pack source and the log) are
    /// written as `U+000A`, so that a file name, reason or id cannot start a line of its own
    /// that reads as another finding or the summary; the CLI
    /// shows every other invisible character the same way.
    public var textLine: String {
        var s = "\(location): \(severity.rawValue): [\(rule.rawValue)] \(message)"
        if let w = waiver { s += " (waived by \(w.name) at \(w.time), seq \(w.seq): \(w.reason))" }
        return Escape.oneLine(s)
    }
}
