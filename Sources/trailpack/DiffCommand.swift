import Foundation
import TrailpackCore

let diffCommand = Command(
    name: "diff", summary: "compare two releases, proving that the newer log extends the older",
    usage: """
    Usage: trailpack diff OLD NEW [--out DIR [--dry-run]] [--format text|json|markdown|html] [--fail-on-regression] [--trust FILE]

    Compares two releases of a pack. OLD and NEW are pack source folders or built sites (their
    evidence copy is read). Checks that NEW's audit log extends OLD's: NEW's first OLD-size events
    must reproduce OLD's Merkle root, and an RFC 9162 consistency proof from OLD to NEW is computed
    and verified; otherwise history was rewritten and the first differing event is named.
    Then lists what changed: events added (by action and actor), models and versions, approvals
    and signatures, requirement coverage, tests newly failing or passing, findings opened and
    resolved, and drift windows.

      --format text|json|markdown|html
                                   output form (default text); json is schema trailpack-diff/1;
                                   markdown and html are the page `build --previous` adds to a
                                   site (its changes templates), standing alone
      --out DIR                    also write DIR/changes.html, changes.md and changes.json
                                   (DIR is replaced as a whole: it must be new, empty
                                   or an earlier --out with changes.json and changes.html)
      --dry-run                    with --out: compare and render everything, check DIR, and
                                   write nothing (not even a temporary folder); names the files
                                   it would write. Without --out diff writes nothing, so
                                   --dry-run alone is a usage error (exit 2)
      --fail-on-regression         exit 1 when history was rewritten, a requirement lost coverage,
                                   a test newly fails or a critical finding was opened
      --trust FILE                 trust list (docs/trust.md: fingerprints with owners and checkpoint marks,
                                   tree heads), for both packs
                                   (default: each pack's keys/ as found)

    The markdown and html forms use the default theme, found as `build` finds it.

    Exit status: 0 compared (and no regression with --fail-on-regression), 1 a regression with
    --fail-on-regression, 2 a source could not be read or bad arguments.
    """,
    options: ["--format", "--out", "--trust"],
    flags: ["--fail-on-regression", "--dry-run"],
    run: { args in
        guard args.positionals.count == 2 else {
            throw UsageError(message: "expected OLD and NEW, got \(args.positionals.count) argument\(args.positionals.count == 1 ? "" : "s")")
        }
        let dryRun = args.flags.contains("--dry-run")
        if dryRun && args.options["--out"] == nil {
            throw UsageError(message: "--dry-run applies to --out DIR (without --out, diff writes nothing): add --out DIR or leave out --dry-run")
        }
        let format = try args.format([.text, .json, .markdown, .html])
        // The page forms render the default theme's changes templates: found (or refused) first.
        var theme: Theme?
        if format == .markdown || format == .html || args.options["--out"] != nil {
            let executable = URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0])
            theme = try Theme.load(defaultFolder: try Theme.findDefaultFolder(executable: executable))
        }
        // Not into a folder that either pack's evidence copies.
        if let out = args.options["--out"] { try Trailpack.checkOutput(out, sources: args.positionals) }
        let diff = try Trailpack.diff(old: args.positionals[0], new: args.positionals[1], trust: args.options["--trust"])
        let page = try theme.map { theme throws(ThemeError) in try diff.document(theme: theme) }
        if let out = args.options["--out"], let theme {
            let files = try diff.write(to: URL(fileURLWithPath: out), theme: theme, dryRun: dryRun)
            let names = files.map { out + "/" + $0 }.joined(separator: ", ")
            FileHandle.standardError.write(Data((dryRun ? "trailpack: would write \(names) (\(out) replaced as a whole); dry run: nothing written\n"
                                                        : "trailpack: wrote \(names)\n").utf8))
        }
        switch format {
        case .text: Console.write(diff.text)
        case .json: Console.writeDocument(JSONWriter.pretty(diff.json))
        case .markdown: Console.writeDocument(page?.markdown ?? "")
        case .html: Console.writeDocument(page?.html ?? "")
        }
        return args.flags.contains("--fail-on-regression") && diff.hasRegression ? 1 : 0
    })
