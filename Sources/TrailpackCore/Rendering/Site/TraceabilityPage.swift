/// The traceability matrix of the release (requirement, tests, latest result, evidence with its
/// digest checked, covering approval), coverage per version, and `traceability.csv`.
enum TraceabilityPage {
    /// One artifact of a test with the outcome of checking its digest now.
    static func evidence(_ a: ArtifactRef, checker: inout ArtifactChecker) -> (value: TemplateValue, state: String) {
        let state = Self.state(a, checker: &checker)
        let link = (state == "verified" || state == "digest differs") && !Evidence.opensAsDocument(a.path)
            ? TV.file(a.path, "evidence/" + a.path) : TV.text(a.path)
        let badge = state == "verified" ? TV.badge("✔ Digest verified", "pass") : TV.badge("✖ " + state.prefix(1).uppercased() + state.dropFirst(), "fail")
        // A short digest in the matrix; the full value is on the test's event in the trail and in the CSV.
        return (["link": link, "sha256": .string(a.sha256), "sha256Short": .string(String(a.sha256.prefix(12)) + "…"), "badge": badge], state)
    }

    /// `verified`, `digest differs`, `missing`, `outside the source` or `unreadable`.
    static func state(_ a: ArtifactRef, checker: inout ArtifactChecker) -> String {
        switch checker.digest(of: a.path) {
        case .success(let h): return h == a.sha256 ? "verified" : "digest differs"
        case .failure(.missing): return "missing"
        case .failure(.outside): return "outside the source"
        case .failure(.unreadable): return "unreadable"
        }
    }

    static func statusBadge(_ s: String) -> TemplateValue {
        switch s {
        case "passed": return TV.badge("✔ Passed", "pass")
        case "failed": return TV.badge("✖ Failed", "fail")
        default: return TV.badge("– Untested", "attention")
        }
    }

    /// The rows of the matrix as template values (also shown on version pages) and the CSV.
    static func rows(_ c: SiteContext) -> (values: [TemplateValue], csv: String) {
        var checker = ArtifactChecker(source: c.analysis.source, digests: c.analysis.integrity.artifactDigests)
        var values: [TemplateValue] = []
        var csv = ["model", "version", "requirement", "title", "status", "tests", "latest_test", "latest_result", "latest_seq",
                   "evidence", "evidence_status", "approved_by", "approved_at", "approval_seq", "acceptance_criterion",
                   "measured"].joined(separator: ",") + "\r\n"
        for row in c.analysis.matrix {
            let tests = row.tests.map { c.locator.link(seq: $0.seq, label: "\($0.test.string) (seq \($0.seq))") }
            var evidence: [TemplateValue] = []
            var evidenceCSV: [String] = []
            var states: [String] = []
            for t in row.latest.map({ [$0] }) ?? [] {
                for art in t.artifacts {
                    let (v, state) = Self.evidence(art, checker: &checker)
                    evidence.append(v)
                    evidenceCSV.append("\(art.path) sha256:\(art.sha256)")
                    states.append(state)
                }
            }
            let latest: TemplateValue = row.latest.map { t in
                ["test": .string(t.test.string), "result": .string(t.result), "time": TV.time(t.time),
                 "link": c.locator.link(seq: t.seq, label: "seq \(t.seq)"),
                 "measured": .array(t.metrics.map { ["name": .string($0.name), "value": .string($0.value)] })]
            } ?? .null
            let approval: TemplateValue = row.approval.map { ap in
                ["name": .string(ap.display), "time": TV.time(ap.time), "link": c.locator.link(seq: ap.seq, label: "seq \(ap.seq)")]
            } ?? .null
            let req = row.requirement
            values.append([
                "versionKey": .string(row.version.description),
                "version": TV.page(row.version.description, SiteLinks.version(row.version)),
                "requirement": TV.page(req.id.string, SiteLinks.model(row.version.model), anchor: SiteLinks.requirementAnchor(req.id)),
                "title": .string(req.title), "text": .string(req.text),
                "tests": .array(tests), "latest": latest, "status": statusBadge(row.status),
                "evidence": .array(evidence), "approval": approval,
            ])
            let measured: String = (row.latest?.metrics ?? []).map { m in m.name + "=" + m.value }.joined(separator: "; ")
            let fields: [String] = [
                row.version.model.string, row.version.version.string, req.id.string, req.title, row.status,
                row.tests.map(\.test.string).joined(separator: "; "), row.latest?.test.string ?? "", row.latest?.result ?? "",
                row.latest.map { String($0.seq) } ?? "", evidenceCSV.joined(separator: "; "), states.joined(separator: "; "),
                row.approval?.name ?? "", row.approval?.time ?? "", row.approval.map { String($0.seq) } ?? "",
                req.text, measured,
            ]
            csv += fields.map(Escape.csvField).joined(separator: ",") + "\r\n"
        }
        return (values, csv)
    }

    static func write(_ c: SiteContext, rows: [TemplateValue], csv: String, output: inout SiteOutput) throws {
        let coverage = c.analysis.coverage.map { cov -> TemplateValue in
            [
                "version": TV.page(cov.version.description, SiteLinks.version(cov.version)),
                "requirements": .int(cov.requirements), "tested": .int(cov.tested), "passed": .int(cov.passed),
                "failed": .int(cov.failed), "untested": .int(cov.untested),
                "badge": cov.requirements > 0 && cov.passed == cov.requirements ? TV.badge("✔ Fully covered", "pass")
                    : TV.badge("✖ Gaps", "fail"),
            ]
        }
        let page = try c.render(.traceability, path: "traceability", title: "Traceability matrix, release \(c.analysis.config.release.name)",
                                section: .traceability, [
            "rows": .array(rows), "coverage": .array(coverage), "csv": TV.file("traceability.csv", "traceability.csv"),
        ])
        try output.write(page)
        try output.write("traceability.csv", csv)
    }
}
