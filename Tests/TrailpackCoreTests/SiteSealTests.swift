import Foundation
import Testing
@testable import TrailpackCore

/// `verify SITE` checks the site's own files against its SHA256SUMS (INT-SITE): a page edited
/// after the build used to be reported clean, since only the evidence inside was verified.
struct SiteSealTests {
    /// The sample pack built into `<dir>/site`.
    static func site() throws -> (PackBuilder, URL) {
        let f = try PackBuilder.sample()
        let site = f.outside.path("site")
        _ = try Trailpack.build(source: f.url.path, options: BuildOptions(output: site, theme: try SiteBuilding.theme()))
        return (f, site)
    }

    static func siteFindings(_ site: URL) throws -> [String] {
        try Trailpack.verify(source: site.path, trust: nil).findings.filter { $0.rule == .intSite }.map(\.message)
    }

    enum Edit: String, CaseIterable { case page, removed, added, link, evidence, sums }

    @Test(arguments: Edit.allCases)
    func aSiteChangedAfterItsBuildIsAFinding(_ edit: Edit) throws {
        let (f, site) = try Self.site()
        defer { withExtendedLifetime(f) {} }
        #expect(try Self.siteFindings(site).isEmpty, "a site as built matches its SHA256SUMS")
        let expected: String
        switch edit {
        case .page:
            let index = site.appendingPathComponent("index.html")
            let text = try String(contentsOf: index, encoding: .utf8)
            try (text + "<p>All findings were closed.</p>").write(to: index, atomically: true, encoding: .utf8)
            expected = "site: index.html differs from its SHA-256 in the site's SHA256SUMS (changed after the build)"
        case .removed:
            try FileManager.default.removeItem(at: site.appendingPathComponent("findings.md"))
            expected = "site: findings.md is listed in the site's SHA256SUMS but no such file"
        case .added:
            try "<p>waiver</p>".write(to: site.appendingPathComponent("audit/waiver.html"), atomically: true, encoding: .utf8)
            expected = "site: audit/waiver.html is in the site but not in its SHA256SUMS"
        case .link:
            try FileManager.default.createSymbolicLink(atPath: site.appendingPathComponent("notes.html").path, withDestinationPath: "/etc/hostname")
            expected = "site: notes.html is not a regular file (a build writes only files and folders)"
        case .evidence:
            // The evidence's own registry file edited: INT-SITE names it (the registry verifies on its own).
            let reg = try #require(FileManager.default.subpathsOfDirectory(atPath: site.appendingPathComponent("evidence/registry").path)
                .first { $0.hasSuffix(".json") })
            let url = site.appendingPathComponent("evidence/registry/" + reg)
            try (try String(contentsOf: url, encoding: .utf8) + "\n").write(to: url, atomically: true, encoding: .utf8)
            expected = "site: evidence/registry/\(reg) differs from its SHA-256 in the site's SHA256SUMS (changed after the build)"
        case .sums:
            let sums = site.appendingPathComponent("SHA256SUMS")
            try ("not a checksum line\n" + (try String(contentsOf: sums, encoding: .utf8))).write(to: sums, atomically: true, encoding: .utf8)
            expected = "site: SHA256SUMS line 1 is not a `<sha256>  <path>` line of a site trailpack built"
        }
        let found = try Self.siteFindings(site)
        #expect(found == [expected])
        let report = try Trailpack.verify(source: site.path, trust: nil)
        #expect(report.fails(at: .critical))
    }

    @Test func aPackSourceHasNoSiteFindingsAndManyChangesAreCounted() throws {
        let (f, site) = try Self.site()
        #expect(try Trailpack.verify(source: f.url.path, trust: nil).findings.allSatisfy { $0.rule != .intSite })
        for i in 0..<(IntSite.maxNamed + 5) {
            try "x".write(to: site.appendingPathComponent("extra-\(i).html"), atomically: true, encoding: .utf8)
        }
        let found = try Self.siteFindings(site)
        #expect(found.count == IntSite.maxNamed + 1)
        #expect(found.contains("site: 5 more files differ from the site's SHA256SUMS"), "\(found.suffix(3))")
    }

    /// The full check docs/commands.md gives: the site's evidence built again equals the site.
    @Test func theEvidenceBuildsToTheSameSite() throws {
        let (f, site) = try Self.site()
        let again = f.outside.path("check")
        var options = BuildOptions(output: again, theme: try SiteBuilding.theme())
        options.incremental = false
        _ = try Trailpack.build(source: site.path, options: options)
        #expect(TreeListing.of(again) == TreeListing.of(site))
    }
}

/// `verify SITE --rebuild` (``SiteRebuild``): SHA256SUMS is written by whoever publishes the site,
/// so pages forged together with their checksum lines, a file removed with its line, or a
/// report.json with its findings rewritten pass the seal; the site built again from its own
/// evidence shows each of them.
struct SiteRebuildTests {
    static func rebuildFindings(_ site: URL) throws -> [String] {
        try Trailpack.verify(source: site.path, trust: nil, rebuild: RebuildOptions(theme: try SiteBuilding.theme()))
            .findings.filter { $0.rule == .intSite }.map(\.message)
    }

    /// Replaces `rel` with `bytes` and its line in SHA256SUMS (removes both when nil).
    static func forge(_ site: URL, _ rel: String, _ bytes: [UInt8]?) throws {
        let file = site.appendingPathComponent(rel)
        if let bytes { try Data(bytes).write(to: file) } else { try FileManager.default.removeItem(at: file) }
        let sums = site.appendingPathComponent("SHA256SUMS")
        let lines = try String(contentsOf: sums, encoding: .utf8).split(separator: "\n").compactMap { line -> String? in
            guard line.hasSuffix("  " + rel) else { return String(line) }
            return bytes.map { SHA256.digest($0).hex + "  " + rel }
        }
        try (lines.joined(separator: "\n") + "\n").write(to: sums, atomically: true, encoding: .utf8)
    }

    @Test func aSiteForgedWithItsChecksumsIsShownByBuildingItAgain() throws {
        let (f, site) = try SiteSealTests.site()
        defer { withExtendedLifetime(f) {} }
        #expect(try Self.rebuildFindings(site).isEmpty, "a site as built is what its evidence builds")
        let index = Array(SiteChecks.text(site, "index.html").replacingOccurrences(of: "<h1>", with: "<h1>Approved by Dr. Someone Else ").utf8)
        try Self.forge(site, "index.html", index)
        try Self.forge(site, "capa.md", nil)
        let report = try JSONReader().parse(Array(try Data(contentsOf: site.appendingPathComponent("report.json"))))
        var o = try #require(report.objectValue)
        // (The sample has no finding to hide: its findings are replaced by one that says all is well.)
        o["findings"] = .array([["rule": "NONE", "message": "all findings closed"]])
        try Self.forge(site, "report.json", Array(JSONWriter.pretty(.object(o)).utf8))
        // The seal alone is satisfied.
        #expect(try SiteSealTests.siteFindings(site).isEmpty)
        let found = try Self.rebuildFindings(site)
        #expect(found.contains("site: index.html is not what trailpack \(Trailpack.version) builds from the site's evidence with the options given"), "\(found)")
        #expect(found.contains("site: report.json is not what trailpack \(Trailpack.version) builds from the site's evidence with the options given"))
        #expect(found.contains("site: capa.md is built from the site's evidence but not in the site's SHA256SUMS"))
        #expect(found.count == 3)
        // Nothing was written into the site by building it again.
        #expect(try SiteSealTests.siteFindings(site).isEmpty)
    }

    @Test func rebuildChecksASiteNotAPackSource() throws {
        let f = try PackBuilder.sample()
        try f.write()
        #expect(throws: RebuildError.notASite(f.url.path)) {
            try Trailpack.verify(source: f.url.path, trust: nil, rebuild: RebuildOptions(theme: try SiteBuilding.theme()))
        }
    }
}
