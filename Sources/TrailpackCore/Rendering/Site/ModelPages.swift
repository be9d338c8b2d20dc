/// One page per model (intended use, risk, owner, requirements, versions) and one per version
/// (status, lifecycle timeline linked to its events, tests, approvals, deployments, drift,
/// traceability, findings).
enum ModelPages {
    static func write(_ c: SiteContext, trace: [TemplateValue], evidence: Evidence, output: inout SiteOutput) throws {
        let a = c.analysis
        let files = evidence.paths
        for m in a.registry.models {
            let versions = a.versions.filter { $0.ref.model == m.id }
            var intendedUse: TemplateValue = .null
            if let p = m.intendedUse {
                let text = NarrativePages.read(p, source: a.source)
                intendedUse = [
                    "path": .string(p),
                    "document": text.map { NarrativePages.rendered($0, doc: p, page: SiteLinks.model(m.id), files: files) } ?? .null,
                    "page": NarrativePages.pagePath(forDoc: p).map { TV.page(p, $0) } ?? .null,
                    "missing": .bool(text == nil),
                ]
            }
            let requirements = m.requirements.map { r -> TemplateValue in
                ["anchor": .string(SiteLinks.requirementAnchor(r.id)), "id": .string(r.id.string), "title": .string(r.title),
                 "text": .string(r.text), "category": TV.str(r.category)]
            }
            let modelFindings = (c.status.modelFindings[m.id] ?? []).map { FindingsPage.value($0, c) }
            let page = try c.render(.model, path: SiteLinks.model(m.id), title: "Model: \(m.name)", section: nil, [
                "model": [
                    "id": .string(m.id.string), "name": .string(m.name), "risk": TV.str(m.risk), "owner": TV.str(m.owner),
                    "ownerName": TV.str(m.owner.flatMap { a.actors[JSONString($0)]?.name }), "record": TV.file(m.path, "evidence/" + m.path),
                    "events": TV.page("Events about \(m.id.string)", SiteLinks.group("model", m.id.bytes, page: 1)),
                ],
                "intendedUse": intendedUse, "requirements": .array(requirements),
                "versions": .array(versions.compactMap { c.status.status($0.ref)?.value(a, locator: c.locator) }),
                "findings": .array(modelFindings),
            ])
            try output.write(page)
            for v in versions { try writeVersion(v, model: m, c, trace: trace, output: &output) }
        }
    }

    static func writeVersion(_ v: VersionLifecycle, model m: RegistryModel, _ c: SiteContext, trace: [TemplateValue],
                             output: inout SiteOutput) throws {
        let a = c.analysis
        guard let status = c.status.status(v.ref) else { return }
        let steps = v.steps.map { s -> TemplateValue in
            // A summary that ends with a commit: the words, then the commit marked as a digest.
            let tail = s.commit.map { " at commit " + $0 }
            let split = tail.map { s.summary.hasSuffix($0) } ?? false
            return [
                "time": TV.time(s.time), "action": .string(s.action), "actor": .string(s.actor),
                "summary": .string(s.summary), "words": .string(split ? String(s.summary.dropLast(tail?.count ?? 0)) : s.summary),
                "commit": split ? TV.str(s.commit) : .null,
                "link": c.locator.link(seq: s.seq, label: "seq \(s.seq)"),
                "signature": s.signature.map { st in st == "verified" ? TV.badge("✔ Signed, verified", "pass")
                    : TV.badge("✖ Signature " + st, "fail") } ?? .null,
            ]
        }
        let tests = v.tests.map { t -> TemplateValue in
            [
                "test": .string(t.test.string), "requirements": .string(t.requirements.map(\.string).joined(separator: ", ")),
                "requirementList": TV.idList(t.requirements.map(\.string)),
                "result": t.passed ? TV.badge("✔ Pass", "pass") : TV.badge("✖ " + t.result, "fail"),
                "time": TV.time(t.time), "actor": .string(t.actor), "link": c.locator.link(seq: t.seq, label: "seq \(t.seq)"),
            ]
        }
        let approvals = v.approvals.map { ap -> TemplateValue in
            [
                "name": .string(ap.name), "actor": .string(ap.actor.string), "time": TV.time(ap.time), "meaning": TV.str(ap.meaning),
                "valid": ap.isValidApproval ? TV.badge("✔ Valid approval", "pass") : TV.badge("✖ Does not count: " + (ap.invalidReason ?? ""), "fail"),
                "link": c.locator.link(seq: ap.seq, label: "seq \(ap.seq)"),
            ]
        }
        let drift = a.driftStatus.filter { $0.window.versionRef == v.ref }.map { CapaPage.driftValue($0, c) }
        let reg: TemplateValue = v.registry.map { r in
            ["stage": .string(r.stage), "created": TV.time(r.created), "run": TV.str(r.run), "commit": TV.str(r.commit),
             "datasets": .string(r.datasets.map(\.string).joined(separator: ", ")), "datasetList": TV.idList(r.datasets.map(\.string))]
        } ?? .null
        let rows = trace.filter { row in row["versionKey"] == .string(v.ref.description) }
        let page = try c.render(.version, path: SiteLinks.version(v.ref), title: "Version \(v.ref.description)", section: nil, [
            "status": status.value(a, locator: c.locator), "registry": reg,
            "model": ["name": .string(m.name), "link": TV.page(m.name, SiteLinks.model(m.id))],
            "steps": .array(steps), "tests": .array(tests), "approvals": .array(approvals),
            "deployments": .array(v.deployments.map { c.locator.link(seq: $0, label: "seq \($0)") }),
            "hasSourceRecords": .bool(!v.sourceRecords.isEmpty),
            "sourceRecords": v.sourceRecords.isEmpty ? .null : .array(v.sourceRecords.map { r -> TemplateValue in
                [
                    "title": .string(r.kind == "run" ? "\(r.system) run \(r.id)" : "\(r.system) tags of \(r.id)"),
                    "isTags": .bool(r.kind == "tags"), "system": .string(r.system),
                    "link": c.locator.link(seq: r.seq, label: "seq \(r.seq)"),
                    "fields": .array(r.fields.map { ["key": .string($0.key), "value": .string($0.value)] }),
                ]
            }),
            "trainedOn": DatasetPages.trainedOn(v.ref, c),
            "drift": .array(drift), "driftPage": DriftPages.pageLink(v.ref, c, label: "Drift monitoring of \(v.ref.description)") ?? .null,
            "trace": .array(rows),
            "findings": .array(status.findings.map { FindingsPage.value($0, c) }),
        ])
        try output.write(page)
    }
}
