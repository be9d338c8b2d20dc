import Foundation

/// One commit as `git log` gives it, its fields decoded safely (UTF-8, else Latin-1) and in NFC.
struct GitCommit: Sendable, Equatable {
    struct Change: Sendable, Equatable {
        /// git's status letter(s): `A`, `M`, `D`, `T`, `R100`, `C75`, ...
        var status: String
        var path: String
        /// The old path of a rename or copy.
        var from: String?
    }
    var hash: String
    var parents: [String]
    var authorName: String
    var authorEmail: String
    var authorDate: String
    var committerName: String
    var committerEmail: String
    var committerDate: String
    /// git's verdict on the signature (`%G?`): `N` none, `G` good, `B` bad, `U` by a key not
    /// trusted, `X`, `Y`, `R`, `E` (``GitMapping/verdict(_:)``).
    var signature: String
    var subject: String
    /// The commit object carries a signature header.
    var signed = false
    var changes: [Change]
    /// A field that was not UTF-8 in git and was read as Latin-1.
    var latin1Fields: [String]
}

/// Runs the real `git` (found on PATH) with `Process` and an argument list, never a shell, and
/// reads its NUL-separated output.
struct GitReader {
    var repo: String

    static func executable() throws(ImportError) -> URL {
        guard let git = ExternalTool.locate(["git"]) else {
            throw .git("git", reason: "the git command is not on PATH (install it, e.g. with make deps)")
        }
        return git
    }

    /// The settings with which git runs a program or decides whom a signature binds, taken from
    /// the user's own configuration (global, then system) or git's defaults, never from the
    /// repository being imported: its `.git/config` is not the user's, and `%G?` would otherwise
    /// run its `gpg.program` (any command) or trust its `gpg.ssh.allowedSignersFile`. Given with
    /// `-c`, which overrides every configuration file.
    static let userSettings: [String] = {
        func own(_ key: String) -> String? {
            for scope in ["--global", "--system"] {
                if let v = try? GitReader(repo: "/").runOutsideRepository(["config", scope, "--get", key]), !v.isEmpty { return v }
            }
            return nil
        }
        let gpg = own("gpg.program") ?? "gpg"
        let settings = [
            ("gpg.program", gpg),
            ("gpg.openpgp.program", own("gpg.openpgp.program") ?? gpg),
            ("gpg.x509.program", own("gpg.x509.program") ?? "gpgsm"),
            ("gpg.ssh.program", own("gpg.ssh.program") ?? "ssh-keygen"),
            ("gpg.ssh.allowedSignersFile", own("gpg.ssh.allowedSignersFile") ?? "/dev/null"),
            ("core.fsmonitor", "false"),
        ]
        return settings.flatMap { ["-c", "\($0.0)=\($0.1)"] }
    }()

    /// One value of `git config` run with no repository (nil on any failure, e.g. an unset key).
    func runOutsideRepository(_ args: [String]) throws -> String? {
        let process = Process()
        process.executableURL = try Self.executable()
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        var env = ProcessInfo.processInfo.environment
        for k in ["GIT_DIR", "GIT_WORK_TREE", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT"] { env[k] = nil }
        env["GIT_CEILING_DIRECTORIES"] = "/"
        env["GIT_NO_REPLACE_OBJECTS"] = "1"
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    /// git's standard output; a non-zero exit is an error carrying its first line of stderr.
    ///
    /// Replace objects are off (`--no-replace-objects`, `GIT_NO_REPLACE_OBJECTS`): a repository's
    /// `refs/replace/` would otherwise show another commit's author, subject, paths and signature
    /// under a commit's hash. Grafts (`info/grafts`) are not turned off by it; the import refuses
    /// a repository that has them (``graftsFile()``).
    func run(_ args: [String], allowFailure: Bool = false) throws(ImportError) -> (status: Int32, out: [UInt8]) {
        let process = Process()
        process.executableURL = try Self.executable()
        process.arguments = ["--no-replace-objects", "-C", repo, "-c", "core.quotepath=off", "-c", "i18n.logOutputEncoding=UTF-8",
                             "-c", "log.showSignature=false"] + Self.userSettings + args
        var env = ProcessInfo.processInfo.environment
        for k in ["GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
                  "GIT_CEILING_DIRECTORIES", "GIT_GRAFT_FILE", "GIT_REPLACE_REF_BASE", "GIT_SHALLOW_FILE"] {
            env[k] = nil
        }
        env["GIT_NO_REPLACE_OBJECTS"] = "1"
        env["GIT_TERMINAL_PROMPT"] = "0"
        env["GIT_OPTIONAL_LOCKS"] = "0"
        env["LC_ALL"] = "C"
        process.environment = env
        let out = Pipe()
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("trailpack-git-\(UUID().uuidString).err")
        guard FileManager.default.createFile(atPath: errURL.path, contents: nil),
              let errHandle = try? FileHandle(forWritingTo: errURL) else {
            throw .git(repo, reason: "cannot create a temporary file for git's messages")
        }
        defer {
            try? errHandle.close()
            try? FileManager.default.removeItem(at: errURL)
        }
        process.standardOutput = out
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw .git(repo, reason: "git could not be started (\(error.localizedDescription))") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus != 0 && !allowFailure {
            let message = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
            let first = message.split(separator: "\n").first.map(String.init) ?? "exit status \(process.terminationStatus)"
            throw .git(repo, reason: "git \(args.first ?? "") failed: \(first)")
        }
        return (process.terminationStatus, [UInt8](data))
    }

    /// One line git prints (e.g. `rev-parse --show-toplevel`), nil when git fails.
    func line(_ args: [String]) throws(ImportError) -> String? {
        let r = try run(args, allowFailure: true)
        guard r.status == 0 else { return nil }
        return String(decoding: r.out, as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    /// Checks that `repo` is the top of a work tree or a bare repository's git dir, not a folder
    /// inside one (git would read the repository around it) or a work tree whose `.git` file
    /// leads to another folder's repository. Returns a note when `.git` is a file that git
    /// follows (a linked work tree, a submodule, a separate git dir). `shown` names the
    /// repository in messages.
    func checkTop(shown: String) throws(ImportError) -> String? {
        let real = ArtifactChecker.realPath(repo) ?? repo
        func same(_ path: String) -> Bool { (ArtifactChecker.realPath(path) ?? path).utf8.elementsEqual(real.utf8) }
        guard let gitDir = try line(["rev-parse", "--absolute-git-dir"]) else {
            throw .git(shown, reason: "not a git repository (git rev-parse --absolute-git-dir failed)")
        }
        let gitDirURL = URL(fileURLWithPath: gitDir)
        if try line(["rev-parse", "--is-bare-repository"]) == "true" {
            guard same(gitDir) else { throw .notRepositoryTop(shown, top: gitDir) }
            return nil
        }
        guard let top = try line(["rev-parse", "--show-toplevel"]) else {
            // Inside a work tree's git dir (e.g. `.git` itself): its work tree is the folder above.
            throw .notRepositoryTop(shown, top: gitDirURL.lastPathComponent == ".git" ? gitDirURL.deletingLastPathComponent().path : gitDir)
        }
        guard same(top) else { throw .notRepositoryTop(shown, top: top) }
        var isDir: ObjCBool = false
        let dotGit = URL(fileURLWithPath: repo).appendingPathComponent(".git").path
        guard FileManager.default.fileExists(atPath: dotGit, isDirectory: &isDir), !isDir.boolValue else { return nil }
        let owner = gitDirURL.deletingLastPathComponent().path
        if gitDirURL.lastPathComponent == ".git" && !same(owner) { throw .gitFileElsewhere(shown, owner: owner) }
        return "\(shown): its .git is a file; the history is read from the git dir it names (\(gitDir))"
    }

    /// The file git means by `name` in the repository's git dir (`git rev-parse --git-path`), e.g.
    /// `shallow` or `info/grafts`.
    func gitPath(_ name: String) throws(ImportError) -> URL {
        let file = String(decoding: try run(["rev-parse", "--git-path", name]).out, as: UTF8.self)
            .trimmingCharacters(in: .newlines)
        return file.hasPrefix("/") ? URL(fileURLWithPath: file) : URL(fileURLWithPath: repo).appendingPathComponent(file)
    }

    /// The repository's grafts file when it has one: git rewrites the parents of commits through
    /// it even with replace objects off, so the history it shows is not the real one.
    func graftsFile() throws(ImportError) -> URL? {
        let url = try gitPath("info/grafts")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// A field's bytes as text: UTF-8 when valid, else Latin-1 (every byte a character), then NFC.
    static func text(_ bytes: ArraySlice<UInt8>) -> (String, latin1: Bool) {
        if let s = String(validating: bytes, as: UTF8.self) { return (s.precomposedStringWithCanonicalMapping, false) }
        return (String(bytes.map { Character(Unicode.Scalar($0)) }).precomposedStringWithCanonicalMapping, true)
    }

    static let format = "%x01%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%G?%x00%s"
    static let headerFields = 10

    /// The commits of `range` (e.g. `HEAD` or `<hash>..HEAD`) in history order, every parent
    /// before its children (`--topo-order --reverse`), each with its changes against its first
    /// parent (none for a root commit), renames detected.
    func commits(_ range: String) throws(ImportError) -> [GitCommit] {
        let out = try run(["log", "-z", "--format=" + Self.format, "--name-status", "-M", "--diff-merges=first-parent",
                           "--topo-order", "--reverse", "--no-color", "--no-abbrev", range, "--"]).out
        var commits = try Self.parse(out, place: repo)
        let signed = try signedHashes(range)
        for i in commits.indices { commits[i].signed = signed.contains(commits[i].hash) }
        return commits
    }

    /// The commits of `range` whose raw header carries a signature (`gpgsig`, `gpgsig-sha256`):
    /// `%G?` says `N` both for none and for one gpg cannot read, so presence is read from the object.
    func signedHashes(_ range: String) throws(ImportError) -> Set<String> {
        let out = try run(["log", "-z", "--pretty=raw", "--no-color", range, "--"]).out
        var signed = Set<String>()
        for record in out.split(separator: 0) {
            var hash: String?
            for line in record.split(separator: 0x0A, omittingEmptySubsequences: false).drop(while: \.isEmpty) {
                if line.isEmpty { break }
                if hash == nil {
                    guard line.starts(with: Array("commit ".utf8)) else { break }
                    hash = String(decoding: line.dropFirst(7).prefix(64).prefix { $0 != 0x20 }, as: UTF8.self)
                } else if line.starts(with: Array("gpgsig ".utf8)) || line.starts(with: Array("gpgsig-sha256 ".utf8)), let hash {
                    signed.insert(hash)
                    break
                }
            }
        }
        return signed
    }

    static func parse(_ out: [UInt8], place: String) throws(ImportError) -> [GitCommit] {
        var tokens = out.split(separator: 0, omittingEmptySubsequences: false)[...]
        var commits: [GitCommit] = []
        while var t = tokens.popFirst() {
            while t.first == 0x0A { t = t.dropFirst() }
            if t.isEmpty { continue }
            if t.first == 0x01 {
                var fields: [ArraySlice<UInt8>] = [t.dropFirst()]
                while fields.count < headerFields, let f = tokens.popFirst() { fields.append(f) }
                guard fields.count == headerFields else { throw .git(place, reason: "git log output ends inside a commit") }
                var latin1: [String] = []
                func field(_ i: Int, _ name: String) -> String {
                    let (s, l) = text(fields[i])
                    if l { latin1.append(name) }
                    return s
                }
                let hash = field(0, "hash")
                guard hash.utf8.count == 40 || hash.utf8.count == 64, hash.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
                    throw .git(place, reason: "git log gave \"\(hash)\" where a commit hash belongs")
                }
                commits.append(GitCommit(
                    hash: hash, parents: field(1, "parents").split(separator: " ").map(String.init),
                    authorName: field(2, "authorName"), authorEmail: field(3, "authorEmail"), authorDate: field(4, "authorDate"),
                    committerName: field(5, "committerName"), committerEmail: field(6, "committerEmail"),
                    committerDate: field(7, "committerDate"), signature: field(8, "signature"), subject: field(9, "subject"),
                    changes: [], latin1Fields: latin1))
                continue
            }
            let status = text(t).0
            guard let kind = status.first, !commits.isEmpty, let p = tokens.popFirst() else {
                throw .git(place, reason: "git log gave an unexpected entry \"\(status)\"")
            }
            var change = GitCommit.Change(status: status, path: text(p).0)
            if kind == "R" || kind == "C" {
                guard let to = tokens.popFirst() else { throw .git(place, reason: "git log gave a rename without its new path") }
                change.from = change.path
                change.path = text(to).0
            }
            commits[commits.count - 1].changes.append(change)
        }
        return commits
    }
}
