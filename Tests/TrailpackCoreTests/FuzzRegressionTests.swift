import Foundation
import Testing
@testable import TrailpackCore

/// Runs every fuzz harness over its seed corpus and over the inputs that fuzzing once found
/// failing (`Tests/Fuzz/regressions/<harness>/`): a failure there crashes this test (the harness
/// checks its properties with `precondition`), as it crashed the fuzzer.
struct FuzzRegressionTests {
    /// Every regular file under a seed path (`../shared/...` resolves to the shared folder).
    static func files(_ relative: String) -> [URL] {
        let base = relative.hasPrefix("../shared/")
            ? Shared.url(String(relative.dropFirst("../shared/".count)))
            : Shared.repoRoot.appendingPathComponent(relative)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: base.path, isDirectory: &isDir) else { return [] }
        guard isDir.boolValue else { return [base] }
        let found = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey])?
            .compactMap { $0 as? URL }
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true } ?? []
        return found.sorted { $0.path < $1.path }
    }

    static let names = FuzzHarnesses.all.map(\.name)

    @Test("harness runs over its seeds and regressions", arguments: names)
    func harness(name: String) throws {
        let harness = try #require(FuzzHarnesses.named(name))
        let inputs = harness.seeds.flatMap(Self.files) + Self.files("Tests/Fuzz/regressions/\(name)")
        #expect(!inputs.isEmpty, "harness \(name) has no seed input")
        for url in inputs {
            harness.body(Array(try Data(contentsOf: url)))
        }
        // The empty input and a few bytes every parser must survive.
        for bytes: [UInt8] in [[], [0], [0xFF, 0xFE], Array("{".utf8), Array("{{#a}}".utf8)] { harness.body(bytes) }
    }

    @Test func namesAreUniqueAndUsableAsFolders() {
        #expect(Set(Self.names).count == Self.names.count)
        for n in Self.names { #expect(n.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D }, "\(n)") }
    }

    @Test("every regression folder names a harness")
    func regressionFoldersNameHarnesses() throws {
        let dir = Shared.repoRoot.appendingPathComponent("Tests/Fuzz/regressions")
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        for f in folders where !f.hasPrefix(".") { #expect(Self.names.contains(f), "Tests/Fuzz/regressions/\(f) names no harness") }
    }

    @Test("the Markdown harness's check finds active content", arguments: [
        ("<p>&lt;img src=x onerror=alert(1)&gt;</p>", false), ("<p><a href=\"https://e.org/\" title=\"t\">l</a></p>", false),
        ("<!-- raw HTML omitted -->", false), ("<img src=\"data:image/png;base64,AA\" alt=\"\" />", false),
        ("<img src=x onerror=alert(1)>", true), ("<p><a href=\"javascript:x\">l</a></p>", true), ("<script>", true),
        ("<a href=\"\" onclick=\"x\">", true), ("<img src=\"data:text/html,x\" />", true), ("<p", true),
        ("<a href=\"java0asc%ript:x\">", false), ("<a href=\"java%0ascript:x\">", true), ("<a href=\"%6Aavascript:x\">", true),
    ])
    func markdownCheck(html: String, active: Bool) {
        #expect((FuzzHarnesses.activeContent(html) != nil) == active, "\(FuzzHarnesses.activeContent(html) ?? "none")")
    }
}
