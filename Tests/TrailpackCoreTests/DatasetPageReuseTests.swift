import Foundation
import Testing
@testable import TrailpackCore

/// Dataset pages show no per-build value (``SiteContext/rangeSite``) and are keyed by their whole
/// template value (``PageKeys/key(base:kind:value:)``): an incremental build keeps those whose
/// lineage did not change, and renders again those of a dataset an appended event touches.
@Suite("Dataset page reuse")
struct DatasetPageReuseTests {
    typealias Inc = IncrementalBuildTests

    static func inode(_ site: URL, _ rel: String) -> UInt64 {
        var st = stat()
        return lstat(site.appendingPathComponent(rel).path, &st) == 0 ? UInt64(st.st_ino) : 0
    }

    @Test func datasetPagesAreKeptWhileWhatTheLogRecordsOfThemIsUnchanged() throws {
        let tmp = try TempDir()
        let (source, site) = try Inc.packAndSite(tmp)
        let checked = "datasets/ehr-ingest-medications/page-0001.html", other = "datasets/aki-train/page-0001.html"
        let page = SiteChecks.text(site, other)
        // No as-of time, size or root on the page: it names its versions, and why.
        #expect(page.contains("versions 1–") && page.contains("depends only on what the log records of these versions"))
        #expect(!page.contains("Merkle root <span"))
        let (a, b) = (Self.inode(site, checked), Self.inode(site, other))

        // An event that is not about a dataset: every dataset page is kept (linked, same inode).
        try Inc.append(source, [Inc.note(1)])
        try Inc.expectSameAsClean(tmp, source, site)
        #expect(Self.inode(site, checked) == a && Self.inode(site, other) == b)

        // A quality check of one dataset's version: that dataset's page is rendered again.
        try Inc.append(source, [#"{"id":"inc-dq-1","time":"2026-11-20T11:00:00Z","action":"dataset.quality_checked","actor":{"id":"svc:data-pipeline","kind":"service"},"subject":{"type":"dataset","id":"ehr-ingest-medications","version":"2026-01-06T06:39"},"data":{"checks":["late check"],"passed":false}}"#])
        try Inc.expectSameAsClean(tmp, source, site)
        #expect(Self.inode(site, other) == b)
        let folder = site.appendingPathComponent("datasets/ehr-ingest-medications")
        let pages = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".html") }.sorted()
        let shown = pages.filter { SiteChecks.text(site, "datasets/ehr-ingest-medications/" + $0).contains("late check") }
        #expect(shown.count == 1)
        if shown.first == "page-0001.html" { #expect(Self.inode(site, checked) != a) }
    }
}
