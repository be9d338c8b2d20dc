import Foundation

/// Why `import` refused to run. Every message names the place (file, table, row, object or URI)
/// and says how to fix it, never with a password (a `user:password@` given as a path or URI is
/// shown as `user:***@`); the audit log is left byte-identical. The CLI exits 2.
public enum ImportError: LocalizedError, Sendable, Equatable {
    /// The tracking URI has a form trailpack does not read.
    case unsupportedURI(String)
    /// The tracking URI carries a password.
    case passwordInURI(String)
    /// The SQLite database file does not exist.
    case missingDatabase(String)
    /// The database cannot be opened or read; `what` names the file or server.
    case unreadable(String, reason: String)
    /// The database is not an MLflow tracking store (`alembic_version` missing).
    case notMLflow(String, reason: String)
    /// The MLflow schema version is not one trailpack knows.
    case unknownSchema(String, found: String, known: String)
    /// A row or file of MLflow holds a value trailpack cannot read.
    case badRecord(String, problem: String)
    /// A `--model` that MLflow does not have.
    case unknownModel(String, store: String, available: [String])
    /// A model name that cannot be a trailpack model id.
    case badModelID(String, store: String)
    /// A `--model` given to `import git` that cannot be a trailpack model id.
    case badModelOption(String)
    /// An OpenLineage event (`file:line`) that is not a RunEvent trailpack can read.
    case badEvent(String, problem: String)
    /// `git` is missing or failed, or `--repo` is not a repository; `what` names the repository
    /// or the command.
    case git(String, reason: String)
    /// `--repo` is a URL, not a local folder.
    case repositoryURL(String)
    /// A `--paths` value that can name no file of the repository.
    case badPathsOption(String, problem: String)
    /// A commit whose fields cannot become an event.
    case badCommit(String, problem: String)
    /// The repository has a grafts file (`file`), which gives commits other parents than they have.
    case gitGrafts(String, file: String)
    /// `--repo` is a folder inside a repository, not its top (`top`) or a bare repository's git dir.
    case notRepositoryTop(String, top: String)
    /// `--repo`'s `.git` file leads to the `.git` folder of another folder (`owner`).
    case gitFileElsewhere(String, owner: String)
    /// `--since REV` names no commit of the repository.
    case badRevision(String, repo: String)

    public var errorDescription: String? { StoreSetting.redacted(message) }

    /// The message as written, before a password in it is hidden.
    private var message: String {
        switch self {
        case .unsupportedURI(let u):
            return "--tracking-uri \(u): not a tracking URI trailpack reads; use sqlite:///PATH, file:///PATH (or a plain folder path) or postgresql://USER@HOST:PORT/DB"
        case .passwordInURI(let u):
            return "--tracking-uri \(u): the URI carries a password; remove it and supply it through PGPASSWORD, ~/.pgpass or a service file (no credential may reach the log, the site or a message)"
        case .missingDatabase(let p):
            return "\(p): no such MLflow database file; check the path in --tracking-uri sqlite:///PATH (three slashes, then a relative path or a path starting with /)"
        case .unreadable(let w, let reason):
            return "\(w): cannot be read (\(reason)); check the path or server and the permissions"
        case .notMLflow(let w, let reason):
            return "\(w): not an MLflow tracking store (\(reason)); point --tracking-uri at the store MLflow writes"
        case .unknownSchema(let w, let found, let known):
            return "\(w): MLflow schema version \(found) is not one trailpack knows (known: \(known)); upgrade trailpack or import from a store of a known MLflow version"
        case .badRecord(let w, let problem):
            return "\(w): \(problem); repair the record in MLflow or leave the model out with --model"
        case .unknownModel(let m, let store, let available):
            let list = available.isEmpty ? "it has no registered model" : "it has: " + available.joined(separator: ", ")
            return "--model \(m): MLflow at \(store) has no registered model of that name (\(list)); check the spelling"
        case .badModelID(let m, let store):
            return "registered model \"\(m)\" at \(store): the name is not a trailpack model id ([A-Za-z0-9._-]); rename it in MLflow or leave it out with --model"
        case .badModelOption(let m):
            return "--model \(m): not a trailpack model id (letters, digits, '.', '_' and '-', at most 200 bytes); give the id of a model as the registry and the log name it"
        case .badEvent(let place, let problem):
            return "\(place): \(problem); an OpenLineage RunEvent needs eventTime, eventType, producer, schemaURL, run.runId, job.namespace and job.name (spec 2-0-2): repair or remove the event and import again (nothing was written)"
        case .git(let what, let reason):
            return "\(what): \(reason); check that --repo is a git repository and that git is installed (make deps)"
        case .gitGrafts(let repo, let file):
            return "\(repo): the repository has a grafts file (\(file)), through which git shows commits with other parents than they were "
                + "made with (commits vanish, paths are compared with another parent), so the history read would not be the real one; "
                + "remove the file (or turn it into replace refs, which the import ignores, with git replace --convert-graft-file) and import again"
        case .notRepositoryTop(let repo, let top):
            return "--repo \(repo) is not the top of a git repository; give the repository's top folder (\(top)), "
                + "or a bare repository's own folder, as --repo (select files inside it with --paths)"
        case .gitFileElsewhere(let repo, let owner):
            return "\(repo): its .git is a file that leads to the repository of another folder (\(owner)), so its history is not this "
                + "folder's; give that folder as --repo, or remove the .git file"
        case .repositoryURL(let repo):
            return "--repo \(repo): a URL, not a folder; trailpack reads a local repository only: clone it (git clone) and give the clone's folder as --repo"
        case .badPathsOption(let p, let problem):
            return "--paths \(p): \(problem); give a path relative to the repository's top, e.g. train or train/net.py"
        case .badCommit(let hash, let problem):
            return "commit \(hash): \(problem); the commit cannot be imported as it is: import the commits after it with --since \(hash), "
                + "or select commits that leave it out with --paths"
        case .badRevision(let rev, let repo):
            return "--since \(rev): not a commit of the repository \(repo); give a commit hash, tag or branch that git rev-parse knows there"
        }
    }
}
