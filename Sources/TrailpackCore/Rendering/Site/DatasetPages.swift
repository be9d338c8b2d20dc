/// The dataset index and one page family per dataset (`datasets/<slug>/page-NNNN`, ``BuildOptions/pageSize``
/// versions a page): each version's events, the runs that wrote and read it, its quality checks
/// and the model versions trained on it, each linked to its event on the chronological trail, the
/// model versions to their pages (with their approvals), and versions that are the same data.
enum DatasetPages {
    static func versionLabel(_ v: JSONString?) -> String { v.map { "version \($0.string)" } ?? "without a version" }

    /// A link to a dataset version on its page.
    static func link(_ l: LineageIndex, _ i: Int, label: String? = nil) -> TemplateValue {
        let key = l.collected.versions[i].key
        let text = label ?? (key.id.string + (key.version.map { "@" + $0.string } ?? ""))
        guard let p = l.place[i] else { return TV.text(text) }
        return TV.page(text, SiteLinks.dataset(l.datasets[p.dataset].id, page: p.page), anchor: SiteLinks.datasetVersionAnchor(key.version))
    }

    /// A link to a model version's page (plain text when the registry has no such model).
    static func versionLink(_ ref: VersionRef, _ c: SiteContext) -> TemplateValue {
        c.versionPages.contains(ref) ? TV.page(ref.description, SiteLinks.version(ref)) : TV.text(ref.description)
    }

    static func system(_ s: String?) -> TemplateValue { TV.str(s ?? "trailpack") }

    static func runValue(_ r: LineageCollector.Run, _ c: SiteContext) -> TemplateValue {
        let state: TemplateValue
        switch r.action {
        case "pipeline.run_completed": state = TV.badge("✔ Completed", "pass")
        case "pipeline.run_failed": state = TV.badge("✖ Failed", "fail")
        case "pipeline.run_started": state = TV.badge("! Never finished", "attention")
        default: state = TV.badge(r.action, "info")
        }
        return [
            "kind": .string("pipeline run"), "job": .string(r.job), "run": TV.str(r.ref), "state": state, "time": TV.time(r.time.string),
            "system": system(r.system), "link": c.locator.link(seq: r.seq, label: "seq \(r.seq)"),
            "models": .array(r.models.map { versionLink($0, c) }),
        ]
    }

    static func trainingValue(_ t: LineageCollector.Training, _ c: SiteContext) -> TemplateValue {
        [
            "kind": .string("training"), "job": .string("model.trained of \(t.model.description)"), "run": TV.str(t.run),
            "state": TV.badge("✔ Trained", "pass"), "time": TV.time(t.time.string), "system": system(t.system),
            "link": c.locator.link(seq: t.seq, label: "seq \(t.seq)"), "models": .array([versionLink(t.model, c)]),
        ]
    }

    /// The valid approvals of a model version, linked to their events.
    static func approvals(_ ref: VersionRef, _ c: SiteContext) -> TemplateValue {
        let list = c.analysis.lifecycle(ref)?.approvals.filter(\.isValidApproval) ?? []
        // The link names who approved; the time follows it, as a time of its own.
        return .array(list.map { ap -> TemplateValue in
            guard case .object(var o) = c.locator.link(seq: ap.seq, label: "approved by \(ap.display)") else { return .null }
            o["time"] = TV.time(ap.time)
            return .object(o)
        })
    }

    static func versionValue(_ i: Int, _ l: LineageIndex, _ c: SiteContext) -> TemplateValue {
        let col = l.collected
        let v = col.versions[i]
        let steps = v.steps.map { s -> TemplateValue in
            ["action": .string(s.action), "time": TV.time(s.time.string), "actor": .string(s.actor), "system": system(s.system),
             "link": c.locator.link(seq: s.seq, label: "seq \(s.seq)")]
        }
        var writers = v.writers
        var isWriter = Set(writers)
        for r in v.producedBy { for n in l.runsByRef[r] ?? [] where isWriter.insert(n).inserted { writers.append(n) } }
        writers.sort { col.runs[$0].seq < col.runs[$1].seq }
        let producedBy = writers.map { runValue(col.runs[$0], c) }
        // Registrations naming a run that the log has no event of: shown as the run's name only.
        let unknownRuns = v.producedBy.filter { l.runsByRef[$0] == nil }.map { TemplateValue.string($0) }
        var readers: [(Int64, TemplateValue)] = v.readers.map { (col.runs[$0].seq, runValue(col.runs[$0], c)) }
        readers += v.trainings.map { (col.trainings[$0].seq, trainingValue(col.trainings[$0], c)) }
        readers.sort { $0.0 < $1.0 }
        let checks = v.checks.map { k -> TemplateValue in
            let result: TemplateValue = k.passed.map { $0 ? TV.badge("✔ Passed", "pass") : TV.badge("✖ Failed", "fail") }
                ?? TV.badge("? No result recorded", "attention")
            let run: TemplateValue = k.run.map { r in
                l.runsByRef[r]?.last.map { n in c.locator.link(seq: col.runs[n].seq, label: r) } ?? TV.text(r)
            } ?? .null
            return ["time": TV.time(k.time.string), "result": result, "checks": .string(k.checks), "run": run, "system": system(k.system),
                    "link": c.locator.link(seq: k.seq, label: "seq \(k.seq)")]
        }
        let (uses, moreModels) = l.models(of: i)
        let models = uses.map { u -> TemplateValue in
            let how: TemplateValue
            switch u.by {
            case .training(let t): how = c.locator.link(seq: col.trainings[t].seq, label: "model.trained, seq \(col.trainings[t].seq)")
            case .run(let r): how = c.locator.link(seq: col.runs[r].seq, label: "run of \(col.runs[r].job), seq \(col.runs[r].seq)")
            }
            return modelValue(u.model, how: how, via: u.via, i, l, c)
        }
        let (same, moreSame) = l.same(of: i)
        // Empty tables are left out (a long list of versions stays short); one line says what is missing.
        var missing: [String] = []
        if steps.isEmpty { missing.append("registration or curation") }
        if producedBy.isEmpty && unknownRuns.isEmpty { missing.append("a run that produced it") }
        if readers.isEmpty { missing.append("a run or training that read it") }
        if checks.isEmpty { missing.append("a quality check") }
        if models.isEmpty { missing.append("a model version trained on it") }
        return [
            "hasSteps": .bool(!steps.isEmpty), "hasProducedBy": .bool(!producedBy.isEmpty || !unknownRuns.isEmpty),
            "hasReadBy": .bool(!readers.isEmpty), "hasChecks": .bool(!checks.isEmpty), "hasModels": .bool(!models.isEmpty),
            "missing": missing.isEmpty ? .null : .string(missing.joined(separator: "; ")),
            "anchor": .string(SiteLinks.datasetVersionAnchor(v.key.version)), "label": .string(versionLabel(v.key.version)), "versionId": TV.str(v.key.version),
            "version": TV.str(v.key.version), "digest": TV.str(v.digest),
            "steps": .array(steps), "same": .array(same.map { link(l, $0) }), "hasSame": .bool(!same.isEmpty), "sameMore": more(moreSame, "version"),
            "producedBy": .array(producedBy), "unknownRuns": .array(unknownRuns), "readBy": .array(readers.map(\.1)),
            "checks": .array(checks), "models": .array(models), "modelsMore": more(moreModels, "model version"),
        ]
    }

    /// "and N more …" after a list cut at ``LineageIndex/listLimit`` (null when nothing was cut).
    static func more(_ n: Int, _ noun: String) -> TemplateValue {
        n > 0 ? .string("and \(n) more " + (n == 1 ? noun : noun + "s") + " (the first \(LineageIndex.listLimit) are listed)") : .null
    }

    static func modelValue(_ ref: VersionRef, how: TemplateValue, via: Int, _ i: Int, _ l: LineageIndex, _ c: SiteContext) -> TemplateValue {
        [
            "model": versionLink(ref, c), "how": how, "via": via == i ? .null : link(l, via),
            "approvals": approvals(ref, c),
        ]
    }

    /// Writes the dataset index and every dataset's pages; returns the key of each dataset page
    /// (``PageKeys/key(base:kind:value:)``). A page's bytes depend only on its value (it shows no
    /// as-of time, tree size or root: ``SiteContext/rangeSite``), so one whose key the previous
    /// build recorded is kept (`reuse`) instead of rendered.
    @discardableResult
    static func write(_ c: SiteContext, reuse: PageReuse? = nil, output: inout SiteOutput) throws -> [String: SHA256.Digest] {
        let l = c.lineage
        guard !l.isEmpty else { return [:] }
        let col = l.collected
        var rows: [TemplateValue] = []
        var jobs: [(id: JSONString, label: String, versions: [Int], page: Int, pages: Int)] = []
        for ds in l.datasets {
            let pages = max(1, (ds.versions.count + c.pageSize - 1) / c.pageSize)
            let label = ds.id.string
            var checks = 0, failed = 0, systems = Set<String>()
            let models = l.allModels(of: ds)
            for i in ds.versions {
                let v = col.versions[i]
                checks += v.checks.count
                failed += v.checks.filter { $0.passed == false }.count
                for s in v.steps { systems.insert(s.system ?? "trailpack") }
                for k in v.checks { systems.insert(k.system ?? "trailpack") }
                for r in v.writers + v.readers { systems.insert(col.runs[r].system ?? "trailpack") }
                for t in v.trainings { systems.insert(col.trainings[t].system ?? "trailpack") }
            }
            rows.append([
                "link": TV.page(label, SiteLinks.dataset(ds.id, page: 1)),
                "versions": .int(ds.versions.filter { col.versions[$0].key.version != nil }.count),
                "checks": .int(checks), "failed": .int(failed),
                "models": .array(models.sorted().map { versionLink($0, c) }),
                "systems": .string(systems.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.joined(separator: ", ")),
            ])
            for page in 1...pages { jobs.append((ds.id, label, ds.versions, page, pages)) }
        }
        // The pages of every dataset, rendered (or kept), hashed and written by the workers.
        let all = jobs
        let base = PageKeys.common(c)
        let sink = try output.reserve(pages: all.map { SiteLinks.dataset($0.id, page: $0.page) })
        let written = try Parallel.map(all.count) { n -> (files: [WrittenFile], path: String, key: SHA256.Digest) in
            let j = all[n]
            let first = (j.page - 1) * c.pageSize
            let slice = j.versions.dropFirst(first).prefix(c.pageSize)
            let path = SiteLinks.dataset(j.id, page: j.page)
            let range = "versions \(first + 1)–\(first + slice.count) of dataset \(j.label)"
            let value = c.pageValue(path: path, title: "Dataset: \(j.label)" + (j.pages > 1 ? ", page \(j.page) of \(j.pages)" : ""),
                                    section: .datasets, range: range, dependsOn: "what the log records of these versions", [
                "dataset": ["id": .string(j.label), "versionCount": .int(j.versions.count)],
                "versions": .array(slice.map { versionValue($0, l, c) }),
                "pager": AuditIndex.pager(number: j.page, count: j.pages) { SiteLinks.dataset(j.id, page: $0) },
            ])
            let key = PageKeys.key(base: base, kind: "dataset", value: value)
            if let reuse, reuse.has(key) { return (try reuse.keep(path, key: key, sink: sink), path, key) }
            return (try sink.write(try c.render(.dataset, path: path, value: value)), path, key)
        }
        var keys: [String: SHA256.Digest] = [:]
        for w in written {
            output.record(w.files)
            keys[w.path] = w.key
        }
        let page = try c.render(.datasets, path: SiteLinks.datasetIndex, title: "Datasets", section: .datasets, [
            "datasets": .array(rows),
        ])
        try output.write(page)
        return keys
    }

    /// The "trained on" list of a model version's page: each dataset version linked to its page.
    static func trainedOn(_ ref: VersionRef, _ c: SiteContext) -> TemplateValue {
        let l = c.lineage
        return .array(l.sources(of: ref).map { i -> TemplateValue in
            let v = l.collected.versions[i]
            let checks = v.checks
            let quality: TemplateValue = checks.isEmpty ? TV.badge("No quality check recorded", "attention")
                : checks.last?.passed == true ? TV.badge("✔ Last quality check passed", "pass")
                : checks.last?.passed == false ? TV.badge("✖ Last quality check failed", "fail") : TV.badge("? No result recorded", "attention")
            let (same, more) = l.same(of: i)
            return ["link": link(l, i), "quality": quality, "same": .array(same.map { link(l, $0) }), "sameMore": Self.more(more, "version")]
        })
    }
}
