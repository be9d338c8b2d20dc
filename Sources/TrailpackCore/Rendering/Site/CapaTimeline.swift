/// How long each stage of an exception and its CAPAs took, for the CAPA page: raised to CAPA
/// opened, and opened to closed (or open for how long at the as-of time), with the findings
/// (CAPA-MISSING, CAPA-OVERDUE) linked. Exceptions with an overdue CAPA come first.
enum CapaTimeline {
    /// Opened to closed ("closed after 12 d 3 h"), or how long it has been open at the as-of time
    /// ("open for 4 d", the page stating the as-of time).
    static func taken(_ x: CapaRecord, asOf: Timestamp?) -> String? {
        guard let opened = x.opened else { return nil }
        if x.closedSeq != nil {
            return x.closed.map { "closed after " + Durations.text($0.interval(since: opened)) }
        }
        // The as-of time is stated once above the table, as a time of its own.
        return asOf.map { "open for " + Durations.text($0.interval(since: opened)) }
    }

    /// The finding of a rule about an event, by seq, if any.
    static func finding(_ rule: RuleID, seq: Int64, _ c: SiteContext) -> TemplateValue {
        guard let i = c.findingsBySeq[seq]?.first(where: { c.analysis.findings[$0].rule == rule }) else { return .null }
        return DriftPages.findingLink(i, c)
    }

    /// The CAPAs of an exception: for each id it lists, the CAPA opened for it after it was raised.
    static func capas(of e: ExceptionRecord, _ a: PackAnalysis) -> [CapaRecord] {
        e.capas.compactMap { id in
            a.capas.first { $0.id == id && $0.exception == e.id && $0.openedSeq > e.seq } ?? a.capas.first { $0.id == id }
        }
    }

    /// 0 for an exception with an overdue CAPA, 1 with none, 2 with an open one, 3 when all are closed.
    static func rank(_ capas: [CapaRecord]) -> Int {
        if capas.contains(where: \.overdue) { return 0 }
        if capas.isEmpty { return 1 }
        return capas.contains { $0.closedSeq == nil } ? 2 : 3
    }

    /// The exceptions table: one row per exception and CAPA (one row without a CAPA); the
    /// exception's cells are on its first row (spanning its rows in HTML, repeated in Markdown).
    static func exceptions(_ c: SiteContext, anchor: (String) -> String) -> [TemplateValue] {
        let a = c.analysis
        let listed = a.exceptions.enumerated().map { ($0.offset, $0.element, capas(of: $0.element, a)) }
            .sorted { (rank($0.2), $0.0) < (rank($1.2), $1.0) }
        return listed.map { _, e, capas in
            var rows = capas.enumerated().map { n, x -> TemplateValue in
                [
                    "first": .bool(n == 0), "capa": TV.page(x.id.string, "capa", anchor: SiteLinks.capaAnchor(x.id)), "title": .string(x.title),
                    "missing": .null, "owner": .string(x.owner), "opened": TV.time(x.openedText),
                    "openedLink": c.locator.link(seq: x.openedSeq, label: "seq \(x.openedSeq)"),
                    "toOpen": TV.str(x.opened.flatMap { o in e.timestamp.map { Durations.text(o.interval(since: $0)) } }),
                    "due": TV.time(x.due?.description), "closed": TV.time(x.closedText),
                    "closedLink": x.closedSeq.map { c.locator.link(seq: $0, label: "seq \($0)") } ?? .null,
                    "taken": TV.str(taken(x, asOf: a.asOf)), "state": CapaPage.stateBadge(x),
                    "finding": finding(.capaOverdue, seq: x.openedSeq, c),
                ]
            }
            if rows.isEmpty {
                rows = [[
                    "first": true, "capa": .null, "title": .null, "missing": finding(.capaMissing, seq: e.seq, c), "owner": .null,
                    "opened": .null, "openedLink": .null, "toOpen": .null, "due": .null, "closed": .null, "closedLink": .null,
                    "taken": TV.str(a.asOf.flatMap { asOf in
                        e.timestamp.map { "no CAPA " + Durations.text(asOf.interval(since: $0)) + " after it was raised" }
                    }),
                    "state": TV.badge("✖ No CAPA", "fail"), "finding": .null,
                ]]
            }
            return [
                "anchor": .string(anchor(SiteLinks.exceptionAnchor(e.id))), "id": .string(e.id.string),
                "link": c.locator.link(seq: e.seq, label: "seq \(e.seq)"), "time": TV.time(e.time), "subject": .string(e.subject),
                "description": .string(e.description), "actor": .string(e.actor), "span": .int(rows.count), "rows": .array(rows),
            ]
        }
    }
}
