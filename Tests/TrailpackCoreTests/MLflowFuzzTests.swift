import Foundation
import Testing
@testable import TrailpackCore

/// Runs every MLflow fuzz harness over its seed files (from the samples) and hostile inputs.
struct MLflowFuzzTests {
    static let hostile: [[UInt8]] = [
        [], [0], [0xFF, 0xFE, 0x00], Array("name: [unclosed\n".utf8), Array("a: &x [*x, *x]\n".utf8),
        Array(String(repeating: "[", count: 10_000).utf8), Array(String(repeating: "- ", count: 5_000).utf8),
        Array("version: 1\ncurrent_stage: Production\nuser_id: \"\u{0}\"\n".utf8), Array("1 nan 0\n2 inf 1\n".utf8),
        Array("1 1e999 0\n".utf8), Array("postgresql://u:p@h/db".utf8), Array("sqlite:///".utf8), Array("SQLite format 3\0".utf8),
        Array("creation_timestamp: 99999999999999999999999\n".utf8), Array(String(repeating: "k: v\n", count: 20_000).utf8),
    ]

    /// The seed files of a harness (folders walked), at most `limit`.
    static func seedFiles(_ h: FuzzHarness, limit: Int = 200) -> [URL] {
        var out: [URL] = []
        for s in h.seeds {
            let url = Shared.repoRoot.appendingPathComponent(s).standardizedFileURL
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else { continue }
            if !isDir.boolValue { out.append(url); continue }
            let e = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey])
            while let f = e?.nextObject() as? URL, out.count < limit {
                if (try? f.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true { out.append(f) }
            }
        }
        return out
    }

    @Test(arguments: FuzzHarnesses.mlflow.map(\.name))
    func harnessRunsOverSeedsAndHostileInputs(_ name: String) throws {
        let h = try #require(FuzzHarnesses.mlflow.first { $0.name == name })
        let seeds = Self.seedFiles(h)
        if !h.seeds.isEmpty { #expect(!seeds.isEmpty, "the seeds of \(name) are missing") }
        for f in seeds { h.body(Array(try Data(contentsOf: f))) }
        for input in Self.hostile { h.body(input) }
    }

    @Test func theSeedsReachTheSampleFiles() {
        #expect(Shared.repoRoot.appendingPathComponent("../shared/samples/mlflow/mlflow.db").standardizedFileURL.path == MLflowSample.db
                || FileManager.default.fileExists(atPath: MLflowSample.db))
        #expect(FuzzHarnesses.mlflow.count == 5)
    }

    @Test func yamlParsesMLflowMetaAndRefusesHostileDocuments() throws {
        let meta = try YAMLParser(Array("name: ae\nversion: 2\nuser_id: null\naliases:\n  champion: '2'\ntags: []\n".utf8)).parse()
        #expect(meta["name"]?.text == "ae")
        #expect(meta["version"]?.text == "2")
        #expect(meta["user_id"] != nil && meta["user_id"]?.text == nil)
        #expect(meta["aliases"]?["champion"] == .scalar("2", plain: false))
        #expect(throws: YAMLParser.Failure.self) { try YAMLParser(Array("a: &x [*x, *x]\n".utf8)).parse() }
        #expect(throws: YAMLParser.Failure.self) { try YAMLParser(Array(String(repeating: "[", count: 100).utf8)).parse() }
    }
}
