import Foundation
import Testing
@testable import TrailpackCore

/// The cache of the status of a site's pages of events (``SiteStatCache``): an incremental build
/// keeps a page whose files still have the status recorded for their digest without hashing them,
/// the result is still byte for byte a clean build, and a page changed after the build is still
/// caught.
@Suite("Site status cache")
struct SiteStatCacheTests {
    typealias Inc = IncrementalBuildTests

    @discardableResult
    static func build(_ source: URL, _ out: URL, cache: URL, incremental: Bool = true) throws -> BuildResult {
        var options = BuildOptions(output: out, theme: try SiteBuilding.theme(overrides: nil), pageSize: Inc.pageSize,
                                   trust: try TrustList(path: source.appendingPathComponent("trust.txt").path))
        options.incremental = incremental
        options.cacheFolder = cache
        return try Trailpack.build(source: source.path, options: options)
    }

    /// The demo pack built once into `site`, with its status cache in `cache`, in `tmp`.
    struct Built {
        let tmp: TempDir
        let source: URL, site: URL, cache: URL
    }

    static func builtWithCache() throws -> Built {
        let tmp = try TempDir()
        let source = try Inc.pack(tmp)
        let site = tmp.path("site"), cache = tmp.path("cache")
        try build(source, site, cache: cache)
        return Built(tmp: tmp, source: source, site: site, cache: cache)
    }

    /// The fingerprints the cache file of `site` holds (0 when there is none).
    static func recorded(_ cache: URL, _ site: URL) -> Int {
        SiteStatCache.load(folder: cache, site: site)?.fingerprints.count ?? 0
    }

    @Test func aRebuildThroughTheCacheKeepsPagesAndEqualsACleanBuild() throws {
        let tmp = try TempDir()
        let source = try Inc.pack(tmp)
        let site = tmp.path("site"), cache = tmp.path("cache")
        let first = try Self.build(source, site, cache: cache)
        // Two files per page of events and dataset page; those changed in the clock's last tick may be left out.
        let n = Self.recorded(cache, site)
        let datasetPages = (FileManager.default.enumerator(atPath: site.appendingPathComponent("datasets").path)?.allObjects ?? [])
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".html") && $0.contains("/page-") }.count
        #expect(datasetPages > 0)
        // And each log segment twice: its copy in the site and the source file it was copied from.
        let segments = try FileManager.default.contentsOfDirectory(atPath: site.appendingPathComponent("evidence/audit").path)
            .filter { $0.hasSuffix(".jsonl") }.count
        #expect(n > first.eventPages && n <= 2 * (first.eventPages + datasetPages + segments))
        // The files as published match what was recorded for their digests.
        let loaded = try #require(SiteStatCache.load(folder: cache, site: site))
        let sums = PreviousSite.digests(sums: Array(try Data(contentsOf: site.appendingPathComponent("SHA256SUMS"))))
        var st = stat()
        let held = try ["audit/page-0001.html", "audit/page-0001.md", "audit/page-0005.html"].filter { rel in
            #expect(stat(site.appendingPathComponent(rel).path, &st) == 0)
            return loaded.holds(st, digest: try #require(sums[rel]))
        }
        #expect(held.count == 3)
        try Inc.append(source, [Inc.note(1), Inc.note(2, actor: "u:new", action: "model.note")])
        let again = try Self.build(source, site, cache: cache)
        #expect(again.keptPages > 0 && again.keptPages < again.eventPages)
        let clean = tmp.path("clean")
        try Inc.build(source, clean, incremental: false)
        let a = try Inc.files(site), b = try Inc.files(clean)
        #expect(a.keys.sorted() == b.keys.sorted())
        #expect(a.keys.filter { a[$0] != b[$0] }.isEmpty)
        // The cache was written again for the new site, and a dry run leaves it alone.
        let before = try Data(contentsOf: URL(fileURLWithPath: SiteStatCache.file(folder: cache, site: site).path))
        var dry = BuildOptions(output: site, theme: try SiteBuilding.theme(overrides: nil), pageSize: Inc.pageSize,
                               trust: try TrustList(path: source.appendingPathComponent("trust.txt").path))
        dry.dryRun = true
        dry.cacheFolder = cache
        _ = try Trailpack.build(source: source.path, options: dry)
        #expect(try Data(contentsOf: URL(fileURLWithPath: SiteStatCache.file(folder: cache, site: site).path)) == before)
    }

    @Test func aPageChangedAfterTheBuildIsHashedAndRefusedEvenWithItsTimesPutBack() throws {
        let built = try Self.builtWithCache()
        let (source, site, cache) = (built.source, built.site, built.cache)
        try Inc.append(source, [Inc.note(1)])
        // Same size, same modification time: only the change time (set by the kernel) differs.
        let page = site.appendingPathComponent("audit/page-0002.html")
        var st = stat()
        #expect(stat(page.path, &st) == 0)
        let text = SiteChecks.text(site, "audit/page-0002.html")
        let forged = text.replacingOccurrences(of: "Audit trail", with: "Audit Trail")
        #expect(forged != text && forged.utf8.count == text.utf8.count)
        Thread.sleep(forTimeInterval: 0.02)
        try Data(forged.utf8).write(to: page)
        var times = [st.st_atim, st.st_mtim]
        #expect(utimensat(AT_FDCWD, page.path, &times, 0) == 0)
        #expect { try Self.build(source, site, cache: cache) } throws: { error in
            (error as? ReuseError) != nil && error.localizedDescription.contains("audit/page-0002.html")
        }
    }

    @Test func aForgedCacheEntryKeepsTheEditedPageUnderItsOldDigestWhichVerifyReports() throws {
        // The cache is not evidence: whoever can write it can also rewrite the site's SHA256SUMS.
        // A page kept through a forged entry is published under the digest its build gave it,
        // so the new site no longer matches its own SHA256SUMS (INT-SITE).
        let built = try Self.builtWithCache()
        let (source, site, cache) = (built.source, built.site, built.cache)
        try Inc.append(source, [Inc.note(1)])
        let rel = "audit/page-0002.html"
        let page = site.appendingPathComponent(rel)
        let forged = SiteChecks.text(site, rel).replacingOccurrences(of: "<h1>", with: "<h1>Forged ")
        try Data(forged.utf8).write(to: page)
        // The entry of the edited file, as a build would have recorded it for the old digest.
        let sums = PreviousSite.digests(sums: Array(try Data(contentsOf: site.appendingPathComponent("SHA256SUMS"))))
        let digest = try #require(sums[rel])
        var st = stat()
        #expect(stat(page.path, &st) == 0)
        let file = SiteStatCache.file(folder: cache, site: site).path
        var text = try String(contentsOfFile: file, encoding: .utf8)
        text += SiteStatCache.fingerprint(st, digest: digest).hex + "\n"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        try Self.build(source, site, cache: cache)
        #expect(SiteChecks.text(site, rel).contains("Forged"))
        let intSite = try Trailpack.verify(source: site.path, trust: nil).findings.filter { $0.rule == .intSite }
        #expect(intSite.contains { $0.message.contains(rel) })
    }

    /// The previous site can be written by others: a page forged together with its line in
    /// SHA256SUMS is not kept, because SHA256SUMS is no longer the one this user's last build
    /// published there (its digest is in the cache). The build is a full one and says why.
    @Test func aPageForgedTogetherWithItsChecksumLineIsNotKept() throws {
        let built = try Self.builtWithCache()
        let (tmp, source, site, cache) = (built.tmp, built.source, built.site, built.cache)
        try Inc.append(source, [Inc.note(1)])
        let rel = "audit/page-0002.html"
        let forged = Array(SiteChecks.text(site, rel).replacingOccurrences(of: "<h1>", with: "<h1>Forged ").utf8)
        try Data(forged).write(to: site.appendingPathComponent(rel))
        let sumsFile = site.appendingPathComponent("SHA256SUMS")
        let sums = try String(contentsOf: sumsFile, encoding: .utf8).split(separator: "\n").map { line in
            line.hasSuffix("  " + rel) ? SHA256.digest(forged).hex + "  " + rel : String(line)
        }
        try (sums.joined(separator: "\n") + "\n").write(to: sumsFile, atomically: true, encoding: .utf8)
        #expect(try Trailpack.verify(source: site.path, trust: nil).findings.filter { $0.rule == .intSite }.isEmpty)
        let again = try Self.build(source, site, cache: cache)
        #expect(again.keptPages == 0 && again.fullBuildReason?.contains("is not the one this user's last build published there") == true)
        #expect(!SiteChecks.text(site, rel).contains("Forged"))
        // Byte for byte a clean build; and the next build keeps pages again.
        let clean = tmp.path("clean")
        try Self.build(source, clean, cache: cache, incremental: false)
        #expect(try Inc.files(site) == Inc.files(clean))
        try Inc.append(source, [Inc.note(2)])
        #expect(try Self.build(source, site, cache: cache).keptPages > 0)
    }

    @Test func aDamagedOrForeignCacheIsIgnored() throws {
        let built = try Self.builtWithCache()
        let (source, site, cache) = (built.source, built.site, built.cache)
        let file = SiteStatCache.file(folder: cache, site: site)
        let good = try String(contentsOfFile: file.path, encoding: .utf8)
        var lines = good.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (bad, why) in [("not a cache\n", "format"), (good + "zz\n", "a line that is no digest"),
                           (([lines[0], "/elsewhere"] + lines.dropFirst(2)).joined(separator: "\n"), "another site's")] {
            try bad.write(toFile: file.path, atomically: true, encoding: .utf8)
            #expect(SiteStatCache.load(folder: cache, site: site) == nil, "\(why)")
        }
        // Without a cache that records the site, none of its pages is trusted: a full build,
        // which records the cache again, so that the next build keeps pages.
        try Inc.append(source, [Inc.note(1)])
        let again = try Self.build(source, site, cache: cache)
        #expect(again.keptPages == 0 && again.fullBuildReason?.contains("recorded in this user's cache") == true)
        lines = try String(contentsOfFile: file.path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.first == SiteStatCache.format && lines.count > 3)
        try Inc.append(source, [Inc.note(2)])
        #expect(try Self.build(source, site, cache: cache).keptPages > 0)
    }

    @Test func unchangedLogSegmentsAreLinkedIntoTheEvidenceAndAChangedCopyIsCopiedAgain() throws {
        let built = try Self.builtWithCache()
        let (tmp, source, site, cache) = (built.tmp, built.source, built.site, built.cache)
        let segments = try FileManager.default.contentsOfDirectory(atPath: site.appendingPathComponent("evidence/audit").path)
            .filter { $0.hasSuffix(".jsonl") }.sorted()
        #expect(segments.count > 2)
        func inode(_ rel: String) -> UInt64 {
            var st = stat()
            return lstat(site.appendingPathComponent(rel).path, &st) == 0 ? UInt64(st.st_ino) : 0
        }
        let before = Dictionary(uniqueKeysWithValues: segments.map { ($0, inode("evidence/audit/" + $0)) })
        // Someone edits the previous site's copy of the first segment (same size).
        let first = site.appendingPathComponent("evidence/audit/" + segments[0])
        var bytes = try Data(contentsOf: first)
        let original = bytes
        bytes[bytes.startIndex] = UInt8(ascii: " ")
        Thread.sleep(forTimeInterval: 0.02)
        try bytes.write(to: first)
        try Inc.append(source, [Inc.note(1)])
        try Self.build(source, site, cache: cache)
        // The edited copy was not kept: the segment was copied again from the source.
        #expect(try Data(contentsOf: site.appendingPathComponent("evidence/audit/" + segments[0])) == original)
        #expect(inode("evidence/audit/" + segments[0]) != before[segments[0]])
        // The others, unchanged in the source and in the site, are the same files (linked).
        let linked = segments.dropFirst().filter { inode("evidence/audit/" + $0) == before[$0] }
        #expect(linked.count >= segments.count - 2)
        // The site is a clean build's, and its evidence re-verifies.
        let clean = tmp.path("clean")
        try Inc.build(source, clean, incremental: false)
        let a = try Inc.files(site), b = try Inc.files(clean)
        #expect(a.keys.sorted() == b.keys.sorted() && a.keys.filter { a[$0] != b[$0] }.isEmpty)
        #expect(try Trailpack.verify(source: site.path, trust: nil).findings.allSatisfy { $0.rule != .intSite })
    }

    @Test func theFingerprintCoversEveryStatusFieldAndTheDigest() {
        var st = stat()
        st.st_dev = 1; st.st_ino = 2; st.st_size = 3
        st.st_mtim = timespec(tv_sec: 4, tv_nsec: 5); st.st_ctim = timespec(tv_sec: 6, tv_nsec: 7)
        let d = SHA256.digest([1])
        let base = SiteStatCache.fingerprint(st, digest: d)
        var changes: [stat] = []
        for k in 0..<7 {
            var s = st
            switch k {
            case 0: s.st_dev = 9
            case 1: s.st_ino = 9
            case 2: s.st_size = 9
            case 3: s.st_mtim.tv_sec = 9
            case 4: s.st_mtim.tv_nsec = 9
            case 5: s.st_ctim.tv_sec = 9
            default: s.st_ctim.tv_nsec = 9
            }
            changes.append(s)
        }
        for s in changes { #expect(SiteStatCache.fingerprint(s, digest: d) != base) }
        #expect(SiteStatCache.fingerprint(st, digest: SHA256.digest([2])) != base)
        #expect(SiteStatCache.defaultFolder(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"])?.path == "/x/trailpack")
        #expect(SiteStatCache.defaultFolder(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"])?.path == "/h/.cache/trailpack")
        #expect(SiteStatCache.defaultFolder(environment: [:]) == nil)
    }

    /// Recording a site's cache removes the cache files of sites that are gone, once they are an
    /// hour old; a young one (a site being replaced at this moment) and the others stay.
    @Test func cacheFilesOfSitesThatAreGoneArePruned() throws {
        let tmp = try TempDir()
        let cache = tmp.path("cache")
        let sites = ["a", "b", "c", "d"].map { tmp.path($0) }
        var files: [String] = []
        for site in sites {
            try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
            try Data().write(to: site.appendingPathComponent(BuildState.fileName))
            #expect(SiteStatCache.record(folder: cache, site: site, sums: .zero, files: []))
            files.append(SiteStatCache.file(folder: cache, site: site).path)
        }
        // b and c are deleted, d is no longer a site; all but c were written two hours ago.
        try FileManager.default.removeItem(at: sites[1])
        try FileManager.default.removeItem(at: sites[2])
        try FileManager.default.removeItem(at: sites[3].appendingPathComponent(BuildState.fileName))
        for k in [0, 1, 3] {
            var times = [timespec(tv_sec: time(nil) - 7200, tv_nsec: 0), timespec(tv_sec: time(nil) - 7200, tv_nsec: 0)]
            #expect(utimensat(AT_FDCWD, files[k], &times, 0) == 0)
        }
        #expect(SiteStatCache.record(folder: cache, site: sites[0], sums: .zero, files: []))
        let left = files.map { FileManager.default.fileExists(atPath: $0) }
        #expect(left == [true, false, true, false])
    }
}
