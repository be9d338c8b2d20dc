import Foundation
import Testing
@testable import TrailpackCore

/// `trailpack build SOURCE --previous OLD`: the "changes since" page, its twin, the nav entry,
/// the `previous` member of report.json, and the exit status.
@Suite("Build with --previous")
struct BuildPreviousTests {
    @discardableResult
    static func build(_ source: URL, out: URL, previous: String?) throws -> BuildResult {
        var options = BuildOptions(output: out, theme: try SiteBuilding.theme())
        options.previous = previous
        return try Trailpack.build(source: source.path, options: options)
    }

    static func report(_ site: URL) throws -> JSONValue {
        try JSONReader().parse(Array(try Data(contentsOf: site.appendingPathComponent("report.json"))))
    }

    /// Every site check of SiteChecks: links and anchors, active content, HTML and Markdown tables.
    static func expectSound(_ site: URL) throws {
        for problems in [try SiteChecks.links(site), try SiteChecks.activeContent(site), try SiteChecks.tableBalance(site),
                         try SiteChecks.markdownTables(site)] {
            #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        }
    }

    /// The text of `html` between two markers (empty when either is missing).
    static func slice(_ text: String, from: String, to: String) -> String {
        guard let a = text.range(of: from), let b = text.range(of: to, range: a.upperBound..<text.endIndex) else { return "" }
        return String(text[a.upperBound..<b.lowerBound])
    }

    /// Markdown with its backslash escapes removed, for comparing text.
    static func plain(_ md: String) -> String {
        md.replacingOccurrences(of: #"\\([!-/:-@\[-`{-~])"#, with: "$1", options: .regularExpression)
    }

    /// `(label, count)` of the rows of a two-column count table of the changes page.
    static func countRows(_ html: String) -> [String] {
        SiteChecks.captures(#"<tr><th scope="row">((?:<a [^>]*>)?[^<]*(?:</a>)?</th><td class="num">\d+)</td></tr>"#, in: html)
            .map { $0.replacingOccurrences(of: #"<[^>]*>"#, with: " ", options: .regularExpression)
                .split(separator: " ").joined(separator: " ") }
    }

    // MARK: A cut pack against the full pack

    @Test(arguments: [1, 8, 13])
    func cutPackAgainstTheFullPack(k: Int) throws {
        let tmp = try TempDir()
        var f = try DiffTests.grown()
        f.checkpointSizes = [k]
        try f.write(to: tmp.path("old"), events: k)
        try Self.build(tmp.path("old"), out: tmp.path("old-site"), previous: nil)
        try f.write(to: tmp.path("new"))
        let site = tmp.path("site")
        let result = try Self.build(tmp.path("new"), out: site, previous: tmp.path("old-site").path)
        let d = try #require(result.diff)
        #expect(d.integrity.verdict == .extended && !d.hasRegression)
        #expect(result.files.contains("changes.html") && result.files.contains("changes.md"))

        // Exactly the added events, by action, in both formats.
        let added = f.events[k...]
        let expected = DiffTests.counts(added) { $0["action"]?.stringValue ?? "" }.map { "\($0.key) \($0.count)" }
        let html = SiteChecks.text(site, "changes.html")
        #expect(html.contains("<title>Changes since release 2026.1 · Diff test</title>"))
        #expect(Self.countRows(Self.slice(html, from: #"<th scope="col">Action</th>"#, to: #"<th scope="col">Actor</th>"#)) == expected)
        let md = Self.plain(SiteChecks.text(site, "changes.md"))
        let mdActions = Self.slice(md, from: "| Action | Events |", to: "| Actor | Events |")
        let mdRows = SiteChecks.captures(#"\n\| (\[[^\]]*\]\(audit/action/[^)]*\) \| \d+) \|"#, in: mdActions)
            .map { $0.replacingOccurrences(of: #"^\[([^\]]*)\]\([^)]*\) \| "#, with: "$1 ", options: .regularExpression) }
        #expect(mdRows == expected)
        #expect(html.contains("✔ EXTENDED") && md.contains("✔ EXTENDED"))
        // Both carry the name 2026.1 with other contents: the build warns.
        #expect(result.diff?.sameNameWarning?.hasPrefix("--previous holds release \"2026.1\" too, with other contents (extended)") == true)
        // The approval of version 2 (seq 14) links to its row of the trail.
        if k < 14 { #expect(html.contains(#"href="audit/page-0001.html#e14">seq 14</a>"#)) }

        // report.json: the proof re-verifies against the two roots.
        let report = try Self.report(site)
        let previous = try #require(report["previous"])
        #expect(previous["label"]?.stringValue == tmp.path("old-site").path && previous["release"]?.stringValue == "2026.1")
        let proof = try #require(previous["integrity"]?["proof"])
        let hashes = try #require(proof["hashes"]?.arrayValue).map { try #require(SHA256.Digest(hex: $0.stringValue ?? "")) }
        let root1 = try #require(SHA256.Digest(hex: proof["root1"]?.stringValue ?? ""))
        let root2 = try #require(SHA256.Digest(hex: proof["root2"]?.stringValue ?? ""))
        #expect(proof["size1"]?.integerValue == Int64(k) && proof["size2"]?.integerValue == Int64(f.events.count))
        #expect(root2.hex == report["integrity"]?["root"]?.stringValue)
        #expect(root1.hex == (try Trailpack.verify(source: tmp.path("old").path, trust: nil)).integrity.root.hex)
        try MerkleTree.verifyConsistency(size1: UInt64(k), size2: UInt64(f.events.count), root1: root1, root2: root2, proof: hashes)
        #expect(previous["summary"]?["eventsAdded"]?.integerValue == Int64(added.count))
        #expect(previous["regressions"]?.arrayValue?.isEmpty == true)
        for hex in hashes.map(\.hex) { #expect(html.contains("<li><span class=\"digest\">\(hex)</span></li>") && md.contains("1. \(hex)")) }

        // Linked from the summary and from the nav of every page.
        #expect(SiteChecks.text(site, "index.html").contains(#"<h2 id="changes">Changes since release 2026.1</h2>"#))
        #expect(SiteChecks.text(site, "audit/index.html").contains(#"<li><a href="../changes.html">Changes</a></li>"#))
        #expect(SiteChecks.text(site, "index.md").contains("[Changes](changes.md)"))
        #expect(html.contains(#"<a href="changes.html" aria-current="page">Changes</a>"#))
        try Self.expectSound(site)
    }

    // MARK: History rewritten

    @Test func rewrittenHistoryIsShownAndNamesTheEvent() throws {
        let tmp = try TempDir()
        var f = try DiffTests.grown()
        try f.write(to: tmp.path("old"), events: 8)
        var e = f.events[3]
        e["reason"] = JSONValue("quietly edited")
        f.events[3] = e
        f.checkpointSizes = [f.events.count]
        try f.write(to: tmp.path("new"))
        let site = tmp.path("site")
        let result = try Self.build(tmp.path("new"), out: site, previous: tmp.path("old").path)
        #expect(!result.verifyReport.fails(at: .major), "the findings exit status is NEW's own")
        let d = try #require(result.diff)
        #expect(d.integrity.verdict == .rewritten && d.regressions.first?.kind == .historyRewritten)
        let html = SiteChecks.text(site, "changes.html"), md = Self.plain(SiteChecks.text(site, "changes.md"))
        for page in [html, md] {
            #expect(page.contains("✖ REWRITTEN: history rewritten since release 2026.1"))
            #expect(page.contains("History rewritten.") && page.contains("First difference: event 4"))
            #expect(page.contains("history-rewritten"))
            #expect(page.contains("e-4") && page.contains("audit/0001.jsonl:4"))
        }
        #expect(html.contains(#"<a href="audit/page-0001.html#e4">event 4</a>"#))
        #expect(SiteChecks.text(site, "index.html").contains("✖ REWRITTEN"))
        let previous = try #require(try Self.report(site)["previous"])
        #expect(previous["integrity"]?["verdict"]?.stringValue == "rewritten")
        #expect(previous["integrity"]?["firstDifference"]?["new"]?["id"]?.stringValue == "e-4")
        #expect(previous["regressions"]?.arrayValue?.first?["kind"]?.stringValue == "history-rewritten")
        try Self.expectSound(site)

        // The command line: rewritten history alone does not fail the build; --fail-on-regression does.
        let args = ["build", tmp.path("new").path, "--out", tmp.path("cli").path, "--previous", tmp.path("old").path]
        let plain = try DiffOutputTests.run(args)
        #expect(plain.status == 0 && plain.out.contains("since release 2026.1: rewritten"))
        #expect(try DiffOutputTests.run(args + ["--fail-on-regression"]).status == 1)
        #expect(FileManager.default.fileExists(atPath: tmp.path("cli/changes.html").path))
    }

    // MARK: A site against itself, determinism, no --previous

    @Test func siteAgainstItselfShowsNoChange() throws {
        let tmp = try TempDir()
        let f = try DiffTests.grown()
        try f.write(to: tmp.path("pack"))
        let site = tmp.path("site")
        let plain = try Self.build(tmp.path("pack"), out: site, previous: nil)
        #expect(plain.diff == nil && !plain.files.contains("changes.html"))
        #expect(try Self.report(site)["previous"] == .null)
        #expect(!SiteChecks.text(site, "index.html").contains("changes.html"))
        // OLD may be the output folder itself: it is read completely before the new site replaces it.
        let result = try Self.build(tmp.path("pack"), out: site, previous: site.path)
        let d = try #require(result.diff)
        #expect(d.isUnchanged && d.integrity.verdict == .identical && !d.hasRegression)
        #expect(d.sameNameWarning == nil)
        let html = SiteChecks.text(site, "changes.html")
        #expect(html.contains("✔ IDENTICAL") && html.contains("No changes.") && html.contains("the proof is empty"))
        #expect(html.contains("<tr><td colspan=\"2\">None.</td></tr>"))
        #expect(try Self.report(site)["previous"]?["summary"]?["unchanged"] == .bool(true))
        try Self.expectSound(site)
        // Deterministic: the same build again gives the same bytes.
        let again = tmp.path("again")
        try FileManager.default.copyItem(at: site, to: tmp.path("old-copy"))
        try Self.build(tmp.path("pack"), out: again, previous: tmp.path("old-copy").path)
        try Self.build(tmp.path("pack"), out: tmp.path("again2"), previous: tmp.path("old-copy").path)
        #expect(try SiteBuilding.snapshot(again) == SiteBuilding.snapshot(tmp.path("again2")))
        // The CLI with --fail-on-regression: no regression, exit 0.
        let cli = try DiffOutputTests.run(["build", tmp.path("pack").path, "--out", tmp.path("cli").path, "--previous", site.path,
                                           "--fail-on-regression"])
        #expect(cli.status == 0 && cli.out.contains("since release 2026.1: identical, 0 events added, 0 regressions"))
    }

    // MARK: OLD cannot be read

    @Test func unreadableOldWritesNothing() throws {
        let tmp = try TempDir()
        let f = try DiffTests.grown()
        try f.write(to: tmp.path("pack"))
        #expect(throws: (any Error).self) { try Self.build(tmp.path("pack"), out: tmp.path("site"), previous: tmp.path("missing").path) }
        #expect(!FileManager.default.fileExists(atPath: tmp.path("site").path))
        // An existing site stays as it was.
        try Self.build(tmp.path("pack"), out: tmp.path("site"), previous: nil)
        let before = try SiteBuilding.snapshot(tmp.path("site"))
        try tmp.write("bad/trailpack.json", "{not json")
        #expect(throws: (any Error).self) { try Self.build(tmp.path("pack"), out: tmp.path("site"), previous: tmp.path("bad").path) }
        #expect(try SiteBuilding.snapshot(tmp.path("site")) == before)
        let args = ["build", tmp.path("pack").path, "--out", tmp.path("cli").path]
        #expect(try DiffOutputTests.run(args + ["--previous", tmp.path("missing").path]).status == 2)
        #expect(try DiffOutputTests.run(args + ["--fail-on-regression"]).status == 2)
        #expect(!FileManager.default.fileExists(atPath: tmp.path("cli").path))
        let help = try DiffOutputTests.run(["build", "--help"])
        #expect(help.out.contains("--previous OLD") && help.out.contains("--fail-on-regression"))
    }

    // MARK: Hostile strings

    @Test func hostileStringsAreEscaped() throws {
        let tmp = try TempDir()
        let evil = "u:<script>alert(1)</script>|*x*"
        var f = try PackBuilder.diffBaseline()
        f.releaseName = "<img src=x onerror=alert(1)>|*r*"
        f.file("drift/w1.json", PackBuilder.driftWindow("1", week: 0, drift: true))
        let oldPath = tmp.path("old <b>|x")
        try f.write(to: oldPath)
        try f.trained("2", actor: evil)
        try f.test("T-<i>1", "2", ["URS-01"], pass: true, actor: evil)
        try f.test("T-2", "1", ["URS-02"], pass: false)
        try f.approve("2")
        f.file("drift/w2.json", PackBuilder.driftWindow("2", week: 2, drift: true))
        f.riskVersions([("1", "archived"), ("2", "production")])
        f.releaseName = "2026.2"
        try f.write(to: tmp.path("new"))
        let site = tmp.path("site")
        let result = try Self.build(tmp.path("new"), out: site, previous: oldPath.path)
        let d = try #require(result.diff)
        #expect(d.events.byActor.contains { $0.key == evil } && d.hasRegression)
        let html = SiteChecks.text(site, "changes.html"), md = SiteChecks.text(site, "changes.md")
        #expect(!html.contains("<script") && !html.contains("<img") && !html.contains("<b>") && !html.contains("<i>1"))
        #expect(html.contains("u:&lt;script&gt;alert(1)&lt;/script&gt;|*x*"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;|*r*") && html.contains("old &lt;b&gt;|x"))
        #expect(md.contains(#"u:&lt;script&gt;alert(1)&lt;/script&gt;\|\*x\*"#) && !md.contains("<script") && !md.contains("<img"))
        #expect(!SiteChecks.text(site, "index.html").contains("<img"))
        try Self.expectSound(site)
    }
}
