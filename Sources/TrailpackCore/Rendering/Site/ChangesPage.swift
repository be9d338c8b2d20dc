/// The "changes since" page of a site built with `--previous OLD` (`changes.html` and its twin
/// `changes.md`): the integrity verdict with the consistency proof and how to re-check it, then
/// every change of ``ReleaseDiff``, linked to the pages of this (the NEW) site where one exists.
/// Rendered from the theme's `changes` templates; every string reaches them as a plain value, so
/// the theme escapes it.
enum ChangesPage {
    static let path = "changes"

    /// The verdict as a badge: words and symbol carry it, the tone only adds colour.
    static func verdictBadge(_ d: ReleaseDiff) -> TemplateValue {
        switch d.integrity.verdict {
        case .identical: return TV.badge("✔ IDENTICAL: the same log as release \(d.old.release)", "pass")
        case .extended: return TV.badge("✔ EXTENDED: this log extends release \(d.old.release)'s, proof verified", "pass")
        case .rewritten: return TV.badge("✖ REWRITTEN: history rewritten since release \(d.old.release)", "fail")
        }
    }

    /// The `previous` value of the summary page: null without `--previous`.
    static func summary(_ c: SiteContext) -> TemplateValue {
        guard let d = c.previous else { return .null }
        let regressions = d.regressions.count
        return [
            "link": TV.page(d.title, path), "title": .string(d.title), "release": .string(d.old.release),
            "label": .string(d.old.source), "badge": verdictBadge(d), "message": .string(d.integrity.message),
            "rewritten": .bool(d.integrity.verdict == .rewritten), "unchanged": .bool(d.isUnchanged),
            "sentence": .string(d.isUnchanged ? "No changes" : d.summarySentence),
            "regressions": .int(regressions),
            "regressionsBadge": regressions == 0 ? TV.badge("✔ No regression", "pass")
                : TV.badge("✖ \(ReleaseDiff.plural(regressions, "regression"))", "fail"),
        ]
    }

    /// Writes `changes.html` and `changes.md` when the build has a previous release.
    static func write(_ c: SiteContext, trail: AuditTrail, output: inout SiteOutput) throws {
        guard let d = c.previous else { return }
        var values = integrityValues(d, c)
        values["summary"] = summary(c)
        values["regressions"] = .array(d.regressions.map { ["kind": .string($0.kind.rawValue), "message": .string($0.message)] })
        values["events"] = events(d, c, trail: trail)
        values["models"] = .array(d.models.map { m in
            let link = c.analysis.registry.model(m.model) != nil ? TV.page(m.model.string, SiteLinks.model(m.model)) : TV.text(m.model.string)
            return ["link": link, "name": .string(m.name), "change": .string(m.change.rawValue)]
        })
        values["hasModels"] = .bool(!d.models.isEmpty)
        values["versions"] = .array(d.versions.map { v in
            ["link": versionLink(v.version, c), "change": .string(v.change.rawValue),
             "old": .string(VersionState.cell(v.old)), "new": .string(VersionState.cell(v.new))]
        })
        values["approvals"] = .array(d.approvals.map { a in
            ["link": c.locator.link(seq: a.approval.seq, label: "seq \(a.approval.seq)"), "version": versionLink(a.version, c),
             "name": .string(a.approval.name), "actor": .string(a.approval.actor.string), "time": TV.time(a.approval.time),
             "badge": a.approval.isValidApproval ? TV.badge("✔ Valid approval", "pass") : TV.badge("✖ Not a valid approval", "fail")]
        })
        values["signatures"] = .array(d.signatures.map { s in
            ["link": c.locator.link(seq: s.seq, label: "seq \(s.seq)"), "action": .string(s.action), "subject": .string(s.subject),
             "name": .string(s.signedBy), "signer": .string(s.signer), "meaning": .string(s.meaning),
             "badge": s.valid ? TV.badge("✔ Verified", "pass") : TV.badge("✖ \(s.status)", "fail")]
        })
        values["requirements"] = .array(d.requirements.map { r in requirement(r, c) })
        values["testsFailing"] = .array(d.testsNewlyFailing.map { test($0, c) })
        values["testsPassing"] = .array(d.testsNewlyPassing.map { test($0, c) })
        values["findings"] = findings(d, c)
        values["drift"] = .array(d.drift.map { w in
            let window = c.versionPages.contains(w.version) && w.new != nil
                ? TV.page(w.path, SiteLinks.version(w.version), anchor: "drift") : TV.text(w.path)
            return ["window": window, "version": versionLink(w.version, c), "start": .string(w.start.description),
                    "end": .string(w.end.description), "change": .string(w.change.rawValue),
                    "old": .string(DriftState.cell(w.old)), "new": .string(DriftState.cell(w.new))]
        })
        try output.write(try c.render(.changes, path: path, title: d.title, section: .changes, values))
    }

    // MARK: - Parts

    /// The verdict, both logs, the proof and the first difference.
    static func integrityValues(_ d: ReleaseDiff, _ c: SiteContext) -> [String: TemplateValue] {
        let i = d.integrity
        func side(_ s: DiffSide) -> TemplateValue {
            ["label": .string(s.source), "release": .string(s.release), "releaseModels": .string(s.releaseModels.joined(separator: ", ")),
             "origin": .string(s.origin), "asOf": TV.str(s.asOf), "treeSize": .int(s.treeSize), "root": .string(s.root.hex),
             "rootBase64": .string(Base64.encode(s.root.bytes))]
        }
        func pointer(_ p: EventPointer?, inNew: Bool) -> TemplateValue {
            guard let p else { return .null }
            let label = "event \(p.index)"
            return ["link": inNew ? c.locator.link(position: Int64(p.index), label: label) : TV.text(label),
                    "seq": .string(p.seq.map(String.init) ?? "?"), "id": .string(p.id ?? "?"), "action": .string(p.action),
                    "location": .string(p.location), "hash": .string(p.hash)]
        }
        let difference: TemplateValue = i.firstDifference.map { f in
            ["index": .int(f.index), "new": pointer(f.new, inNew: true), "old": pointer(f.old, inNew: false)]
        } ?? .null
        return [
            "old": side(d.old), "new": side(d.new), "verdict": .string(i.verdict.rawValue), "badge": verdictBadge(d),
            "message": .string(i.message), "identical": .bool(i.verdict == .identical), "extended": .bool(i.verdict == .extended),
            "rewritten": .bool(i.verdict == .rewritten),
            "originsDiffer": i.originsDiffer ? ["oldOrigin": .string(d.old.origin), "newOrigin": .string(d.new.origin)] : .null,
            "proof": [
                "size1": .int(i.oldSize), "size2": .int(i.newSize), "root1": .string(i.oldRoot.hex), "root2": .string(i.newRoot.hex),
                "hashes": .array(i.proof.map { .string($0.hex) }), "count": .int(i.proof.count),
                "verified": .bool(i.proofVerified),
            ],
            "newRootAtOldSize": TV.str(i.newRootAtOldSize?.hex),
            "firstDifference": difference,
        ]
    }

    /// Events added: the range (linked to the trail) and counts by action and actor, each linked
    /// to its page of the trail by action or actor.
    static func events(_ d: ReleaseDiff, _ c: SiteContext, trail: AuditTrail) -> TemplateValue {
        let e = d.events
        func keys(_ dim: GroupDimension) -> Set<[UInt8]> { Set((trail.spool.groups[dim] ?? []).map(\.key)) }
        let actions = keys(.action), actors = keys(.actor)
        func row(_ k: KeyCount, _ dim: GroupDimension, _ known: Set<[UInt8]>, label: String) -> TemplateValue {
            let bytes = Array(k.key.utf8)
            let link = known.contains(bytes) ? TV.page(label, SiteLinks.group(dim.rawValue, bytes, page: 1)) : TV.text(label)
            return ["link": link, "key": .string(k.key), "count": .int(k.count)]
        }
        return [
            "count": .int(e.count),
            "first": e.firstIndex.map { c.locator.link(position: Int64($0), label: "event \($0)") } ?? .null,
            "last": e.lastIndex.map { c.locator.link(position: Int64($0), label: "event \($0)") } ?? .null,
            "byAction": .array(e.byAction.map { row($0, .action, actions, label: $0.key) }),
            "byActor": .array(e.byActor.map { k in
                row(k, .actor, actors, label: AuditIndex.label(.actor, Array(k.key.utf8), c.analysis))
            }),
        ]
    }

    static func versionLink(_ v: VersionRef, _ c: SiteContext) -> TemplateValue {
        c.versionPages.contains(v) ? TV.page(v.description, SiteLinks.version(v)) : TV.text(v.description)
    }

    static func requirement(_ r: RequirementChange, _ c: SiteContext) -> TemplateValue {
        let model = c.analysis.registry.model(r.model)
        let known = model?.requirements.contains { $0.id == r.requirement } ?? false
        return [
            "model": model != nil ? TV.page(r.model.string, SiteLinks.model(r.model)) : TV.text(r.model.string),
            "requirement": known ? TV.page(r.requirement.string, SiteLinks.model(r.model), anchor: SiteLinks.requirementAnchor(r.requirement))
                : TV.text(r.requirement.string),
            "title": .string(r.title), "change": .string(r.change.rawValue), "old": .string(RequirementState.cell(r.old)), "new": .string(RequirementState.cell(r.new)),
            "badge": r.change == .lost ? TV.badge("✖ lost", "fail") : r.change == .gained ? TV.badge("✔ gained", "pass")
                : TV.badge(r.change.rawValue, "neutral"),
        ]
    }

    static func test(_ t: TestChange, _ c: SiteContext) -> TemplateValue {
        [
            "version": versionLink(t.version, c), "test": .string(t.test.string),
            "old": .string(t.old.map { "\($0.result) (seq \($0.seq))" } ?? "not run"),
            "new": c.locator.link(seq: t.new.seq, label: "\(t.new.result) (seq \(t.new.seq))"),
        ]
    }

    /// Findings opened and persisting link to their row of this site's findings page; resolved
    /// ones were OLD's and have no row here.
    static func findings(_ d: ReleaseDiff, _ c: SiteContext) -> TemplateValue {
        var indices: [Finding: [Int]] = [:]
        for (i, f) in c.analysis.findings.enumerated() { indices[f, default: []].append(i) }
        func row(_ f: Finding, inNew: Bool) -> TemplateValue {
            var number: TemplateValue = .null
            if inNew, let i = indices[f]?.first {
                indices[f]?.removeFirst()
                number = TV.page("\(i + 1)", "findings", anchor: SiteLinks.findingAnchor(i))
            }
            return ["number": number, "badge": FindingsPage.severityBadge(f.severity, waived: f.waiver != nil),
                    "rule": .string(f.rule.rawValue), "location": inNew ? FindingsPage.locationLink(f, c) : TV.text(f.location),
                    "locationEvent": inNew ? FindingsPage.locationEvent(f, c) : .null,
                    "message": .fragment(Tokens.marked(f.message))]
        }
        return [
            "opened": .array(d.findings.opened.map { row($0, inNew: true) }),
            "resolved": .array(d.findings.resolved.map { row($0, inNew: false) }),
            "persisting": .array(d.findings.persisting.map { row($0, inNew: true) }),
            "persistingCount": .int(d.findings.persisting.count), "hasPersisting": .bool(!d.findings.persisting.isEmpty),
        ]
    }
}
