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

/// git's `U` is a signature that checks out against a key nobody said to trust.
struct GitImportSignatureVerdictTests {
    /// A commit signed with a self-made SSH key, imported with no allowed-signers file (HOME is
    /// an empty folder, so no configuration of the user's is read): git says `U`, and nothing
    /// recorded calls it good.
    @Test func anSSHSignatureByAnUntrustedKeyIsNeverRecordedAsGood() throws {
        _ = try #require(TrailpackBinary.url, "build the trailpack executable first (swift build)")
        let repo = try GitFixture()
        let home = try TempDir()
        let key = home.path("id_ed25519").path
        let keygen = Process()
        keygen.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        keygen.arguments = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "mallory@example.com", "-f", key]
        keygen.standardOutput = FileHandle.nullDevice
        keygen.standardError = FileHandle.nullDevice
        try keygen.run()
        keygen.waitUntilExit()
        try #require(keygen.terminationStatus == 0, "ssh-keygen is needed for this test")
        try repo.git(["init", "-q"])
        try repo.dir.write("train/net.py", "print('v1')\n")
        try repo.git(["add", "-A"])
        try repo.git(["-c", "gpg.format=ssh", "-c", "user.signingkey=\(key)", "commit", "-q", "-S", "-m", "Signed by a key of my own"],
                     author: GitFixture.alice, date: "2026-01-01T09:00:00Z")
        let hash = try repo.git(["rev-parse", "HEAD"])
        #expect(try repo.git(["cat-file", "-p", hash]).contains("-----BEGIN SSH SIGNATURE-----"), "the fixture's commit is SSH-signed")

        let pack = try freshPack()
        var env = ProcessInfo.processInfo.environment
        for k in ["GIT_CONFIG_GLOBAL", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "XDG_CONFIG_HOME"] { env[k] = nil }
        env["HOME"] = home.url.path
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        let r = try TrailpackBinary.run(["import", "git", pack.url.path, "--repo", repo.url.path], environment: env)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let e = try #require(try GitImportTests.events(pack)[hash])
        #expect(e["data"]?["signed"] == .bool(true))
        #expect(e["data"]?["signatureVerdict"] == JSONValue("U"), "git's verdict for a key no allowed-signers file names")
        let meaning = e["data"]?["signatureMeaning"]?.stringValue ?? ""
        #expect(meaning == "signature by a key that is not trusted (validity unknown)", "\(meaning)")
        #expect(!meaning.lowercased().contains("good"), "\(meaning)")
        #expect(!JSONWriter.pretty(.object(e)).contains("good"), "nothing recorded calls it good")
    }
}

/// Only git's `G` is called good in what the trail records: an expired signature, a key that
/// has expired and a revoked key are described without the word.
struct GitVerdictWordsTests {
    @Test(arguments: ["B", "U", "X", "Y", "R", "E", "N", "?"])
    func onlyAGoodVerdictIsCalledGood(_ letter: String) {
        #expect(!GitMapping.verdict(letter).lowercased().contains("good"), "\(letter): \(GitMapping.verdict(letter))")
    }

    @Test func theGoodVerdictIs() {
        #expect(GitMapping.verdict("G") == "good")
        #expect(GitMapping.verdict("R").contains("revoked") && GitMapping.verdict("R").contains("does not count"))
    }
}

/// A password given in `--repo` (or as an OpenLineage path) never reaches a message.
struct GitImportRedactionTests {
    static let uris = [
        ("https://alice:Sup3rSecret@git.example.com/r.git", "Sup3rSecret", "https://alice:***@git.example.com/r.git"),
        ("https://alice:Sup3r@Secret@git.example.com/r.git", "Secret", "https://alice:***@git.example.com/r.git"),
        ("https://bob:PW/123@x/y", "PW/123", "https://bob:***@x/y"),
    ]

    @Test func aPasswordInRepoIsNotPrintedBack() throws {
        let pack = try freshPack()
        for (uri, password, shown) in Self.uris {
            do {
                _ = try Trailpack.importGit(source: pack.url.path, repo: uri, paths: [], model: nil, since: nil, dryRun: false)
                Issue.record("\(shown): accepted")
            } catch let e as ImportError {
                let message = e.localizedDescription
                #expect(!message.contains(password) && message.contains(shown) && message.contains("git clone")
                        && !message.contains("check that --repo is a git repository"), "\(message)")
            }
            if TrailpackBinary.url != nil {
                let r = try TrailpackBinary.run(["import", "git", pack.url.path, "--repo", uri])
                #expect(r.status == 2 && !r.stderr.contains(password) && !r.stdout.contains(password) && r.stderr.contains(shown), "\(r.stderr)")
            }
        }
    }

    @Test func aPasswordInAnOpenLineagePathIsNotPrintedBack() throws {
        let pack = try freshPack()
        for (uri, password, shown) in Self.uris {
            do {
                _ = try Trailpack.importOpenLineage(source: pack.url.path, paths: [uri], dryRun: false)
                Issue.record("\(shown): accepted")
            } catch let e as ImportError {
                let message = e.localizedDescription
                #expect(!message.contains(password) && message.contains(shown), "\(message)")
            }
            if TrailpackBinary.url != nil {
                let r = try TrailpackBinary.run(["import", "openlineage", pack.url.path, uri])
                #expect(r.status == 2 && !r.stderr.contains(password) && !r.stdout.contains(password) && r.stderr.contains(shown), "\(r.stderr)")
            }
        }
    }
}

/// `--repo` is the top of a work tree or a bare repository's git dir: a folder inside another
/// repository is not imported as that repository, and a `.git` file is not followed silently.
struct GitImportRepositoryTopTests {
    static func refusal(_ repo: String, _ pack: TempDir) throws -> String? {
        do {
            _ = try Trailpack.importGit(source: pack.url.path, repo: repo, paths: [], model: nil, since: nil, dryRun: false)
            return nil
        } catch let e as ImportError {
            return e.localizedDescription
        }
    }

    @Test func aFolderInsideARepositoryIsRefusedNamingTheTop() throws {
        let repo = try GitFixture.standard()
        let top = try #require(ArtifactChecker.realPath(repo.url.path))
        let clones = try TempDir()
        let bare = clones.path("bare.git").path
        try repo.git(["clone", "-q", "--bare", "file://" + repo.url.path, bare])
        let pack = try freshPack()
        for (folder, expected) in [
            (repo.dir.path("train").path, top),
            (repo.dir.path("train").path + "/", top),
            (repo.dir.path(".git").path, top),
            (repo.dir.path(".git/refs").path, top),
            (bare + "/refs", ArtifactChecker.realPath(bare) ?? bare),
        ] {
            let message = try Self.refusal(folder, pack)
            #expect(message?.contains("is not the top of a git repository; give the repository's top folder (\(expected))") == true,
                    "\(folder): \(message ?? "accepted")")
        }
        #expect(!FileManager.default.fileExists(atPath: pack.path("audit").path))
        let r = try Trailpack.importGit(source: pack.url.path, repo: bare, paths: [], model: nil, since: nil, dryRun: true)
        #expect(r.events.count == 7, "a bare repository's own folder is imported")
        if TrailpackBinary.url != nil {
            let b = try TrailpackBinary.run(["import", "git", pack.url.path, "--repo", repo.dir.path("train").path])
            #expect(b.status == 2 && b.stderr.contains("is not the top of a git repository"), "\(b.stderr)")
        }
    }

    @Test func aDotGitFileLeadingToAnotherFoldersRepositoryIsRefusedAndALinkedWorkTreeNoted() throws {
        let repo = try GitFixture.standard()
        let elsewhere = try TempDir()
        try elsewhere.write("train/net.py", "print('mine')\n")
        try elsewhere.write(".git", "gitdir: \(repo.dir.path(".git").path)\n")
        let pack = try freshPack()
        let message = try Self.refusal(elsewhere.url.path, pack)
        #expect(message?.contains("its .git is a file that leads to the repository of another folder (\(repo.url.path))") == true,
                "\(message ?? "accepted")")
        #expect(!FileManager.default.fileExists(atPath: pack.path("audit").path))

        let trees = try TempDir()
        let linked = trees.path("linked").path
        try repo.git(["worktree", "add", "-q", linked, "side"])
        let r = try Trailpack.importGit(source: pack.url.path, repo: linked, paths: [], model: nil, since: nil, dryRun: true)
        #expect(Set(r.events.map(\.sourceID)) == Set(["root", "rename", "side"].compactMap { repo.commits[$0] }), "\(r.text)")
        #expect(r.notes.contains { $0.contains("its .git is a file; the history is read from the git dir it names") }, "\(r.notes)")
    }
}

/// Commits with the same committer date (common after a rebase) are logged parents first.
struct GitImportHistoryOrderTests {
    @Test func commitsWithTheSameCommitterDateAreLoggedInHistoryOrder() throws {
        let repo = try GitFixture()
        try repo.git(["init", "-q"])
        let names = (1...6).map { "c\($0)" }
        for name in names {
            try repo.dir.write("train/\(name).py", "print('\(name)')\n")
            try repo.git(["add", "-A"])
            try repo.commit(name, "Add \(name)", author: GitFixture.alice, date: "2026-03-01T12:00:00Z")
        }
        let hashes = names.compactMap { repo.commits[$0] }
        #expect(hashes.count == 6 && hashes != hashes.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) },
                "the fixture's hashes are not already in history order")
        let pack = try freshPack()
        _ = try Trailpack.importGit(source: pack.url.path, repo: repo.url.path, paths: [], model: nil, since: nil, dryRun: false)
        let logged = try auditLines(pack).filter { $0["action"] == JSONValue("code.changed") }.compactMap { $0["refs"]?["commit"]?.stringValue }
        #expect(logged == hashes, "\(logged.map { h in names.first { repo.commits[$0] == h } ?? h })")
    }
}

/// Options that can never match, and advice that fits the refusal.
struct GitImportRefusalAdviceTests {
    static let gitAdvice = "check that --repo is a git repository and that git is installed"

    @Test(arguments: ["/etc", "/", "../x", "train/../../x", "..", "train/.."])
    func aPathsValueThatCanNameNoFileOfTheRepositoryIsRefused(_ path: String) throws {
        let repo = try GitFixture.standard()
        let pack = try freshPack()
        do {
            _ = try Trailpack.importGit(source: pack.url.path, repo: repo.url.path, paths: ["train", path], model: nil, since: nil, dryRun: false)
            Issue.record("--paths \(path): accepted")
        } catch let e as ImportError {
            let message = e.localizedDescription
            #expect(message.hasPrefix("--paths \(path): ") && message.contains("give a path relative to the repository's top")
                    && !message.contains(Self.gitAdvice), "\(message)")
        }
        #expect(!FileManager.default.fileExists(atPath: pack.path("audit").path))
        if TrailpackBinary.url != nil {
            let r = try TrailpackBinary.run(["import", "git", pack.url.path, "--repo", repo.url.path, "--paths", path, "--dry-run"])
            #expect(r.status == 2 && r.stderr.contains("--paths \(path): "), "\(r.stdout)\(r.stderr)")
        }
    }

    /// A commit dated in the year 10000 is the commit's problem, not git's or the folder's.
    @Test func aCommitTrailpackCannotRecordIsNamedWithoutTheAdviceForGit() throws {
        let repo = try GitFixture.standard()
        try repo.dir.write("train/far.py", "print('far')\n")
        try repo.rawCommit("far", authorLine: Array("Dora Dunn <dora@example.com>".utf8), date: 253_402_300_800, message: "From the future")
        let hash = try #require(repo.commits["far"])
        let pack = try freshPack()
        do {
            _ = try Trailpack.importGit(source: pack.url.path, repo: repo.url.path, paths: [], model: nil, since: nil, dryRun: false)
            Issue.record("a committer date in the year 10000 was accepted")
        } catch let e as ImportError {
            let message = e.localizedDescription
            #expect(message.hasPrefix("commit \(hash): the committer date \"10000-01-01T00:00:00+00:00\"") && message.contains("--since \(hash)")
                    && !message.contains(Self.gitAdvice), "\(message)")
        }
        #expect(!FileManager.default.fileExists(atPath: pack.path("audit").path))
        let notRepo = try TempDir()
        do {
            _ = try Trailpack.importGit(source: pack.url.path, repo: notRepo.url.path, paths: [], model: nil, since: nil, dryRun: false)
            Issue.record("a folder that is no repository was accepted")
        } catch let e as ImportError {
            #expect(e.localizedDescription.contains("not a git repository") && e.localizedDescription.contains(Self.gitAdvice))
        }
    }
}
