/// The GxP view of the audit trail (issue 13): by month, only what people did and what the
/// rules care about, in the same full rows as the chronological trail, each linked to its place
/// there. Pages `audit/gxp-YYYY-MM-page-NNNN`; the complete trail stays as it is.
enum GxPView {
    /// The spool of the view's events (``AuditTrail``): one group per month.
    enum SpoolKey: String, CaseIterable, Sendable { case month }

    /// Actions listed whoever acted: governance, exceptions and CAPAs, monitoring that the rules
    /// answer, revalidations, waivers and keys.
    static let actions: Set<String> = [
        "model.registered", "model.stage_changed", "model.alias_changed", "model.approved", "model.rejected",
        "model.deployed", "model.retired", "exception.raised", "capa.opened", "capa.closed", "drift.detected",
        "revalidation.triggered", "revalidation.completed", "finding.waived", "key.registered", "key.revoked",
    ]
    /// Verb endings listed on any subject: modifications, deletions, overrides, stage and alias
    /// changes, approvals and rejections.
    static let verbs = [".modified", ".deleted", ".overridden", ".stage_changed", ".alias_changed", ".approved", ".rejected"]

    /// Whether an event belongs to the view: its actor is a person, or it is signed, or a
    /// finding names it, or its action is listed above or in `policy.requireSigned`.
    static func isListed(_ e: Event, context: SiteContext) -> Bool {
        if !e.actor.isService || e.signature != nil { return true }
        if !context.findings(ofSeq: e.seq).isEmpty { return true }
        if actions.contains(e.action) || verbs.contains(where: { e.action.hasSuffix($0) }) { return true }
        return context.analysis.config.policy.requireSigned.contains { $0.bytes.elementsEqual(e.action.utf8) }
    }

    /// A spooled event: `<position> <signature index or -> <line>`.
    static func spoolRow(position: Int64, signature: Int?, line: ArraySlice<UInt8>) -> [UInt8] {
        Array("\(position) \(signature.map { String($0) } ?? "-") ".utf8) + line
    }

    /// A spooled event read back; the spool is this build's own, so a row that does not read
    /// back is a fault (``SpoolError``), never a row to drop.
    static func readRow(_ row: ArraySlice<UInt8>, signatures: [SignatureRecord], month: String) throws(SpoolError) -> TrailItem {
        let fields = row.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, let p = Int64(String(decoding: fields[0], as: UTF8.self)),
              let event = AuditTrail.parse(line: fields[2], number: 1) else { throw .unreadableRow(group: "gxp/" + month) }
        let index = String(decoding: fields[1], as: UTF8.self)
        var signature: SignatureRecord?
        if index != "-" {
            guard let i = Int(index), signatures.indices.contains(i) else { throw .unreadableRow(group: "gxp/" + month) }
            signature = signatures[i]
        }
        return .event(event, position: p, signature: signature)
    }

    /// One month of the view as the trail's index lists it.
    struct Month: Sendable {
        var key: String
        var events: Int
        var pages: Int
    }

    /// Writes the view's pages, a few at a time on all cores; returns its months in order.
    static func write(_ spool: RowSpool<SpoolKey>, context: SiteContext, output: inout SiteOutput) throws -> [Month] {
        let size = context.pageSize
        let groups = (spool.groups[.month] ?? []).sorted { $0.key.lexicographicallyPrecedes($1.key) }
        let months = groups.map { g in Month(key: String(decoding: g.key, as: UTF8.self), events: g.count, pages: max(1, (g.count + size - 1) / size)) }
        let view = EventView(context: context, anchors: context.anchors)
        var jobs: [(month: Month, number: Int, rows: [ArraySlice<UInt8>])] = []
        func run(_ output: inout SiteOutput) throws {
            let batch = jobs
            jobs = []
            let sink = try output.reserve(pages: batch.map { SiteLinks.gxpPage(month: $0.month.key, $0.number) })
            let files = try Parallel.map(batch.count) { i -> [WrittenFile] in
                let j = batch[i]
                var items: [TrailItem] = []
                for row in j.rows { items.append(try readRow(row, signatures: context.analysis.signatures, month: j.month.key)) }
                return try sink.write(try renderPage(j.month, number: j.number, items, view: view, months: months))
            }
            for f in files { output.record(f) }
        }
        for (g, month) in zip(groups, months) {
            var rows: [ArraySlice<UInt8>] = []
            var number = 1
            func finishPage() throws {
                jobs.append((month, number, rows))
                rows = []
                number += 1
                if jobs.count >= Parallel.workers * 2 { try run(&output) }
            }
            try spool.forEachRow(.month, g.number) { line in
                rows.append(ArraySlice(Array(line)))
                if rows.count == size { try finishPage() }
            }
            if !rows.isEmpty { try finishPage() }
        }
        try run(&output)
        return months
    }

    /// One page of a month's view: the full rows, each linked to its place in the trail.
    static func renderPage(_ month: Month, number: Int, _ items: [TrailItem], view: EventView, months: [Month]) throws(TemplateError) -> RenderedPage {
        let typed = view.context.theme.typedRows
        let typedRows = EventRows(view: view)
        var rows: [TemplateValue] = []
        for case .event(let e, let p, let sig) in items {
            let row = typed ? .fragment(typedRows.full(e, position: p, signature: sig, toTrail: true))
                : view.full(e, position: p, signature: sig, toTrail: true)
            rows.append(["event": row])
        }
        // The other months, the page's own marked as current.
        let nav = TemplateValue.array(months.map { m in
            ["link": TV.page(AuditIndex.monthLabel(m.key), SiteLinks.gxpPage(month: m.key, 1)), "events": .int(m.events),
             "current": .bool(m.key == month.key)]
        })
        let label = AuditIndex.monthLabel(month.key)
        let path = SiteLinks.gxpPage(month: month.key, number)
        let title = "GxP trail, \(label)" + (month.pages > 1 ? ", page \(number) of \(month.pages)" : "")
        return try view.context.render(.auditGxP, path: path, title: title, section: .audit, [
            "month": .string(label), "events": .int(month.events), "rows": .array(rows), "months": nav,
            "pager": AuditIndex.pager(number: number, count: month.pages) { SiteLinks.gxpPage(month: month.key, $0) },
        ])
    }
}
