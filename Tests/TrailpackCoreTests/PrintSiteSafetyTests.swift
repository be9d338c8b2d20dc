import Foundation
import Testing
@testable import TrailpackCore

/// `trailpack pdf` reads the site as incremental builds read the previous site (``InsideFolder``):
/// paths inside the site, no symbolic link followed (not even to a file with the right digest),
/// only regular files. A small site is enough: nothing here prints.
struct PrintSiteSafetyTests {
    /// A built sample site at `f.dir/site`, with a copy of it outside the site at `f.dir/copy`.
    static func site() throws -> (f: PackBuilder, site: URL, copy: URL) {
        let f = try PackBuilder.sample()
        let site = f.dir.path("site")
        try SiteBuilding.build(f.url, out: site, pageSize: 5)
        let copy = f.dir.path("copy")
        try FileManager.default.copyItem(at: site, to: copy)
        return (f, site, copy)
    }

    /// Replaces `relative` in the site by a symbolic link to the same entry of the copy (same bytes).
    static func link(_ relative: String, site: URL, copy: URL) throws {
        let entry = site.appendingPathComponent(relative)
        try FileManager.default.removeItem(at: entry)
        try FileManager.default.createSymbolicLink(at: entry, withDestinationURL: copy.appendingPathComponent(relative))
    }

    @Test func theSiteAsBuiltIsRead() throws {
        let (f, site, _) = try Self.site()
        defer { withExtendedLifetime(f) {} }
        let pack = try PrintPack.read(site: site.path)
        #expect(pack.sections.contains { $0.path == "findings.html" } && pack.sections.first?.path == "index.html")
    }

    @Test(arguments: ["findings.html", "audit/index.html", "report.json", "style.css"])
    func aPageLinkedToAFileWithTheRightDigestIsRefused(_ page: String) throws {
        let (f, site, copy) = try Self.site()
        defer { withExtendedLifetime(f) {} }
        try Self.link(page, site: site, copy: copy)
        // The link's target has exactly the bytes SHA256SUMS lists: only the link is wrong.
        #expect(try Data(contentsOf: site.appendingPathComponent(page)) == Data(contentsOf: copy.appendingPathComponent(page)))
        let error = #expect(throws: PrintError.self) { try PrintPack.read(site: site.path) }
        guard case .unsafeFile(let s, let file, let reason)? = error else { Issue.record("wrong error: \(String(describing: error))"); return }
        #expect(s == site.path && file == page && reason.contains("\(page) is a symbolic link"), "\(reason)")
        #expect(error?.localizedDescription.hasPrefix("\(site.path)/\(page): refused: \(page) is a symbolic link") == true)
    }

    @Test func aFolderOnThePathThatIsALinkIsRefused() throws {
        let (f, site, copy) = try Self.site()
        defer { withExtendedLifetime(f) {} }
        try Self.link("audit", site: site, copy: copy)
        let error = #expect(throws: PrintError.self) { try PrintPack.read(site: site.path) }
        guard case .unsafeFile(_, let file, let reason)? = error else { Issue.record("wrong error: \(String(describing: error))"); return }
        #expect(file.hasPrefix("audit/") && reason.hasPrefix("audit is a symbolic link"), "\(file): \(reason)")
    }

    @Test func aLinkedSHA256SUMSIsRefused() throws {
        let (f, site, copy) = try Self.site()
        defer { withExtendedLifetime(f) {} }
        try Self.link("SHA256SUMS", site: site, copy: copy)
        let error = #expect(throws: PrintError.self) { try PrintPack.read(site: site.path) }
        #expect(error == .unsafeFile(site: site.path, file: "SHA256SUMS", reason: InsideFolder.Problem.symbolicLink(component: "SHA256SUMS").reason))
        // A SHA256SUMS that is a folder, not a file.
        try FileManager.default.removeItem(at: site.appendingPathComponent("SHA256SUMS"))
        try FileManager.default.createDirectory(at: site.appendingPathComponent("SHA256SUMS"), withIntermediateDirectories: false)
        #expect(throws: PrintError.unsafeFile(site: site.path, file: "SHA256SUMS", reason: "not a regular file")) {
            try PrintPack.read(site: site.path)
        }
    }

    @Test(arguments: ["../outside.html", "/etc/passwd", "a//b.html", "audit/../index.html"])
    func aPathLeavingTheSiteInSHA256SUMSIsRefused(_ path: String) throws {
        let (f, site, _) = try Self.site()
        defer { withExtendedLifetime(f) {} }
        let sums = site.appendingPathComponent("SHA256SUMS")
        let line = SHA256.digest(Array("x".utf8)).hex + "  " + path + "\n"
        let text = try String(contentsOf: sums, encoding: .utf8)
        try Data((text + line).utf8).write(to: sums)
        let n = text.split(separator: "\n").count + 1
        let error = #expect(throws: PrintError.self) { try PrintPack.read(site: site.path) }
        #expect(error == .unsafeChecksumPath(file: site.path + "/SHA256SUMS", line: n, path: path))
        #expect(error?.localizedDescription.contains("leaves the site") == true)
    }

    @Test func aFIFOInPlaceOfAPageIsRefusedWithoutWaiting() throws {
        let (f, site, _) = try Self.site()
        defer { withExtendedLifetime(f) {} }
        let page = site.appendingPathComponent("findings.html")
        try FileManager.default.removeItem(at: page)
        #expect(mkfifo(page.path, 0o644) == 0)
        #expect(throws: PrintError.unsafeFile(site: site.path, file: "findings.html", reason: "not a regular file")) {
            try PrintPack.read(site: site.path)
        }
    }

    @Test func insideFolderSaysWhyAFileIsNotRead() throws {
        let dir = try TempDir()
        try dir.write("a/b.txt", "b")
        try FileManager.default.createSymbolicLink(atPath: dir.path("l.txt").path, withDestinationPath: "a/b.txt")
        try FileManager.default.createSymbolicLink(atPath: dir.path("la").path, withDestinationPath: "a")
        let root = dir.url.path
        #expect(try InsideFolder.read(root, "a/b.txt") == Array("b".utf8))
        #expect(throws: InsideFolder.Problem.symbolicLink(component: "l.txt")) { try InsideFolder.read(root, "l.txt") }
        #expect(throws: InsideFolder.Problem.symbolicLink(component: "la")) { try InsideFolder.read(root, "la/b.txt") }
        #expect(throws: InsideFolder.Problem.missing) { try InsideFolder.read(root, "a/none.txt") }
        #expect(throws: InsideFolder.Problem.missing) { try InsideFolder.read(root, "none/b.txt") }
        #expect(throws: InsideFolder.Problem.notAFile) { try InsideFolder.read(root, "a") }
        #expect(throws: InsideFolder.Problem.notAFolder(component: "a/b.txt")) { try InsideFolder.read(root, "a/b.txt/c") }
        #expect(throws: InsideFolder.Problem.self) { try InsideFolder.read(root, "../x") }
        #expect(InsideFolder.readInside(root, "l.txt") == nil && InsideFolder.readInside(root, "a/b.txt") == Array("b".utf8))
    }

    @Test func theCommandLineExitsTwoNamingTheLinkedPage() throws {
        let (f, site, copy) = try Self.site()
        defer { withExtendedLifetime(f) {} }
        let ok = try TrailpackBinary.run(["pdf", site.path, "--dry-run"])
        #expect(ok.status == 0 && ok.stdout.contains("findings.html"), "\(ok.stderr)")
        try Self.link("findings.html", site: site, copy: copy)
        let before = TreeListing.of(site)
        for args in [["--dry-run"], ["--out", site.deletingLastPathComponent().appendingPathComponent("pack.pdf").path]] {
            let r = try TrailpackBinary.run(["pdf", site.path] + args)
            #expect(r.status == 2 && r.stdout.isEmpty, "\(args)")
            #expect(r.stderr.contains("\(site.path)/findings.html: refused: findings.html is a symbolic link"), "\(r.stderr)")
        }
        #expect(TreeListing.of(site) == before)
        #expect(!FileManager.default.fileExists(atPath: site.deletingLastPathComponent().appendingPathComponent("pack.pdf").path))
    }
}
