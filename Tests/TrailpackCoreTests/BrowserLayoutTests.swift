import Foundation
import Testing
@testable import TrailpackCore

/// Every page of the demo site opened in real headless Chromium at 1280 px wide: no table cell's
/// content is wider than the cell (issue 13's acceptance). One browser run loads each page in
/// turn in an iframe of a harness page and measures every `td` and `th`.
@Suite(.serialized) struct BrowserLayoutTests {
    /// The cells whose content is wider than the cell, by page (path relative to `site`); pages
    /// that could not be measured are reported as such.
    static func overflowingCells(site: URL, pages: [String], work: URL) throws -> [String: [String]] {
        let urls = pages.map { site.appendingPathComponent($0).absoluteString }
        let list = String(decoding: try JSONEncoder().encode(urls), as: UTF8.self)
        let script = """
        const pages = \(list);
        const lines = [];
        let i = 0;
        function next() {
          if (i >= pages.length) { document.getElementById('result').textContent = 'BEGIN\\n' + lines.join('\\n') + '\\nEND'; return; }
          const f = document.createElement('iframe');
          f.style.width = '1280px'; f.style.height = '900px'; f.style.border = '0';
          f.onload = () => {
            let line = String(i);
            try {
              for (const c of f.contentDocument.querySelectorAll('td, th')) {
                if (c.scrollWidth > c.clientWidth + 1) {
                  line += '\\t' + encodeURIComponent(c.textContent.trim().slice(0, 80) + ' (' + c.scrollWidth + ' px in ' + c.clientWidth + ')');
                }
              }
            } catch (e) { line += '\\t' + encodeURIComponent('not measured: ' + e); }
            lines.push(line);
            f.remove(); i++; next();
          };
          f.src = pages[i];
          document.body.appendChild(f);
        }
        window.onload = next;
        """
        try Data(script.utf8).write(to: work.appendingPathComponent("harness.js"))
        try Data("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><script src=\"harness.js\"></script></head><body><pre id=\"result\"></pre></body></html>".utf8)
            .write(to: work.appendingPathComponent("harness.html"))
        let chromium = try ExternalTool.find(["chromium", "chromium-browser"], package: "chromium")
        let args = ExternalTool.headlessChromium(profile: work.appendingPathComponent("profile"))
            + ["--allow-file-access-from-files", "--window-size=1300,1000", "--virtual-time-budget=600000", "--dump-dom",
               work.appendingPathComponent("harness.html").absoluteString]
        let dom = String(decoding: try chromium.run(args, in: work, environment: ["HOME": work.path], timeout: 600), as: UTF8.self)
        let begin = try #require(dom.range(of: "BEGIN\n"), "the harness did not finish")
        let end = try #require(dom.range(of: "\nEND", range: begin.upperBound..<dom.endIndex))
        var result: [String: [String]] = [:]
        var measured = Set<Int>()
        for line in dom[begin.upperBound..<end.lowerBound].split(separator: "\n") {
            let fields = line.split(separator: "\t")
            guard let first = fields.first, let i = Int(first), pages.indices.contains(i) else { continue }
            measured.insert(i)
            let cells = fields.dropFirst().map { $0.removingPercentEncoding ?? String($0) }
            if !cells.isEmpty { result[pages[i]] = cells }
        }
        for i in pages.indices where !measured.contains(i) { result[pages[i]] = ["not measured"] }
        return result
    }

    static func htmlPages(_ site: URL) throws -> [String] {
        try CommittedSiteTests.files(site).filter { $0.hasSuffix(".html") && !$0.hasPrefix("evidence/") }
    }

    @Test func noTableCellOverflowsOnAnyPageOfTheDemo() throws {
        let dir = try TempDir()
        let source = dir.path("source")
        _ = try DemoGenerator.generate(into: source, options: DemoOptions())
        let site = dir.path("site")
        let theme = try Theme.load(defaultFolder: Shared.repoRoot.appendingPathComponent("templates"))
        let trust = try TrustList(path: "trust.txt", text: String(contentsOf: source.appendingPathComponent("trust.txt"), encoding: .utf8))
        _ = try Trailpack.build(source: source.path, options: BuildOptions(output: site, theme: theme, trust: trust))
        let pages = try Self.htmlPages(site)
        #expect(pages.count >= 90)
        let work = dir.path("browser")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let overflowing = try Self.overflowingCells(site: site, pages: pages, work: work)
        #expect(overflowing.isEmpty, "\(overflowing.count) pages with overflowing cells: \(overflowing.sorted { $0.key < $1.key }.prefix(3))")
    }

    /// The check itself: a cell whose unbreakable content is wider than its fixed column is caught.
    @Test func theCheckCatchesAnOverflowingCell() throws {
        let dir = try TempDir()
        try dir.write("site/bad.html", """
        <!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
        <table style="table-layout: fixed; width: 300px"><tr><td style="white-space: nowrap">2026-01-05T07:02:59.855+01:00 2026-01-05T06:02:59.855Z (UTC)</td><td>b</td></tr></table>
        </body></html>
        """)
        try dir.write("site/good.html", "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><table><tr><td>fits</td></tr></table></body></html>")
        let work = dir.path("browser")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let result = try Self.overflowingCells(site: dir.path("site"), pages: ["bad.html", "good.html"], work: work)
        #expect(result.keys.sorted() == ["bad.html"])
        #expect(result["bad.html"]?.first?.hasPrefix("2026-01-05T07:02:59.855+01:00") == true)
    }
}
