/// Exceptions and CAPAs (overdue first, with how long each stage took) and the drift overview of
/// every monitoring window.
enum CapaPage {
    static func stateBadge(_ c: CapaRecord) -> TemplateValue {
        if c.closedSeq != nil { return TV.badge("✔ Closed", "pass") }
        return c.overdue ? TV.badge("✖ Overdue", "fail") : TV.badge("! Open", "attention")
    }

    /// A drift window with its breaches, state, deadline and answer.
    static func driftValue(_ d: DriftStatus, _ c: SiteContext) -> TemplateValue {
        let w = d.window
        let breaches = w.metrics.filter(\.breach).map { m -> String in
            var s = m.name
            if let f = m.feature { s += " (\(f))" }
            s += " = " + JCS.formatNumber(m.value)
            if let t = m.threshold { s += (m.direction == "min" ? " < " : " ≥ ") + JCS.formatNumber(t) }
            return s
        }
        let badge: TemplateValue
        switch d.state {
        case "overdue": badge = TV.badge("✖ Not answered in time", "fail")
        case "pending": badge = TV.badge("! Answer pending", "attention")
        case "answered": badge = TV.badge("✔ Answered", "pass")
        default: badge = TV.badge("✔ No drift", "pass")
        }
        let hasPage = c.versionPages.contains(w.versionRef)
        return [
            "version": hasPage ? TV.page(w.versionRef.description, SiteLinks.version(w.versionRef)) : TV.text(w.versionRef.description),
            "start": .string(w.start.description), "end": .string(w.end.description), "drift": .bool(w.drift),
            "driftLabel": .string(w.drift ? "Yes" : "No"), "breaches": .string(breaches.joined(separator: "; ")),
            "state": badge, "deadline": w.drift ? .string(d.deadline.description) : .null,
            "answer": d.answeredBy.map { c.locator.link(seq: $0, label: "\(d.answeredAction ?? "event"), seq \($0)") } ?? .null,
            "file": TV.file(w.path, "evidence/" + w.path),
            "window": DriftPages.pageLink(w.versionRef, c, label: "charts and answer", window: w.path) ?? .null,
        ]
    }

    static func write(_ c: SiteContext, output: inout SiteOutput) throws {
        let a = c.analysis
        let exceptionIDs = Set(a.exceptions.map(\.id))
        func rank(_ x: CapaRecord) -> Int { x.overdue ? 0 : x.closedSeq == nil ? 1 : 2 }
        let capas = a.capas.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map { $0.element }
        // Ids repeat only in a broken log; the first keeps the plain anchor that links use.
        var used = Set<String>()
        func unique(_ anchor: String) -> String {
            var a = anchor
            var n = 1
            while !used.insert(a).inserted { n += 1; a = anchor + "-\(n)" }
            return a
        }
        let capaRows = capas.map { x -> TemplateValue in
            // What the CAPA answers: `kind` ("exception", "event" or null) and the id, linked.
            var answers: [TemplateValue] = []
            func answer(_ kind: String?, _ link: TemplateValue) {
                guard case .object(var o) = link else { return }
                o["kind"] = TV.str(kind)
                answers.append(.object(o))
            }
            if let e = x.exception {
                if exceptionIDs.contains(e) {
                    answer("exception", TV.page(e.string, "capa", anchor: SiteLinks.exceptionAnchor(e)))
                } else if let p = c.anchors[e], let opened = c.locator.position(ofSeq: x.openedSeq), p < opened {
                    answer("event", c.locator.link(position: p, label: e.string))
                } else {
                    answer("event", TV.text(e.string))
                }
            }
            if let m = x.model {
                answer(nil, c.versionPages.contains(m) ? TV.page(m.description, SiteLinks.version(m)) : TV.text(m.description))
            }
            return [
                "anchor": .string(unique(SiteLinks.capaAnchor(x.id))), "id": .string(x.id.string), "title": .string(x.title), "owner": .string(x.owner),
                "opened": TV.time(x.openedText), "openedLink": c.locator.link(seq: x.openedSeq, label: "seq \(x.openedSeq)"),
                "due": TV.time(x.due?.description), "closed": TV.time(x.closedText),
                "closedLink": x.closedSeq.map { c.locator.link(seq: $0, label: "seq \($0)") } ?? .null,
                "state": stateBadge(x), "answers": .array(answers), "taken": TV.str(CapaTimeline.taken(x, asOf: a.asOf)),
                "finding": CapaTimeline.finding(.capaOverdue, seq: x.openedSeq, c),
            ]
        }
        let exceptions = CapaTimeline.exceptions(c, anchor: unique)
        let page = try c.render(.capa, path: "capa", title: "CAPA, exceptions and drift", section: .capa, [
            "capas": .array(capaRows), "exceptions": .array(exceptions),
            "drift": .array(a.driftStatus.map { driftValue($0, c) }), "asOf": TV.str(a.asOf.map { TimeDisplay.utc($0.description) }),
            "noCapa": .int(a.exceptions.filter { $0.capas.isEmpty }.count),
            "open": .int(a.capas.filter { $0.closedSeq == nil }.count), "overdue": .int(a.capas.filter(\.overdue).count),
        ])
        try output.write(page)
    }
}
