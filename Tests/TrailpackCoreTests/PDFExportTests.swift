import Foundation
import Testing
@testable import TrailpackCore

/// `trailpack pdf`: the demo site printed through real headless Chromium, read back with real
/// `pdftotext` (poppler-utils), both installed by `make deps`.
@Suite(.serialized) struct PDFExportTests {
    /// The demo pack built into `dir/site` (keys trusted as found: no trust list).
    static func demoSite(_ dir: TempDir) throws -> URL {
        let source = dir.path("source")
        _ = try DemoGenerator.generate(into: source, options: DemoOptions())
        let out = dir.path("site")
        let theme = try Theme.load(defaultFolder: Shared.repoRoot.appendingPathComponent("templates"))
        _ = try Trailpack.build(source: source.path, options: BuildOptions(output: out, theme: theme))
        return out
    }

    /// Runs a program and returns its standard output.
    static func tool(_ name: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [name] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(name) \(args) failed")
        return String(decoding: data, as: UTF8.self)
    }

    /// Each page's text, white space runs made one space.
    static func pages(_ pdf: URL) throws -> [String] {
        var pages = try tool("pdftotext", ["-enc", "UTF-8", pdf.path, "-"]).split(separator: "\u{0C}", omittingEmptySubsequences: false)
            .map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        if pages.last?.isEmpty == true { pages.removeLast() }
        return pages
    }

    @Test func theDemoSitePrintsAsOneNumberedDeterministicPack() throws {
        let dir = try TempDir()
        let site = try Self.demoSite(dir)
        let pdf = dir.path("pack.pdf")
        let result = try PDFExport.write(site: site.path, out: pdf.path)
        let pages = try Self.pages(pdf)
        #expect(pages.count == result.pageCount)
        #expect(result.passes >= 2 && result.passes <= PDFExport.maxPasses)

        // The cover: pack, release, verdict, the warning that keys were trusted as found.
        let cover = try #require(pages.first)
        #expect(cover.contains("Clinical ML models: inspection pack (demo)"))
        #expect(cover.contains("Inspection pack for release 2026.2"))
        #expect(cover.contains("Verdict:"))
        #expect(cover.contains(result.pack.cover.verdict))
        #expect(cover.contains("warning keys were trusted as found"))
        #expect(cover.contains("3000 events"))
        #expect(cover.contains("Prepared by Dr. Amélie Baptiste, Validation Lead (demo)"))

        // The contents (from page 2 to the page before the first section) lists every section
        // with the page it starts on, and that is true.
        let firstSection = try #require(result.pages.first)
        #expect(firstSection >= 3)
        let contents = pages[1..<max(2, firstSection - 1)].joined(separator: "\n")
        #expect(contents.hasPrefix("Contents"))
        let n = result.pack.sections.count
        #expect(n >= 25)
        for (k, section) in result.pack.sections.enumerated() {
            let page = result.pages[k]
            #expect(pages[page - 1].contains(PrintPack.marker(k + 1, of: n) + " " + section.path),
                    "section \(k + 1) is not on page \(page)")
            if page > 1 { #expect(!pages[page - 2].contains(PrintPack.marker(k + 1, of: n) + " ")) }
            #expect(contents.contains("\(k + 1) \(section.title) \(section.path) \(page)"))
        }
        #expect(result.pack.sections.first?.path == "index.html")
        #expect(result.pack.sections.contains { $0.path == "traceability.html" })
        // The complete trail stays out; its index is in.
        #expect(result.pack.sections.contains { $0.path == "audit/index.html" })
        #expect(!result.pack.sections.contains { $0.path.hasPrefix("audit/page-") || $0.path.hasPrefix("audit/actor/") })

        // Every page's footer: pack, release, as-of time, page x of y.
        for (i, text) in pages.enumerated() {
            #expect(text.contains("Clinical ML models: inspection pack (demo) · release 2026.2 · as of 2026-07-03 23:14:33 UTC"),
                    "page \(i + 1) has no footer")
            #expect(text.contains("page \(i + 1) of \(pages.count)"))
        }

        // No text runs into the right margin: wide tables fit (Chromium clips what does not).
        let bbox = try Self.tool("pdftotext", ["-bbox", pdf.path, "-"])
        var width = 0.0
        var overflowing: [String] = []
        for line in bbox.split(separator: "\n") {
            if let w = Self.attribute("width", in: line) { width = w }
            if line.contains("<word"), let xMax = Self.attribute("xMax", in: line), xMax > width - 30 {
                overflowing.append(String(line))
            }
        }
        #expect(overflowing.isEmpty, "text in the right margin: \(overflowing.prefix(3))")
        // Landscape where the site says a page is wide.
        let info = try Self.tool("pdfinfo", ["-f", "1", "-l", "\(pages.count)", pdf.path])
        #expect(info.contains("841.92 x 594.96"))
        #expect(info.contains("594.96 x 841.92"))

        // Dates are the as-of time, not the clock; a second print gives the same bytes.
        #expect(info.contains("CreationDate:    Fri Jul  3 23:14:33 2026 UTC"))
        let again = dir.path("again.pdf")
        let second = try PDFExport.write(site: site.path, out: again.path)
        #expect(second.sha256 == result.sha256)
        #expect(try Data(contentsOf: again) == Data(contentsOf: pdf))
        // Links between the site's pages are inert text in the PDF: no link to a temporary file.
        let raw = String(decoding: try Data(contentsOf: pdf), as: UTF8.self)
        #expect(!raw.contains("file:") && !raw.contains("trailpack-pdf-"))
    }

    /// The site's own pages, printed from the browser: a footer on every page (pack, release,
    /// page x of y; the as-of time except on the complete trail), and no near-blank page.
    @Test func theSitesPagesPrintWithFootersAndNoNearBlankPages() throws {
        let dir = try TempDir()
        let site = try Self.demoSite(dir)
        let work = dir.path("print")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let chromium = try ExternalTool.find(["chromium", "chromium-browser"], package: "chromium")
        for page in ["index.html", "audit/page-0001.html", "findings.html"] {
            let pdf = work.appendingPathComponent(page.replacingOccurrences(of: "/", with: "-") + ".pdf")
            let args = ExternalTool.headlessChromium(profile: work.appendingPathComponent("profile"))
                + ["--no-pdf-header-footer", "--print-to-pdf=" + pdf.path, site.appendingPathComponent(page).absoluteString]
            _ = try chromium.run(args, in: work, environment: ["HOME": work.path], timeout: 300)
            let pages = try Self.pages(pdf)
            #expect(!pages.isEmpty)
            for (i, text) in pages.enumerated() {
                #expect(text.contains("Clinical ML models: inspection pack (demo) · release 2026.2"), "\(page) page \(i + 1): no footer")
                #expect(text.contains("page \(i + 1) of \(pages.count)"), "\(page) page \(i + 1): no page number")
                #expect(text.contains("as of 2026-07-03 23:14:33 UTC") == !page.hasPrefix("audit/page-"), "\(page) page \(i + 1)")
                // Not nearly blank: every page but the last carries a real amount of text (the
                // complete trail, which the printed pack leaves out, keeps a big row whole instead).
                if i < pages.count - 1 && !page.hasPrefix("audit/page-") {
                    #expect(text.filter { !$0.isWhitespace }.count > 500, "\(page) page \(i + 1) is nearly blank")
                }
            }
            if page == "index.html" { #expect(pages.count <= 3, "the summary prints on \(pages.count) pages") }
            if page.hasPrefix("audit/") { #expect(pages.first?.contains("complete audit trail") == true) }
        }
    }

    static func attribute(_ name: String, in line: Substring) -> Double? {
        guard let r = line.range(of: " \(name)=\"") else { return nil }
        let rest = line[r.upperBound...]
        return rest.firstIndex(of: "\"").flatMap { Double(rest[..<$0]) }
    }

    @Test func anEditedSiteIsRefusedAndNothingIsWritten() throws {
        let dir = try TempDir()
        let site = try Self.demoSite(dir)
        let pdf = try dir.write("pack.pdf", "the previous PDF")
        let page = site.appendingPathComponent("findings.html")
        var text = try String(contentsOf: page, encoding: .utf8)
        text = text.replacingOccurrences(of: "<h1>Findings</h1>", with: "<h1>Findings (none, trust me)</h1>")
        try Data(text.utf8).write(to: page)
        #expect(throws: PrintError.checksumMismatch(site: site.path, file: "findings.html")) {
            try PDFExport.write(site: site.path, out: pdf.path)
        }
        #expect(try String(contentsOf: pdf, encoding: .utf8) == "the previous PDF")
        // A page replaced by a link to a file outside the site is refused too (PrintSiteSafetyTests).
        try FileManager.default.removeItem(at: page)
        try FileManager.default.createSymbolicLink(at: page, withDestinationURL: dir.path("pack.pdf"))
        #expect(throws: PrintError.unsafeFile(site: site.path, file: "findings.html",
                                              reason: InsideFolder.Problem.symbolicLink(component: "findings.html").reason)) {
            try PrintPack.read(site: site.path)
        }
    }

    @Test func badInputIsOneClearError() throws {
        let dir = try TempDir()
        try dir.write("empty/readme.txt", "no site here")
        #expect(throws: PrintError.notASite(dir.path("empty").path)) { try PrintPack.read(site: dir.path("empty").path) }
        try dir.write("sums/report.json", "{}")
        try dir.write("sums/SHA256SUMS", "abc  report.json\n")
        #expect(throws: PrintError.badChecksumLine(file: dir.path("sums").path + "/SHA256SUMS", line: 1)) {
            try PrintPack.read(site: dir.path("sums").path)
        }
        let escaping = String(repeating: "0", count: 64) + "  ../outside.html\n"
        try dir.write("sums/SHA256SUMS", escaping)
        #expect(throws: PrintError.unsafeChecksumPath(file: dir.path("sums").path + "/SHA256SUMS", line: 1, path: "../outside.html")) {
            try PrintPack.read(site: dir.path("sums").path)
        }
        // No browser: the error names the Debian package; the output is not created.
        let site = try Self.demoSite(dir)
        let error = #expect(throws: PrintError.self) {
            try PDFExport.write(site: site.path, out: dir.path("x.pdf").path, options: .init(chromium: dir.path("no-chromium").path))
        }
        #expect(error == .toolMissing(tool: dir.path("no-chromium").path, package: "chromium"))
        #expect(error?.localizedDescription.contains("apt-get install chromium") == true)
        #expect(!FileManager.default.fileExists(atPath: dir.path("x.pdf").path))
        // The command line: exit 2 and one line when chromium is not on PATH.
        let cli = try DiffOutputTests.executable()
        let p = Process()
        p.executableURL = cli
        p.arguments = ["pdf", site.path, "--out", dir.path("y.pdf").path]
        p.environment = ["PATH": dir.path("empty").path]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 2)
        #expect(message.contains("chromium is not on PATH: install Debian's `chromium` package"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("y.pdf").path))
    }

    @Test(arguments: [
        ("index.html", true), ("findings.html", true), ("models/a/versions/2.html", true), ("audit/index.html", true),
        ("audit/page-0001.html", false), ("audit/actor/u-x/page-0001.html", false), ("audit/model/m/page-0002.html", false),
        ("audit/action/model.approved/page-0001.html", false), ("index.md", false), ("evidence/docs/a.html", false),
        ("style.css", false),
    ])
    func whichPagesArePrinted(path: String, printed: Bool) {
        #expect(PrintPack.included(path) == printed)
    }

    /// `--out` is absent or an earlier PDF; any other file is refused before Chromium runs (and
    /// by a dry run), so a mistyped path cannot replace a record with the print.
    @Test(arguments: ["absent", "earlier PDF", "a record", "a folder", "no folder", "a link"])
    func theOutputIsAbsentOrAnEarlierPDF(_ what: String) throws {
        let dir = try TempDir()
        var out = dir.path("pack.pdf").path
        var refusal: String?
        switch what {
        case "absent": break
        case "earlier PDF": try dir.write("pack.pdf", "%PDF-1.4 an earlier print")
        case "a record":
            out = try dir.write("trailpack.json", "{\"title\": \"t\"}").path
            refusal = "it exists and is not a PDF"
        case "a folder":
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
            refusal = "it is a folder"
        case "no folder":
            out = dir.path("missing/pack.pdf").path
            refusal = "does not exist"
        default:
            try dir.write("real.pdf", "%PDF-1.4")
            #expect(symlink(dir.path("real.pdf").path, out) == 0)
            refusal = "not a regular file"
        }
        let before = TreeListing.of(dir.url)
        let message = BadInputTests.message { try PDFExport.checkOutput(out) }
        if let refusal {
            #expect(message?.contains(refusal) == true, "\(message ?? "accepted")")
            #expect(message?.contains(out) == true)
        } else {
            #expect(message == nil, "\(message ?? "")")
        }
        #expect(TreeListing.of(dir.url) == before)
    }

    @Test func readingOrderComparesNumbersAsNumbers() {
        let paths = ["narrative/sop.html", "models/m/versions/10.html", "audit/index.html", "models/m/versions/2.html",
                     "models/m/index.html", "findings.html", "index.html", "models/m/versions/2/drift.html", "datasets/d.html",
                     "findings/page-0010.html", "integrity.html", "findings/page-0002.html"]
        #expect(paths.sorted(by: PrintPack.readingOrder) == [
            "index.html", "findings.html", "findings/page-0002.html", "findings/page-0010.html", "integrity.html", "models/m/index.html", "models/m/versions/2.html", "models/m/versions/2/drift.html",
            "models/m/versions/10.html", "datasets/d.html", "narrative/sop.html", "audit/index.html",
        ])
    }

    @Test func hostileTextCannotLeaveItsPlace() {
        #expect(CSS.string("a\"b\\c</style><script>") == #""a\22 b\5c c\3c /style\3e \3c script\3e ""#)
        #expect(PrintPack.styleText("p::after { content: \"</style><script>x</script>\" }").contains("<") == false)
        var cover = PrintPack.Cover(title: "<script>alert(1)</script>", organization: "O&O", origin: "o", preparedBy: "<b>QA</b>", release: "r\"", releaseModels: [],
                                    asOf: "2026-01-01T00:00:00Z", critical: 1, major: 0, minor: 0, waived: 0, events: 1, signatures: 0,
                                    validSignatures: 0, openCapas: 0, overdueCapas: 0, root: "00", checkpoints: 0,
                                    eventsAfterLastCheckpoint: 2, trust: "t", trustList: true, generator: "g")
        cover.organization = "O&O"
        let doc = PrintPack(cover: cover, sections: [], stylesheet: "").document(pageNumbers: nil)
        #expect(!doc.contains("<script>"))
        #expect(doc.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(doc.contains("<dt>Prepared by</dt><dd>&lt;b&gt;QA&lt;/b&gt;</dd>"))
        #expect(doc.contains("1 finding: 1 critical, 0 major, 0 minor"))
        #expect(doc.contains("2 events after the last checkpoint"))
        #expect(doc.contains("default-src 'none'"))
    }

    @Test func datesAreStampedWithTheAsOfTime() {
        var bytes = Array("<</CreationDate (D:20991231235959+00'00') /ModDate (D:20991231235959+00'00')>>".utf8)
        PDFExport.stampDates(&bytes, asOf: "2026-07-04T01:14:33.339+02:00")
        #expect(String(decoding: bytes, as: UTF8.self) == "<</CreationDate (D:20260703231433+00'00') /ModDate (D:20260703231433+00'00')>>")
    }
}
