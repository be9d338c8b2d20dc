import Foundation
import TrailpackCore

let keygenCommand = Command(
    name: "keygen", summary: "create an Ed25519 key pair for signing events and checkpoints",
    usage: """
    Usage: trailpack keygen NAME --out DIR [--dry-run]

    Writes DIR/NAME.key (PKCS#8 PEM private key, created with mode 0600) and DIR/NAME.pem
    (public key, SubjectPublicKeyInfo PEM as `openssl pkey -pubout` writes it), and prints the
    key's fingerprint (SHA-256 of the raw public key). Existing files are never overwritten.
    NAME is 1 to 64 of A-Z a-z 0-9 . _ - and becomes the key name (keys/NAME.pem).

      --out DIR      folder for the two files (created if missing); keep NAME.key outside the pack
                     source (a folder a site copies, such as keys/, is refused)
      --dry-run      every check (name, DIR a folder or creatable, neither file there), then nothing
                     written and no key made: prints the files (and folders) it would create

    Exit status: 0 written (or, with --dry-run, would be), 2 refused (bad name, file exists, cannot write).
    """,
    options: ["--out"],
    flags: ["--dry-run"],
    run: { args in
        let name = try args.onePositional("NAME")
        guard let out = args.options["--out"] else { throw UsageError(message: "missing --out DIR") }
        func warnIfInsidePackSource(_ privateKeyPath: String) {
            let dir = URL(fileURLWithPath: out)
            if [dir, dir.deletingLastPathComponent()].contains(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent("trailpack.json").path) }) {
                Console.error("warning: \(privateKeyPath) is inside a pack source, whose files are published with the pack; move it elsewhere")
            }
        }
        if args.flags.contains("--dry-run") {
            let plan = try Trailpack.keygenPlan(name: name, outDirectory: out)
            warnIfInsidePackSource(plan.privateKeyPath)
            Console.write(plan.foldersCreated.map { "would create folder \($0) (mode 0700)\n" }.joined()
                + "would write \(plan.privateKeyPath) (private key, mode 0600)\n"
                + "would write \(plan.publicKeyPath) (public key)\n"
                + "dry run: nothing written, no key made\n")
            return 0
        }
        let result = try Trailpack.keygen(name: name, outDirectory: out)
        warnIfInsidePackSource(result.privateKeyPath)
        Console.write("""
            wrote \(result.privateKeyPath) (private key, mode 0600: keep it secret and out of the pack source)
            wrote \(result.publicKeyPath) (public key)
            fingerprint: \(result.fingerprint)
            next: copy \(result.name).pem to SOURCE/keys/\(result.name).pem and add the fingerprint to the trust list \
            given to `trailpack verify --trust FILE`; then
              - a signing key (a person's or a service's): record a key.registered event naming its owner;
              - a checkpoint key (`trailpack checkpoint --key`): nothing more; it signs checkpoints, not events, \
            and belongs to no person, so do not register it to one

            """)
        return 0
    })

let recordCommand = Command(
    name: "record", summary: "append events to the audit log (hash-chained, optionally signed)",
    usage: """
    Usage: trailpack record SOURCE [--event FILE|-] [--sign-key FILE] [--batch-size N] [--dry-run]

    Appends the events in FILE (standard input when --event is absent or -) to the audit store of
    SOURCE: one JSON object (pretty-printed or not) or several, one per line (JSON Lines).
    record fills seq, prev and hash, signs events whose signature block has no sig, and appends
    all of them or none, under a lock, synced to disk. Input must not carry seq, prev or hash.

      --event FILE|-     the input events (default: standard input)
      --sign-key FILE    private key (as keygen writes) for signature blocks without sig;
                         its public key must be keys/<signature.key>.pem
      --batch-size N     streaming: read JSON Lines as they arrive and append every N events
                         (and the rest at the end of the input) as a batch of its own, all or
                         none, on one database connection (or one lock per batch on files);
                         prints one line per committed batch. 1 to 10000.
      --dry-run          every check, against the log under its lock too, then nothing written:
                         prints what would be recorded (not with --batch-size)

    Exit status: 0 appended (or, with --dry-run, would be), 2 refused (the store is left unchanged; the message names the input
    line). With --batch-size, batches before a refused event stay recorded and the message says
    how many; the refused event's batch is not recorded.
    """,
    options: ["--event", "--sign-key", "--batch-size"],
    flags: ["--dry-run"],
    run: { args in
        let source = try args.onePositional("SOURCE")
        let eventPath = args.options["--event"] ?? "-"
        let dryRun = args.flags.contains("--dry-run")
        if dryRun && args.options["--batch-size"] != nil { throw UsageError(message: "--dry-run checks one batch: leave out --batch-size") }
        if args.options["--batch-size"] != nil {
            return try recordStream(args, source: source, eventPath: eventPath)
        }
        let input: [UInt8]
        let inputName: String
        if eventPath == "-" {
            if isatty(0) == 1 { Console.error("reading events from standard input (end with Ctrl-D)") }
            input = try Trailpack.readStandardInput()
            inputName = "<stdin>"
        } else {
            input = try Trailpack.readEventInput(eventPath)
            inputName = eventPath
        }
        let signKey = args.options["--sign-key"]
        let result = try Trailpack.record(source: source, input: input, inputName: inputName, signKey: signKey, dryRun: dryRun)
        if signKey != nil && result.signed == 0 {
            Console.error("warning: --sign-key was given but no event needed a signature (no signature block without sig)")
        }
        let range = result.appended == 1 ? "seq \(result.firstSeq)" : "seq \(result.firstSeq)-\(result.lastSeq)"
        let signed = result.signed > 0 ? ", \(result.signed) signed" : ""
        Console.write((dryRun ? "would record " : "recorded ") + "\(result.appended) event\(result.appended == 1 ? "" : "s") (\(range)\(signed)) in \(result.segment); tree size \(result.treeSize)\n")
        if let wrong = result.wrongTimeInLog {
            Console.error("warning: the log holds the time \(wrong), ahead of this machine's clock; record its correction as a "
                + "record.modified naming that event, with the old and new time and a reason (docs/format.md)")
        }
        return 0
    })

/// `record --batch-size N`: one acknowledgement line per committed batch, as it commits.
private func recordStream(_ args: Arguments, source: String, eventPath: String) throws -> Int32 {
    let size = try args.int("--batch-size", default: 1, min: 1)
    if eventPath == "-" && isatty(0) == 1 { Console.error("reading JSON Lines events from standard input (end with Ctrl-D)") }
    let signKey = args.options["--sign-key"]
    let total = try Trailpack.recordStream(source: source, inputPath: eventPath == "-" ? nil : eventPath,
                                           inputName: eventPath == "-" ? "<stdin>" : eventPath, batchSize: size, signKey: signKey) { r in
        let range = r.appended == 1 ? "seq \(r.firstSeq)" : "seq \(r.firstSeq)-\(r.lastSeq)"
        let signed = r.signed > 0 ? ", \(r.signed) signed" : ""
        Console.write("recorded \(r.appended) event\(r.appended == 1 ? "" : "s") (\(range)\(signed)) in \(r.segment); tree size \(r.treeSize)\n")
        if let wrong = r.wrongTimeInLog {
            Console.error("warning: the log holds the time \(wrong), ahead of this machine's clock; record its correction as a "
                + "record.modified naming that event, with the old and new time and a reason (docs/format.md)")
        }
    }
    if signKey != nil && total.signed == 0 {
        Console.error("warning: --sign-key was given but no event needed a signature (no signature block without sig)")
    }
    if total.batches > 1 {
        Console.error("recorded \(total.appended) events in \(total.batches) batches (seq \(total.firstSeq)-\(total.lastSeq))")
    }
    return 0
}

let checkpointCommand = Command(
    name: "checkpoint", summary: "sign a checkpoint (size and Merkle root) of the audit log",
    usage: """
    Usage: trailpack checkpoint SOURCE --key FILE [--name NAME] [--trust FILE] [--dry-run]

    Verifies the audit log of SOURCE, then writes a C2SP signed checkpoint of it (origin from
    trailpack.json, tree size, Merkle root) to SOURCE/checkpoints/<size, 12 digits>.checkpoint.
    Refuses a log with INT-PARSE, INT-HASH, INT-CHAIN, INT-SEQ or INT-CHECKPOINT findings.

      --key FILE     private key (as keygen writes); keys/NAME.pem must be its public key
      --name NAME    key name in the signature line (default: FILE's base name without extension)
      --trust FILE   trust list (as for verify): the log must also be consistent with its `tree` lines
                     and with the checkpoints its keys signed, so a rolled-back or re-chained log whose
                     later checkpoints were deleted is refused, not signed
      --dry-run      verify, sign and check as above, and write nothing: says which file would be written

    Exit status: 0 written (or an identical checkpoint already there; with --dry-run, would be), 2 refused.
    """,
    options: ["--key", "--name", "--trust"],
    flags: ["--dry-run"],
    run: { args in
        let source = try args.onePositional("SOURCE")
        guard let key = args.options["--key"] else { throw UsageError(message: "missing --key FILE") }
        let dryRun = args.flags.contains("--dry-run")
        let result = try Trailpack.checkpoint(source: source, keyFile: key, name: args.options["--name"], dryRun: dryRun,
                                              trust: args.options["--trust"])
        let root = Data(result.root.bytes).base64EncodedString()
        let what = result.alreadyPresent ? "already present, unchanged" : (dryRun ? "would be signed by key " : "signed by key ") + result.keyName
        Console.write((dryRun && !result.alreadyPresent ? "would write checkpoint " : "checkpoint ")
            + "\(result.file): size \(result.size), root \(result.root.hex) (\(root)); \(what)\n")
        return 0
    })
