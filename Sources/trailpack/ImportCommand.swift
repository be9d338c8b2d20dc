import Foundation
import TrailpackCore

let importCommand = Command(
    name: "import", summary: "bring records of another system (MLflow) into the audit log",
    usage: """
    Usage: trailpack import mlflow SOURCE --tracking-uri URI [--model NAME]... [--dry-run] [--format text|json]

    Reads MLflow (never writes to it) and appends to the audit log of SOURCE, all or none, what
    the log does not yet hold: each version's model.registered, the run behind it as
    model.trained, its datasets as dataset.registered, and the current stage and aliases as
    observed changes (no reason: MLflow records none). time is the moment of writing, occurred
    MLflow's time, refs.source where it was read; actors through identities in trailpack.json.
    Importing again adds nothing. See docs/import.md.

      --tracking-uri URI  sqlite:///PATH (relative, or sqlite:////absolute/path),
                          file:///PATH or a folder path (FileStore),
                          postgresql://USER@HOST:PORT/DB (no password: use PGPASSWORD,
                          ~/.pgpass or a service file)
      --model NAME        import only this registered model (repeatable; default: all)
      --dry-run           write nothing; list what would be added
      --format F          text (default) or json

    Exit status: 0 imported (or, with --dry-run, nothing to add), 1 with --dry-run when
    something would be added (MLflow has moved away from what the trail explains),
    2 refused (the log is left unchanged; the message names the place and the fix).
    """,
    options: ["--tracking-uri", "--model", "--format"],
    flags: ["--dry-run"],
    run: { args in
        guard args.positionals.count == 2, args.positionals[0] == "mlflow" else {
            throw UsageError(message: args.positionals.first.map { $0 == "mlflow" ? "missing SOURCE" : "unknown system \"\($0)\"; only mlflow is supported" }
                ?? "missing the system (mlflow) and SOURCE")
        }
        guard let uri = args.options["--tracking-uri"] else { throw UsageError(message: "missing --tracking-uri URI") }
        let format = try args.format([.text, .json])
        let dryRun = args.flags.contains("--dry-run")
        let result = try Trailpack.importMLflow(source: args.positionals[1], trackingURI: uri, models: args.repeated["--model"] ?? [],
                                                dryRun: dryRun)
        Console.write(format == .json ? JSONWriter.pretty(result.json) : result.text)
        return dryRun && !result.events.isEmpty ? 1 : 0
    })
