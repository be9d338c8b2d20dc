import Foundation
import Testing
@testable import TrailpackCore

/// Repositories that try to make `import git` record something other than their real history,
/// and options that cannot mean what they say.
struct GitImportHostileRepoTests {
    /// `git replace` shows another commit's object under a commit's hash; the import reads the real one.
    @Test func aReplaceRefDoesNotChangeWhatACommitIsRecordedAs() throws {
        let repo = try GitFixture.standard()
        let real = try #require(repo.commits["main"]), other = try #require(repo.commits["side"])
        try repo.git(["replace", "-f", real, other])
        #expect(try repo.git(["log", "-1", "--format=%s", real]) == "Write the guide", "the fixture's replace ref works for git")
        let pack = try freshPack()
        let r = try Trailpack.importGit(source: pack.url.path, repo: repo.url.path, paths: [], model: nil, since: nil, dryRun: false)
        #expect(r.events.count == 7, "\(r.text)")
        let e = try #require(try GitImportTests.events(pack)[real])
        #expect(e["refs"]?["commit"] == JSONValue(real))
        #expect(e["data"]?["subject"] == JSONValue("Tune the network"))
        #expect(e["data"]?["author"]?["email"] == JSONValue("alice@example.com"))
        #expect(e["actor"]?["id"] == JSONValue("git:alice@example.com"))
        #expect(e["data"]?["paths"] == .array([JSONValue("train/net.py")]))
        #expect(e["occurred"] == JSONValue("2026-01-04T09:00:00Z"))
    }

    /// `info/grafts` gives commits other parents, and `--no-replace-objects` does not turn it off:
    /// such a repository is refused, naming the file.
    @Test func aRepositoryWithAGraftsFileIsRefusedAndNothingIsWritten() throws {
        let repo = try GitFixture.standard()
        let merge = try #require(repo.commits["merge"]), root = try #require(repo.commits["root"])
        let grafts = repo.dir.path(".git/info/grafts")
        try repo.dir.write(".git/info/grafts", "\(merge) \(root)\n")
        let pack = try freshPack()
        do {
            _ = try Trailpack.importGit(source: pack.url.path, repo: repo.url.path, paths: [], model: nil, since: nil, dryRun: false)
            Issue.record("a repository with grafts was imported")
        } catch let e as ImportError {
            let message = e.localizedDescription
            #expect(message.contains("grafts file (\(grafts.path))") && message.contains("remove the file"), "\(message)")
        }
        #expect(!FileManager.default.fileExists(atPath: pack.path("audit").path))
        if TrailpackBinary.url != nil {
            let r = try TrailpackBinary.run(["import", "git", pack.url.path, "--repo", repo.url.path])
            #expect(r.status == 2 && r.stderr.contains("grafts file"), "\(r.stdout)\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: pack.path("audit").path))
        }
    }
}
