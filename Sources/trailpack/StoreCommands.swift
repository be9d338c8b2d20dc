import Foundation
import TrailpackCore

let storeCommand = Command(
    name: "store", summary: "move the audit store into PostgreSQL (store init)",
    usage: """
    Usage: trailpack store init SOURCE --postgresql CONNINFO [--dry-run]

    Creates trailpack's tables (schema version \(PostgresStore.schemaVersion)) in an empty PostgreSQL
    database and writes "store": {"postgresql": CONNINFO} into SOURCE/trailpack.json. From then
    on record, checkpoint, verify, build, diff and export read and write the log in that database;
    audit/ is not used. CONNINFO is a libpq connection string (host=… port=… dbname=… user=…,
    or a postgresql:// URI) without a password: PostgreSQL takes the password from PGPASSWORD,
    ~/.pgpass or a service file. See docs/store-postgresql.md.

      --postgresql CONNINFO   the database (must be empty)
      --dry-run               connect and check, change nothing

    Exit status: 0 created (or would be), 2 refused (nothing written).
    """,
    options: ["--postgresql"], flags: ["--dry-run"],
    run: { args in
        guard args.positionals.first == "init" else { throw UsageError(message: "expected `store init SOURCE --postgresql CONNINFO`") }
        guard args.positionals.count == 2 else { throw UsageError(message: "expected one SOURCE after `store init`") }
        guard let conninfo = args.options["--postgresql"] else { throw UsageError(message: "missing --postgresql CONNINFO") }
        let dryRun = args.flags.contains("--dry-run")
        let r = try Trailpack.storeInit(source: args.positionals[1], conninfo: conninfo, dryRun: dryRun)
        if r.dryRun {
            Console.write("would create trailpack's schema (version \(r.schemaVersion)) in \(r.conninfo) and add store.postgresql to trailpack.json\n")
        } else {
            Console.write("created trailpack's schema (version \(r.schemaVersion)) in \(r.conninfo); trailpack.json now names it in store.postgresql\n")
        }
        return 0
    })

let exportCommand = Command(
    name: "export", summary: "write the audit log as segment files (YYYY-MM.jsonl)",
    usage: """
    Usage: trailpack export SOURCE --out DIR [--dry-run]

    Writes the audit log of SOURCE (from PostgreSQL or audit/) into DIR as JSON Lines segments
    named by the UTC month of their events' time (YYYY-MM.jsonl), the bytes of every event
    unchanged: copied into a pack source's audit/, they verify with the same findings, root and
    checkpoints. An event never goes into an earlier month's segment than the event before it.

      --out DIR     a new or empty folder
      --dry-run     read the log and print the segments, write nothing

    Exit status: 0 written, 2 refused.
    """,
    options: ["--out"], flags: ["--dry-run"],
    run: { args in
        let source = try args.onePositional("SOURCE")
        guard let out = args.options["--out"] else { throw UsageError(message: "missing --out DIR") }
        let dryRun = args.flags.contains("--dry-run")
        let r = try Trailpack.export(source: source, out: out, dryRun: dryRun)
        let verb = dryRun ? "would write" : "wrote"
        Console.write("\(verb) \(r.events) lines (\(r.bytes) bytes) in \(r.segments.count) segments to \(out): \(r.segments.joined(separator: ", "))\n")
        return 0
    })
