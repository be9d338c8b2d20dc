import Foundation
import TrailpackCore

let verifyCommand = Command(
    name: "verify", summary: "check a pack source's integrity and compliance rules",
    usage: """
    Usage: trailpack verify SOURCE [--format text|json] [--fail-on critical|major|minor] [--trust FILE]
           trailpack verify SITE --rebuild [--templates DIR] [--page-size N] [--previous OLD] [other options as above]

    Verifies the audit store of SOURCE (a pack source folder, or a built site's evidence copy):
    hash chain, Merkle root, signed checkpoints, e-signatures, artifacts and the compliance rules.
    For a built site, every file is also checked against the site's SHA256SUMS (INT-SITE).
    Prints one `file:line: severity: [RULE] message` line per finding (or JSON with --format json).
    Consecutive lines of a segment that are not events, with the same problem, are one finding at
    `file:first–last`. Each rule lists at most 10,000 findings per pass; one more finding then
    says how many were left out (`omitted` in JSON). The counts and exit status include them all.

      --format text|json     output form (default text)
      --fail-on SEVERITY     exit 1 when a finding is at or above it (default major)
      --trust FILE           trust list: one key per line, `<fingerprint> [owner=<actor id>] [checkpoint]`, and
                             `tree <size> <root>` lines (docs/trust.md; default: keys/ as found)
      --rebuild              for a built site: build it again from its own evidence/ and report every file
                             that is not what this version builds (INT-SITE); SHA256SUMS alone is written by
                             whoever publishes the site. Give the options the site was built with:
      --templates DIR        theme overrides of the build (with --rebuild)
      --page-size N          page size of the build (with --rebuild; default 100)
      --previous OLD         --previous of the build (with --rebuild)

    Exit status: 0 no finding at or above --fail-on, 1 otherwise, 2 the source could not be read.
    """,
    options: ["--format", "--fail-on", "--trust", "--templates", "--page-size", "--previous"],
    flags: ["--rebuild"],
    run: { args in
        let source = try args.onePositional("SOURCE")
        let format = try args.format([.text, .json])
        let failOn = try args.severity("--fail-on", default: .major)
        var rebuild: RebuildOptions?
        if args.flags.contains("--rebuild") {
            let executable = URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0])
            let theme = try Theme.forCommand(executable: executable, overrides: args.options["--templates"].map { URL(fileURLWithPath: $0) })
            rebuild = RebuildOptions(theme: theme, pageSize: try args.int("--page-size", default: 100), previous: args.options["--previous"])
        } else if let given = ["--templates", "--page-size", "--previous"].first(where: { args.options[$0] != nil }) {
            throw UsageError(message: "\(given) is an option of the build that --rebuild repeats; give --rebuild too")
        }
        let report = try Trailpack.verify(source: source, trust: args.options["--trust"], rebuild: rebuild)
        if format == .json { Console.writeDocument(JSONWriter.pretty(report.json)) } else { Console.write(report.text) }
        return report.fails(at: failOn) ? 1 : 0
    })

let rulesCommand = Command(
    name: "rules", summary: "print the rule catalogue (what, why, clause, how to fix)",
    usage: """
    Usage: trailpack rules [--format text|json|markdown]

    Prints every rule trailpack checks, from the same table the checks use.
    docs/rules.md is `trailpack rules --format markdown`.
    """,
    options: ["--format"],
    run: { args in
        guard args.positionals.isEmpty else { throw UsageError(message: "rules takes no arguments") }
        switch try args.format([.text, .json, .markdown]) {
        case .text: Console.write(RuleCatalog.text)
        case .json: Console.writeDocument(JSONWriter.pretty(RuleCatalog.json))
        case .markdown, .html: Console.write(RuleCatalog.markdown)  // html is not allowed here
        }
        return 0
    })
