import Foundation

/// The findings page: every finding with its rule, severity, clause, location (linked to the
/// event or record), message and waiver, and the rule catalogue (what, why, remedy) below it.
enum FindingsPage {
    /// Findings a page: a pack with many (a systematic gap, or a damaged segment of which every
    /// line is INT-PARSE) gets pages a browser and a printer can hold, rendered one at a time.
    static let pageSize = 1000

    static func severityBadge(_ s: Severity, waived: Bool) -> TemplateValue {
        if waived { return TV.badge("Waived (\(s.rawValue))", "neutral") }
        switch s {
        case .critical: return TV.badge("✖ Critical", "fail")
        case .major: return TV.badge("! Major", "attention")
        case .minor: return TV.badge("· Minor", "minor")
        }
    }

    /// Where a finding points: the event's full row, the model page of a registry record, the
    /// window's row on the drift page of its version, or the evidence copy of the file.
    static func locationLink(_ f: Finding, _ c: SiteContext) -> TemplateValue {
        if let seq = f.seq {
            // The event itself, linked to its row in the trail ("seq 12"); its action, who and
            // when follow the link (``locationEvent(_:_:)``).
            if c.findingEvents[seq] != nil { return c.locator.link(seq: seq, label: "seq \(seq)") }
            return c.locator.link(seq: seq, label: f.location)
        }
        guard let file = f.file else { return TV.text(f.location) }
        if let m = c.analysis.registry.models.first(where: { $0.path == file }) {
            return TV.page(f.location, SiteLinks.model(m.id))
        }
        if let w = c.analysis.drift.first(where: { $0.path == file }),
           let link = DriftPages.pageLink(w.versionRef, c, label: f.location, window: w.path) {
            return link
        }
        return ArtifactChecker.isSafeRelativePath(file) ? TV.file(f.location, "evidence/" + file) : TV.text(f.location)
    }

    /// The event a finding names: its action, who and when (`{action, actor, time}`), written
    /// after the location link ("seq 12: model.approved by Quinn QA (u:qa), 2026-01-01 00:11:00Z").
    static func locationEvent(_ f: Finding, _ c: SiteContext) -> TemplateValue {
        guard let seq = f.seq, let e = c.findingEvents[seq] else { return .null }
        return ["action": .string(e.action), "actor": .string(e.actor), "time": TV.time(e.time)]
    }

    /// The template value of the finding at index `i` of `PackAnalysis.findings`.
    static func value(_ i: Int, _ c: SiteContext) -> TemplateValue {
        let f = c.analysis.findings[i]
        let rule = f.rule.rule
        let waiver: TemplateValue = f.waiver.map { w in
            ["name": .string(w.name), "signer": .string(w.signer), "time": TV.time(w.time), "reason": .string(w.reason),
             "link": c.locator.link(seq: w.seq, label: "seq \(w.seq)")]
        } ?? .null
        return [
            "anchor": .string(SiteLinks.findingAnchor(i)), "number": .int(i + 1), "numberLink": c.findingLink(i, label: String(i + 1)),
            "rule": .string(f.rule.rawValue), "ruleLink": TV.page(f.rule.rawValue, "findings", anchor: SiteLinks.ruleAnchor(f.rule)),
            "severity": .string(f.severity.rawValue), "badge": severityBadge(f.severity, waived: f.waiver != nil),
            "clause": .string(rule.clause), "location": locationLink(f, c), "locationEvent": locationEvent(f, c),
            // Times and digests in the message marked as tokens (HTML); the text as it is (Markdown).
            "message": .fragment(Tokens.marked(f.message)),
            // Where in the store, beside the event it names (file:line of its line).
            "where": f.seq != nil && f.file != nil ? .string(f.location) : .null,
            "remedy": inline(rule.remedy), "waiver": waiver,
        ]
    }

    /// The order of the findings page: waived ones last; then critical, major, minor; then by
    /// where they are (events by seq, then files by path bytes and line); the number of each
    /// finding (its place in report.json) goes with it.
    static func displayOrder(_ findings: [Finding]) -> [Int] {
        findings.indices.sorted { i, j in
            let a = findings[i], b = findings[j]
            if (a.waiver != nil) != (b.waiver != nil) { return a.waiver == nil }
            if a.severity != b.severity { return a.severity > b.severity }
            switch (a.seq, b.seq) {
            case let (x?, y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: break
            }
            let fa = Array((a.file ?? "").utf8), fb = Array((b.file ?? "").utf8)
            if fa != fb { return fa.lexicographicallyPrecedes(fb) }
            if (a.line ?? 0) != (b.line ?? 0) { return (a.line ?? 0) < (b.line ?? 0) }
            return i < j
        }
    }

    static func write(_ c: SiteContext, output: inout SiteOutput) throws {
        let a = c.analysis
        let counts = FindingCounts(a.findings)
        var byRule: [RuleID: Int] = [:]
        for f in a.findings { byRule[f.rule, default: 0] += 1 }
        let rules = RuleCatalog.all.map { r -> TemplateValue in
            [
                "anchor": .string(SiteLinks.ruleAnchor(r.id)), "id": .string(r.id.rawValue), "severity": .string(r.severity.rawValue),
                "clause": .string(r.clause), "what": inline(r.what), "why": inline(r.why), "remedy": inline(r.remedy),
                "count": .int(byRule[r.id] ?? 0),
            ]
        }
        let unused = a.unusedWaivers.map { w -> TemplateValue in
            ["name": .string(w.name), "time": TV.time(w.time), "reason": .string(w.reason), "link": c.locator.link(seq: w.seq, label: "seq \(w.seq)")]
        }
        let order = c.findingOrder
        let pages = max(1, (order.count + pageSize - 1) / pageSize)
        for n in 1...pages {
            let slice = order[min(order.count, (n - 1) * pageSize)..<min(order.count, n * pageSize)]
            let range: TemplateValue = pages > 1
                ? ["from": .int((n - 1) * pageSize + 1), "to": .int((n - 1) * pageSize + slice.count), "total": .int(order.count)] : .null
            let page = try c.render(.findings, path: SiteLinks.findingsPage(n), title: n == 1 ? "Findings" : "Findings, page \(n)",
                                    section: .findings, [
                "counts": countsValue(counts), "findings": .array(slice.map { value($0, c) }),
                "rules": .array(n == 1 ? rules : []), "unusedWaivers": .array(n == 1 ? unused : []),
                "catalogue": .bool(n == 1), "range": range, "rulesLink": TV.page("rule catalogue", "findings", anchor: "rules"),
                "pager": AuditIndex.pager(number: n, count: pages) { SiteLinks.findingsPage($0) },
            ])
            try output.write(page)
        }
    }

    /// Catalogue text (our own Markdown, with `code` spans) for a table cell: safe HTML and a
    /// one-line CommonMark twin with no pipe.
    static func inline(_ markdown: String) -> TemplateValue {
        let md = Markdown.commonmark(markdown).trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "|", with: "\\|")
        return TemplateFragment.document(html: Markdown.html(markdown), markdown: md)
    }

    static func countsValue(_ c: FindingCounts) -> TemplateValue {
        ["critical": .int(c.critical), "major": .int(c.major), "minor": .int(c.minor), "waived": .int(c.waived), "total": .int(c.total),
         "none": .bool(c.total == 0)]
    }
}
