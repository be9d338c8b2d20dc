import Foundation
import Testing
@testable import TrailpackCore

/// The summary's first screen (issue 13 item 1) and the amber warnings that keep the site from
/// signalling more confidence than the records allow (item 4): each with a passing and a
/// failing fixture.
struct InspectorSummaryTests {
    static func site(_ p: PackBuilder, trust: TrustList? = nil) throws -> URL { try ComplianceSiteTests.build(p, trust: trust) }

    static func text(_ site: URL, _ page: String) throws -> String {
        try String(contentsOf: site.appendingPathComponent(page), encoding: .utf8)
    }

    /// The compliant pack's model record with an intended-use summary.
    static func modelWithSummary(_ summary: String) throws -> JSONValue {
        var m = try #require(PackBuilder.model.objectValue)
        m["intendedUseSummary"] = .string(JSONString(summary))
        return .object(m)
    }

    @Test func theFirstScreenAnswersCanIRelyOnThisRelease() throws {
        var p = try PackBuilder.compliant()
        p.preparedBy = "Dr. Q. Lead, QA <lead@example.com>"
        p.models = [try Self.modelWithSummary("Flags sepsis risk & alerts the team <early>.")]
        let site = try Self.site(p)
        let html = try Self.text(site, "index.html")
        // The order: the verdict and its findings, warnings and "look at first", then versions, then the system.
        let verdict = try #require(html.range(of: "Can this release be relied on?"))
        let lookFirst = try #require(html.range(of: "Look at first"))
        let versions = try #require(html.range(of: "<h2 id=\"versions\">Model versions</h2>"))
        let system = try #require(html.range(of: "The system and this pack"))
        #expect(verdict.lowerBound < lookFirst.lowerBound && lookFirst.lowerBound < versions.lowerBound
                && versions.lowerBound < system.lowerBound)
        #expect(html.contains("Findings not waived: <strong>0 critical</strong>"))
        #expect(html.contains("<p class=\"integrity-line\"><span class=\"badge badge-pass\">✔ No integrity findings</span>"))
        // Who prepared it and what the system is for, escaped.
        #expect(html.contains("<dt>Prepared by</dt><dd>Dr. Q. Lead, QA &lt;lead@example.com&gt;</dd>"))
        #expect(html.contains("Flags sepsis risk &amp; alerts the team &lt;early&gt;."))
        let md = try Self.text(site, "index.md")
        #expect(md.contains("| Prepared by | Dr. Q. Lead, QA &lt;lead@example.com&gt; |"))
        #expect(md.contains("## Can this release be relied on?"))
        let report = try JSONReader().parse(Array(try Data(contentsOf: site.appendingPathComponent("report.json"))))
        #expect(report["pack"]?["preparedBy"]?.stringValue == "Dr. Q. Lead, QA <lead@example.com>")
        #expect(report["models"]?.arrayValue?.first?["intendedUseSummary"]?.stringValue == "Flags sepsis risk & alerts the team <early>.")

        // Unstated: the page says so instead of leaving a gap.
        var bare = try PackBuilder.compliant()
        bare.models = [PackBuilder.model]
        let bareHTML = try Self.text(try Self.site(bare), "index.html")
        #expect(bareHTML.contains("not stated (<code>preparedBy</code> in trailpack.json)"))
        #expect(bareHTML.contains("no summary in the registry record (<code>intendedUseSummary</code>)."))
    }

    @Test func aVersionApprovedWhileNotValidatedIsAWarningNotAGreenMark() throws {
        let compliant = try PackBuilder.compliant()
        let good = try Self.text(try Self.site(compliant), "index.html")
        #expect(good.contains("<span class=\"badge badge-pass\">✔ Approved</span>"))
        #expect(!good.contains("Approved while not validated"))

        var p = try PackBuilder.compliant()
        try p.event("test.executed", actor: "svc:ci", service: true, subject: ["type": "test", "id": "T2"],
                    refs: ["model": "m@1", "requirements": ["R2"]], data: ["result": "fail"])
        let html = try Self.text(try Self.site(p), "index.html")
        #expect(html.contains("<span class=\"badge badge-warning\">⚠ Approved while not validated</span>"))
        #expect(!html.contains("✔ Approved</span>"))
        #expect(html.contains("✖ Not validated (1 failed)"))
    }

    /// A valid approval by the person who changed the version's code (SIG-SOD on the approval's
    /// event) is not shown with a green mark on any page.
    @Test func anApprovalThatFailsSeparationOfDutiesIsAWarningNotAGreenMark() throws {
        var p = try PackBuilder.compliant()
        try p.event("code.changed", actor: "u:qa", subject: ["type": "repo", "id": "r"], refs: ["commit": "abcdef1234"])
        let analysis = try p.analyze()
        let sod = try #require(analysis.findings.first { $0.rule == .sigSOD })
        #expect(sod.seq == analysis.lifecycle(VersionRef(model: "m", version: "1"))?.latestApproval?.seq)
        let site = try Self.site(p)
        for page in ["index.html", SiteLinks.model("m") + ".html", SiteLinks.version(VersionRef(model: "m", version: "1")) + ".html"] {
            let html = try Self.text(site, page)
            #expect(html.contains("<span class=\"badge badge-warning\">⚠ Approved, but not independently (SIG-SOD)</span>"), "\(page)")
            #expect(!html.contains("✔ Approved</span>"), "\(page)")
        }
        #expect(try Self.text(site, "index.md").contains("⚠ Approved, but not independently (SIG-SOD)"))
    }

    @Test func keysTrustedAsFoundAreAWarning() throws {
        let p = try PackBuilder.compliant()
        let asFound = try Self.site(p)
        let integrity = try Self.text(asFound, "integrity.html")
        #expect(integrity.contains("<span class=\"badge badge-warning\">⚠ Trusted as found (no trust list)</span>"))
        #expect(!integrity.contains("✔ Trusted</span>"))
        let summary = try Self.text(asFound, "index.html")
        #expect(summary.contains("<p class=\"warning\"><span class=\"badge badge-warning\">⚠ Warning</span> No trust list was given"))

        // With a trust list that names the key: a plain ✔, and no such warning.
        let analysis = try p.analyze()
        let key = try #require(analysis.integrity.keyring.keys.first { $0.name == "qa" })
        let trust = try TrustList(path: "trust.txt", text: "\(key.fingerprint) owner=u:qa\n")
        let trusted = try Self.site(p, trust: trust)
        let integrity2 = try Self.text(trusted, "integrity.html")
        #expect(integrity2.contains("✔ Trusted</span>"))
        #expect(!integrity2.contains("Trusted as found"))
        #expect(!(try Self.text(trusted, "index.html")).contains("No trust list was given"))
    }

    @Test func eventsAfterTheLastCheckpointAreAWarning() throws {
        // The compliant pack has no checkpoint: every event is after the last one.
        let compliant = try PackBuilder.compliant()
        let html = try Self.text(try Self.site(compliant), "index.html")
        #expect(html.contains("events were recorded after the last consistent signed checkpoint"))
        // The demo's last checkpoint covers every event.
        let d = try DemoTamperTests.demo()
        let src = d.url.appendingPathComponent("src")
        let out = d.url.appendingPathComponent("site")
        let theme = try Theme.load(defaultFolder: Shared.repoRoot.appendingPathComponent("templates"))
        _ = try Trailpack.build(source: src.path, options: BuildOptions(output: out, theme: theme))
        #expect(!(try Self.text(out, "index.html")).contains("after the last consistent signed checkpoint"))
        #expect(!(try Self.text(out, "integrity.html")).contains("⚠ Consistent, but"))

        // An event's content changed, its recorded hash left: INT-HASH, and the checkpoints over
        // it stay consistent, which the page must explain rather than show as a plain ✔.
        let segment = try #require(try DemoTamperTests.segments(src).first)
        var lines = try DemoTamperTests.lines(segment)
        let i = try #require(lines.firstIndex { String(decoding: $0, as: UTF8.self).contains("\"action\":\"monitoring.heartbeat\"") })
        lines[i] = Array(String(decoding: lines[i], as: UTF8.self).replacingOccurrences(of: "\"status\":\"ok\"", with: "\"status\":\"OK\"").utf8)
        try DemoTamperTests.write(lines, segment)
        _ = try Trailpack.build(source: src.path, options: BuildOptions(output: out, theme: theme))
        let integrity = try Self.text(out, "integrity.html")
        #expect(integrity.contains("<span class=\"badge badge-warning\">⚠ Consistent, but 1 event in its range does not match its hash</span>"))
        #expect(integrity.contains("The Merkle tree is built from the hashes the events recorded, so the checkpoint still matches"))
        #expect(!integrity.contains("✔ Consistent with the log"))
    }

    @Test func amberIsOnlyForWarnings() throws {
        // A major finding and an open CAPA need attention, but are not warnings.
        #expect(FindingsPage.severityBadge(.major, waived: false) == TV.badge("! Major", "attention"))
        let css = try String(contentsOf: Shared.repoRoot.appendingPathComponent("templates/style.css"), encoding: .utf8)
        #expect(!css.contains(".badge-warn "))
        #expect(css.contains(".badge-warning {"))
        // No page of a pack with a major finding uses amber for it.
        var p = try PackBuilder.compliant()
        ComplianceTests.dropEvent(&p, "bias.evaluated")  // REL-BIAS, major
        let site = try Self.site(p)
        let findings = try Self.text(site, "findings.html")
        #expect(findings.contains("badge-attention\">! Major"))
        #expect(!findings.contains("badge-warning\">! Major"))
    }
    @Test func traceabilityShowsTheCriterionAndTheMeasuredValues() throws {
        var p = try PackBuilder.compliant()
        try p.event("test.executed", actor: "svc:ci", service: true, subject: ["type": "test", "id": "T1"],
                    refs: ["model": "m@1", "requirements": ["R1"]], data: ["result": "pass", "metrics": ["auroc": 0.858, "n": 1200, "note": "x"]])
        let site = try Self.site(p)
        let html = try Self.text(site, "traceability.html")
        #expect(html.contains("<strong>Acceptance criterion:</strong> AUROC &gt;= 0.8"))
        #expect(html.contains("<span class=\"measured\">auroc = <strong>0.858</strong></span>"))
        #expect(html.contains("<span class=\"measured\">n = <strong>1200</strong></span>"))
        #expect(!html.contains("note = "))
        #expect(html.contains("no measured value recorded"))  // T2 recorded none
        let md = try Self.text(site, "traceability.md")
        #expect(md.contains("acceptance criterion: ECE &lt;= 0.05"))
        #expect(md.contains("auroc = **0\\.858**"))  // Markdown-escaped: renders 0.858
        let csv = ComplianceSiteTests.csv(try Self.text(site, "traceability.csv"))
        let header = try #require(csv.first)
        #expect(Array(header.suffix(2)) == ["acceptance_criterion", "measured"])
        let r1 = try #require(csv.first { $0.count > 2 && $0[2] == "R1" })
        #expect(Array(r1.suffix(2)) == ["AUROC >= 0.8", "auroc=0.858; n=1200"])
    }
    @Test func findingsGoBySeverityAndNameTheirEvent() throws {
        var p = try PackBuilder.compliant()
        ComplianceTests.dropEvent(&p, "bias.evaluated")   // REL-BIAS, major
        ComplianceTests.dropEvent(&p, "model.approved")   // REL-APPROVAL on the deployment, critical
        let site = try Self.site(p)
        let analysis = try p.analyze()
        let order = FindingsPage.displayOrder(analysis.findings)
        let severities = order.map { analysis.findings[$0].severity }
        #expect(severities == severities.sorted(by: >))
        let html = try Self.text(site, "findings.html")
        let critical = try #require(html.range(of: "✖ Critical"))
        let major = try #require(html.range(of: "! Major"))
        #expect(critical.lowerBound < major.lowerBound)
        // The finding names its event (the promotion to production without an approval) and links
        // to its row, which is marked.
        let deploy = try #require(analysis.findings.first { $0.rule == .relApproval }?.seq)
        #expect(html.contains("#e\(deploy)\">seq \(deploy)</a>: <span class=\"id\">model.stage_changed</span> by u:qa, <time>2026-01-01 00:11:00Z</time>"))
        let trail = try Self.text(site, "audit/page-0001.html")
        #expect(trail.contains("<tr id=\"e\(deploy)\" class=\"has-finding\">"))
        #expect(!trail.contains("<tr id=\"e1\" class=\"has-finding\">"))
    }
}
