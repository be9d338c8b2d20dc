import Foundation
import TrailpackCore

let importCommand = Command(
    name: "import", summary: "bring records of another system (MLflow, OpenLineage, git) into the audit log",
    usage: """
    Usage: trailpack import mlflow SOURCE --tracking-uri URI [--model NAME]... [--dry-run] [--format text|json]
           trailpack import openlineage SOURCE FILE|DIR... [--dry-run] [--format text|json]
           trailpack import git SOURCE --repo DIR [--paths PATH]... [--model ID] [--since REV] [--dry-run] [--format text|json]

    Reads the other system (never writes to it) and appends to the audit log of SOURCE, all or
    none, what the log does not yet hold. time is the moment of writing, occurred the other
    system's time, refs.source where it was read; actors through identities in trailpack.json.
    Importing again adds nothing. See docs/import.md.

    mlflow: each version's model.registered, the run behind it as model.trained, its datasets
    as dataset.registered, and the current stage and aliases as observed changes (no reason:
    MLflow records none).
      --tracking-uri URI  sqlite:///PATH (relative, or sqlite:////absolute/path),
                          file:///PATH or a folder path (FileStore),
                          postgresql://USER@HOST:PORT/DB (no password: use PGPASSWORD,
                          ~/.pgpass or a service file)
      --model NAME        import only this registered model (repeatable; default: all)

    openlineage: RunEvents as the FileTransport writes them (JSON Lines; a FILE, or a DIR's
    .jsonl and .json files, a .json file holding one event). Each run's COMPLETE as
    pipeline.run_completed, FAIL or ABORT as pipeline.run_failed, a run with neither as
    pipeline.run_started; a completed run's output dataset versions as dataset.registered;
    dataQualityAssertions / dataQualityMetrics facets as dataset.quality_checked. A bad event
    (a required field missing, a bad eventTime, not JSON) is refused naming FILE:LINE.

    git: one code.changed per commit whose changes against its first parent touch a --paths
    (merges included), through the git command: refs.commit the full hash, actor git:<author
    e-mail> through identities, occurred the committer date, data the subject, the paths
    changed, renames, whether the commit is signed and git's verdict (%G?).
      --repo DIR          the repository (a work tree or a bare repository; shallow allowed)
      --paths PATH        only commits changing a file at or under PATH (repeatable; default all)
      --model ID          subject {"type":"model","id":ID} (default: the repository folder)
      --since REV         only commits after REV (REV..HEAD)

      --dry-run           write nothing; list what would be added
      --format F          text (default) or json

    Exit status: 0 imported (or, with --dry-run, nothing to add), 1 with --dry-run when
    something would be added (the other system has moved away from what the trail explains),
    2 refused (the log is left unchanged; the message names the place and the fix).
    """,
    options: ["--tracking-uri", "--model", "--format", "--repo", "--paths", "--since"],
    flags: ["--dry-run"],
    run: { args in
        let systems = "mlflow, openlineage or git"
        guard let system = args.positionals.first else { throw UsageError(message: "missing the system (\(systems)) and SOURCE") }
        guard args.positionals.count >= 2 else { throw UsageError(message: "missing SOURCE") }
        let source = args.positionals[1]
        let format = try args.format([.text, .json])
        let dryRun = args.flags.contains("--dry-run")
        let result: ImportResult
        switch system {
        case "mlflow":
            guard args.positionals.count == 2 else { throw UsageError(message: "import mlflow takes SOURCE only; name the store with --tracking-uri") }
            guard args.options["--repo"] == nil, args.options["--paths"] == nil, args.options["--since"] == nil else {
                throw UsageError(message: "--repo, --paths and --since belong to import git")
            }
            guard let uri = args.options["--tracking-uri"] else { throw UsageError(message: "missing --tracking-uri URI") }
            result = try Trailpack.importMLflow(source: source, trackingURI: uri, models: args.repeated["--model"] ?? [], dryRun: dryRun)
        case "openlineage":
            guard args.positionals.count >= 3 else { throw UsageError(message: "missing FILE or DIR of OpenLineage events") }
            guard args.options["--tracking-uri"] == nil, args.repeated["--model"] == nil, args.options["--repo"] == nil,
                  args.options["--paths"] == nil, args.options["--since"] == nil else {
                throw UsageError(message: "import openlineage takes no --tracking-uri, --model, --repo, --paths or --since")
            }
            result = try Trailpack.importOpenLineage(source: source, paths: Array(args.positionals.dropFirst(2)), dryRun: dryRun)
        case "git":
            guard args.positionals.count == 2 else { throw UsageError(message: "import git takes SOURCE only; give each path with its own --paths") }
            guard let repo = args.options["--repo"] else { throw UsageError(message: "missing --repo DIR") }
            guard args.options["--tracking-uri"] == nil, (args.repeated["--model"] ?? []).count <= 1 else {
                throw UsageError(message: "import git takes no --tracking-uri and one --model at most")
            }
            result = try Trailpack.importGit(source: source, repo: repo, paths: args.repeated["--paths"] ?? [], model: args.options["--model"],
                                             since: args.options["--since"], dryRun: dryRun)
        default:
            throw UsageError(message: "unknown system \"\(system)\"; use \(systems)")
        }
        if format == .json { Console.writeDocument(JSONWriter.pretty(result.json)) } else { Console.write(result.text) }
        return dryRun && !result.events.isEmpty ? 1 : 0
    })
