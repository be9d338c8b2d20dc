/// The text form of a diff, for CI logs: the verdict and a one-line summary first, then the
/// regressions, then each change, with long lists cut (the JSON form has them all).
extension ReleaseDiff {
    /// Lines listed per section of `text` before "… and N more".
    public static let textListLimit = 50

    /// The text printed by `trailpack diff` (default format).
    public var text: String {
        var out = "trailpack diff: \(old.source) (release \(old.release), \(old.treeSize) events) → "
            + "\(new.source) (release \(new.release), \(new.treeSize) events)\n"
        out += "integrity: \(integrity.verdict.rawValue.uppercased()): \(integrity.message)\n"
        if integrity.originsDiffer { out += Escape.oneLine("warning: the packs name different logs: origin \(old.origin) vs \(new.origin)") + "\n" }
        if isUnchanged {
            out += "no changes: NEW is identical to OLD (\(new.treeSize) events, root \(new.root.hex))\n"
            return out
        }
        out += "changes: \(summarySentence)\n"
        let regs = regressions
        out += regs.isEmpty ? "regressions: none\n" : "regressions: \(regs.count)\n"
        out += list(regs) { "  \($0.kind.rawValue): \($0.message)" }
        out += "\nold root \(old.root.hex) (\(old.treeSize) events)\nnew root \(new.root.hex) (\(new.treeSize) events)\n"
        if integrity.verdict == .extended {
            out += "consistency proof \(integrity.oldSize) → \(integrity.newSize): \(Self.plural(integrity.proof.count, "hash", "hashes")), verified\n"
        }
        if let d = integrity.firstDifference {
            out += "first difference at event \(d.index):\n"
            out += Escape.oneLine("  NEW: " + (d.new.map { "\($0.description), hash \($0.hash)" } ?? "no event (the log ends before it)")) + "\n"
            out += Escape.oneLine("  OLD: " + (d.old.map { "\($0.description), hash \($0.hash)" } ?? "no event")) + "\n"
        }
        if events.count > 0 {
            out += "\nevents added: \(events.count)"
            if let a = events.firstIndex, let b = events.lastIndex { out += " (positions \(a)–\(b))" }
            if integrity.verdict == .rewritten { out += ", counted by position after OLD's size (history was rewritten)" }
            out += "\n" + Escape.oneLine("  by action: " + events.byAction.map { "\($0.key) \($0.count)" }.joined(separator: ", ")) + "\n"
            out += Escape.oneLine("  by actor: " + events.byActor.map { "\($0.key) \($0.count)" }.joined(separator: ", ")) + "\n"
        }
        section("models", models, &out) { "  \($0.change.rawValue.padded(9)) \($0.model.string) (\($0.name))" }
        section("versions", versions, &out) { v in
            "  \(v.change.rawValue.padded(9)) \(v.version): \(v.old?.description ?? "–") → \(v.new?.description ?? "–")"
        }
        section("approvals added", approvals, &out) { a in
            "  seq \(a.approval.seq) \(a.version) by \(a.approval.name) at \(a.approval.time)"
                + (a.approval.isValidApproval ? "" : " (not a valid approval)")
        }
        section("signatures added", signatures, &out) { g in
            "  seq \(g.seq) \(g.action) \(g.subject): \(g.name.isEmpty ? g.signer : g.name), \(g.meaning), \(g.status)"
        }
        section("requirements", requirements, &out) { "  \($0.change.rawValue.padded(9)) \($0.model.string) \($0.requirement.string): \($0.transition)" }
        section("tests newly failing", testsNewlyFailing, &out) { "  \($0.version) \($0.test.string): \($0.transition)" }
        section("tests newly passing", testsNewlyPassing, &out) { "  \($0.version) \($0.test.string): \($0.transition)" }
        section("findings opened", findings.opened, &out) { "  " + $0.textLine }
        section("findings resolved", findings.resolved, &out) { "  " + $0.textLine }
        section("drift", drift, &out) { d in
            func st(_ s: DriftState?) -> String { s.map { ($0.drift ? "drift " : "no drift ") + $0.state } ?? "–" }
            return "  \(d.change.rawValue.padded(9)) \(d.version) \(d.path) \(d.start) – \(d.end): \(st(d.old)) → \(st(d.new))"
        }
        return out
    }

    /// One sentence of counts: events, versions, approvals, coverage, tests, findings, drift.
    public var summarySentence: String {
        var parts = [Self.plural(events.count, "event") + " added"]
        let addedModels = models.filter { $0.change == .added }.count, removedModels = models.count - addedModels
        if !models.isEmpty { parts.append("models: \(addedModels) added, \(removedModels) removed") }
        func n(_ k: VersionChange.Kind) -> Int { versions.filter { $0.change == k }.count }
        parts.append("versions: \(n(.added)) added, \(n(.retired) + n(.removed)) retired or removed, \(n(.stage)) changed stage")
        parts.append("\(Self.plural(approvals.count, "approval")) and \(Self.plural(signatures.count, "signature")) added")
        func r(_ k: RequirementChange.Kind) -> Int { requirements.filter { $0.change == k }.count }
        parts.append("coverage: \(r(.gained)) gained, \(r(.lost)) lost")
        parts.append("tests: \(testsNewlyFailing.count) newly failing, \(testsNewlyPassing.count) newly passing")
        parts.append("findings: \(findings.opened.count) opened, \(findings.resolved.count) resolved, \(findings.persisting.count) persisting")
        func d(_ k: DriftChange.Kind) -> Int { drift.filter { $0.change == k }.count }
        parts.append("drift: \(Self.plural(drift.filter { $0.old == nil }.count, "window")) added, \(Self.plural(d(.breach), "new breach", "new breaches")), \(d(.resolved)) resolved")
        return parts.joined(separator: "; ")
    }

    /// A warning when the previous release carries this release's name but other contents (a
    /// release renamed by mistake, or trailpack.json not updated); nil otherwise.
    public var sameNameWarning: String? {
        guard old.release == new.release, integrity.verdict != .identical else { return nil }
        return "--previous holds release \"\(old.release)\" too, with other contents (\(integrity.verdict.rawValue)); "
            + "give this release its own name in trailpack.json (release.name), or compare with the release before it"
    }

    /// `1 hash`, `2 hashes`: the count and the noun in the right number (`many` defaults to `one` + "s").
    public static func plural(_ n: Int, _ one: String, _ many: String? = nil) -> String {
        "\(n) " + (n == 1 ? one : many ?? one + "s")
    }

    private func list<T>(_ items: [T], _ line: (T) -> String) -> String {
        var out = ""
        // Ids, names and messages come from the two logs: each item stays on its line.
        for item in items.prefix(Self.textListLimit) { out += Escape.oneLine(line(item)) + "\n" }
        if items.count > Self.textListLimit { out += "  … and \(items.count - Self.textListLimit) more (see --format json)\n" }
        return out
    }

    private func section<T>(_ title: String, _ items: [T], _ out: inout String, _ line: (T) -> String) {
        guard !items.isEmpty else { return }
        out += "\n\(title): \(items.count)\n" + list(items, line)
    }
}

extension String {
    /// The string followed by spaces up to `width` characters.
    fileprivate func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
