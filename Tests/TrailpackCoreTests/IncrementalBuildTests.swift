import Foundation
import Testing
@testable import TrailpackCore

/// `trailpack build --out DIR` over an earlier site of the same pack: pages of events whose
/// inputs did not change are kept, and the site is byte for byte the one a clean build writes.
@Suite("Incremental builds")
struct IncrementalBuildTests {
    static let pageSize = 40

    /// A demo pack of 1,500 events (small pages, so that there are many of them).
    static func pack(_ tmp: TempDir, seed: UInt64 = 3) throws -> URL {
        let source = tmp.path("src")
        _ = try Trailpack.demo(out: source.path, options: DemoOptions(events: 1500, seed: seed))
        return source
    }

    /// The demo pack and a first (clean) build of it, `site`.
    static func packAndSite(_ tmp: TempDir) throws -> (source: URL, site: URL) {
        let source = try pack(tmp)
        let site = tmp.path("site")
        try build(source, site)
        return (source, site)
    }

    @discardableResult
    static func build(_ source: URL, _ out: URL, overrides: URL? = nil, incremental: Bool = true) throws -> BuildResult {
        var options = BuildOptions(output: out, theme: try SiteBuilding.theme(overrides: overrides), pageSize: pageSize,
                                   trust: try TrustList(path: source.appendingPathComponent("trust.txt").path))
        options.incremental = incremental
        // The status cache beside the site: pages are kept only from a site it recorded.
        options.cacheFolder = out.deletingLastPathComponent().appendingPathComponent("stat-cache")
        return try Trailpack.build(source: source.path, options: options)
    }

    /// Every file of a folder (relative path -> bytes).
    static func files(_ root: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let base = root.standardizedFileURL.path + "/"
        guard let walk = FileManager.default.enumerator(atPath: root.path) else { return out }
        for case let rel as String in walk {
            let full = base + rel
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
                out[rel] = try Data(contentsOf: URL(fileURLWithPath: full))
            }
        }
        return out
    }

    /// Builds `source` over `site` (incremental) and into a fresh folder (clean), and expects
    /// the two sites to be equal byte for byte; returns the incremental build's result.
    @discardableResult
    static func expectSameAsClean(_ tmp: TempDir, _ source: URL, _ site: URL, overrides: URL? = nil,
                                  sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> BuildResult {
        let result = try build(source, site, overrides: overrides)
        let clean = tmp.path("clean-\(UUID().uuidString)")
        try build(source, clean, overrides: overrides, incremental: false)
        let a = try files(site), b = try files(clean)
        #expect(a.keys.sorted() == b.keys.sorted(), sourceLocation: sourceLocation)
        let differing = a.keys.filter { a[$0] != b[$0] }.sorted()
        #expect(differing.isEmpty, "differ from a clean build: \(differing.prefix(10))", sourceLocation: sourceLocation)
        try FileManager.default.removeItem(at: clean)
        return result
    }

    /// Appends events (JSON Lines) with `record`.
    static func append(_ source: URL, _ lines: [String]) throws {
        _ = try Trailpack.record(source: source.path, input: Array((lines.joined(separator: "\n") + "\n").utf8), inputName: "append.jsonl", signKey: nil)
    }

    static func note(_ i: Int, actor: String = "svc:nightly", action: String = "monitoring.heartbeat", extra: String = "") -> String {
        let second = String(format: "%02d", i % 60), minute = String(format: "%02d", (i / 60) % 60)
        return #"{"id":"inc-\#(i)","time":"2026-11-20T10:\#(minute):\#(second)Z","action":"\#(action)","actor":{"id":"\#(actor)","kind":"service"},"subject":{"type":"model","id":"sepsis-risk"}\#(extra)}"#
    }

    @Test func appendsKeepUnchangedPagesAndEqualACleanBuild() throws {
        let tmp = try TempDir()
        let source = try Self.pack(tmp)
        let site = tmp.path("site")
        let first = try Self.build(source, site)
        #expect(first.keptPages == 0 && first.fullBuildReason == nil && first.eventPages > 60)
        // Nothing changed: every page of events is kept, linked rather than copied (same inode).
        func inode(_ rel: String) -> UInt64 {
            var st = stat()
            return lstat(site.appendingPathComponent(rel).path, &st) == 0 ? UInt64(st.st_ino) : 0
        }
        let before = inode("audit/page-0001.html")
        let again = try Self.expectSameAsClean(tmp, source, site)
        #expect(again.keptPages == again.eventPages)
        #expect(before != 0 && inode("audit/page-0001.html") == before)

        // One event, months after the last: it also moves the as-of time past a CAPA's due date,
        // so a new finding (CAPA-OVERDUE) names an earlier event and renumbers the findings after
        // it; the pages that link to those are rendered again, with the event's own page, the
        // page before it (its "next" link) and the last pages of its groups.
        try Self.append(source, [Self.note(1)])
        let one = try Self.expectSameAsClean(tmp, source, site)
        #expect(one.verifyReport.findings.count > first.verifyReport.findings.count)
        #expect(one.verifyReport.findings.contains { $0.rule == RuleID.capaOverdue && $0.seq != nil })
        #expect(one.keptPages > 0 && one.keptPages < one.eventPages)
        // Nothing new since: everything kept.
        let same = try Self.expectSameAsClean(tmp, source, site)
        #expect(same.keptPages == same.eventPages)

        // 120 events over several pages, a new actor and a new action.
        try Self.append(source, (2...121).map { Self.note($0, actor: $0 % 2 == 0 ? "svc:nightly" : "svc:other", action: $0 % 3 == 0 ? "monitoring.checked" : "monitoring.heartbeat") })
        let many = try Self.expectSameAsClean(tmp, source, site)
        #expect(many.keptPages > 0 && many.keptPages < many.eventPages)

        // An unsigned approval by someone who is not an approver.
        try Self.append(source, [Self.note(200, actor: "u:someone", action: "model.approved",
                                           extra: #","reason":"looks fine""#).replacingOccurrences(of: #""kind":"service""#, with: #""kind":"person""#)
                                           .replacingOccurrences(of: #""id":"sepsis-risk"}"#, with: #""id":"sepsis-risk","version":"3"}"#)])
        let approval = try Self.expectSameAsClean(tmp, source, site)
        #expect(approval.keptPages > 0)

        // The pages name their own events, never the log's length.
        let page1 = SiteChecks.text(site, "audit/page-0001.html")
        #expect(page1.contains("events 1–40 of the audit trail") && !page1.contains("Merkle root <span"))
    }

    @Test func aRegistryEditOrATemplateOverrideRendersWhatDependsOnIt() throws {
        let tmp = try TempDir()
        let (source, site) = try Self.packAndSite(tmp)
        // The registry's model name is a group page's label and a row's link text.
        let registry = source.appendingPathComponent("registry/models/sepsis-risk.json")
        let text = try String(contentsOf: registry, encoding: .utf8)
        try text.replacingOccurrences(of: "\"Sepsis Early-Warning Risk Classifier\"", with: "\"Sepsis Early-Warning Classifier\"")
            .write(to: registry, atomically: true, encoding: .utf8)
        let edited = try Self.expectSameAsClean(tmp, source, site)
        #expect(edited.keptPages == 0)
        #expect(SiteChecks.text(site, "audit/model/sepsis-risk/page-0001.html").contains("Sepsis Early-Warning Classifier"))

        // A theme override (an asset and the row template) renders every page again, through it.
        let theme = tmp.path("theme")
        try FileManager.default.createDirectory(at: theme, withIntermediateDirectories: true)
        let row = try String(contentsOf: SiteBuilding.templates.appendingPathComponent("compact-row.html.mustache"), encoding: .utf8)
        try (row + "<!-- override -->\n").write(to: theme.appendingPathComponent("compact-row.html.mustache"), atomically: true, encoding: .utf8)
        let overridden = try Self.expectSameAsClean(tmp, source, site, overrides: theme)
        #expect(overridden.keptPages == 0)
        #expect(SiteChecks.text(site, "audit/model/sepsis-risk/page-0001.html").contains("<!-- override -->"))
        // The same override again: everything is kept.
        let kept = try Self.expectSameAsClean(tmp, source, site, overrides: theme)
        #expect(kept.keptPages == kept.eventPages)
    }

    /// A row links an artifact's evidence copy only when the pack holds the file; the file
    /// appearing or going away changes the page (through its INT-ARTIFACT finding), so an
    /// incremental build renders it again and equals a clean one.
    @Test func anArtifactIsLinkedOnlyWhileItsFileIsThere() throws {
        let tmp = try TempDir()
        let (source, site) = try Self.packAndSite(tmp)
        let content = Array("{\"auc\": 0.91}\n".utf8)
        let digest = SHA256.digest(content).hex
        try Self.append(source, [Self.note(1, extra: #","refs":{"artifacts":[{"path":"artifacts/late-report.json","sha256":"\#(digest)"}]}"#)])
        /// The chronological page that shows the event, and its Markdown twin.
        func pages() throws -> (html: String, md: String) {
            let names = try FileManager.default.contentsOfDirectory(atPath: site.appendingPathComponent("audit").path)
                .filter { $0.hasPrefix("page-") && $0.hasSuffix(".html") }
            let page = try #require(names.first { SiteChecks.text(site, "audit/" + $0).contains("late-report.json") })
            return (SiteChecks.text(site, "audit/" + page), SiteChecks.text(site, "audit/" + page.dropLast(5) + ".md"))
        }
        // The file is missing: no link (it would lead nowhere), a note, and INT-ARTIFACT.
        try Self.expectSameAsClean(tmp, source, site)
        var shown = try pages()
        #expect(!shown.html.contains("evidence/artifacts/late-report.json") && !shown.md.contains("evidence/artifacts/late-report.json"))
        #expect(shown.html.contains("holds no readable file at this path"))
        // The file arrives with the recorded digest: the page is rendered again, with the link.
        let file = source.appendingPathComponent("artifacts/late-report.json")
        try Data(content).write(to: file)
        try Self.expectSameAsClean(tmp, source, site)
        shown = try pages()
        #expect(shown.html.contains("evidence/artifacts/late-report.json") && shown.md.contains("evidence/artifacts/late-report.json"))
        #expect(!shown.html.contains("holds no readable file at this path"))
        #expect(FileManager.default.fileExists(atPath: site.appendingPathComponent("evidence/artifacts/late-report.json").path))
        // And goes away again.
        try FileManager.default.removeItem(at: file)
        try Self.expectSameAsClean(tmp, source, site)
        shown = try pages()
        #expect(!shown.html.contains("evidence/artifacts/late-report.json"))
    }

    @Test func aRewrittenHistoryIsBuiltInFullAndSaysSo() throws {
        let tmp = try TempDir()
        let (source, site) = try Self.packAndSite(tmp)
        // The same pack written again from another seed: another history of the same length.
        try FileManager.default.removeItem(at: source)
        _ = try Self.pack(tmp, seed: 4)
        let rewritten = try Self.expectSameAsClean(tmp, source, site)
        #expect(rewritten.keptPages == 0)
        #expect(rewritten.fullBuildReason?.contains("history was rewritten") == true)

        // A shorter log than the one the site was built from (the last segment cut by 30 lines).
        let audit = source.appendingPathComponent("audit")
        let last = try #require(try FileManager.default.contentsOfDirectory(atPath: audit.path).filter { $0.hasSuffix(".jsonl") }.sorted().last)
        let lines = try String(contentsOf: audit.appendingPathComponent(last), encoding: .utf8).split(separator: "\n")
        #expect(lines.count > 30)
        try (lines.dropLast(30).joined(separator: "\n") + "\n").write(to: audit.appendingPathComponent(last), atomically: true, encoding: .utf8)
        let shorter = try Self.expectSameAsClean(tmp, source, site)
        #expect(shorter.keptPages == 0 && shorter.fullBuildReason?.contains("fewer than") == true)
    }

    @Test func aBrokenChainKeepsNothingAndRecordsNoKeys() throws {
        let tmp = try TempDir()
        let (source, site) = try Self.packAndSite(tmp)
        // An edited event (INT-HASH): page keys would prove nothing.
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: source.appendingPathComponent("audit").path)
            .filter { $0.hasSuffix(".jsonl") }.sorted().first)
        let url = source.appendingPathComponent("audit/" + segment)
        let text = try String(contentsOf: url, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "\"reason\":\"", with: "\"reason\":\"X", options: [], range: text.range(of: "\"reason\":\""))
        #expect(edited != text)
        try edited.write(to: url, atomically: true, encoding: .utf8)
        let broken = try Self.expectSameAsClean(tmp, source, site)
        #expect(broken.verifyReport.findings.contains { $0.rule == RuleID.intHash })
        #expect(broken.keptPages == 0 && broken.fullBuildReason?.contains("chain did not verify") == true)
        let state = try #require(BuildState.decode(Array(try Data(contentsOf: site.appendingPathComponent(BuildState.fileName)))))
        #expect(state.keys.isEmpty && state.treeSize == Int64(broken.verifyReport.integrity.treeSize))
    }

    @Test func aChangedPreviousSiteStopsTheBuildAndCleanRendersAll() throws {
        let tmp = try TempDir()
        let (source, site) = try Self.packAndSite(tmp)
        try Self.append(source, [Self.note(1)])
        // Someone edits a page of the published site (SHA256SUMS no longer matches it).
        let page = site.appendingPathComponent("audit/page-0002.html")
        let forged = SiteChecks.text(site, "audit/page-0002.html").replacingOccurrences(of: "<h1>", with: "<h1>Forged ")
        try forged.write(to: page, atomically: true, encoding: .utf8)
        #expect { try Self.build(source, site) } throws: { error in
            (error as? ReuseError) != nil && error.localizedDescription.contains("audit/page-0002.html")
                && error.localizedDescription.contains("--clean")
        }
        // Nothing was written: the site is as it was.
        #expect(SiteChecks.text(site, "audit/page-0002.html") == forged)
        // --clean renders every page and replaces the forged one.
        let clean = try Self.build(source, site, incremental: false)
        #expect(clean.keptPages == 0 && !SiteChecks.text(site, "audit/page-0002.html").contains("Forged"))
        let after = try Self.expectSameAsClean(tmp, source, site)
        #expect(after.keptPages == after.eventPages)
    }

    @Test func aKeptPageIsNeverReadThroughASymbolicLink() throws {
        let tmp = try TempDir()
        let (source, site) = try Self.packAndSite(tmp)
        // The same bytes, but behind a link (it could lead anywhere): not kept, the build stops.
        let page = site.appendingPathComponent("audit/page-0003.md")
        let copy = tmp.path("elsewhere.md")
        try FileManager.default.copyItem(at: page, to: copy)
        try FileManager.default.removeItem(at: page)
        try FileManager.default.createSymbolicLink(at: page, withDestinationURL: copy)
        #expect(throws: ReuseError.self) { try Self.build(source, site) }
        var st = stat()
        #expect(lstat(page.path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK)
        let clean = try Self.build(source, site, incremental: false)
        #expect(clean.keptPages == 0)
        #expect(lstat(page.path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG)
    }

    @Test func buildStateReadsBackAndRefusesOtherFormats() throws {
        let state = BuildState(treeSize: 3, head: SHA256.digest([1, 2, 3]), keys: ["audit/page-0001": SHA256.digest([4]), "audit/a/b/page-0001": SHA256.digest([5])])
        #expect(BuildState.decode(state.encoded()) == state)
        #expect(BuildState.decode(Array(#"{"format":"other","pages":{},"treeSize":3}"#.utf8)) == nil)
        #expect(BuildState.decode(Array(#"{"format":"trailpack-build-state/1","pages":{"p":"zz"},"treeSize":3}"#.utf8)) == nil)
        #expect(BuildState.decode(Array("not json".utf8)) == nil)
        // SHA256SUMS: only `<64 hex>  <path>` lines; the first digest of a path listed twice.
        let a = SHA256.digest([1]).hex, b = SHA256.digest([2]).hex
        let sums = PreviousSite.digests(sums: Array("\(a)  x.html\n\(b)  x.html\n\\\(a)  y\\nz\n\(a) one-space\nshort  x\n".utf8))
        #expect(sums.count == 1 && sums["x.html"]?.hex == a)
    }
}
