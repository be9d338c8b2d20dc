/// Post-market monitoring (weekly drift windows and the answers to drift) and governance events
/// outside the model lifecycles: keys, controlled documents, record corrections, an open CAPA.
extension DemoPlan {
    enum DriftAnswer { case revalidation, capa }

    /// Which production versions see drift, and how each drift is answered.
    static let driftPlan: [(model: String, version: String, answers: [DriftAnswer])] = [
        ("sepsis-risk", "2", [.revalidation]),
        ("aki-predictor", "2", [.revalidation, .capa]),
        ("readmission-30d", "3", [.revalidation]),
    ]

    /// Weekly, contiguous drift windows for every version while it serves in production.
    mutating func monitoring() throws {
        var ordinal = 0
        for p in production {
            guard let model = DemoCatalog.models.first(where: { $0.id == p.model }) else { continue }
            let firstDay = (p.from - DemoTime.base) / DemoTime.msPerDay + 1
            let limit = p.to ?? (DemoTime.end - DemoTime.msPerDay)
            var windows: [Int64] = []
            var start = DemoTime.base + firstDay * DemoTime.msPerDay
            while start + 7 * DemoTime.msPerDay <= limit {
                windows.append(start)
                start += 7 * DemoTime.msPerDay
            }
            // Drift only where its answer fits well inside the story (and before archival).
            let answers = DemoPlan.driftPlan.first { $0.model == p.model && $0.version == p.version }?.answers ?? []
            let answerLimit = min(p.to ?? DemoTime.end, DemoTime.end) - 18 * DemoTime.msPerDay
            let eligible = windows.indices.filter { $0 >= 1 && windows[$0] + 7 * DemoTime.msPerDay <= answerLimit }
            var chosen: [Int: DriftAnswer] = [:]
            for answer in answers {
                let free = eligible.filter { i in !chosen.keys.contains { abs($0 - i) < 2 } }
                guard !free.isEmpty else { break }
                chosen[rng.pick(free)] = answer
            }
            for (i, start) in windows.enumerated() {
                try window(model, p.version, start: start, answer: chosen[i], ordinal: &ordinal)
            }
        }
    }

    private mutating func window(_ model: DemoModelSpec, _ version: String, start: Int64, answer: DriftAnswer?, ordinal: inout Int) throws {
        let end = start + 7 * DemoTime.msPerDay
        let drift = answer != nil
        let threshold = model.id == "readmission-30d" ? 0.70 : 0.80
        let breached = drift ? rng.int(0...2) : -1
        var metrics: [JSONValue] = []
        var maxPsi = 0.0
        for (k, f) in model.features.prefix(3).enumerated() {
            let psi = k == breached ? rng.decimal(0.21, 0.38) : rng.decimal(0.01, 0.12)
            maxPsi = max(maxPsi, psi)
            metrics.append(DJ.obj([("name", DJ.s("psi")), ("feature", DJ.s(f.name)), ("value", DJ.n(psi)),
                                   ("threshold", DJ.n(0.2)), ("breach", .bool(psi > 0.2))]))
        }
        let aurocLow = answer == .capa
        let auroc = aurocLow ? DemoRandom.round(threshold - 0.012, places: 3) : rng.decimal(threshold + 0.025, threshold + 0.06)
        metrics.append(DJ.obj([("name", DJ.s("auroc")), ("value", DJ.n(auroc)), ("threshold", DJ.n(threshold)),
                               ("direction", DJ.s("min")), ("breach", .bool(aurocLow))]))
        let startText = DemoTime.text(start), endText = DemoTime.text(end)
        let file = DJ.obj([("model", DJ.s(model.id)), ("version", DJ.s(version)),
                           ("window", DJ.obj([("start", DJ.s(startText)), ("end", DJ.s(endText))])),
                           ("metrics", .array(metrics)), ("drift", .bool(drift))])
        let ref = try artifact("drift/\(model.id)-v\(version)-\(DemoTime.date(start)).json", DJ.pretty(file))
        driftWindows += 1
        let mv = DJ.model(model.id, version)
        var t = later(end, 60...120)
        try add(t, "svc:drift-monitor", "monitoring.drift_checked", subject: mv, refs: [("artifacts", .array([ref]))],
                data: [("drift", .bool(drift)), ("windowStart", DJ.s(startText)), ("windowEnd", DJ.s(endText)), ("maxPsi", DJ.n(maxPsi))])
        guard let answer else { return }
        ordinal += 1
        t = later(t, 2...10)
        let breachedFeature = model.features[max(0, breached)].name
        let driftEvent = try add(t, "svc:drift-monitor", "drift.detected", subject: mv, refs: [("artifacts", .array([ref]))],
                                 data: [("features", DJ.strings([breachedFeature])), ("maxPsi", DJ.n(maxPsi)),
                                        ("windowStart", DJ.s(startText)), ("windowEnd", DJ.s(endText))])
        let endDay = Int((end - DemoTime.base) / DemoTime.msPerDay)
        let scope = model.requirements.filter { $0.category == "performance" || $0.category == "robustness" }
        let ref2 = "\(model.id)@\(version)"
        switch answer {
        case .revalidation:
            advance(&t, day: endDay + 1, hour: 8)
            let trigger = try add(t, "u:abaptiste", "revalidation.triggered", subject: mv, refs: [("event", DJ.s(driftEvent))],
                                  data: [("reason", DJ.s(text("Population stability index of \(breachedFeature) above 0.2"))),
                                         ("scope", DJ.strings(scope.map(\.id)))])
            advance(&t, day: endDay + 2, hour: 6)
            var tests: [String] = []
            for req in scope {
                t = later(t, 8...20)
                try test(t, model, version, req, run: 10 + ordinal, note: "Revalidation on four weeks of post-deployment data")
                tests.append(req.testID)
            }
            let report = try artifact("artifacts/\(model.id)/v\(version)/revalidation-\(DemoTime.date(start)).json", DJ.pretty(DJ.obj([
                ("model", DJ.s(ref2)), ("trigger", DJ.s(driftEvent)), ("tests", DJ.strings(tests)), ("result", DJ.s("pass")),
                ("conclusion", DJ.s(text("Performance within URS limits on recent data; the shift reflects seasonal case mix"))),
            ])))
            advance(&t, day: endDay + 3, hour: 12)
            try add(t, "u:abaptiste", "revalidation.completed", subject: mv,
                    refs: [("event", DJ.s(trigger)), ("tests", DJ.strings(tests)), ("artifacts", .array([report]))],
                    data: [("result", DJ.s("pass")), ("conclusion", DJ.s(text("Revalidated; the version stays in production")))],
                    sign: "responsibility")
        case .capa:
            advance(&t, day: endDay + 1, hour: 9)
            var number = nextNumber
            let capa = try openCAPA(t, number: &number, by: "u:fberger",
                                    refs: [("model", DJ.s(ref2)), ("event", DJ.s(driftEvent))],
                                    description: "Discrimination below the monitoring limit after the laboratory changed its creatinine analyser")
            nextNumber = number
            advance(&t, day: endDay + 4, hour: 6)
            for req in scope {
                t = later(t, 8...20)
                try test(t, model, version, req, run: 10 + ordinal, note: "Re-test on data after the analyser change, with assay offset corrected")
            }
            advance(&t, day: endDay + 8, hour: 10)
            try closeCAPA(t, capa, by: "u:mkrause",
                          effectiveness: "Assay offset corrected in the feature pipeline; discrimination back within limits for two weeks")
        }
    }

    /// Key registrations, the rotation of a QA key, controlled documents, record corrections,
    /// a configuration change and a late exception whose CAPA is still open (not yet due).
    mutating func governance(docs: [(path: String, digest: String)]) throws {
        let register = "u:hweber"
        var t = DemoTime.at(day: 0, hour: 6) + Int64(rng.int(0...600_000))
        for name in DemoCatalog.keyNames where name != "demo-mkrause-2" {
            t = later(t, 1...4)
            try registerKey(t, name, by: register)
        }
        try registerKey(workday(72, hour: 8), "demo-mkrause-2", by: register)
        try add(rotationMs, register, "key.revoked", subject: DJ.subject("key", "demo-mkrause"),
                reason: "Scheduled rotation: signing smart card replaced",
                data: [("replacedBy", DJ.s("demo-mkrause-2"))], sign: "responsibility")
        func doc(_ path: String) -> JSONValue {
            let digest = docs.first { $0.path == path }?.digest ?? ""
            return DJ.obj([("path", DJ.s(path)), ("sha256", DJ.s(digest))])
        }
        t = workday(0, hour: 9)
        try add(t, "u:abaptiste", "document.reviewed", subject: DJ.subject("document", "docs/validation-plan.md"),
                refs: [("artifacts", .array([doc("docs/validation-plan.md")]))], data: [("revision", DJ.s("1.0"))], sign: "review")
        try add(later(t, 180...240), "u:mkrause", "document.approved", subject: DJ.subject("document", "docs/validation-plan.md"),
                refs: [("artifacts", .array([doc("docs/validation-plan.md")]))], data: [("revision", DJ.s("1.0"))], sign: "approval")
        try add(workday(0, hour: 14), "u:mkrause", "document.approved", subject: DJ.subject("document", "docs/sop-ml-lifecycle.md"),
                refs: [("artifacts", .array([doc("docs/sop-ml-lifecycle.md")]))], data: [("revision", DJ.s("3.2"))], sign: "approval")
        for model in DemoCatalog.models {
            let path = "docs/\(model.id)/intended-use.md"
            try add(workday(0, hour: 11), model.previousOwner ?? model.owner, "document.released",
                    subject: DJ.subject("document", path), refs: [("artifacts", .array([doc(path)]))], data: [("revision", DJ.s("1.0"))])
        }
        // Corrections of records, with old and new values.
        let sepsis = DemoCatalog.sepsis
        try add(workday(30, hour: 9), "u:mkrause", "record.modified", subject: DJ.subject("model", sepsis.id),
                reason: "Model ownership transferred after the team reorganisation",
                changes: [("owner", DJ.s(sepsis.previousOwner ?? ""), DJ.s(sepsis.owner))])
        let c = DemoCatalog.clarifiedRequirement
        let newText = DemoCatalog.models.first { $0.id == c.model }?.requirements.first { $0.id == c.requirement }?.text ?? ""
        try add(workday(40, hour: 10), "u:abaptiste", "record.modified", subject: DJ.subject("requirement", "\(c.model)/\(c.requirement)"),
                reason: "Requirement clarified: sex added to the subgroups, per the validation plan",
                changes: [("text", DJ.s(text(c.old)), DJ.s(text(newText)))])
        try add(workday(79, hour: 13), "u:lschmidt", "record.modified",
                subject: DJ.obj([("type", DJ.s("dataset")), ("id", DJ.s("aki-train")), ("version", DJ.s("3"))]),
                reason: "Description corrected: the extract covers encounters up to 2026-02-28",
                changes: [("description", DJ.s(text("EHR extract, encounters up to 2026-02-31")), DJ.s(text("EHR extract, encounters up to 2026-02-28")))])
        try add(workday(140, hour: 8), "u:kyilmaz", "config.changed", subject: DJ.subject("config", "serving/sepsis-risk.yaml"),
                reason: "Alert threshold raised after the clinical review of alert burden",
                refs: [("commit", DJ.s(commit())), ("model", DJ.s("sepsis-risk@3"))],
                data: [("key", DJ.s("alert.threshold")), ("old", DJ.n(0.62)), ("new", DJ.n(0.66))])
        // A late deviation: its CAPA is open at the as-of time but not yet due.
        t = workday(171, hour: 9)
        let exc = "EXC-2026-" + DemoPlan.pad3(nextNumber)
        let excEvent = try add(t, "u:kyilmaz", "exception.raised", subject: DJ.subject("exception", exc),
                               refs: [("model", DJ.s("aki-predictor@2"))],
                               data: [("description", DJ.s(text("Nightly batch scoring delayed by six hours (storage outage)"))),
                                      ("classification", DJ.s("minor deviation"))])
        var number = nextNumber
        _ = try openCAPA(later(t, 60...120), number: &number, by: "u:fberger", refs: [("event", DJ.s(excEvent))],
                         description: "Add a storage health check and an alert for late scoring runs")
        nextNumber = number
    }

    private mutating func registerKey(_ t: Int64, _ name: String, by actor: String) throws {
        guard let key = keys[name] else { throw DemoError.cannotWrite("keys/\(name).pem", "no such demo key") }
        // The registration gives the owner's printed name, which every signature by the key must show.
        var data: [(String, JSONValue)] = [("alg", DJ.s("ed25519")), ("fingerprint", DJ.s(key.publicKey.fingerprint))]
        if let owner = DemoCatalog.keyOwner(name) {
            data += [("name", DJ.s(text(owner.name))), ("owner", DJ.s(owner.id))]
        } else {
            data += [("owner", DJ.s(DemoCatalog.logOperatorID))]
        }
        try add(t, actor, "key.registered", subject: DJ.subject("key", name), data: data)
    }
}
