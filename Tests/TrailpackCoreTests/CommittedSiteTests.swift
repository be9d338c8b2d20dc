import Foundation
import Testing
@testable import TrailpackCore

/// `site/` in the repository is the demo inspection pack built by `make demo`; rebuilding it must
/// give the same bytes, so a change to the tool that changes the pack shows in review.
struct CommittedSiteTests {
    static func files(_ root: URL) throws -> [String] {
        guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var out: [String] = []
        for case let u as URL in e where (try u.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            out.append(String(u.path.dropFirst(root.path.count + 1)))
        }
        return out.sorted()
    }

    @Test func committedSiteIsTheDemoBuiltByThisTool() throws {
        let committed = Shared.repoRoot.appendingPathComponent("site")
        let dir = try TempDir()
        let source = dir.url.appendingPathComponent("demo-source")
        _ = try DemoGenerator.generate(into: source, options: DemoOptions())
        let out = dir.url.appendingPathComponent("site")
        let theme = try Theme.load(defaultFolder: Shared.repoRoot.appendingPathComponent("templates"))
        // As `make demo`: with the demo's trust list, named as the Makefile names it.
        let trustText = try String(contentsOf: source.appendingPathComponent("trust.txt"), encoding: .utf8)
        let trust = try TrustList(path: ".build/demo-source/trust.txt", text: trustText)
        _ = try Trailpack.build(source: source.path, options: BuildOptions(output: out, theme: theme, trust: trust))
        let expected = try Self.files(out)
        let actual = try Self.files(committed)
        #expect(actual == expected, "rebuild with `make demo` and commit site/")
        for f in expected where actual.contains(f) {
            let a = try Data(contentsOf: committed.appendingPathComponent(f))
            let b = try Data(contentsOf: out.appendingPathComponent(f))
            #expect(a == b, "site/\(f) differs from a fresh build: rebuild with `make demo` and commit site/")
        }
    }
}
