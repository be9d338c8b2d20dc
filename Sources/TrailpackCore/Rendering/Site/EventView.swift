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
        if let ref = e.subjectVersion, context.versionPages.contains(ref) {
            return TV.page(text, SiteLinks.version(ref))
        }
        if e.subject.type == "model", context.analysis.registry.model(e.subject.id) != nil {
            return TV.page(text, SiteLinks.model(e.subject.id))
        }
        if e.subject.type == "capa", context.capaIDs.contains(e.subject.id) {
            return TV.page(text, "capa", anchor: SiteLinks.capaAnchor(e.subject.id))
        }
        return TV.text(text)
    }

    /// References, each linked where the site has a page for it.
    func refsValue(_ e: Event, position: Int64) -> [TemplateValue] {
        var out: [TemplateValue] = []
        func item(_ kind: String, _ link: TemplateValue) -> TemplateValue {
            guard case .object(var o) = link else { return link }
            o["kind"] = .string(kind)
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
        if let c = r.commit { out.append(item("commit", TV.text(c))) }
        if let run = r.run { out.append(item("run", TV.text(run))) }
        if let c = r.capa {
            let known = context.capaIDs.contains(c)
            out.append(item("capa", known ? TV.page(c.string, "capa", anchor: SiteLinks.capaAnchor(c)) : TV.text(c.string)))
        }
        if let ev = r.event {
            if let p = anchors[ev], p < position {
                out.append(item("event", context.locator.link(position: p, label: ev.string)))
            } else {
                out.append(item("event", TV.text(ev.string + " (no earlier event has this id)")))
            }
        }
        for a in r.artifacts {
            let label = a.path + " (sha256 " + a.sha256 + ")"
            out.append(item("artifact", ArtifactChecker.isSafeRelativePath(a.path) ? TV.file(label, "evidence/" + a.path) : TV.text(label)))
        }
        return out
    }

    /// The signature block with its verification result.
    static func signatureValue(_ s: Signature, record: SignatureRecord?) -> TemplateValue {
        let valid = record?.valid ?? false
        let status = record?.status ?? "not checked"
        return [
            "name": TV.str(s.name), "signer": TV.str(s.signer), "meaning": TV.str(s.meaning), "time": TV.str(s.timeText.map(TimeDisplay.cell)),
            "key": TV.str(s.key), "fingerprint": TV.str(record?.fingerprint),
            "status": .string(status), "valid": .bool(valid),
            "badge": valid ? TV.badge("✔ Signature verified", "pass") : TV.badge("✖ Signature " + status, "fail"),
        ]
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
                data = o.members.map { ["key": .string($0.key.string), "value": .string(Self.text($0.value))] }
            } else {
                data = [["key": "data", "value": .string(Self.text(d))]]
            }
        }
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
            "refs": .array(refsValue(e, position: position)),
            "signature": e.signature.map { Self.signatureValue($0, record: signature) } ?? .null,
            "findings": context.findingLinks(seq: e.seq),
            "hasFindings": .bool(e.seq.flatMap { context.findingsBySeq[$0] } != nil),
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
    /// who, action, subject (a JSON array, one line of a spool file).
    static func compactRow(_ e: Event, position: Int64) -> JSONValue {
        .array([
            .integer(position), e.seq.map { .integer($0) } ?? .null, .string(JSONString(e.timeText ?? "")),
            .string(JSONString(e.actor.name ?? e.actor.id.string)), .string(JSONString(e.action)),
            .string(JSONString(subjectText(e.subject))),
        ])
    }

    /// The template value of a stored compact row.
    static func compactValue(_ row: JSONValue, locator: EventLocator) -> TemplateValue? {
        guard let a = row.arrayValue, a.count == 6, let position = a[0].integerValue else { return nil }
        let seq = a[1].integerValue.map { String($0) } ?? "–"
        return [
            "link": locator.link(position: position, label: seq), "seq": .string(seq),
            "time": .string(TimeDisplay.cell(a[2].stringValue ?? "")), "actor": .string(a[3].stringValue ?? ""),
            "action": .string(a[4].stringValue ?? ""), "subject": .string(a[5].stringValue ?? ""),
        ]
    }
}
