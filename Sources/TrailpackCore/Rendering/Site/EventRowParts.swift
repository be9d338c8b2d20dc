/// The pieces of ``EventRows``' rows: links as the `link` partials write them, times, subjects,
/// references and the findings links of an event (moved out of EventRows.swift unchanged).
extension EventRows {
    // MARK: Pieces

    static func link(_ l: Link, root: String, _ h: inout SafeHTML) {
        guard let href = l.html, !href.isEmpty else { h.append(escaping: l.label); return }
        h += "<a href=\""
        h.append(escaping: root)
        h.append(escaping: href)
        h += "\""
        if l.file { h += " class=\"file\"" }
        h += ">"
        h.append(escaping: l.label)
        h += "</a>"
    }

    static func link(_ l: Link, root: String, _ m: inout SafeMarkdown) {
        guard let href = l.md, !href.isEmpty else { m.append(escaping: l.label); return }
        m += "["
        m.append(escaping: l.label)
        m += "]("
        m.append(target: root)
        m.append(target: href)
        m += ")"
    }

    /// A time as the `time` partial writes it: `<time>` UTC `</time>`, and the recorded offset
    /// beside it where it is not UTC (``TV/time(_:)``).
    static func time(_ recorded: String, _ h: inout SafeHTML) {
        h += "<time>"
        h.append(escaping: TimeDisplay.utc(recorded))
        h += "</time>"
        if let offset = TimeDisplay.offset(recorded) {
            h += " ("
            h.append(escaping: offset)
            h += ")"
        }
    }

    /// A subject as `type id`, the id marked as one (`<span class="id">`), linked as `l` links it.
    static func subject(_ l: Link, _ s: Subject, root: String, _ h: inout SafeHTML) {
        let parts = EventView.subjectParts(s)
        if let href = l.html, !href.isEmpty {
            h += "<a href=\""
            h.append(escaping: root)
            h.append(escaping: href)
            h += "\">"
        }
        h.append(escaping: parts.type)
        h += " <span class=\"id\">"
        h.append(escaping: parts.id)
        h += "</span>"
        if let href = l.html, !href.isEmpty { h += "</a>" }
    }

    /// The link to an event's full row, labelled with its seq (``EventLocator/link(position:label:)``).
    static func eventLink(position p: Int64, label: String, pageSize: Int) -> Link {
        let page = Int((p - 1) / Int64(pageSize)) + 1
        return .page(label, SiteLinks.auditPage(page), anchor: SiteLinks.eventAnchor(p))
    }

    /// The subject, linked as ``EventView/subjectValue(_:)`` links it.
    func subjectLink(_ e: Event) -> Link {
        let text = EventView.subjectText(e.subject)
        let c = view.context
        if let ref = e.subjectVersion, c.versionPages.contains(ref) { return .page(text, SiteLinks.version(ref)) }
        if e.subject.type == "model", c.analysis.registry.model(e.subject.id) != nil { return .page(text, SiteLinks.model(e.subject.id)) }
        if e.subject.type == "capa", c.capaIDs.contains(e.subject.id) { return .page(text, "capa", anchor: SiteLinks.capaAnchor(e.subject.id)) }
        return .text(text)
    }

    /// One reference of an event: its kind, the referenced id (linked where the site has a page
    /// for it), words after the id, and the SHA-256 an artifact reference recorded.
    struct Ref {
        var kind: StaticString
        var link: Link
        var note: String? = nil
        var sha256: String? = nil
        /// The referenced value is a digest (a commit), not an id.
        var isDigest = false
    }

    /// The references, as ``EventView/refsValue(_:position:)`` lists them.
    func refs(_ e: Event, position: Int64) -> [Ref] {
        var out: [Ref] = []
        let c = view.context
        let r = e.refs
        let reqModel = r.model?.model ?? e.subjectVersion?.model
        for req in r.requirements {
            if let m = reqModel, c.analysis.registry.model(m)?.requirements.contains(where: { $0.id == req }) == true {
                out.append(Ref(kind: "requirement", link: .page(req.string, SiteLinks.model(m), anchor: SiteLinks.requirementAnchor(req))))
            } else {
                out.append(Ref(kind: "requirement", link: .text(req.string)))
            }
        }
        for t in r.tests { out.append(Ref(kind: "test", link: .text(t.string))) }
        if let m = r.model {
            out.append(Ref(kind: "model", link: c.versionPages.contains(m) ? .page(m.description, SiteLinks.version(m)) : .text(m.description)))
        }
        for d in r.datasets { out.append(Ref(kind: "dataset", link: .text(d.string))) }
        if let commit = r.commit { out.append(Ref(kind: "commit", link: .text(commit), isDigest: true)) }
        if let run = r.run { out.append(Ref(kind: "run", link: .text(run))) }
        if let capa = r.capa {
            out.append(Ref(kind: "capa", link: c.capaIDs.contains(capa) ? .page(capa.string, "capa", anchor: SiteLinks.capaAnchor(capa)) : .text(capa.string)))
        }
        if let ev = r.event {
            if let p = view.anchors[ev], p < position {
                out.append(Ref(kind: "event", link: Self.eventLink(position: p, label: ev.string, pageSize: c.pageSize)))
            } else {
                out.append(Ref(kind: "event", link: .text(ev.string), note: "(no earlier event has this id)"))
            }
        }
        for a in r.artifacts {
            let shown = c.artifactShown(a.path)
            out.append(Ref(kind: "artifact", link: shown.linked ? .file(a.path, "evidence/" + a.path) : .text(a.path), note: shown.note, sha256: a.sha256))
        }
        return out
    }

    /// The findings links of an event (``SiteContext/findingLinks(seq:)``).
    func findings(_ e: Event) -> [Link] {
        view.context.findings(ofSeq: e.seq).map { i in
            .page(view.context.findingLabel(i), view.context.findingPath(i), anchor: SiteLinks.findingAnchor(i))
        }
    }
}
