import Foundation
import TrailpackCore

let demoCommand = Command(
    name: "demo", summary: "write a realistic demo pack source (also the benchmark input)",
    usage: """
    Usage: trailpack demo OUT [--events N] [--seed S] [--hostile] [--dry-run]

    Writes a complete pack source into OUT: three clinical ML models over six months of 2026,
    with datasets, training, tests, bias and SHAP evidence, signed approvals, deployments, drift
    windows, revalidations, CAPAs, key rotation, docs, registry and signed checkpoints. The same
    options always give byte-identical files. `trailpack verify OUT` reports no findings.
    The keys are demo keys derived from the seed: see OUT/DEMO-KEYS.txt; never trust them.

      --events N     number of audit events (default 3000); raised to the story's minimum
                     (so that at most 1 % of events are signed) when smaller
      --seed S       seed of every random choice, 0 to 18446744073709551615 (default 1)
      --hostile      put HTML and Markdown injection payloads into every free-text field
                     (the pack still verifies; for testing renderers)
      --dry-run      check OUT as above and write nothing: prints the event count and the files
                     it would write, folder by folder (the automated records are not made)

    OUT must not exist or must be an empty folder; nothing is ever overwritten.
    Exit status: 0 written (or, with --dry-run, would be), 2 bad arguments or OUT not usable.
    """,
    options: ["--events", "--seed"],
    flags: ["--hostile", "--dry-run"],
    run: { args in
        let out = try args.onePositional("OUT")
        let events = try args.int("--events", default: 3000)
        var seed: UInt64 = 1
        if let s = args.options["--seed"] {
            guard let v = UInt64(s) else { throw UsageError(message: "--seed must be a whole number from 0 to \(UInt64.max)") }
            seed = v
        }
        let options = DemoOptions(events: events, seed: seed, hostile: args.flags.contains("--hostile"))
        if args.flags.contains("--dry-run") {
            let plan = try Trailpack.demoDryRun(out: out, options: options)
            Console.write("would write demo pack source to \(out)\n" + plan.text)
            return 0
        }
        let summary = try Trailpack.demo(out: out, options: options)
        Console.write("wrote demo pack source to \(out)\n" + summary.text)
        return 0
    })
