import Foundation

/// Commits as `code.changed` events (docs/import.md has the table of every field).
enum GitMapping {
    static func obj(_ pairs: [(String, JSONValue)]) -> JSONObject {
        JSONObject(pairs.map { JSONMember(key: JSONString($0.0), value: $0.1) })
    }

    /// What git's `%G?` letter says. `U` is never called good: git gives it for a signature
    /// that checks out against a key nobody said to trust (any self-made SSH key when no
    /// allowed-signers file is configured; a gpg key of unknown validity).
    static func verdict(_ g: String) -> String {
        switch g {
        case "G": return "good"
        case "B": return "bad"
        case "U": return "signature by a key that is not trusted (validity unknown)"
        // Only `G` is called good: an inspector reads "good" as "counts".
        case "X": return "expired signature (it checks out, but has expired)"
        case "Y": return "signature by a key that has expired"
        case "R": return "signature by a revoked key (does not count)"
        case "E": return "cannot be checked (key or tool missing)"
        case "N": return "none"
        default: return "unknown (\(g))"
        }
    }

    /// A path given to `--paths`, as git names paths (relative to the top, `/`, no `./`).
    static func normalized(_ p: String) -> String {
        var s = p.precomposedStringWithCanonicalMapping
        while s.hasPrefix("./") { s.removeFirst(2) }
        while s.count > 1 && s.hasSuffix("/") { s.removeLast() }
        return s == "." ? "" : s
    }

    /// Why a `--paths` value can name no file of the repository (absolute, or a `..` part), or nil.
    static func pathProblem(_ p: String) -> String? {
        if p.hasPrefix("/") { return "an absolute path never names a file of the repository (git names them from its top)" }
        if p.split(separator: "/").contains("..") { return "a path with a .. part leaves the repository's top, where no file of it lies" }
        return nil
    }

    /// True when `path` is `p` or lies under it (an empty `p`: the whole tree).
    static func touches(_ path: String, _ p: String) -> Bool {
        p.isEmpty || path == p || path.hasPrefix(p + "/")
    }

    /// The `code.changed` of commit `c`; `rank` is its place in history order (parents first),
    /// which orders commits with the same committer date (common after a rebase).
    static func fact(_ c: GitCommit, subject: JSONObject, shallowBoundary: Bool, rank: Int) throws(ImportError) -> ImportedFact {
        guard case .valid(let occurred) = Timestamp.parse(c.committerDate) else {
            throw .badCommit(c.hash, problem: "the committer date \"\(c.committerDate)\" is not an ISO 8601 date-time with a four-digit year, "
                             + "which every event's occurred must be")
        }
        let changed = c.changes.map(\.path)
        var data = obj([
            ("subject", JSONValue(c.subject)),
            ("paths", .array(changed.map { JSONValue($0) })),
            ("signed", .bool(c.signed || c.signature != "N")),
            ("signatureVerdict", JSONValue(c.signature)),
            ("signatureMeaning", JSONValue(c.signed && c.signature == "N" ? "present, but git found no signature it could read" : verdict(c.signature))),
            ("author", .object(obj([("name", JSONValue(c.authorName)), ("email", JSONValue(c.authorEmail)), ("date", JSONValue(c.authorDate))]))),
            ("committer", .object(obj([("name", JSONValue(c.committerName)), ("email", JSONValue(c.committerEmail))]))),
            ("parents", .array(c.parents.map { JSONValue($0) })),
        ])
        let renames = c.changes.compactMap { ch -> JSONValue? in
            ch.from.map { .object(obj([("from", JSONValue($0)), ("to", JSONValue(ch.path)), ("status", JSONValue(ch.status))])) }
        }
        if !renames.isEmpty { data["renames"] = .array(renames) }
        if c.parents.count > 1 { data["merge"] = .bool(true) }
        if shallowBoundary { data["shallowBoundary"] = .bool(true) }
        if !c.latin1Fields.isEmpty { data["notUTF8"] = .array(c.latin1Fields.map { JSONValue($0) }) }
        let fields = obj([
            ("hash", JSONValue(c.hash)), ("parents", .array(c.parents.map { JSONValue($0) })),
            ("authorName", JSONValue(c.authorName)), ("authorEmail", JSONValue(c.authorEmail)), ("authorDate", JSONValue(c.authorDate)),
            ("committerName", JSONValue(c.committerName)), ("committerEmail", JSONValue(c.committerEmail)),
            ("committerDate", JSONValue(c.committerDate)), ("signature", JSONValue(c.signature)), ("signed", .bool(c.signed)), ("subject", JSONValue(c.subject)),
            ("changes", .array(c.changes.map { ch in
                .object(obj([("status", JSONValue(ch.status)), ("path", JSONValue(ch.path)), ("from", ch.from.map { JSONValue($0) } ?? .null)]))
            })),
        ])
        return ImportedFact(
            action: "code.changed", subject: subject, user: c.authorEmail.isEmpty ? nil : c.authorEmail, occurred: occurred,
            sourceID: c.hash, sourceFields: fields, refs: obj([("commit", JSONValue(c.hash))]), data: data,
            once: .commit(c.hash), rank: rank)
    }
}

extension Trailpack {
    /// `trailpack import git`: brings the commits of `repo` that touch `paths` (all when empty),
    /// after `since` when given, into the audit log of `source` as `code.changed` (contract section 9).
    public static func importGit(source: String, repo: String, paths: [String], model: String?, since: String?,
                                 dryRun: Bool) throws -> ImportResult {
        let (sourceURL, config) = try writableSource(source)
        var isDir: ObjCBool = false
        for p in paths {
            if let problem = GitMapping.pathProblem(p) { throw ImportError.badPathsOption(p, problem: problem) }
        }
        guard FileManager.default.fileExists(atPath: repo, isDirectory: &isDir), isDir.boolValue else {
            if repo.contains("://") { throw ImportError.repositoryURL(repo) }
            throw ImportError.git(repo, reason: "no such folder")
        }
        let repoURL = URL(fileURLWithPath: repo).standardizedFileURL
        let git = GitReader(repo: repoURL.path)
        // Not a repository, or not its top: refused here (checkTop's first git call answers both).
        let dotGitNote = try git.checkTop(shown: repo)
        if let grafts = try git.graftsFile() { throw ImportError.gitGrafts(repo, file: grafts.path) }
        if let model {
            let m = model.precomposedStringWithCanonicalMapping
            guard !m.isEmpty, m.utf8.count <= 200, m.utf8.allSatisfy(isIDByte) else { throw ImportError.badModelOption(m) }
        }
        let subject: JSONObject = model.map { GitMapping.obj([("type", JSONValue("model")), ("id", JSONValue($0.precomposedStringWithCanonicalMapping))]) }
            ?? GitMapping.obj([("type", JSONValue("repository")), ("id", JSONValue(repoURL.lastPathComponent.precomposedStringWithCanonicalMapping))])
        var notes = dotGitNote.map { [$0] } ?? []
        var commits: [GitCommit] = []
        if try git.run(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], allowFailure: true).status == 0 {
            var range = "HEAD"
            if let since {
                let r = try git.run(["rev-parse", "--verify", "--quiet", "--end-of-options", since + "^{commit}"], allowFailure: true)
                let hash = String(decoding: r.out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                guard r.status == 0, !hash.isEmpty else { throw ImportError.badRevision(since, repo: repo) }
                range = "\(hash)..HEAD"
            }
            commits = try git.commits(range)
        } else {
            notes.append("the repository has no commit yet: nothing to import")
        }
        var boundary = Set<String>()
        let shallow = try git.run(["rev-parse", "--is-shallow-repository"]).out
        if String(decoding: shallow, as: UTF8.self).hasPrefix("true") {
            let file = try git.gitPath("shallow")
            let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            boundary = Set(text.split(separator: "\n").map(String.init))
            notes.append("shallow clone: history before \(boundary.count) boundary commit\(boundary.count == 1 ? "" : "s") is not in the repository; "
                         + "a boundary commit lists every file it holds (data.shallowBoundary); fetch the full history (git fetch --unshallow) to import it")
        }
        let selected = paths.map(GitMapping.normalized)
        var facts: [ImportedFact] = []
        for (rank, c) in commits.enumerated() where selected.isEmpty || c.changes.contains(where: { ch in
            selected.contains { p in GitMapping.touches(ch.path, p) || ch.from.map { GitMapping.touches($0, p) } == true }
        }) {
            facts.append(try GitMapping.fact(c, subject: subject, shallowBoundary: boundary.contains(c.hash), rank: rank))
        }
        let runner = ImportRunner(sourceURL: sourceURL, config: config, origin: ImportOrigin(system: "git", uri: repoURL.absoluteString), dryRun: dryRun)
        return try runner.run(facts, notes: notes)
    }
}
