/// The rows that repeat, rendered once by typed code straight to bytes: each event's full row
/// (chronological pages) and compact row (pages by model, actor and action), in HTML and
/// Markdown. The bytes are those the default templates `event-row`, `compact-row`, `link` and
/// `badge` would write for the values ``EventView`` builds; every string goes through
/// ``SafeHTML`` or ``SafeMarkdown``. Used when the theme does not override those templates
/// (``Theme/typedRows``); otherwise the rows are rendered through Mustache as before.
struct EventRows {
    let view: EventView
    /// `root` of the chronological pages (`audit/page-NNNN`).
    static let pageRoot = SiteLinks.root(of: SiteLinks.auditPage(1))
    /// `root` of the pages by model, actor and action (`audit/<dimension>/<slug>/page-NNNN`).
    static let groupRoot = SiteLinks.root(of: SiteLinks.group("actor", Array("x".utf8), page: 1))

    /// A link as the `link` partials write it.
    struct Link {
        var label: String
        var html: String?
        var md: String?
        var file = false

        /// A page of the site (`TV.page`).
        static func page(_ label: String, _ path: String, anchor: String? = nil) -> Link {
            let fragment = anchor.map { "#" + $0 } ?? ""
            return Link(label: label, html: path + ".html" + fragment, md: path + ".md" + fragment)
        }

        /// A file of the site (`TV.file`).
        static func file(_ label: String, _ path: String) -> Link {
            // The Markdown target is encoded as it is written (``SafeMarkdown/append(target:)``):
            // encoded here too, `my report` became `my%2520report`.
            Link(label: label, html: SiteLinks.percentEncoded(path), md: path, file: true)
        }

        /// A label with no link (`TV.text`).
        static func text(_ label: String) -> Link { Link(label: label, html: nil, md: nil) }
    }

    // MARK: Rows

    /// The full row of the event at `position` (template `event-row`); with `toTrail` (the GxP
    /// view), its seq links to the event's place in the chronological trail.
    func full(_ e: Event, position: Int64, signature record: SignatureRecord?, toTrail: Bool = false) -> TemplateFragment {
        let root = Self.pageRoot
        let anchor = SiteLinks.eventAnchor(position)
        let seq = e.seq.map { String($0) } ?? "–"
        let trail = Self.eventLink(position: position, label: seq, pageSize: view.context.pageSize)
        let time = e.timeText.map(TimeDisplay.utc) ?? ""
        let recorded = e.timeText.flatMap(TimeDisplay.recordedInFull)
        let actor = e.actor
        let actorLink = Link.page(actor.name ?? actor.id.string, SiteLinks.group("actor", actor.id.bytes, page: 1))
        let actionLink = Link.page(e.action, SiteLinks.group("action", Array(e.action.utf8), page: 1))
        let subject = subjectLink(e)
        var changes: [(field: String, old: String?, new: String?)] = []
        for c in e.changes ?? [] {
            let o = c.objectValue
            changes.append((EventView.text(c["field"]), o?["old"] != nil ? EventView.text(c["old"]) : nil,
                            o?["new"] != nil ? EventView.text(c["new"]) : nil))
        }
        var data: [(key: String, value: String, kind: Tokens.DataKind)] = []
        if let d = e.dataValue {
            if let o = d.objectValue {
                data = o.members.map { ($0.key.string, EventView.text($0.value), Tokens.dataKind($0.value)) }
            } else {
                data = [("data", EventView.text(d), Tokens.dataKind(d))]
            }
        }
        let refs = refs(e, position: position)
        let findings = findings(e)
        let imported = e.refs.source
        let occurred = imported != nil ? e.occurredText : nil
        let unmapped = imported.map { e.actor.id.string.hasPrefix($0.system + ":") } ?? false
        let signature = e.signature
        let valid = record?.valid ?? false
        let status = record?.status ?? "not checked"
        // Changes and data, and beside them the references and the source of an imported event,
        // go in a second row as wide as the table, where ids and digests have room to stay whole.
        let detail = !changes.isEmpty || !data.isEmpty || !refs.isEmpty || imported != nil

        var h = SafeHTML()
        h += "<tr id=\""
        h.append(escaping: anchor)
        h += findings.isEmpty ? "\">" : "\" class=\"has-finding\">"
        h += detail ? "\n<th scope=\"row\" class=\"num\" rowspan=\"2\"><a href=\"" : "\n<th scope=\"row\" class=\"num\"><a href=\""
        if toTrail {
            h.append(escaping: root)
            h.append(escaping: trail.html ?? "")
        } else {
            h += "#"
            h.append(escaping: anchor)
        }
        h += "\">"
        h.append(escaping: seq)
        h += "</a></th>\n<td><time>"
        h.append(escaping: time)
        h += "</time>"
        if let recorded, !recorded.isEmpty {
            h += "<br><span class=\"small\">recorded <time>"
            h.append(escaping: recorded)
            h += "</time></span>"
        }
        if let s = imported {
            h += "<br><span class=\"small\">recorded; occurred "
            if let occurred, !occurred.isEmpty {
                h += "<time>"
                h.append(escaping: occurred)
                h += "</time>"
            } else {
                h += "(not given)"
            }
            h += " in "
            h.append(escaping: s.system)
            h += "</span>"
        }
        h += "</td>\n<td>"
        Self.link(actorLink, root: root, &h)
        if actor.name != nil {
            h += "<br><span class=\"small id\">"
            h.append(escaping: actor.id.string)
            h += "</span>"
        }
        if let role = actor.role, !role.isEmpty {
            h += "<br><span class=\"small\">"
            h.append(escaping: role)
            h += "</span>"
        }
        if actor.isService { h += "<br><span class=\"small\">service account</span>" }
        if unmapped { h += "<br><span class=\"small\">not mapped by identities</span>" }
        h += "</td>\n<td><span class=\"id\">"
        Self.link(actionLink, root: root, &h)
        h += "</span><br>"
        Self.subject(subject, e.subject, root: root, &h)
        h += "</td>\n<td>"
        h.append(escaping: e.reason ?? "")
        h += "</td>\n<td>"
        if let s = signature {
            h.append(escaping: s.name ?? "")
            h += " (<span class=\"id\">"
            h.append(escaping: s.signer?.string ?? "")
            h += "</span>)<br><span class=\"small\">"
            h.append(escaping: s.meaning ?? "")
            h += ", "
            if let t = s.timeText { Self.time(t, &h) }
            h += "<br>key <span class=\"id\">"
            h.append(escaping: s.key ?? "")
            h += "</span> <span class=\"digest\">"
            h.append(escaping: Tokens.short(record?.fingerprint ?? ""))
            h += "</span></span><br>"
            if valid {
                h += "<span class=\"badge badge-pass\">✔ Signature verified</span>"
            } else {
                h += "<span class=\"badge badge-fail\">✖ Signature "
                h.append(escaping: status)
                h += "</span>"
            }
        } else {
            h += "<span class=\"small\">not signed</span>"
        }
        for f in findings {
            h += "<br><span class=\"small\">finding</span> "
            Self.link(f, root: root, &h)
        }
        h += "</td>\n</tr>\n"
        if detail {
            h += "<tr class=\"detail\">\n<td colspan=\"5\"><div class=\"split\"><div class=\"values\">"
            for c in changes {
                h += "<div class=\"change\"><span class=\"field\">"
                h.append(escaping: c.field)
                h += "</span>: old "
                if let old = c.old { h += "<q>"; h.append(escaping: old); h += "</q>" } else { h += "(missing)" }
                h += " → new "
                if let new = c.new { h += "<q>"; h.append(escaping: new); h += "</q>" } else { h += "(missing)" }
                h += "</div>"
            }
            for d in data {
                h += "<div class=\"data\"><span class=\"key\">"
                h.append(escaping: d.key)
                switch d.kind {
                case .digest: h += "</span>: <code class=\"digest\">"
                case .time: h += "</span>: <code><time>"
                case .plain: h += "</span>: <code>"
                }
                h.append(escaping: d.value)
                h += d.kind == .time ? "</time></code></div>" : "</code></div>"
            }
            h += "</div><div class=\"refs\">"
            for r in refs {
                h += "<div><span class=\"small\">"
                h.append(r.kind)
                h += r.isDigest ? "</span> <span class=\"digest\">" : "</span> <span class=\"id\">"
                Self.link(r.link, root: root, &h)
                h += "</span>"
                if let note = r.note {
                    h += " "
                    h.append(escaping: note)
                }
                if let sha = r.sha256 {
                    h += " <span class=\"small\">sha256</span> <span class=\"digest\">"
                    h.append(escaping: sha)
                    h += "</span>"
                }
                h += "</div>"
            }
            if let s = imported {
                h += "<div><span class=\"small\">source</span> "
                h.append(escaping: s.system)
                h += " <span class=\"id\">"
                h.append(escaping: s.id.string)
                h += "</span><br><span class=\"small mono\">"
                h.append(escaping: MLflowLocation.redacted(s.uri))
                h += "</span></div>"
            }
            h += "</div></div></td>\n</tr>\n"
        }

        var m = SafeMarkdown()
        m += "| <a id=\""
        m.append(escaping: anchor)
        m += "\"></a>"
        if toTrail { Self.link(trail, root: root, &m) } else { m.append(escaping: seq) }
        m += " | "
        m.append(escaping: time)
        if let recorded, !recorded.isEmpty {
            m += " (recorded "
            m.append(escaping: recorded)
            m += ")"
        }
        if let s = imported {
            m += "; occurred "
            if let occurred, !occurred.isEmpty { m.append(escaping: occurred) } else { m += "(not given)" }
            m += " in "
            m.append(escaping: s.system)
            m += ", source "
            m.append(escaping: s.system)
            m += " "
            m.append(escaping: s.id.string)
            m += " ("
            m.append(escaping: MLflowLocation.redacted(s.uri))
            m += ")"
        }
        m += " | "
        Self.link(actorLink, root: root, &m)
        if actor.name != nil {
            m += " ("
            m.append(escaping: actor.id.string)
            m += ")"
        }
        if let role = actor.role, !role.isEmpty {
            m += ", "
            m.append(escaping: role)
        }
        if actor.isService { m += ", service account" }
        if unmapped { m += ", not mapped by identities" }
        m += " | "
        Self.link(actionLink, root: root, &m)
        m += ": "
        Self.link(subject, root: root, &m)
        m += " | "
        m.append(escaping: e.reason ?? "")
        m += " | "
        for c in changes {
            m.append(escaping: c.field)
            m += ": old "
            if let old = c.old { m += "“"; m.append(escaping: old); m += "”" } else { m += "(missing)" }
            m += " → new "
            if let new = c.new { m += "“"; m.append(escaping: new); m += "”" } else { m += "(missing)" }
            m += "; "
        }
        for d in data {
            m.append(escaping: d.key)
            m += ": "
            m.append(escaping: d.value)
            m += "; "
        }
        m += " | "
        for r in refs {
            m.append(r.kind)
            m += " "
            Self.link(r.link, root: root, &m)
            if let note = r.note {
                m += " "
                m.append(escaping: note)
            }
            if let sha = r.sha256 {
                m += " (sha256 "
                m.append(escaping: sha)
                m += ")"
            }
            m += "; "
        }
        m += " | "
        if let s = signature {
            m.append(escaping: s.name ?? "")
            m += " ("
            m.append(escaping: s.signer?.string ?? "")
            m += "), "
            m.append(escaping: s.meaning ?? "")
            m += ", "
            m.append(escaping: s.timeText.map(TimeDisplay.cell) ?? "")
            m += ", key "
            m.append(escaping: s.key ?? "")
            m += " "
            m.append(escaping: record?.fingerprint ?? "")
            m += ": **"
            if valid { m += "✔ Signature verified" } else { m += "✖ Signature "; m.append(escaping: status) }
            m += "**"
        } else {
            m += "not signed"
        }
        for f in findings {
            m += "; finding "
            Self.link(f, root: root, &m)
        }
        m += " |\n"
        return TemplateFragment(html: h, markdown: m)
    }

    /// The compact row of an event (template `compact-row`), linked to its full row.
    static func compact(_ e: Event, position: Int64, pageSize: Int) -> TemplateFragment {
        let root = groupRoot
        let seq = e.seq.map { String($0) } ?? "–"
        let link = eventLink(position: position, label: seq, pageSize: pageSize)
        let time = TimeDisplay.cell(e.timeText ?? "")
        let actor = e.actor.name ?? e.actor.id.string
        let subject = EventView.subjectText(e.subject)
        var h = SafeHTML()
        h += "<tr><td class=\"num\">"
        Self.link(link, root: root, &h)
        h += "</td><td>"
        Self.time(e.timeText ?? "", &h)
        h += "</td><td>"
        h.append(escaping: actor)
        h += "</td><td><span class=\"id\">"
        h.append(escaping: e.action)
        h += "</span></td><td>"
        Self.subject(.text(""), e.subject, root: root, &h)
        h += "</td></tr>\n"
        var m = SafeMarkdown()
        m += "| "
        Self.link(link, root: root, &m)
        m += " | "
        m.append(escaping: time)
        m += " | "
        m.append(escaping: actor)
        m += " | "
        m.append(escaping: e.action)
        m += " | "
        m.append(escaping: subject)
        m += " |\n"
        return TemplateFragment(html: h, markdown: m)
    }
}
