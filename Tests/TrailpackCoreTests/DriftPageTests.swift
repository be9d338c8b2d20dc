import Foundation
import Testing
@testable import TrailpackCore

/// A version monitored in five weekly windows: one without drift, one answered by a CAPA, one by a
/// revalidation, a gap, one overdue, another gap and one pending (its psi threshold changed), plus
/// three exceptions (one CAPA closed, one overdue, one missing).
struct DriftFixture {
    var f: PackBuilder
    /// Seqs of the drift CAPA and the revalidation that answer windows 2 and 3.
    var capaSeq: Int64, revalidationSeq: Int64

    init(hostile: Bool = false) throws {
        f = try PackBuilder.source()
        f.model("m", requirements: [("R_1", "Accuracy", "AUROC of at least 0.8")], versions: [("1", "none")])
        f.release = [("m", "1")]
        f.policy = ["revalidationDays": 14]
        let m = PackBuilder.modelSubject("m", "1")
        func capa(_ id: String) -> JSONValue { PackBuilder.subject("capa", id) }
        try f.event("model.trained", actor: "u:a", subject: m, time: "2026-01-01T00:00:00Z")
        try f.event("exception.raised", actor: "u:a", subject: PackBuilder.subject("exception", "EXC-A"), data: ["description": "late data"],
                id: "ex-a", time: "2026-01-02T00:00:00Z")
        try f.event("capa.opened", actor: "u:qa", subject: capa("CAPA-A"), refs: ["event": "ex-a"],
                data: ["title": "Lock data", "due": "2026-03-31T00:00:00Z", "owner": "QA"], time: "2026-01-02T06:00:00Z")
        try f.event("exception.raised", actor: "u:a", subject: PackBuilder.subject("exception", "EXC-B"), data: ["description": "bad label"],
                id: "ex-b", time: "2026-01-03T00:00:00Z")
        try f.event("capa.opened", actor: "u:qa", subject: capa("CAPA-B"), refs: ["event": "ex-b"],
                data: ["title": "Relabel", "due": "2026-01-20T00:00:00Z", "owner": "Data team"], time: "2026-01-04T00:00:00Z")
        try f.event("capa.closed", actor: "u:qa", subject: capa("CAPA-A"), reason: "done", time: "2026-01-04T06:00:00Z")
        try f.event("exception.raised", actor: "u:a", subject: PackBuilder.subject("exception", "EXC-C"), data: ["description": "no answer"],
                id: "ex-c", time: "2026-01-05T00:00:00Z")
        try f.event("capa.opened", actor: "u:qa", subject: capa("CAPA-D"), refs: ["model": "m@1"],
                          data: ["title": "AUROC drop"], time: "2026-01-09T00:00:00Z")
        capaSeq = Int64(f.count)
        try f.event("capa.closed", actor: "u:qa", subject: capa("CAPA-D"), reason: "fixed", time: "2026-01-20T00:00:00Z")
        try f.event("revalidation.triggered", actor: "u:qa", subject: m, reason: "psi", time: "2026-01-23T00:00:00Z")
        revalidationSeq = Int64(f.count)
        try f.event("note.added", actor: "u:a", subject: PackBuilder.subject("note", "n"), time: "2026-03-06T00:00:00Z")
        let odd = hostile ? Hostile.payload : "odd"
        let windows: [(String, String, String, Double, Double, Double, Bool)] = [
            ("w1", "2026-01-01", "2026-01-08", 0.05, 0.2, 0.85, false), ("w2", "2026-01-08", "2026-01-15", 0.31, 0.2, 0.84, true),
            ("w3", "2026-01-15", "2026-01-22", 0.1, 0.2, 0.78, true), ("w4", "2026-01-29", "2026-02-05", 0.4, 0.2, 0.83, true),
            ("w5", "2026-02-26", "2026-03-05", 0.3, 0.25, 0.82, true),
        ]
        for (name, start, end, psi, threshold, auroc, drift) in windows {
            f.file("drift/\(name).json", """
                {"model": "m", "version": "1", "window": {"start": "\(start)T00:00:00Z", "end": "\(end)T00:00:00Z"},
                 "metrics": [{"name": "psi", "feature": "lactate", "value": \(psi), "threshold": \(threshold)},
                             {"name": "auroc", "value": \(auroc), "threshold": 0.8, "direction": "min"},
                             {"name": "\(odd)", "feature": "\(odd)", "value": 1.5e-7, "threshold": 1e-6, "direction": "min"}],
                 "drift": \(drift)}
                """)
        }
        try f.write()
    }
}

/// Reads the charts and tables of built drift pages.
enum DriftPageReading {
    /// Cells of each body row of the first table after `offset` in `html`.
    static func tableRows(after offset: String.Index, in html: String) -> [[String]] {
        guard let start = html.range(of: "<table", range: offset..<html.endIndex),
              let end = html.range(of: "</table>", range: start.upperBound..<html.endIndex),
              let body = html.range(of: "<tbody>", range: start.upperBound..<end.lowerBound) else { return [] }
        let table = String(html[body.upperBound..<end.lowerBound])
        return SiteChecks.captures(#"<tr[^>]*>([\s\S]*?)</tr>"#, in: table).map { row in
            SiteChecks.captures(#"<td[^>]*>([\s\S]*?)</td>"#, in: row).map {
                $0.replacingOccurrences(of: "<strong>", with: "").replacingOccurrences(of: "</strong>", with: "")
                    .replacingOccurrences(of: "<time>", with: "").replacingOccurrences(of: "</time>", with: "")
            }
        }
    }

    /// For every chart of a page: its points' (start, end, value, breach) and its table's rows as
    /// (start, end, value, breach).
    static func charts(_ html: String) -> [(svg: [[String]], table: [[String]])] {
        var out: [(svg: [[String]], table: [[String]])] = []
        var from = html.startIndex
        while let open = html.range(of: "<svg", range: from..<html.endIndex), let close = html.range(of: "</svg>", range: open.upperBound..<html.endIndex) {
            let svg = String(html[open.lowerBound..<close.upperBound])
            let points = SiteChecks.captures(#"(<(?:circle|path) class="point[^>]*>)"#, in: svg).map { tag -> [String] in
                func attr(_ n: String) -> String { SiteChecks.captures(n + #"="([^"]*)""#, in: tag).first ?? "?" }
                return [attr("data-window-start"), attr("data-window-end"), attr("data-value"), tag.contains("point breach") ? "yes" : "no"]
            }
            let rows = tableRows(after: close.upperBound, in: html).map { r in r.count == 5 ? [r[0], r[1], r[2], r[4]] : r }
            out.append((points, rows))
            from = close.upperBound
        }
        return out
    }

    /// The value column of every table of the "Metrics over the windows" part of a Markdown twin.
    static func markdownValues(_ md: String) -> [[String]] {
        guard let charts = md.range(of: "## Metrics over the windows"), let windows = md.range(of: "## Monitoring windows") else { return [] }
        var tables: [[String]] = []
        var current: [String]?
        for line in md[charts.upperBound..<windows.lowerBound].split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("| Window start") { current = []; continue }
            if line.hasPrefix("|---") { continue }
            if line.hasPrefix("| "), current != nil {
                let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                current?.append(cells.count > 3 ? cells[3].replacingOccurrences(of: "\\", with: "") : "?")
            } else if let c = current {
                tables.append(c)
                current = nil
            }
        }
        if let c = current { tables.append(c) }
        return tables
    }

    /// Checks every drift page of a site: each chart's points equal its table's rows, the twin's
    /// tables hold the same values, and report.json's series print the same numbers. Returns problems.
    static func check(_ out: URL) throws -> (problems: [String], charts: Int) {
        var problems: [String] = []
        var count = 0
        let report = try JSONReader().parse(Array(SiteChecks.text(out, "report.json").utf8))
        let series = report["driftSeries"]?.arrayValue ?? []
        for page in try SiteChecks.pages(out, ext: "html") where page.hasSuffix("/drift.html") {
            let html = SiteChecks.text(out, page)
            let charts = charts(html)
            count += charts.count
            for (i, c) in charts.enumerated() where c.svg.isEmpty || c.svg != c.table {
                problems.append("\(page) chart \(i + 1): svg \(c.svg.prefix(3)) vs table \(c.table.prefix(3))")
            }
            let twin = markdownValues(SiteChecks.text(out, String(page.dropLast(5)) + ".md"))
            if twin != charts.map({ $0.table.map { $0[2] } }) { problems.append("\(page): the twin's tables differ") }
            let entry = series.first { $0["page"]?.stringValue == page }
            let shown = (entry?["series"]?.arrayValue ?? []).map { s in (s["windows"]?.arrayValue ?? []).map { $0["shown"]?.stringValue ?? "?" } }
            if shown != charts.map({ $0.svg.map { $0[2] } }) { problems.append("\(page): report.json's series differ") }
        }
        return (problems, count)
    }
}

@Suite("Drift pages")
struct DriftPageTests {
    @Test func everyChartOfTheDemoCarriesTheSameNumbersAsItsTableTwinAndReport() throws {
        let tmp = try TempDir()
        let source = tmp.path("src")
        _ = try Trailpack.demo(out: source.path, options: DemoOptions(events: 1500, seed: 3))
        let out = tmp.path("site")
        try SiteBuilding.build(source, out: out)
        let (problems, charts) = try DriftPageReading.check(out)
        #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
        #expect(charts >= 12)
        let links = try SiteChecks.links(out)
        #expect(links.isEmpty, "\(links.prefix(10).joined(separator: "\n"))")
    }

    @Test func windowsLinkToTheirAnswersFindingsAndGaps() throws {
        let d = try DriftFixture()
        let out = d.f.dir.path("site")
        let result = try SiteBuilding.build(d.f.url, out: out, pageSize: 4)
        let findings = result.verifyReport.findings
        for problems in [try SiteChecks.links(out), try SiteChecks.tableBalance(out), try SiteChecks.markdownTables(out),
                         try SiteChecks.activeContent(out), try DriftPageReading.check(out).problems] {
            #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        }
        let page = SiteChecks.text(out, "models/m/versions/1/drift.html")
        func row(_ w: String) -> String {
            SiteChecks.captures(#"(<tr id="w-\#(w).json">[\s\S]*?</tr>)"#, in: page).first ?? ""
        }
        func finding(_ rule: RuleID, _ file: String) -> Int? { findings.firstIndex { $0.rule == rule && $0.file == file }.map { $0 + 1 } }
        // Answers link to their events' rows (pages of 4 events), the CAPA also to its row on the CAPA page.
        #expect(row("w2").contains(#"href="../../../../audit/page-0002.html#e\#(d.capaSeq)">capa.opened, seq \#(d.capaSeq)</a>"#))
        #expect(row("w2").contains(#"href="../../../../capa.html#\#(SiteLinks.capaAnchor(JSONString("CAPA-D")))">CAPA-D</a>"#))
        #expect(row("w3").contains(#"href="../../../../audit/page-0003.html#e\#(d.revalidationSeq)">revalidation.triggered"#))
        #expect(row("w3").contains("1 d 0 h after the window"))
        let overdue = try #require(finding(.drfRevalidation, "drift/w4.json"))
        #expect(row("w4").contains("Overdue") && row("w4").contains(#"findings.html#f\#(overdue)">DRF-REVALIDATION (finding \#(overdue))"#))
        #expect(row("w5").contains("Pending: not yet answered; due by <time>2026-03-19T00:00:00Z</time>"))
        #expect(!row("w1").contains("href=\"../../../../audit/"))
        // Two gaps, each before the window that follows it, with its DRF-GAP finding.
        for (w, from) in [("w4", "2026-01-22"), ("w5", "2026-02-05")] {
            let gap = try #require(finding(.drfGap, "drift/\(w).json"))
            #expect(page.contains(#"no window covers <time>\#(from)T00:00:00Z</time>"#))
            #expect(page.contains(#"findings.html#f\#(gap)">DRF-GAP (finding \#(gap))</a></td></tr>\#n<tr id="w-\#(w).json">"#))
        }
        // The psi threshold changed: two charts; the findings page points at the windows' rows.
        #expect(page.contains("<h3>psi of lactate (part 1)</h3>") && page.contains("<h3>psi of lactate (part 2)</h3>"))
        #expect(SiteChecks.text(out, "findings.html").contains(#"href="models/m/versions/1/drift.html#w-w4.json">drift/w4.json</a>"#))
        // Linked from the version page, the model page, the summary's overview and the CAPA page's windows.
        for (p, fragment) in [("models/m/versions/1.html", ""), ("models/m/index.html", ""), ("index.html", ""), ("capa.html", "#w-w2.json")] {
            let href = SiteLinks.root(of: p) + "models/m/versions/1/drift.html" + fragment
            #expect(SiteChecks.text(out, p).contains("href=\"\(href)\""), "\(p)")
        }
    }

    @Test func theSummaryOverviewCountsTheReleaseVersionsWindows() throws {
        let d = try DriftFixture()
        let out = d.f.dir.path("site")
        try SiteBuilding.build(d.f.url, out: out)
        let index = SiteChecks.text(out, "index.html")
        let row = SiteChecks.captures(#"<table class="drift-overview">[\s\S]*?<tbody>\s*(<tr>[\s\S]*?</tr>)"#, in: index).first ?? ""
        #expect(row.contains("5 windows,<br><time>2026-01-01T00:00:00Z</time> –<br><time>2026-03-05T00:00:00Z</time>"))
        let numbers = SiteChecks.captures(#"<td class="num">(\d+)</td>"#, in: row)
        #expect(numbers == ["4", "2", "1", "1"])
        #expect(row.contains("2 <a href=\"findings.html#f"))
        #expect(row.contains("✖ Drift not answered"))
        let twin = SiteChecks.text(out, "index.md")
        #expect(twin.contains("| [m@1](models/m/versions/1.md) | 5 windows, 2026-01-01T00:00:00Z – 2026-03-05T00:00:00Z | 4 | 2 | 1 | 1 | 2 "))
        let report = try JSONReader().parse(Array(SiteChecks.text(out, "report.json").utf8))
        let v = try #require(report["driftSeries"]?.arrayValue?.first)
        #expect(v["state"]?.stringValue == "overdue" && v["drifting"]?.integerValue == 4 && v["pending"]?.integerValue == 1)
        #expect(v["gaps"]?.arrayValue?.map { $0["file"]?.stringValue ?? "" } == ["drift/w4.json", "drift/w5.json"])
        let psi = v["series"]?.arrayValue?.filter { $0["metric"]?.stringValue == "psi" } ?? []
        #expect(psi.map { $0["threshold"] } == [.decimal(0.2), .decimal(0.25)])
        #expect(psi.first?["windows"]?.arrayValue?.map { $0["state"]?.stringValue ?? "" } == ["ok", "answered", "answered", "overdue"])
    }

    @Test func hostileMetricNamesStayTextInChartsTablesAndTwins() throws {
        let d = try DriftFixture(hostile: true)
        let out = d.f.dir.path("site")
        try SiteBuilding.build(d.f.url, out: out)
        for problems in [try SiteChecks.activeContent(out), try SiteChecks.links(out), try SiteChecks.tableBalance(out),
                         try SiteChecks.markdownTables(out), try DriftPageReading.check(out).problems] {
            #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        }
        let page = SiteChecks.text(out, "models/m/versions/1/drift.html")
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(SiteChecks.svgBlocks(page).count == 4)
        let twin = SiteChecks.text(out, "models/m/versions/1/drift.md")
        #expect(!twin.contains("<svg") && twin.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    }

    @Test func theCapaPageListsExceptionsOverdueFirstWithTheTimeEachStageTook() throws {
        let d = try DriftFixture()
        let out = d.f.dir.path("site")
        try SiteBuilding.build(d.f.url, out: out)
        let page = SiteChecks.text(out, "capa.html")
        let order = SiteChecks.captures(#"<tr id="(exc-[^"]*)">"#, in: page)
        #expect(order == ["exc-ex-b", "exc-ex-c", "exc-ex-a"])
        // How long it has been open; the as-of time is stated once above the table, as a time.
        #expect(page.contains("<td>open for 61 d 0 h</td>"))
        #expect(page.contains("or to the as-of time <time>2026-03-06 00:00:00Z</time> for open CAPAs"))
        #expect(page.contains("6 h 0 min after the exception"))
        #expect(page.contains("closed after 2 d 0 h"))
        #expect(page.contains(">CAPA-MISSING (finding ") && page.contains(">CAPA-OVERDUE (finding "))
        #expect(page.contains("Owner: Data team"))
        let twin = SiteChecks.text(out, "capa.md")
        #expect(twin.contains("<a id=\"exc-ex-b\"></a>ex-b") && twin.contains("open for 61 d 0 h"))
    }

    @Test func theLineBreaksAtGapsAndTheThresholdLabelCoversNoPoint() throws {
        let day: Int64 = 86400
        func point(_ startDay: Int64, _ value: Double, _ breach: Bool = false) -> DriftChart.Point? {
            DriftChart.Point(windowStart: Timestamp(seconds: startDay * day), windowEnd: Timestamp(seconds: (startDay + 7) * day),
                             value: value, breach: breach)
        }
        // Weeks 0, 7, (gap), 21, 28, 35: two runs; the last point sits just above the threshold at the right end.
        let points = [point(0, 0.1), point(7, 0.12), point(21, 0.09), point(28, 0.1), point(35, 0.27, true)].compactMap { $0 }
        let chart = DriftChart.render(title: "gap", series: points, threshold: 0.25, direction: .max)
        #expect(SiteChecks.captures(#"(<polyline)"#, in: chart.svg).count == 2)
        #expect(chart.svg.contains("The line breaks at 1 gap that no window covers."))
        let label = try #require(SiteChecks.captures(#"(<text [^>]*>threshold 0.25[^<]*</text>)"#, in: chart.svg).first)
        #expect(label.contains(#"text-anchor="start""#))
        // Overlapping windows are no gap.
        let overlapping = [point(0, 0.1), point(3, 0.2), point(9, 0.1)].compactMap { $0 }
        #expect(DriftChart.segments(overlapping).count == 1)
        let plain = DriftChart.render(title: "plain", series: [point(0, 0.1), point(7, 0.12)].compactMap { $0 }, threshold: 0.25,
                                      direction: .max)
        #expect(plain.svg.contains(##"text-anchor="end" fill="#222">threshold 0.25"##))
    }

    @Test func directionsAndDurations() {
        func metric(_ direction: String?) -> DriftMetric {
            DriftMetric(name: "x", feature: nil, value: 1, threshold: 0.5, direction: direction, breach: true)
        }
        #expect(DriftIndex.direction(metric("min"), format: "evidently-dumps") == .min)
        #expect(DriftIndex.direction(metric(nil), format: "native") == .max)
        #expect(DriftIndex.direction(metric(nil), format: "evidently-legacy") == .unstated)
        let points = [DriftChart.Point(windowStart: Timestamp(seconds: 0), windowEnd: Timestamp(seconds: 86400), value: 1, breach: true)]
        let chart = DriftChart.render(title: "custom", series: points.compactMap { $0 }, threshold: 0.5, direction: .unstated)
        #expect(chart.svg.contains("threshold 0.5 (drift side not recorded)"))
        #expect(chart.svg.contains("the record does not say which side is drift"))
        #expect(Durations.text(59) == "59 s" && Durations.text(3600 * 5 + 120) == "5 h 2 min" && Durations.text(86400 * 3 + 7200) == "3 d 2 h")
        #expect(Durations.text(-90) == "−1 min")
    }
}
