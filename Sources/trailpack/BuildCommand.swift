import Foundation
import TrailpackCore

let buildCommand = Command(
    name: "build", summary: "verify a pack source and build the inspection site",
    usage: """
    Usage: trailpack build SOURCE [--out DIR] [--templates DIR] [--page-size N] [--fail-on critical|major|minor] [--trust FILE]
                           [--previous OLD [--fail-on-regression]] [--clean] [--dry-run]

    Verifies SOURCE (a pack source folder, or a built site's evidence copy) as `verify` does, then
    renders the inspection site into DIR: summary, audit trail, models and versions, traceability
    (also CSV), e-signature manifest, integrity, findings, CAPA and drift, the evidence copy,
    report.json and SHA256SUMS. Every HTML page has a Markdown twin. The previous site at DIR is
    replaced in one step once the new one is complete; a failed build leaves it as it was. An
    existing DIR must be empty or an earlier site (SHA256SUMS and report.json): any other
    folder is refused, never replaced.

      --out DIR              output folder (default site)
      --templates DIR        templates that replace the default theme's files of the same name
      --page-size N          events per audit trail page (default 100)
      --fail-on SEVERITY     exit 1 when a finding is at or above it (default major)
      --trust FILE           trust list: one key per line, `<fingerprint> [owner=<actor id>] [checkpoint]`, and
                             `tree <size> <root>` lines (docs/trust.md; default: keys/ as found)
      --previous OLD         the previous release (a built site, e.g. DIR itself, or a pack source):
                             adds changes.html, "Changes since release ...", with the proof that
                             this log extends OLD's (or where history was rewritten)
      --fail-on-regression   with --previous: exit 1 when history was rewritten, a requirement
                             lost coverage, a test newly fails or a critical finding was opened
      --clean                render every page, keeping nothing of the site already at DIR
      --dry-run              build everything in a temporary folder beside DIR, say what would be
                             written, and discard it: DIR stays as it was

    Incremental: when DIR holds a site built from an earlier state of the same log, the pages of
    events (chronological, by model, actor and action) whose inputs did not change are kept as
    that build wrote them (each checked against its SHA256SUMS, or by its unchanged status through
    the cache in $XDG_CACHE_HOME/trailpack, else ~/.cache/trailpack); the result is byte for byte the
    site a clean build writes. A rewritten history, or a log whose chain does not verify, is
    rendered in full, and the build says why (docs/site.md, "Incremental builds").

    The default theme is found next to the executable: <exe>/../../templates (a SwiftPM build in
    a checkout) or <exe>/../share/trailpack/templates (an installed layout).

    Exit status: 0 no finding at or above --fail-on, 1 otherwise or a regression with
    --fail-on-regression (the site is built either way), 2 the source, OLD, templates or output
    could not be used (nothing is written).
    """,
    options: ["--out", "--templates", "--page-size", "--fail-on", "--trust", "--previous"],
    flags: ["--fail-on-regression", "--clean", "--dry-run"],
    run: { args in
        let source = try args.onePositional("SOURCE")
        let failOn = try args.severity("--fail-on", default: .major)
        let pageSize = try args.int("--page-size", default: 100)
        let failOnRegression = args.flags.contains("--fail-on-regression")
        if failOnRegression && args.options["--previous"] == nil {
            throw UsageError(message: "--fail-on-regression needs --previous OLD")
        }
        let executable = URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0])
        let theme = try Theme.forCommand(executable: executable, overrides: args.options["--templates"].map { URL(fileURLWithPath: $0) })
        var options = BuildOptions(output: URL(fileURLWithPath: args.options["--out"] ?? "site"), theme: theme, pageSize: pageSize,
                                   trust: try Trailpack.trustList(args.options["--trust"]))
        options.previous = args.options["--previous"]
        options.progress = { Console.progress($0) }
        options.incremental = !args.flags.contains("--clean")
        options.dryRun = args.flags.contains("--dry-run")
        options.cacheFolder = Trailpack.cacheFolder(environment: ProcessInfo.processInfo.environment)
        let result = try Trailpack.build(source: source, options: options)
        Console.endProgress()
        let c = FindingCounts(result.verifyReport.findings)
        var line = (options.dryRun ? "would build " : "built ") + "\(options.output.path): \(ReleaseDiff.plural(result.pages, "page")), "
            + "\(ReleaseDiff.plural(result.files.count, "file")), \(ReleaseDiff.plural(result.bytes, "byte")); "
            + "findings: \(c.critical) critical, \(c.major) major, \(c.minor) minor"
        if result.keptPages > 0 {
            line += (options.dryRun ? "; would keep " : "; kept ") + "\(result.keptPages) of \(ReleaseDiff.plural(result.eventPages, "page")) of events from the previous build"
        }
        if let reason = result.fullBuildReason { Console.error("note: " + reason) }
        if let warning = result.diff?.sameNameWarning { Console.error("warning: " + warning) }
        if let d = result.diff {
            line += "; since release \(d.old.release): \(d.integrity.verdict.rawValue), \(ReleaseDiff.plural(d.events.count, "event")) added, "
                + ReleaseDiff.plural(d.regressions.count, "regression")
        }
        Console.write(line + "\n")
        let regressed = failOnRegression && result.diff?.hasRegression == true
        return result.verifyReport.fails(at: failOn) || regressed ? 1 : 0
    })
