/// The template values of one audit event: its full row (who, what, when, why, old and new
/// values, references, signature, findings) and its compact row (for pages by model, actor and
/// action).
struct EventView {
    let context: SiteContext
    /// Positions of earlier events by id, for `refs.event` (only ids that some event references).
    let anchors: [JSONString: Int64]

    /// The model an event is about, for the pages by model.
    static func model(of e: Event) -> JSONString? {
        if e.subject.type == "model", !e.subject.id.isEmpty { return e.subject.id }
        return e.refs.model?.model
    }

    /// `type id@version` of a subject.
    static func subjectText(_ s: Subject) -> String {
        var d = s.type + " " + s.id.string
        if let v = s.version { d += "@" + v.string }
        return d
    }

    /// A subject's type and its id (`id@version` when it names a version), as ``subjectText(_:)`` joins them.
    static func subjectParts(_ s: Subject) -> (type: String, id: String) {
        var id = s.id.string
        if let v = s.version { id += "@" + v.string }
        return (s.type, id)
    }

    /// A JSON value as text: strings as they are, anything else as compact canonical JSON.
    static func text(_ v: JSONValue?) -> String {
        guard let v else { return "" }
        if case .string(let s) = v { return s.string }
        return String(decoding: JCS.serialize(v), as: UTF8.self)
    }

    /// Who acted: name, id, role, and whether a service.
    static func actorValue(_ a: Actor) -> TemplateValue {
        [
            "name": .string(a.name ?? a.id.string), "id": .string(a.id.string), "role": TV.str(a.role),
            "service": .bool(a.isService), "named": .bool(a.name != nil),
            "link": TV.page(a.name ?? a.id.string, SiteLinks.group("actor", a.id.bytes, page: 1)),
        ]
    }

    /// The subject, linked to its model or version page when it is a model.
    func subjectValue(_ e: Event) -> TemplateValue {
        let text = Self.subjectText(e.subject)
        let link: TemplateValue
        if let ref = e.subjectVersion, context.versionPages.contains(ref) {
            link = TV.page(text, SiteLinks.version(ref))
        } else if e.subject.type == "model", context.analysis.registry.model(e.subject.id) != nil {
            link = TV.page(text, SiteLinks.model(e.subject.id))
        } else if e.subject.type == "capa", context.capaIDs.contains(e.subject.id) {
            link = TV.page(text, "capa", anchor: SiteLinks.capaAnchor(e.subject.id))
        } else {
            link = TV.text(text)
        }
        // The type and the id apart, so that the row marks the id as one token.
        guard case .object(var o) = link else { return link }
        let parts = Self.subjectParts(e.subject)
        o["type"] = .string(parts.type)
        o["id"] = .string(parts.id)
        return .object(o)
    }

    /// References, each linked where the site has a page for it.
    func refsValue(_ e: Event, position: Int64) -> [TemplateValue] {
        var out: [TemplateValue] = []
        func item(_ kind: String, _ link: TemplateValue, note: String? = nil, sha256: String? = nil, digest: Bool = false) -> TemplateValue {
            guard case .object(var o) = link else { return link }
            o["kind"] = .string(kind)
            o["note"] = TV.str(note)
            o["sha256"] = TV.str(sha256)
            o["digest"] = .bool(digest)
            return .object(o)
        }
        let r = e.refs
        let reqModel = r.model?.model ?? e.subjectVersion?.model
        for req in r.requirements {
            if let m = reqModel, context.analysis.registry.model(m)?.requirements.contains(where: { $0.id == req }) == true {
                out.append(item("requirement", TV.page(req.string, SiteLinks.model(m), anchor: SiteLinks.requirementAnchor(req))))
            } else {
                out.append(item("requirement", TV.text(req.string)))
            }
        }
        for t in r.tests { out.append(item("test", TV.text(t.string))) }
        if let m = r.model {
            let known = context.versionPages.contains(m)
            out.append(item("model", known ? TV.page(m.description, SiteLinks.version(m)) : TV.text(m.description)))
        }
        for d in r.datasets { out.append(item("dataset", TV.text(d.string))) }
        if let c = r.commit { out.append(item("commit", TV.text(c), digest: true)) }
        if let run = r.run { out.append(item("run", TV.text(run))) }
        if let c = r.capa {
            let known = context.capaIDs.contains(c)
            out.append(item("capa", known ? TV.page(c.string, "capa", anchor: SiteLinks.capaAnchor(c)) : TV.text(c.string)))
        }
        if let ev = r.event {
            if let p = anchors[ev], p < position {
                out.append(item("event", context.locator.link(position: p, label: ev.string)))
            } else {
                out.append(item("event", TV.text(ev.string), note: "(no earlier event has this id)"))
            }
        }
        for a in r.artifacts {
            let shown = context.artifactShown(a.path)
            out.append(item("artifact", shown.linked ? TV.file(a.path, "evidence/" + a.path) : TV.text(a.path), note: shown.note, sha256: a.sha256))
        }
        return out
    }

    /// The signature block with its verification result.
    static func signatureValue(_ s: Signature, record: SignatureRecord?) -> TemplateValue {
        let valid = record?.valid ?? false
        let status = record?.status ?? "not checked"
        return [
            "name": TV.str(s.name), "signer": TV.str(s.signer), "meaning": TV.str(s.meaning), "time": TV.time(s.timeText),
            "key": TV.str(s.key), "fingerprint": TV.str(record?.fingerprint),
            "fingerprintShort": TV.str(record?.fingerprint.map(Tokens.short)),
            "status": .string(status), "valid": .bool(valid),
            "badge": valid ? TV.badge("✔ Signature verified", "pass") : TV.badge("✖ Signature " + status, "fail"),
        ]
    }

    /// One `key: value` of an event's data, with whether the value is a digest or a time.
    static func dataItem(_ key: String, _ value: JSONValue) -> TemplateValue {
        let kind = Tokens.dataKind(value)
        return ["key": .string(key), "value": .string(text(value)),
                "isDigest": .bool(kind == .digest), "isTime": .bool(kind == .time), "isPlain": .bool(kind == .plain)]
    }

    /// The full row of the event at `position`.
    /// `toTrail`: the row stands outside the chronological trail (the GxP view), so its seq links
    /// to the event's place there (`trailLink`) instead of to itself.
    func full(_ e: Event, position: Int64, signature: SignatureRecord?, toTrail: Bool = false) -> TemplateValue {
        var changes: [TemplateValue] = []
        for c in e.object["changes"]?.arrayValue ?? [] {
            changes.append([
                "field": .string(Self.text(c["field"])), "old": .string(Self.text(c["old"])), "new": .string(Self.text(c["new"])),
                "hasOld": .bool(c.objectValue?["old"] != nil), "hasNew": .bool(c.objectValue?["new"] != nil),
            ])
        }
        // Data as `key: value` pairs (values as compact JSON); anything but an object as one value.
        var data: [TemplateValue] = []
        if let d = e.object["data"] {
            if let o = d.objectValue {
                data = o.members.map { Self.dataItem($0.key.string, $0.value) }
            } else {
                data = [Self.dataItem("data", d)]
            }
        }
        let refs = refsValue(e, position: position)
        // UTC to the second; the recorded text in full (fraction, offset) below it.
        let recorded = e.timeText.flatMap(TimeDisplay.recordedInFull)
        return [
            "anchor": .string(SiteLinks.eventAnchor(position)),
            "position": .int(Int(position)),
            "seq": .string(e.seq.map { String($0) } ?? "–"),
            "trailLink": toTrail ? context.locator.link(position: position, label: e.seq.map { String($0) } ?? "–") : .null,
            "id": TV.str(e.id),
            "time": .string(e.timeText.map(TimeDisplay.utc) ?? ""),
            "recorded": TV.str(recorded),
            "actor": Self.actorValue(e.actor),
            "action": .string(e.action),
            "actionLink": TV.page(e.action, SiteLinks.group("action", Array(e.action.utf8), page: 1)),
            "subject": subjectValue(e),
            "reason": TV.str(e.reason),
            "changes": .array(changes),
            "data": .array(data),
            "refs": .array(refs),
            "signature": e.signature.map { Self.signatureValue($0, record: signature) } ?? .null,
            "findings": context.findingLinks(seq: e.seq),
            "hasFindings": .bool(!context.findings(ofSeq: e.seq).isEmpty),
            "detail": .bool(!changes.isEmpty || !data.isEmpty || e.refs.source != nil || !refs.isEmpty),
            "imported": e.refs.source.map { Self.importedValue(e, $0) } ?? .null,
        ]
    }

    /// Where an event brought in from another system was read, when it happened there, and
    /// whether `identities` mapped its actor (contract v1.1 section 9).
    static func importedValue(_ e: Event, _ s: SourceRef) -> TemplateValue {
        let occurred = e.object["occurred"]?.stringValue
        let prefix = s.system + ":"
        return [
            "system": .string(s.system), "id": .string(s.id.string), "uri": .string(MLflowLocation.redacted(s.uri)),
            "occurred": TV.str(occurred), "unmapped": .bool(e.actor.id.string.hasPrefix(prefix)),
        ]
    }

    /// The compact row stored for the pages by model, actor and action: position, seq, time,
    /// who, action, the subject's type and id (a JSON array, one line of a spool file).
    static func compactRow(_ e: Event, position: Int64) -> JSONValue {
        .array([
            .integer(position), e.seq.map { .integer($0) } ?? .null, .string(JSONString(e.timeText ?? "")),
            .string(JSONString(e.actor.name ?? e.actor.id.string)), .string(JSONString(e.action)),
            .string(JSONString(subjectParts(e.subject).type)), .string(JSONString(subjectParts(e.subject).id)),
        ])
    }

    /// The template value of a stored compact row.
    static func compactValue(_ row: JSONValue, locator: EventLocator) -> TemplateValue? {
        guard let a = row.arrayValue, a.count == 7, let position = a[0].integerValue else { return nil }
        let seq = a[1].integerValue.map { String($0) } ?? "–"
        let type = a[5].stringValue ?? "", id = a[6].stringValue ?? ""
        return [
            "link": locator.link(position: position, label: seq), "seq": .string(seq),
            "time": TV.time(a[2].stringValue ?? ""), "actor": .string(a[3].stringValue ?? ""),
            "action": .string(a[4].stringValue ?? ""), "subject": .string(type + " " + id),
            "subjectType": .string(type), "subjectId": .string(id),
        ]
    }
}
