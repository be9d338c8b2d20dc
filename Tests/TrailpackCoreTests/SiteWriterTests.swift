import Foundation
import Testing
@testable import TrailpackCore

struct SiteWriterTests {
    struct Boom: Error {}

    /// Every file under `url` with its bytes, and every folder (with a trailing "/").
    static func snapshot(_ url: URL) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        let fm = FileManager.default
        for rel in try fm.subpathsOfDirectory(atPath: url.path) {
            let path = url.path + "/" + rel
            var isDir: ObjCBool = false
            _ = fm.fileExists(atPath: path, isDirectory: &isDir)
            if isDir.boolValue { out[rel + "/"] = [] } else { out[rel] = Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
        }
        return out
    }

    static func entries(_ url: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    @Test func publishesANewSite() throws {
        let tmp = try TempDir()
        let target = tmp.path("out/nested/site")  // parents missing
        var w = try SiteWriter(target: target)
        #expect(w.temporary.hasPrefix(tmp.path("out/nested").path + "/.site.trailpack-tmp-\(getpid())-"))
        try w.write("index.html", string: "<p>hi</p>")
        try w.write("records/a/b.md", bytes: Array("# b\n".utf8))
        try w.write("data.bin", bytes: Data([0, 1, 2, 255]))
        #expect(w.writtenFiles == ["data.bin", "index.html", "records/a/b.md"])
        try w.commit()
        #expect(try Self.snapshot(target) == [
            "index.html": Array("<p>hi</p>".utf8), "records/": [], "records/a/": [], "records/a/b.md": Array("# b\n".utf8),
            "data.bin": [0, 1, 2, 255],
        ])
        #expect(try Self.entries(tmp.path("out/nested")) == ["site"])
        #expect(throws: SiteWriterError.finished(w.temporary)) { try w.write("late.html", string: "x") }
        #expect(throws: SiteWriterError.finished(w.temporary)) { try w.commit() }
    }

    @Test(arguments: [false, true])
    func replacesAnExistingSite(renameFallback: Bool) throws {
        let tmp = try TempDir()
        try tmp.write("site/old.html", "old")
        try tmp.write("site/index.html", "old index")
        try tmp.write("site/sub/deep.txt", "old deep")
        let target = tmp.path("site")
        var w = renameFallback
            ? try SiteWriter(target: target) { _, _ in EINVAL }
            : try SiteWriter(target: target)
        try w.write("index.html", string: "new index")
        try w.write("sub/new.txt", string: "new")
        try w.commit()
        #expect(try Self.snapshot(target) == ["index.html": Array("new index".utf8), "sub/": [], "sub/new.txt": Array("new".utf8)])
        #expect(try Self.entries(tmp.url) == ["site"])
    }

    @Test func replacesAtomicallyWhereSupported() throws {
        let tmp = try TempDir()
        try tmp.write("site/old.html", "old")
        let results = Results()
        var w = try SiteWriter(target: tmp.path("site")) { a, b in
            let r = SiteWriter.systemExchange(a, b)
            results.append(r)
            return r
        }
        try w.write("new.html", string: "new")
        try w.commit()
        #expect(try Self.snapshot(tmp.path("site")) == ["new.html": Array("new".utf8)])
        // 0: exchanged in one step. ENOSYS/EINVAL here would mean the file system of the
        // temporary folder lacks RENAME_EXCHANGE and the fallback ran.
        #expect(results.values == [0])
    }

    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [Int32] = []
        func append(_ v: Int32) { lock.withLock { stored.append(v) } }
        var values: [Int32] { lock.withLock { stored } }
    }

    @Test func failedBuildsLeaveThePreviousSiteAsItWas() throws {
        let tmp = try TempDir()
        try tmp.write("site/index.html", "old index")
        try tmp.write("site/sub/deep.txt", "old deep")
        let target = tmp.path("site")
        let before = try Self.snapshot(target)

        var w = try SiteWriter(target: target)
        try w.write("index.html", string: "half-built")
        w.abandon()
        #expect(try Self.snapshot(target) == before)
        #expect(try Self.entries(tmp.url) == ["site"])

        #expect(throws: Boom.self) {
            try SiteWriter.build(target: target, marks: ["index.html"]) { w in
                try w.write("index.html", string: "half-built")
                throw Boom()
            }
        }
        #expect(try Self.snapshot(target) == before)
        #expect(try Self.entries(tmp.url) == ["site"])

        // The exchange fails for a reason other than missing support: nothing moves.
        var failing = try SiteWriter(target: target) { _, _ in EIO }
        try failing.write("index.html", string: "new")
        #expect(throws: SiteWriterError.io(operation: "exchanging the new site with", path: target.path, errno: EIO)) {
            try failing.commit()
        }
        #expect(try Self.snapshot(target) == before)
        failing.abandon()
        #expect(try Self.entries(tmp.url) == ["site"])
    }

    @Test func buildReturnsTheWrittenFiles() throws {
        let tmp = try TempDir()
        let files = try SiteWriter.build(target: tmp.path("site"), marks: []) { w in
            try w.write("b.html", string: "b")
            try w.write("a/z.html", string: "z")
        }
        #expect(files == ["a/z.html", "b.html"])
    }

    @Test("Unsafe relative paths", arguments: [
        "", "../x", "/etc/x", "a/../../x", "a/..", "..", ".", "./a", "a/./b", "a\\b", "..\\x", "a//b", "a/", "/",
        "x\u{0}y",
    ])
    func refusesUnsafePaths(path: String) throws {
        let tmp = try TempDir()
        var w = try SiteWriter(target: tmp.path("site"))
        defer { w.abandon() }
        #expect {
            try w.write(path, string: "x")
        } throws: { error in
            guard case .unsafePath(let p, _)? = error as? SiteWriterError else { return false }
            return p == path && (error.localizedDescription.contains("\"\(path)\""))
        }
        #expect(w.writtenFiles.isEmpty)
        #expect(try Self.entries(URL(fileURLWithPath: w.temporary)).isEmpty)
    }

    @Test func refusesToWriteThroughSymbolicLinks() throws {
        let tmp = try TempDir()
        try tmp.write("outside/keep.txt", "keep")
        let outside = tmp.path("outside")
        var w = try SiteWriter(target: tmp.path("site"))
        defer { w.abandon() }
        try w.write("dir/ok.txt", string: "ok")
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: w.temporary + "/link", withDestinationPath: outside.path)
        try fm.createSymbolicLink(atPath: w.temporary + "/dir/deeplink", withDestinationPath: outside.path)
        try fm.createSymbolicLink(atPath: w.temporary + "/file.txt", withDestinationPath: outside.path + "/new.txt")
        try fm.createSymbolicLink(atPath: w.temporary + "/keep.txt", withDestinationPath: outside.path + "/keep.txt")
        for path in ["link/x.txt", "link/sub/x.txt", "dir/deeplink/x.txt", "file.txt", "keep.txt"] {
            #expect(throws: SiteWriterError.self) { try w.write(path, string: "pwned") }
        }
        #expect(try Self.snapshot(outside) == ["keep.txt": Array("keep".utf8)])
        w.abandon()
        #expect(try Self.snapshot(outside) == ["keep.txt": Array("keep".utf8)])
        #expect(!FileManager.default.fileExists(atPath: w.temporary))
    }

    @Test func refusesDuplicatesByBytes() throws {
        let tmp = try TempDir()
        var w = try SiteWriter(target: tmp.path("site"))
        defer { w.abandon() }
        try w.write("a.html", string: "1")
        #expect(throws: SiteWriterError.duplicatePath("a.html")) { try w.write("a.html", string: "2") }
        // Canonically equivalent but different bytes: two files.
        try w.write("\u{E9}.html", string: "precomposed")
        try w.write("e\u{301}.html", string: "decomposed")
        #expect(w.writtenFiles == ["a.html", "e\u{301}.html", "\u{E9}.html"])
    }

    @Test func targetMustBeAFolder() throws {
        let tmp = try TempDir()
        try tmp.write("file", "x")
        try tmp.write("real/index.html", "x")
        try FileManager.default.createSymbolicLink(atPath: tmp.path("link").path, withDestinationPath: tmp.path("real").path)
        #expect(throws: SiteWriterError.targetNotAFolder(tmp.path("file").path)) { _ = try SiteWriter(target: tmp.path("file")) }
        #expect(throws: SiteWriterError.targetNotAFolder(tmp.path("link").path)) { _ = try SiteWriter(target: tmp.path("link")) }
        #expect(throws: SiteWriterError.invalidTarget("/")) { _ = try SiteWriter(target: URL(fileURLWithPath: "/")) }
        #expect(try Self.entries(tmp.url) == ["file", "link", "real"])
    }

    @Test func sweepsOnlyStaleFoldersOfThisTarget() throws {
        let tmp = try TempDir()
        let dead = "999999999"  // above any pid_max
        let names = [
            ".site.trailpack-tmp-\(dead)-0/",        // stale: removed
            ".site.trailpack-tmp-\(dead)-12/",       // stale: removed
            ".site.trailpack-tmp-\(getpid())-5/",    // this process
            ".site.trailpack-tmp-1-0/",              // a running process
            ".site.trailpack-tmp-\(dead)-0x/",
            ".site.trailpack-tmp-\(dead)/",
            ".site.trailpack-tmp--0/",
            ".site.trailpack-tmp-\(dead)-1",         // a file, not a folder
            ".other.trailpack-tmp-\(dead)-0/",
            "site.trailpack-tmp-\(dead)-0/",
        ]
        for name in names {
            if name.hasSuffix("/") { try tmp.write(name + "f.txt", "x") } else { try tmp.write(name, "x") }
        }
        let removed = try SiteWriter.sweepStale(beside: tmp.path("site"))
        #expect(removed == [".site.trailpack-tmp-\(dead)-0", ".site.trailpack-tmp-\(dead)-12"].map { tmp.path($0).path })
        let kept = Set(names.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }).subtracting(removed.map { ($0 as NSString).lastPathComponent })
        #expect(Set(try Self.entries(tmp.url)) == kept)
        // A new writer sweeps too.
        try tmp.write(".site.trailpack-tmp-\(dead)-3/f.txt", "x")
        var w = try SiteWriter(target: tmp.path("site"))
        w.abandon()
        #expect(!FileManager.default.fileExists(atPath: tmp.path(".site.trailpack-tmp-\(dead)-3").path))
    }

    @Test func copiesLargeFilesInChunksAndShowsEveryByte() throws {
        let tmp = try TempDir()
        let big = (0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let src = try tmp.write("src/big.bin", Data(big))
        var w = try SiteWriter(target: tmp.path("site"))
        var hasher = SHA256.Hasher()
        var chunks = 0
        try w.copy("evidence/big.bin", from: src.path) { chunk in
            hasher.update(chunk)
            chunks += 1
        }
        #expect(chunks == 4)
        #expect(throws: SiteWriterError.duplicatePath("evidence/big.bin")) { try w.copy("evidence/big.bin", from: src.path) }
        #expect(throws: SiteWriterError.self) { try w.copy("../x", from: src.path) }
        #expect(throws: SiteWriterError.self) { try w.copy("missing.bin", from: tmp.path("src/none").path) }
        try w.commit()
        #expect(try Data(contentsOf: tmp.path("site/evidence/big.bin")) == Data(big))
        #expect(hasher.finalizeDigest() == SHA256.digest(big))
        #expect(try Self.entries(tmp.path("site")) == ["evidence"])
    }

    @Test func errorsNameThePathAndTheFix() {
        let errors: [SiteWriterError] = [
            .unsafePath("../x", reason: "r"), .duplicatePath("a/b"), .targetNotAFolder("/t"), .invalidTarget("/"),
            .finished("/tmp/x"), .io(operation: "writing", path: "/p", errno: ENOSPC),
            .oldSiteNotRemoved("/old", target: "/t", errno: EACCES),
        ]
        for e in errors {
            let text = e.localizedDescription
            #expect(text.contains("Fix:"), "\(text)")
            #expect(text.contains("\""), "\(text)")
        }
        #expect(SiteWriterError.io(operation: "writing", path: "/p", errno: ENOSPC).localizedDescription.contains("No space left"))
    }
}
