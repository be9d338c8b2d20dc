import Foundation
import Testing
@testable import TrailpackCore

/// A real git repository in a temporary folder, built with the real `git`.
final class GitFixture {
    let dir: TempDir
    var url: URL { dir.url }
    /// Commit hashes by the name the fixture gives them.
    var commits: [String: String] = [:]

    init() throws { dir = try TempDir() }

    /// Runs git in the repository; `input` goes to its stdin.
    @discardableResult
    func git(_ args: [String], author: (String, String)? = nil, date: String = "2026-01-01T09:00:00Z", input: [UInt8]? = nil,
             in folder: URL? = nil) throws -> String {
        let p = Process()
        p.executableURL = try GitReader.executable()
        p.arguments = ["-C", (folder ?? url).path, "-c", "commit.gpgsign=false", "-c", "user.name=Fixture", "-c", "user.email=fixture@example.com",
                       "-c", "init.defaultBranch=main", "-c", "protocol.file.allow=always"] + args
        var env = ProcessInfo.processInfo.environment
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        if let (name, email) = author {
            env["GIT_AUTHOR_NAME"] = name; env["GIT_AUTHOR_EMAIL"] = email
            env["GIT_COMMITTER_NAME"] = name; env["GIT_COMMITTER_EMAIL"] = email
        }
        env["GIT_AUTHOR_DATE"] = date
        env["GIT_COMMITTER_DATE"] = date
        p.environment = env
        let out = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = inp
        try p.run()
        if let input { inp.fileHandleForWriting.write(Data(input)) }
        try inp.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw GitFixtureError(message: "git \(args.joined(separator: " ")) failed") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func commit(_ name: String, _ message: String, author: (String, String), date: String) throws {
        try git(["commit", "-q", "-m", message], author: author, date: date)
        commits[name] = try git(["rev-parse", "HEAD"])
    }

    /// A commit object written byte for byte (a Latin-1 author name, a signature header), on HEAD.
    func rawCommit(_ name: String, authorLine: [UInt8], date: Int, message: String, gpgsig: Bool = false) throws {
        try git(["add", "-A"])
        let tree = try git(["write-tree"])
        let parent = try git(["rev-parse", "HEAD"])
        var body = Array("tree \(tree)\nparent \(parent)\n".utf8)
        body += Array("author ".utf8) + authorLine + Array(" \(date) +0000\n".utf8)
        body += Array("committer ".utf8) + authorLine + Array(" \(date) +0000\n".utf8)
        if gpgsig {
            body += Array("gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEEAAAAAAAAAAAAAAAAAAAAAAAAAAAFAmZ0AAAACgkQAAAAAAAAAAAA\n =AAAA\n -----END PGP SIGNATURE-----\n".utf8)
        }
        body += Array("\n\(message)\n".utf8)
        let hash = try git(["hash-object", "-t", "commit", "-w", "--stdin"], input: body)
        try git(["update-ref", "HEAD", hash])
        commits[name] = hash
    }

    static let alice = ("Alice Adler", "alice@example.com")
    static let bob = ("Bob Brandt", "bob@example.com")
    static let carol = ("Carol Cruz", "carol@example.com")

    /// Seven commits: a root, a rename, a side branch, a main-line change, a merge, a Latin-1
    /// author name, a signed-looking commit by mkrause@example.com.
    static func standard() throws -> GitFixture {
        let f = try GitFixture()
        try f.git(["init", "-q"])
        try f.dir.write("train/model.py", "print('v1')\n")
        try f.dir.write("README.md", "# model\n")
        try f.git(["add", "-A"])
        try f.commit("root", "Initial training code", author: alice, date: "2026-01-01T09:00:00Z")
        try f.git(["mv", "train/model.py", "train/net.py"])
        try f.commit("rename", "Rename model.py to net.py", author: bob, date: "2026-01-02T09:00:00+01:00")
        try f.git(["checkout", "-q", "-b", "side"])
        try f.dir.write("docs/guide.md", "guide\n")
        try f.git(["add", "-A"])
        try f.commit("side", "Write the guide", author: carol, date: "2026-01-03T09:00:00Z")
        try f.git(["checkout", "-q", "main"])
        try f.dir.write("train/net.py", "print('v2')\n")
        try f.git(["add", "-A"])
        try f.commit("main", "Tune the network", author: alice, date: "2026-01-04T09:00:00Z")
        try f.git(["merge", "-q", "--no-ff", "-m", "Merge the guide", "side"], author: bob, date: "2026-01-05T09:00:00Z")
        f.commits["merge"] = try f.git(["rev-parse", "HEAD"])
        try f.dir.write("train/net.py", "print('v3')\n")
        // "Jürgen Groß" in Latin-1, with no encoding header: not UTF-8.
        try f.rawCommit("latin1", authorLine: [0x4A, 0xFC] + Array("rgen Gro".utf8) + [0xDF] + Array(" <juergen@example.com>".utf8),
                        date: 1_767_690_000, message: "Fix the loss")
        try f.dir.write("train/cfg.yaml", "lr: 0.1\n")
        try f.rawCommit("signed", authorLine: Array("Maria Krause <mkrause@example.com>".utf8), date: 1_767_776_400,
                        message: "Set the learning rate", gpgsig: true)
        return f
    }
}

struct GitFixtureError: Error { var message: String }

struct GitImportTests {
    static func events(_ pack: TempDir) throws -> [String: JSONObject] {
        var out: [String: JSONObject] = [:]
        for e in try auditLines(pack) { if let c = e["refs"]?["commit"]?.stringValue { out[c] = e } }
        return out
    }

    @Test func everyCommitBecomesOneCodeChangedEventAndASecondImportAddsNothing() throws {
        let repo = try GitFixture.standard()
        let pack = try freshPack(identities: ["git:alice@example.com": "u:alice"])
        let r = try Trailpack.importGit(source: pack.url.path, repo: repo.url.path, paths: [], model: nil, since: nil, dryRun: false)
        #expect(counts(r) == ["code.changed": 7], "\(r.text)")
        let byCommit = try Self.events(pack)
        #expect(Set(byCommit.keys) == Set(repo.commits.values))
        func e(_ name: String) throws -> JSONObject {
            let hash = try #require(repo.commits[name])
            return try #require(byCommit[hash])
        }

        let root = try e("root")
        #expect(root["actor"] == .object(OpenLineageMapping.obj([("id", JSONValue("u:alice"))])), "mapped through identities")
        #expect(root["occurred"] == JSONValue("2026-01-01T09:00:00Z"))
        #expect(root["data"]?["paths"] == .array([JSONValue("README.md"), JSONValue("train/model.py")]))
        #expect(root["data"]?["subject"] == JSONValue("Initial training code"))
        #expect(root["data"]?["parents"] == .array([]))
        #expect(root["data"]?["signed"] == .bool(false) && root["data"]?["signatureVerdict"] == JSONValue("N"))
        #expect(root["subject"]?["type"] == JSONValue("repository") && root["subject"]?["id"] == JSONValue(repo.url.lastPathComponent))
        #expect(root["refs"]?["source"]?["system"] == JSONValue("git") && root["refs"]?["source"]?["id"] == JSONValue(repo.commits["root"] ?? ""))
        #expect(root["signature"] == nil)

        let rename = try e("rename")
        #expect(rename["actor"]?["id"] == JSONValue("git:bob@example.com"), "not mapped: git:<email>")
        #expect(rename["occurred"] == JSONValue("2026-01-02T08:00:00Z"), "the committer date, in UTC")
        #expect(rename["data"]?["paths"] == .array([JSONValue("train/net.py")]))
        #expect(rename["data"]?["renames"]?.arrayValue?.first?["from"] == JSONValue("train/model.py"))
        #expect(rename["data"]?["renames"]?.arrayValue?.first?["to"] == JSONValue("train/net.py"))

        let merge = try e("merge")
        #expect(merge["data"]?["merge"] == .bool(true))
        #expect(merge["data"]?["parents"]?.arrayValue?.count == 2)
        #expect(merge["data"]?["paths"] == .array([JSONValue("docs/guide.md")]), "the merge's changes against its first parent")
        #expect(try e("side")["actor"]?["id"] == JSONValue("git:carol@example.com"))

        let latin1 = try e("latin1")
        #expect(latin1["data"]?["author"]?["name"] == JSONValue("Jürgen Groß"))
        #expect(latin1["data"]?["notUTF8"] == .array([JSONValue("authorName"), JSONValue("committerName")]))
        #expect(latin1["actor"]?["id"] == JSONValue("git:juergen@example.com"))
        #expect(latin1["occurred"] == JSONValue("2026-01-06T09:00:00Z"))

        let signed = try e("signed")
        #expect(signed["data"]?["signed"] == .bool(true))
        let verdict = signed["data"]?["signatureVerdict"]?.stringValue ?? "N"
        #expect(["N", "B", "E"].contains(verdict), "a made-up signature is never good: \(verdict)")
        #expect(signed["data"]?["signatureMeaning"]?.stringValue?.isEmpty == false)
        #expect(signed["data"]?["paths"] == .array([JSONValue("train/cfg.yaml")]))

        let before = try Data(contentsOf: pack.path("audit/000001.jsonl"))
        let again = try Trailpack.importGit(source: pack.url.path, repo: repo.url.path, paths: [], model: nil, since: nil, dryRun: false)
        #expect(again.events.isEmpty && again.alreadyPresent == 7)
        #expect(try Data(contentsOf: pack.path("audit/000001.jsonl")) == before)
        let report = try Trailpack.verify(source: pack.url.path, trust: nil)
        #expect(!report.findings.contains { $0.rule.rawValue.hasPrefix("INT-") }, "\(report.findings.map(\.message))")
    }

    /// The repository's own `.git/config` is not the user's: its `gpg.program` used to run (any
    /// command) when `%G?` asked for the verdict, and could answer "good" for a made-up signature.
    @Test func theRepositorysConfigNeitherRunsAProgramNorVouchesForASignature() throws {
        let repo = try GitFixture.standard()
        let marker = repo.dir.path("ran").path
        let script = try repo.dir.write("fake-gpg.sh", """
            #!/bin/sh
            touch '\(marker)'
            echo '[GNUPG:] NEWSIG'
            echo '[GNUPG:] GOODSIG 0123456789ABCDEF Mallory'
            echo '[GNUPG:] VALIDSIG 0123456789ABCDEF0123456789ABCDEF01234567 2026-01-01 0 4 0 1 10 00 0123456789ABCDEF0123456789ABCDEF01234567'
            echo '[GNUPG:] TRUST_ULTIMATE 0 pgp'
            exit 0
            """)
        #expect(chmod(script.path, 0o755) == 0)
        try repo.git(["config", "gpg.program", script.path])
        try repo.git(["config", "gpg.ssh.allowedSignersFile", script.path])
        let pack = try freshPack()
        _ = try Trailpack.importGit(source: pack.url.path, repo: repo.url.path, paths: [], model: nil, since: nil, dryRun: false)
        #expect(!FileManager.default.fileExists(atPath: marker), "the repository's gpg.program ran")
        let hash = try #require(repo.commits["signed"])
        let signed = try #require(try Self.events(pack)[hash])
        #expect(signed["data"]?["signed"] == .bool(true))
        #expect(signed["data"]?["signatureVerdict"] != JSONValue("G"), "a made-up signature is never good")
    }

    @Test(arguments: [
        (["train"], nil as String?, ["root", "rename", "main", "latin1", "signed"]),
        (["./train/"], nil, ["root", "rename", "main", "latin1", "signed"]),
        (["train/model.py"], nil, ["root", "rename"]),
        (["docs"], nil, ["side", "merge"]),
        (["README.md", "train/cfg.yaml"], nil, ["root", "signed"]),
        (["tra"], nil, []),
        ([], "main", ["side", "merge", "latin1", "signed"]),
        (["train"], "main", ["latin1", "signed"]),
        ([], "signed", []),
    ]) func pathsAndSinceSelectExactlyTheCommitsTheyShould(_ c: ([String], String?, [String])) throws {
        let repo = try GitFixture.standard()
        let pack = try freshPack()
        let since = try c.1.map { try #require(repo.commits[$0]) }
        let r = try Trailpack.importGit(source: pack.url.path, repo: repo.url.path, paths: c.0, model: "m", since: since, dryRun: true)
        #expect(Set(r.events.map(\.sourceID)) == Set(c.2.compactMap { repo.commits[$0] }), "\(r.text)")
        #expect(r.events.count == c.2.count)
        #expect(r.events.allSatisfy { $0.subject == "m" })
    }

    @Test func aShallowCloneIsImportedWithItsBoundaryMarked() throws {
        let repo = try GitFixture.standard()
        let clones = try TempDir()
        try repo.git(["clone", "-q", "--depth", "2", "file://" + repo.url.path, clones.path("shallow").path])
        let pack = try freshPack()
        let r = try Trailpack.importGit(source: pack.url.path, repo: clones.path("shallow").path, paths: [], model: nil, since: nil, dryRun: false)
        #expect(Set(r.events.map(\.sourceID)) == Set([repo.commits["latin1"], repo.commits["signed"]].compactMap { $0 }))
        #expect(r.notes.contains { $0.hasPrefix("shallow clone: history before 1 boundary commit") }, "\(r.notes)")
        let byCommit = try Self.events(pack)
        #expect(byCommit[repo.commits["latin1"] ?? ""]?["data"]?["shallowBoundary"] == .bool(true))
        #expect(byCommit[repo.commits["signed"] ?? ""]?["data"]?["shallowBoundary"] == nil)
    }

    @Test func refusalsNameThePlaceAndTheFixAndWriteNothing() throws {
        let repo = try GitFixture.standard()
        let pack = try freshPack()
        let notRepo = try TempDir()
        for (repoPath, since, expected) in [
            (notRepo.url.path, nil as String?, "not a git repository"),
            (repo.url.path, "no-such-rev", "--since no-such-rev: not a commit of the repository"),
            (repo.url.path, "--all", "--since --all: not a commit"),
            (notRepo.path("missing").path, nil, "no such folder"),
        ] {
            do {
                _ = try Trailpack.importGit(source: pack.url.path, repo: repoPath, paths: [], model: nil, since: since, dryRun: false)
                Issue.record("\(expected): accepted")
            } catch let e as ImportError {
                #expect(e.localizedDescription.contains(expected), "\(e.localizedDescription)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: pack.path("audit").path))
    }

    /// SIG-SOD compares actors mapped through identities: the approver who wrote the version's commit.
    @Test(arguments: [("mapped at import", true, true), ("mapped after import", false, true), ("unmapped", false, false)])
    func anApproverWhoAuthoredTheVersionsCommitIsSeparationOfDuties(_ c: (String, Bool, Bool)) throws {
        let repo = try GitFixture.standard()
        let commit = try #require(repo.commits["signed"])
        var p = try PackBuilder.writeSide()
        try p.installKey("mkrause")
        try p.dir.write("registry/models/m.json", """
            {"id": "m", "name": "Model M", "owner": "u:owner", "risk": "high", "requirements": [],
             "versions": [{"version": "1", "stage": "none", "created": "2026-11-02T09:00:00Z", "commit": "\(commit.prefix(12))"}]}
            """)
        try p.record("""
            {"id": "k1", "time": "2026-11-01T09:00:00Z", "actor": {"id": "u:admin"}, "action": "key.registered", \
            "subject": {"type": "key", "id": "mkrause"}, "data": {"owner": "u:mkrause"}}
            {"id": "t1", "time": "2026-11-02T09:00:00Z", "actor": {"id": "svc:ci", "kind": "service"}, "action": "model.trained", \
            "subject": {"type": "model", "id": "m", "version": "1"}, "refs": {"commit": "\(commit.prefix(12))"}}
            {"id": "a1", "time": "2026-11-30T09:00:00Z", "actor": {"id": "u:mkrause", "name": "Maria Krause"}, "action": "model.approved", \
            "subject": {"type": "model", "id": "m", "version": "1"}, \
            "signature": {"signer": "u:mkrause", "name": "Maria Krause", "meaning": "approval", "time": "2026-11-30T09:00:00Z", "key": "mkrause"}}

            """, signKey: "mkrause")
        let config = try String(contentsOf: p.url.appendingPathComponent("trailpack.json"), encoding: .utf8)
        func map() throws {
            try p.dir.write("trailpack.json", config.replacingOccurrences(of: "\"origin\"", with: "\"identities\": {\"git:mkrause@example.com\": \"u:mkrause\"}, \"origin\""))
        }
        if c.1 { try map() }
        let r = try Trailpack.importGit(source: p.url.path, repo: repo.url.path, paths: ["train/cfg.yaml"], model: "m", since: nil, dryRun: false)
        #expect(r.events.map(\.actor) == [c.1 ? "u:mkrause" : "git:mkrause@example.com"])
        if c.2 && !c.1 { try map() }
        let findings = try p.verify().findings
        let sod = findings.filter { $0.rule == .sigSOD }
        #expect(sod.count == (c.2 ? 1 : 0), "\(c.0): \(findings.map { "\($0.rule) \($0.message)" })")
        if c.2 { #expect(sod.first?.message.contains("changed its code (code.changed at its commit)") == true) }
    }

    @Test func theCommandImportsAndRefusesWithExitCodes() throws {
        _ = try #require(TrailpackBinary.url)
        let repo = try GitFixture.standard()
        let pack = try freshPack()
        var r = try TrailpackBinary.run(["import", "git", pack.url.path, "--repo", repo.url.path, "--paths", "docs", "--dry-run", "--format", "json"])
        let json = try JSONReader().parse(Array(r.stdout.utf8))
        #expect(r.status == 1 && json["counts"]?["code.changed"] == .integer(2), "\(r.stdout)\(r.stderr)")
        r = try TrailpackBinary.run(["import", "git", pack.url.path, "--repo", repo.url.path, "--since", repo.commits["main"] ?? ""])
        #expect(r.status == 0 && r.stdout.contains("added 4 events (4 code.changed)"), "\(r.stdout)\(r.stderr)")
        r = try TrailpackBinary.run(["import", "git", pack.url.path, "--repo", repo.url.path, "--since", "nope"])
        #expect(r.status == 2 && r.stderr.contains("--since nope: not a commit"), "\(r.stderr)")
        r = try TrailpackBinary.run(["import", "git", pack.url.path])
        #expect(r.status == 2 && r.stderr.contains("missing --repo DIR"))
        r = try TrailpackBinary.run(["import", "git", "--help"])
        #expect(r.status == 0 && r.stdout.contains("trailpack import git SOURCE --repo DIR"))
    }
}

struct UnmappedNamesSiteTests {
    /// The integrity page lists the imported names that `identities` maps to nobody, and the site
    /// of a pack with imported events has no broken link.
    @Test func theIntegrityPageListsUnmappedNamesAndTheSiteLinksResolve() throws {
        let repo = try GitFixture.standard()
        let pack = try freshPack(identities: ["git:alice@example.com": "u:alice", "git:bob@example.com": "u:bob"])
        _ = try Trailpack.importGit(source: pack.url.path, repo: repo.url.path, paths: [], model: nil, since: nil, dryRun: false)
        _ = try Trailpack.importOpenLineage(source: pack.url.path, paths: [OpenLineageImportTests.sample], dryRun: false)
        let analysis = try Trailpack.analyze(source: pack.url, trust: nil)
        #expect(analysis.unmappedNames.map(\.name) == ["git:carol@example.com", "git:juergen@example.com", "git:mkrause@example.com",
                                                        "openlineage:user:alice"])
        #expect(analysis.unmappedNames.first?.events == 1 && analysis.unmappedNames.first?.system == "git")
        let out = pack.path("site")
        try SiteBuilding.build(pack.url, out: out)
        let html = SiteChecks.text(out, "integrity.html"), md = SiteChecks.text(out, "integrity.md")
        for name in analysis.unmappedNames.map(\.name) {
            #expect(html.contains("<th scope=\"row\"><span class=\"id\">\(name)</span></th>") && md.contains("| \(name) |"), "\(name)")
        }
        #expect(!html.contains("git:alice@example.com") && !html.contains("git:bob@example.com"))
        for problems in [try SiteChecks.links(out), try SiteChecks.markdownTables(out), try SiteChecks.tableBalance(out)] {
            #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        }
    }
}
