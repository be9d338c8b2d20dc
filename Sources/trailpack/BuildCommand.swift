import Foundation
import TrailpackCore

let buildCommand = Command(
    name: "build", summary: "verify a pack source and build the inspection site",
    usage: """
    Usage: trailpack build SOURCE [--out DIR] [--templates DIR] [--page-size N] [--fail-on critical|major|minor] [--trust FILE]

    Verifies SOURCE (a pack source folder, or a built site's evidence copy) as `verify` does, then
    renders the inspection site into DIR: summary, audit trail, models and versions, traceability
    (also CSV), e-signature manifest, integrity, findings, CAPA and drift, the evidence copy,
    report.json and SHA256SUMS. Every HTML page has a Markdown twin. The previous site at DIR is
    replaced in one step once the new one is complete; a failed build leaves it as it was.

      --out DIR              output folder (default site)
      --templates DIR        templates that replace the default theme's files of the same name
      --page-size N          events per audit trail page (default 500)
      --fail-on SEVERITY     exit 1 when a finding is at or above it (default major)
      --trust FILE           fingerprints of trusted keys, one per line (default: keys/ as found)

    The default theme is found next to the executable: <exe>/../../templates (a SwiftPM build in
    a checkout) or <exe>/../share/trailpack/templates (an installed layout).

    Exit status: 0 no finding at or above --fail-on, 1 otherwise (the site is built either way),
    2 the source, templates or output could not be used (nothing is written).
    """,
    options: ["--out", "--templates", "--page-size", "--fail-on", "--trust"],
    run: { args in
        let source = try args.onePositional("SOURCE")
        let failOn = try args.severity("--fail-on", default: .major)
        let pageSize = try args.int("--page-size", default: 500)
        let executable = URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0])
        let theme = try Theme.load(defaultFolder: try Theme.findDefaultFolder(executable: executable),
                                   overrides: args.options["--templates"].map { URL(fileURLWithPath: $0) })
        var options = BuildOptions(output: URL(fileURLWithPath: args.options["--out"] ?? "site"), theme: theme, pageSize: pageSize,
                                   trust: try Trailpack.trustList(args.options["--trust"]))
        options.progress = { Console.progress($0) }
        let result = try Trailpack.build(source: source, options: options)
        Console.endProgress()
        let c = FindingCounts(result.verifyReport.findings)
        Console.write("built \(options.output.path): \(result.pages) pages, \(result.files.count) files, \(result.bytes) bytes; "
            + "findings: \(c.critical) critical, \(c.major) major, \(c.minor) minor\n")
        return result.verifyReport.fails(at: failOn) ? 1 : 0
    })
