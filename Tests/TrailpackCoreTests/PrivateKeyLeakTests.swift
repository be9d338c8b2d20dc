import Foundation
import Testing
@testable import TrailpackCore

/// A private key must never reach a site: `keygen --out pack/keys` used to write `NAME.key` into
/// the pack source's `keys/`, and the next build copied it into `evidence/keys/`, publishing it.
struct PrivateKeyLeakTests {
    /// keygen refuses every folder a site publishes, through a link too; a pack's other folders
    /// (the demo's `demo-private-keys/`) and folders outside packs are allowed.
    @Test(arguments: [("keys", true), ("docs/new/sub", true), ("artifacts", true), ("audit", true),
                      ("demo-private-keys", false), ("", false)])
    func keygenRefusesAFolderTheSitePublishes(_ folder: String, _ refused: Bool) throws {
        let f = try PackBuilder.sample()
        let out = folder.isEmpty ? f.outside.path("keys").path : f.url.appendingPathComponent(folder).path
        for dryRun in [true, false] {
            let message = BadInputTests.message {
                if dryRun { _ = try Trailpack.keygenPlan(name: "leak", outDirectory: out) } else { _ = try Trailpack.keygen(name: "leak", outDirectory: out) }
            }
            if refused {
                #expect(message?.contains("a folder of a pack source that every site built from it publishes in evidence/") == true, "\(message ?? "accepted")")
                #expect(!FileManager.default.fileExists(atPath: out + "/leak.key"))
            } else {
                #expect(message == nil, "\(message ?? "")")
            }
        }
        if refused {
            let link = f.outside.path("link").path
            #expect(symlink(f.url.appendingPathComponent("keys").path, link) == 0)
            #expect(BadInputTests.message { _ = try Trailpack.keygen(name: "leak", outDirectory: link) }?.contains("keys/") == true)
        }
    }

    /// The build refuses a pack source holding a private key anywhere it copies, and writes nothing.
    @Test(arguments: ["keys/ops.key", "docs/notes.md", "artifacts/model/secret.txt"])
    func theBuildNeverPublishesAPrivateKey(_ path: String) throws {
        var f = try PackBuilder.sample()
        let key = try Ed25519PrivateKey.generate()
        f.file(path, "notes\n" + (try key.pemString))
        try f.write()
        let out = f.outside.path("site")
        let message = BadInputTests.message { _ = try SiteBuilding.build(f.url, out: out) }
        #expect(message?.hasPrefix("\(path): holds a private key") == true, "\(message ?? "built")")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    /// The log is not scanned: an event whose text holds the marker cannot be removed (the log is
    /// append-only), so refusing it would let any writer stop every future build.
    @Test func aMarkerInTheLogDoesNotStopTheBuild() throws {
        var f = try PackBuilder.sample()
        try f.event("record.modified", actor: "u:x", subject: PackBuilder.subject("record", "r"),
                    reason: "pasted -----BEGIN PRIVATE KEY----- by mistake", changes: [["field": "a", "old": 1, "new": 2]])
        try f.write()
        let out = f.outside.path("site")
        _ = try SiteBuilding.build(f.url, out: out)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("index.html").path))
    }

    /// The marker is found wherever chunks split it.
    @Test func theMarkerIsFoundAcrossChunks() {
        let text = Array("xx-----BEGIN ENCRYPTED PRIVATE KEY-----\nMII".utf8)
        for cut in 0...text.count {
            var finder = PrivateKeyFinder()
            text[..<cut].withUnsafeBytes { finder.scan($0) }
            text[cut...].withUnsafeBytes { finder.scan($0) }
            #expect(finder.found, "cut at \(cut)")
        }
        for split in [1, 3, 7] {
            var finder = PrivateKeyFinder()
            for start in stride(from: 0, to: text.count, by: split) {
                text[start..<min(text.count, start + split)].withUnsafeBytes { finder.scan($0) }
            }
            #expect(finder.found, "chunks of \(split)")
        }
        var clean = PrivateKeyFinder()
        Array("-----BEGIN PUBLIC KEY-----\nPRIVATE KEY----".utf8).withUnsafeBytes { clean.scan($0) }
        #expect(!clean.found)
    }
}
