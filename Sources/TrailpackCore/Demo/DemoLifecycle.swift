/// The life of each model version: data, training, verification, fairness, explanations,
/// approval, release, deployment and retirement of the version it supersedes.
extension DemoPlan {
    /// A CAPA opened in one version's life and closed in a later one (a rejected version).
    struct PendingCAPA {
        var id: String
        var model: String
    }

    /// Runs every version of every model.
    mutating func lifecycles() throws {
        var capaNumber = nextNumber
        defer { nextNumber = capaNumber }
        for model in DemoCatalog.models {
            var trainVersion = 0
            var pending: PendingCAPA?
            var serving: String?
            for spec in model.versions {
                try version(model, spec, trainVersion: &trainVersion, capaNumber: &capaNumber, pending: &pending, serving: &serving)
            }
        }
    }

    private func vdir(_ model: DemoModelSpec, _ version: String) -> String { "artifacts/\(model.id)/v\(version)" }

    /// Opens a CAPA for an exception event; returns the CAPA id.
    mutating func openCAPA(_ ms: Int64, number: inout Int, by actor: String, refs: [(String, JSONValue)], description: String) throws -> String {
        let capa = "CAPA-2026-" + DemoPlan.pad3(number)
        number += 1
        let due = ms + 30 * DemoTime.msPerDay
        try add(ms, actor, "capa.opened", subject: DJ.subject("capa", capa), refs: refs,
                data: [("title", DJ.s(text(description))), ("due", DJ.s(DemoTime.text(due))), ("priority", DJ.s("major"))])
        return capa
    }

    /// Raises an exception (deviation) and opens its CAPA at once; returns the CAPA id.
    mutating func deviation(_ ms: Int64, number: inout Int, raisedBy: String, capaBy: String, subjectRefs: [(String, JSONValue)],
                            what: String, action: String) throws -> String {
        let exc = "EXC-2026-" + DemoPlan.pad3(number)
        let excEvent = try add(ms, raisedBy, "exception.raised", subject: DJ.subject("exception", exc), refs: subjectRefs,
                               data: [("description", DJ.s(text(what))), ("classification", DJ.s("major deviation"))])
        return try openCAPA(later(ms, 20...90), number: &number, by: capaBy, refs: [("event", DJ.s(excEvent))], description: action)
    }

    mutating func closeCAPA(_ ms: Int64, _ capa: String, by actor: String, effectiveness: String) throws {
        try add(ms, actor, "capa.closed", subject: DJ.subject("capa", capa), refs: [("capa", DJ.s(capa))],
                data: [("effectiveness", DJ.s(text(effectiveness))), ("outcome", DJ.s("effective"))], sign: "approval")
    }

    /// Moves a chain's clock to a working day's hour, never backwards (at least 10 minutes on).
    mutating func advance(_ t: inout Int64, day: Int, hour: Int) {
        t = max(later(t, 10...30), workday(day, hour: hour))
    }

    static func pad3(_ n: Int) -> String { n < 10 ? "00\(n)" : n < 100 ? "0\(n)" : "\(n)" }

    /// One test run of a requirement on a model version, with its evidence files.
    @discardableResult
    mutating func test(_ ms: Int64, _ model: DemoModelSpec, _ version: String, _ req: DemoRequirement, run: Int, fail: Bool = false,
                       note: String) throws -> String {
        let value: Double
        if fail {
            value = req.higherIsBetter ? DemoRandom.round(req.threshold - 0.02 - 0.02 * rng.unit(), places: 3)
                                       : DemoRandom.round(req.threshold + 0.012 + 0.01 * rng.unit(), places: 3)
        } else {
            value = rng.decimal(req.passing.lowerBound, req.passing.upperBound + 0.000_4)
        }
        let result = fail ? "fail" : "pass"
        let dir = vdir(model, version)
        let report = DJ.obj([
            ("test", DJ.s(req.testID)), ("requirement", DJ.s(req.id)), ("model", DJ.s("\(model.id)@\(version)")),
            ("run", DJ.i(run)), ("result", DJ.s(result)),
            ("metric", DJ.obj([("name", DJ.s(req.metric)), ("value", DJ.n(value)), ("threshold", DJ.n(req.threshold)),
                               ("direction", DJ.s(req.higherIsBetter ? "min" : "max"))])),
            ("dataset", DJ.s("\(model.id.split(separator: "-").first ?? "")-holdout@1")),
            ("environment", DJ.obj([("image", DJ.s("registry.example/ml/validation:2026.\(run)")), ("python", DJ.s("3.12.3"))])),
            ("notes", DJ.s(text(note))),
        ])
        var artifacts = [try artifact("\(dir)/tests/\(req.testID)-run\(run).json", DJ.pretty(report))]
        if req.category == "performance" && req.metric != "ece" {
            artifacts.append(try confusionMatrix(dir, run: run))
        }
        return try add(ms, "svc:validation-ci", "test.executed", subject: DJ.subject("test", req.testID),
                       refs: [("model", DJ.s("\(model.id)@\(version)")), ("requirements", DJ.strings([req.id])),
                              ("artifacts", .array(artifacts))],
                       data: [("result", DJ.s(result)), ("metrics", DJ.obj([(req.metric, DJ.n(value))])), ("run", DJ.i(run))],
                       sign: "authorship")
    }

    private mutating func confusionMatrix(_ dir: String, run: Int) throws -> JSONValue {
        let positives = rng.int(380...460), negatives = rng.int(4100...4600)
        let tp = Int(Double(positives) * rng.decimal(0.76, 0.84)), tn = Int(Double(negatives) * rng.decimal(0.84, 0.9))
        let csv = "actual,predicted_positive,predicted_negative\npositive,\(tp),\(positives - tp)\nnegative,\(negatives - tn),\(tn)\n"
        return try artifact("\(dir)/tests/confusion-matrix-run\(run).csv", Array(csv.utf8))
    }

    // swiftlint:disable:next function_body_length
    private mutating func version(_ model: DemoModelSpec, _ spec: DemoVersionSpec, trainVersion: inout Int, capaNumber: inout Int,
                                  pending: inout PendingCAPA?, serving: inout String?) throws {
        let v = spec.version
        let prefix = String(model.id.split(separator: "-").first ?? Substring(model.id))
        let mv = DJ.model(model.id, v)
        let ref = "\(model.id)@\(v)"
        let dir = vdir(model, v)
        var day = spec.startDay
        while day % 7 >= 5 { day += 1 }
        var t = workday(day, hour: 7)
        // Data.
        if trainVersion == 0 {
            try add(t, "svc:data-pipeline", "dataset.registered", subject: DJ.obj([("type", DJ.s("dataset")), ("id", DJ.s("\(prefix)-holdout")), ("version", DJ.s("1"))]),
                    data: [("description", DJ.s(text("Locked validation set, frozen before any model was trained"))), ("rows", DJ.i(rng.int(4000...5200)))])
            t = later(t, 5...20)
        }
        trainVersion += 1
        var dataset = try dataRound(&t, model, prefix, trainVersion, trainer: spec.trainer, fail: spec.dataException)
        if spec.dataException {
            t = later(t, 60...150)
            let capa = try deviation(t, number: &capaNumber, raisedBy: "u:fberger", capaBy: "u:fberger",
                                     subjectRefs: [("datasets", DJ.strings([dataset]))],
                                     what: "Quality check of \(dataset) failed: creatinine present for only 91.4 % of encounters (limit 98 %)",
                                     action: "Correct the unit conversion of creatinine in the ETL job and re-curate the training data")
            trainVersion += 1
            t = later(t, 150...200)
            day += 2
            advance(&t, day: day, hour: 8)
            dataset = try dataRound(&t, model, prefix, trainVersion, trainer: spec.trainer, fail: false)
            try closeCAPA(later(t, 120...240), capa, by: "u:mkrause",
                          effectiveness: "Re-curated data passes all checks; ETL unit test added for creatinine conversion")
            t = later(t, 250...300)
        }
        // Development.
        let commit = commit()
        let developer = spec.version == "1" ? "u:kyilmaz" : spec.trainer
        advance(&t, day: day + 1, hour: 9)
        try add(t, developer, "code.changed", subject: DJ.subject("repository", "\(model.id)-training"),
                refs: [("commit", DJ.s(commit))],
                data: [("message", DJ.s(text("Training pipeline for \(model.name) version \(v): feature set and hyper-parameters"))),
                       ("branch", DJ.s("release/\(model.id)-v\(v)"))])
        let run = "mlflow:" + rng.hex(32)
        let trainingMetrics = DJ.obj([("auroc", DJ.n(rng.decimal(0.84, 0.9))), ("logLoss", DJ.n(rng.decimal(0.21, 0.33))),
                                      ("epochs", DJ.i(rng.int(300...900)))])
        let metricsFile = try artifact("\(dir)/training-metrics.json", DJ.pretty(DJ.obj([("run", DJ.s(run)), ("metrics", trainingMetrics)])))
        advance(&t, day: day + 2, hour: 8)
        let datasets = [dataset, "\(prefix)-holdout@1"]
        try add(t, spec.trainer, "model.trained", subject: mv,
                refs: [("datasets", DJ.strings(datasets)), ("commit", DJ.s(commit)), ("run", DJ.s(run)), ("artifacts", .array([metricsFile]))],
                data: [("metrics", trainingMetrics), ("algorithm", DJ.s("gradient-boosted trees (LightGBM 4.3)"))], sign: "authorship")
        t = later(t, 20...60)
        registry.append(DemoRegistryVersion(model: model.id, version: v, created: DemoTime.text(t), run: run, commit: commit, datasets: datasets))
        try add(t, spec.trainer, "model.registered", subject: mv, refs: [("run", DJ.s(run)), ("commit", DJ.s(String(commit.prefix(12))))],
                data: [("registry", DJ.s("mlflow")), ("name", DJ.s(text(model.name)))])
        t = later(t, 30...90)
        try add(t, "u:kyilmaz", "model.stage_changed", subject: mv, reason: "Candidate release for verification against the URS",
                data: [("from", DJ.s("none")), ("to", DJ.s("staging"))])
        // Verification.
        advance(&t, day: day + 3, hour: 6)
        var testIDs: [String] = []
        for req in model.requirements {
            t = later(t, 6...25)
            let failsFirst = spec.failingRequirement == req.id
            let rejected = spec.outcome == .rejected && req.category == "fairness"
            try test(t, model, v, req, run: 1, fail: failsFirst || rejected, note: "Automated run on the locked validation set")
            testIDs.append(req.testID)
            if failsFirst {
                let capa = try deviation(later(t, 90...180), number: &capaNumber, raisedBy: "u:abaptiste", capaBy: "u:fberger",
                                         subjectRefs: [("model", DJ.s(ref)), ("requirements", DJ.strings([req.id]))],
                                         what: "\(req.testID) failed for \(ref): the robustness harness injected 20 % noise instead of the specified 2 %",
                                         action: "Correct the noise parameters of the robustness harness and repeat \(req.testID)")
                var fix = later(t, 300...360)
                advance(&fix, day: day + 5, hour: 8)
                try add(fix, "u:kyilmaz", "config.changed", subject: DJ.subject("config", "validation/robustness.yaml"),
                        reason: "Noise level of the robustness harness corrected to the specified 2 %",
                        refs: [("commit", DJ.s(self.commit()))],
                        data: [("key", DJ.s("noise.relative")), ("old", DJ.n(0.2)), ("new", DJ.n(0.02))])
                let retest = later(fix, 40...90)
                try test(retest, model, v, req, run: 2, note: "Re-test after the harness correction (\(capa))")
                try closeCAPA(later(retest, 120...200), capa, by: "u:mkrause",
                              effectiveness: "Re-test passes; harness configuration is now under change control")
                t = later(retest, 240...300)
            }
        }
        try fairnessAndExplanations(&t, model, spec, dir: dir)
        if spec.outcome == .rejected {
            advance(&t, day: day + 5, hour: 10)
            try add(t, spec.approver, "model.rejected", subject: mv, reason: "Calibration gap between insurance types exceeds the URS-02 limit",
                    refs: [("tests", DJ.strings(testIDs)), ("requirements", DJ.strings(["URS-02"]))],
                    data: [("decision", DJ.s("rejected"))], sign: "review")
            let capa = try deviation(later(t, 30...60), number: &capaNumber, raisedBy: spec.approver, capaBy: "u:fberger",
                                     subjectRefs: [("model", DJ.s(ref))],
                                     what: "\(ref) failed its fairness requirement at QA review",
                                     action: "Retrain with insurance-type reweighting and repeat the bias evaluation")
            pending = PendingCAPA(id: capa, model: model.id)
            t = later(t, 180...240)
            try add(t, "u:kyilmaz", "model.stage_changed", subject: mv, reason: "Rejected at QA review; not to be released",
                    data: [("from", DJ.s("staging")), ("to", DJ.s("archived"))])
            return
        }
        if let p = pending, p.model == model.id {
            try closeCAPA(later(t, 30...90), p.id, by: "u:mkrause",
                          effectiveness: "The retrained version passes the bias evaluation and \(model.requirements[1].testID)")
            pending = nil
        }
        if spec.outcome == .staging { return }
        // Approval, release, deployment.
        advance(&t, day: day + (spec.failingRequirement == nil ? 6 : 8), hour: 12)
        try add(t, spec.approver, "model.approved", subject: mv,
                refs: [("tests", DJ.strings(testIDs)), ("model", DJ.s(ref))],
                data: [("decision", DJ.s("approved")), ("comment", DJ.s(text("All URS tests pass; bias and explainability evidence reviewed")))],
                sign: "approval")
        advance(&t, day: day + (spec.failingRequirement == nil ? 7 : 9), hour: 7)
        try add(t, "u:kyilmaz", "model.stage_changed", subject: mv, reason: "Released to production after QA approval",
                data: [("from", DJ.s("staging")), ("to", DJ.s("production"))])
        t = later(t, 10...30)
        try add(t, "svc:deploy-bot", "model.deployed", subject: mv, refs: [("commit", DJ.s(commit))],
                data: [("environment", DJ.s("production")), ("endpoint", DJ.s("https://ml.internal.example/\(model.id)/v\(v)")), ("replicas", DJ.i(2))])
        let deployed = t
        if let old = serving {
            t = later(t, 60...120)
            try add(t, "u:kyilmaz", "model.stage_changed", subject: DJ.model(model.id, old), reason: "Superseded by version \(v)",
                    data: [("from", DJ.s("production")), ("to", DJ.s("archived"))])
            t = later(t, 5...15)
            try add(t, "u:kyilmaz", "model.retired", subject: DJ.model(model.id, old), reason: "Superseded by version \(v)",
                    data: [("endpoint", DJ.s("https://ml.internal.example/\(model.id)/v\(old)")), ("traffic", DJ.s("drained"))])
            if let i = production.firstIndex(where: { $0.model == model.id && $0.version == old }) { production[i].to = t }
        }
        production.append(DemoProductionInterval(model: model.id, version: v, from: deployed, to: nil))
        serving = v
    }

    /// Registration, curation and quality check of one training dataset version; returns `id@version`.
    private mutating func dataRound(_ t: inout Int64, _ model: DemoModelSpec, _ prefix: String, _ n: Int, trainer: String, fail: Bool) throws -> String {
        let id = "\(prefix)-train"
        let subject = DJ.obj([("type", DJ.s("dataset")), ("id", DJ.s(id)), ("version", DJ.s(String(n)))])
        let rows = rng.int(38_000...61_000)
        try add(t, "svc:data-pipeline", "dataset.registered", subject: subject,
                data: [("description", DJ.s(text("EHR extract for \(model.name), encounters up to the data cut-off"))), ("rows", DJ.i(rows))])
        t = later(t, 60...180)
        try add(t, trainer, "dataset.curated", subject: subject,
                data: [("steps", DJ.strings(["deduplicate encounters", "exclude opted-out patients", "harmonise units"])),
                       ("rowsOut", DJ.i(rows - rng.int(200...900)))])
        t = later(t, 15...45)
        try add(t, "svc:data-pipeline", "dataset.quality_checked", subject: subject,
                data: [("checks", DJ.strings(["schema", "completeness", "ranges", "duplicates"])), ("passed", .bool(!fail)),
                       ("completeness", DJ.n(fail ? 0.914 : rng.decimal(0.984, 0.997)))])
        return "\(id)@\(n)"
    }

    /// `bias.evaluated` with per-subgroup metrics and `explanation.generated` with a SHAP summary.
    private mutating func fairnessAndExplanations(_ t: inout Int64, _ model: DemoModelSpec, _ spec: DemoVersionSpec, dir: String) throws {
        let mv = DJ.model(model.id, spec.version)
        let fails = spec.outcome == .rejected
        var groups: [(String, JSONValue)] = []
        var csv = "group,n,auroc,sensitivity,calibration_gap\n"
        for (k, g) in model.subgroups.enumerated() {
            let n = rng.int(600...2400)
            let auroc = rng.decimal(0.8, 0.86), sens = rng.decimal(0.74, 0.81)
            let gap = fails && k == 1 ? 0.034 : rng.decimal(0.002, 0.015)
            groups.append((g, DJ.obj([("n", DJ.i(n)), ("auroc", DJ.n(auroc)), ("sensitivity", DJ.n(sens)), ("calibrationGap", DJ.n(gap))])))
            csv += "\(g),\(n),\(auroc),\(sens),\(gap)\n"
        }
        let report = try artifact("\(dir)/bias-report.csv", Array(csv.utf8))
        t = later(t, 30...90)
        try add(t, "svc:validation-ci", "bias.evaluated", subject: mv, refs: [("artifacts", .array([report]))],
                data: [("groups", DJ.obj(groups)), ("result", DJ.s(fails ? "fail" : "pass")), ("tool", DJ.s("fairlearn 0.11"))])
        var shap = "feature,mean_abs_shap\n"
        var weights = model.features.map { ($0.name, rng.decimal(0.01, 0.3)) }
        weights.sort { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        for (f, w) in weights { shap += "\(f),\(w)\n" }
        let summary = try artifact("\(dir)/shap-summary.csv", Array(shap.utf8))
        t = later(t, 40...120)
        try add(t, spec.trainer, "explanation.generated", subject: mv, refs: [("artifacts", .array([summary]))],
                data: [("method", DJ.s("shap")), ("topFeatures", DJ.strings(weights.prefix(5).map(\.0))), ("samples", DJ.i(2000))])
    }
}
