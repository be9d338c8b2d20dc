/// One drift page per model version with monitoring windows (`models/<m>/versions/<v>/drift`):
/// a chart of every metric and feature over the windows, each followed by the same numbers as a
/// table, then every window with its record, state and what answered it.
enum DriftPages {
    /// The badge of a version's worst drift state (summary, model, version and drift pages).
    static func versionBadge(_ state: String) -> TemplateValue {
        switch state {
        case "overdue": return TV.badge("✖ Drift not answered", "fail")
        case "pending": return TV.badge("! Drift, answer pending", "attention")
        case "answered": return TV.badge("✔ Drift answered", "pass")
        case "ok": return TV.badge("✔ No drift", "pass")
        default: return TV.badge("– Not monitored", "neutral")
        }
    }

    /// A link to a finding on the findings page, labelled with its rule and number.
    static func findingLink(_ i: Int, _ c: SiteContext) -> TemplateValue {
        let f = c.analysis.findings[i]
        return c.findingLink(i, label: "\(f.rule.rawValue) (finding \(i + 1)\(f.waiver == nil ? "" : ", waived"))")
    }

    /// The link to a version's drift page, or nil when it has none.
    static func pageLink(_ ref: VersionRef, _ c: SiteContext, label: String = "Drift page", window: String? = nil) -> TemplateValue? {
        guard let v = c.drift.version(ref), v.hasPage else { return nil }
        return TV.page(label, SiteLinks.drift(ref), anchor: window.map(SiteLinks.windowAnchor))
    }

    static func write(_ c: SiteContext, output: inout SiteOutput) throws {
        for v in c.drift.versions where v.hasPage { try output.write(page(v, c)) }
    }

    static func page(_ v: VersionDrift, _ c: SiteContext) throws -> RenderedPage {
        let a = c.analysis
        let name = a.registry.model(v.ref.model)?.name ?? v.ref.model.string
        var used = Set<String>()
        let anchors = v.series.map { s -> String in
            let base = "m-" + PathNames.slug(s.name) + (s.feature.map { "--" + PathNames.slug($0) } ?? "")
            var anchor = base
            var n = 1
            while !used.insert(anchor).inserted { n += 1; anchor = base + "-\(n)" }
            return anchor
        }
        let charts = zip(v.series, anchors).map { s, anchor in chart(s, v, anchor: anchor) }
        let contents = zip(v.series, anchors).map { s, anchor in
            TV.page(s.label + (s.part.map { " (part \($0))" } ?? ""), SiteLinks.drift(v.ref), anchor: anchor)
        }
        return try c.render(.drift, path: SiteLinks.drift(v.ref), title: "Drift monitoring of \(v.ref.description)", section: nil, [
            "version": TV.page(v.ref.description, SiteLinks.version(v.ref)), "model": TV.page(name, SiteLinks.model(v.ref.model)),
            "summary": DriftOverview.row(v.ref, c), "revalidationDays": .int(Int(a.config.policy.revalidationDays)),
            "contents": .array(contents), "charts": .array(charts), "windows": .array(windowRows(v, c)),
        ])
    }

    /// A chart and the table of its numbers (the same strings, from ``DriftChart/table``).
    static func chart(_ s: DriftSeries, _ v: VersionDrift, anchor: String) -> TemplateValue {
        var skipped = 0
        let points = s.points.compactMap { p -> DriftChart.Point? in
            let w = v.windows[p.window].window
            let point = DriftChart.Point(windowStart: w.start, windowEnd: w.end, value: p.value, breach: p.breach)
            if point == nil { skipped += 1 }
            return point
        }
        let heading = s.label + (s.part.map { " (part \($0))" } ?? "")
        let chart = DriftChart.render(title: heading + ", " + v.ref.description, series: points, threshold: s.threshold,
                                      direction: s.direction)
        var notes = chart.note.map { [$0] } ?? []
        if skipped > 0 { notes.append("\(skipped) value\(skipped == 1 ? " is" : "s are") not a finite number and cannot be drawn or listed") }
        var caption: String
        if let t = s.threshold {
            caption = "Threshold \(DriftChart.format(t))" + (s.direction.side.map { "; drift is a value \($0) it." }
                ?? "; the record does not say which side is drift, so breaches are as recorded.")
        } else {
            caption = "No threshold recorded; breaches are as recorded."
        }
        let breaches = points.filter(\.breach).count
        caption += " \(points.count) window\(points.count == 1 ? "" : "s"), \(breaches) breach\(breaches == 1 ? "" : "es")."
        if s.part != nil {
            caption += " This metric has more than one threshold or direction over the windows: each is charted on its own."
        }
        let rows = chart.table.map { r -> TemplateValue in
            let cell = { (i: Int) -> TemplateValue in .string(i < r.count ? r[i] : "") }
            return ["start": cell(0), "end": cell(1), "value": cell(2), "threshold": cell(3), "breach": cell(4),
                    "breached": .bool(r.count > 4 && r[4] == "yes")]
        }
        let header = DriftChart.tableHeader.map { h -> TemplateValue in .string(h.prefix(1).uppercased() + h.dropFirst()) }
        return [
            "anchor": .string(anchor), "heading": .string(heading), "caption": .string(caption), "svg": .fragment(TemplateFragment(html: SafeHTML(rendered: chart.svg), markdown: SafeMarkdown())),
            "note": notes.isEmpty ? .null : .string(notes.joined(separator: "; ")), "header": .array(header), "rows": .array(rows),
        ]
    }

    /// Every window with its record, format, drift, state, deadline and answer, each after the gap before it if any.
    static func windowRows(_ v: VersionDrift, _ c: SiteContext) -> [TemplateValue] {
        let a = c.analysis
        var gapBefore: [Int: DriftGap] = [:]
        for g in v.gaps { gapBefore[g.before] = g }
        var used = Set<String>()
        return v.windows.enumerated().map { i, d in
            guard case .object(var row) = CapaPage.driftValue(d, c) else { return .null }
            var anchor = SiteLinks.windowAnchor(d.window.path)
            var n = 1
            while !used.insert(anchor).inserted { n += 1; anchor = SiteLinks.windowAnchor(d.window.path) + "-\(n)" }
            row["anchor"] = .string(anchor)
            row["format"] = .string(d.window.format)
            let step = d.answeredBy.flatMap { seq in a.lifecycle(v.ref)?.steps.first { $0.seq == seq } }
            row["answerTime"] = TV.time(step?.time)
            var delay: String?
            if let text = step?.time, case .valid(let t) = Timestamp.parse(text) {
                let s = t.interval(since: d.window.end)
                delay = s >= 0 ? Durations.text(s) + " after the window's end" : Durations.text(-s) + " before the window's end"
            }
            row["answerDelay"] = TV.str(delay)
            let capa = d.answeredAction == "capa.opened" ? a.capas.first { $0.openedSeq == d.answeredBy } : nil
            row["answerCapa"] = capa.map { TV.page($0.id.string, "capa", anchor: SiteLinks.capaAnchor($0.id)) } ?? .null
            row["finding"] = v.overdueFindings[i].map { findingLink($0, c) } ?? .null
            row["pending"] = .bool(d.state == "pending")
            row["overdue"] = .bool(d.state == "overdue")
            row["gapBefore"] = gapBefore[i].map { g -> TemplateValue in
                [
                    "from": .string(g.from.description), "to": .string(g.to.description),
                    "length": .string(Durations.text(g.to.interval(since: g.from))),
                    "finding": g.finding.map { findingLink($0, c) } ?? .null, "inRelease": .bool(v.inRelease),
                ]
            } ?? .null
            return .object(row)
        }
    }
}
