import Foundation
import Testing
@testable import TrailpackCore

/// The `diff` command's Markdown/HTML and the site's changes page word each changed row the same
/// way: one text per cell (`RequirementState.cell`, `DriftState.cell`, `VersionState.cell`,
/// `SignatureRecord.signedBy`).
struct DiffCellsTests {
    @Test func bothRenderersShowTheSameCellTexts() throws {
        let tmp = try TempDir()
        try DiffOutputTests.releases(tmp)
        let d = try Trailpack.diff(old: tmp.path("old"), new: tmp.path("new"), trust: nil)
        try BuildPreviousTests.build(tmp.path("new"), out: tmp.path("site"), previous: tmp.path("old").path)
        let page = BuildPreviousTests.plain(try String(contentsOf: tmp.path("site/changes.md"), encoding: .utf8))
        let html = try String(contentsOf: tmp.path("site/changes.html"), encoding: .utf8)
        let document = try d.document(theme: SiteBuilding.theme())
        let diffMarkdown = BuildPreviousTests.plain(document.markdownBody)
        var cells: [String] = []
        for r in d.requirements { cells += [RequirementState.cell(r.old), RequirementState.cell(r.new)] }
        for w in d.drift { cells += [DriftState.cell(w.old), DriftState.cell(w.new)] }
        for v in d.versions { cells += [VersionState.cell(v.old), VersionState.cell(v.new)] }
        for s in d.signatures { cells.append(s.signedBy) }
        #expect(cells.contains("drift, answered") && cells.contains { $0.hasPrefix("2: untested") })
        for cell in cells where cell != "–" {
            #expect(diffMarkdown.contains(cell), "diff Markdown lacks \(cell)")
            #expect(page.contains(cell), "changes.md lacks \(cell)")
            #expect(document.htmlBody.contains(Escape.html(cell)) && html.contains(Escape.html(cell)), "an HTML form lacks \(cell)")
        }
    }
}
