/// How a report is printed.
public enum OutputFormat: String, Sendable, CaseIterable {
    case text, json, markdown, html
}

extension Finding {
    /// The finding as a JSON object (contract section 7 fields, plus clause and waiver).
    public var json: JSONValue {
        var b = JSONBuilder()
        b.set("rule", rule.rawValue)
        b.set("severity", severity.rawValue)
        if let seq { b.set("seq", seq) }
        if let file { b.set("file", file) }
        if let line { b.set("line", line) }
        if let lastLine { b.set("lastLine", lastLine) }
        b.set("location", location)
        b.set("message", message)
        b.set("clause", rule.rule.clause)
        if omitted > 0 { b.set("omitted", omitted) }
        b.setIf("waiver", waiver?.json)
        return b.value
    }
}

/// Counts of findings by severity, leaving waived ones apart.
public struct FindingCounts: Sendable, Equatable {
    public var critical = 0, major = 0, minor = 0, waived = 0

    public init(_ findings: [Finding]) {
        for f in findings {
            if f.waiver != nil { waived += 1; continue }
            // A finding that closes a capped list counts for those it stands for too.
            let n = 1 + f.omitted
            switch f.severity {
            case .critical: critical += n
            case .major: major += n
            case .minor: minor += n
            }
        }
    }

    public var total: Int { critical + major + minor }

    public var json: JSONValue {
        var b = JSONBuilder()
        b.set("critical", critical)
        b.set("major", major)
        b.set("minor", minor)
        b.set("waived", waived)
        return b.value
    }
}

/// The result of `trailpack verify`: integrity and compliance findings with the log's figures.
public struct VerifyReport: Sendable {
    public var integrity: IntegrityResult
    /// All findings (integrity and compliance), sorted, waivers applied.
    public var findings: [Finding]

    public init(integrity: IntegrityResult, findings: [Finding]) {
        self.integrity = integrity
        self.findings = findings
    }

    /// True when an unwaived finding is at or above `failOn`.
    public func fails(at failOn: Severity) -> Bool {
        findings.contains { $0.waiver == nil && $0.severity >= failOn }
    }

    /// Key descriptions with fingerprints, owners and trust.
    public var keysJSON: JSONValue {
        .array(integrity.keyring.keys.map { k in
            var b = JSONBuilder()
            b.set("name", k.name)
            b.set("fingerprint", k.fingerprint)
            b.set("trusted", k.trusted)
            b.set("owner", integrity.keyOwners[k.name]?.string)
            b.set("ownerCounts", integrity.registrations[k.name] != nil)
            b.set("registeredName", integrity.registrations[k.name]?.name)
            b.set("trustOwner", k.trustOwner?.string)
            b.set("checkpointOnly", k.checkpointOnly)
            if let r = integrity.revokedAt[k.name] { b.set("revokedAtSeq", r) }
            return b.value
        })
    }

    public var checkpointsJSON: JSONValue {
        .array(integrity.checkpoints.map { c in
            var b = JSONBuilder()
            b.set("file", c.file)
            b.set("origin", c.origin)
            b.set("size", c.size)
            b.set("root", c.root.hex)
            b.set("signers", .array(c.validSigners.map { JSONValue($0) }))
            b.set("consistent", c.consistent.map { JSONValue.bool($0) } ?? .null)
            return b.value
        })
    }

    /// The JSON form printed by `verify --format json`.
    public var json: JSONValue {
        var b = JSONBuilder()
        b.set("findings", .array(findings.map(\.json)))
        b.set("summary", FindingCounts(findings).json)
        b.set("origin", integrity.config.origin)
        b.set("asOf", integrity.asOf?.description)
        b.set("treeSize", integrity.treeSize)
        b.set("root", integrity.root.hex)
        b.set("checkpoints", checkpointsJSON)
        b.set("eventsAfterLastCheckpoint", integrity.eventsAfterLastCheckpoint)
        b.set("keys", keysJSON)
        b.set("trust", integrity.keyring.trustStatement)
        b.set("trustList", integrity.keyring.trust?.path)
        b.set("trustTrees", .array(integrity.trustTrees.map { t in
            var tb = JSONBuilder()
            tb.set("size", t.tree.size)
            tb.set("root", t.tree.root.hex)
            tb.set("line", t.tree.line)
            tb.set("consistent", t.consistent.map { JSONValue.bool($0) } ?? .null)
            return tb.value
        }))
        b.set("limits", .array(TrustLimits.integrity(integrity.config, integrity.keyring).map { JSONValue($0) }))
        return b.value
    }

    /// The text form: one `file:line: severity: [RULE] message` line per finding, each followed by
    /// an indented `fix:` line from the rule catalogue, then a summary. Names from the pack
    /// source (key and checkpoint files, owners) stay on their line (``Escape/oneLine(_:)``).
    public var text: String {
        var s = ""
        for f in findings { s += f.textLine + "\n  fix: " + f.rule.rule.remedy + "\n" }
        let c = FindingCounts(findings)
        s += "\(integrity.treeSize) events, Merkle root \(integrity.root.hex)\n"
        for cp in integrity.checkpoints {
            let state = cp.consistent == true ? "consistent" : "NOT consistent"
            let signers = cp.validSigners.isEmpty ? "no valid signature" : "signed by " + cp.validSigners.joined(separator: ", ")
            s += Escape.oneLine("checkpoint \(cp.file): size \(cp.size), \(state), \(signers)") + "\n"
        }
        s += "\(integrity.eventsAfterLastCheckpoint) events after the last checkpoint\n"
        for k in integrity.keyring.keys {
            var notes: [String] = []
            if !k.trusted { notes.append("not trusted") }
            if k.checkpointOnly { notes.append("checkpoints only") }
            if let o = k.trustOwner { notes.append("trust list owner \(o.string)") }
            if let r = integrity.registrations[k.name] { notes.append("registered to \(r.owner.string)") }
            s += Escape.oneLine("key \(k.name): sha256 \(k.fingerprint)\(notes.isEmpty ? "" : " (" + notes.joined(separator: "; ") + ")")") + "\n"
        }
        for t in integrity.trustTrees {
            s += "trust list tree head \(t.tree.size) \(t.tree.root.hex): \(t.consistent == true ? "consistent" : "NOT consistent")\n"
        }
        s += integrity.keyring.trustStatement + "\n"
        for l in TrustLimits.integrity(integrity.config, integrity.keyring) { s += "note: \(l)\n" }
        s += "findings: \(c.critical) critical, \(c.major) major, \(c.minor) minor"
        if c.waived > 0 { s += ", \(c.waived) waived" }
        s += "\n"
        return s
    }
}
