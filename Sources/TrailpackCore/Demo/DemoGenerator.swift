import Foundation

/// `trailpack demo`: writes a complete, realistic and verifying pack source (contract section 1)
/// for three clinical ML models over six months of 2026. Deterministic: the same options give
/// byte-identical files; no wall-clock time or system randomness is used.
public enum DemoGenerator {
    /// The log's identity (first line of every checkpoint).
    public static let origin = "demo.trailpack.example/ml/clinical"
    /// The policy written to `trailpack.json`.
    static let policy = (revalidationDays: 14, capaDueDays: 30, clockSkewSeconds: 300)

    /// Writes the demo pack source into `out`, which must not exist or be an empty folder.
    public static func generate(into out: URL, options: DemoOptions) throws -> DemoSummary {
        try prepare(out)
        let story = try story(DemoSink(root: out, dryRun: false), options: options)
        let drafts = story.drafts
        var bulk = DemoBulk(seed: options.seed, hostile: options.hostile, count: story.total - drafts.count, production: story.plan.production)
        var writer = DemoLogWriter(root: out)
        var next = 0
        var last = Int64.min
        for i in 0..<bulk.count {
            var t = max(bulk.plannedTime(i), last + 1)
            while next < drafts.count && drafts[next].ms <= t {
                try writer.append(drafts[next].members, ms: drafts[next].ms)
                last = drafts[next].ms
                next += 1
                t = max(t, last + 1)
            }
            try writer.append(bulk.record(at: t), ms: t)
            last = t
        }
        while next < drafts.count {
            try writer.append(drafts[next].members, ms: drafts[next].ms)
            next += 1
        }
        try writer.finish()
        guard let operatorKey = story.keys[DemoCatalog.logOperatorKey] else {
            throw DemoError.cannotWrite("keys/\(DemoCatalog.logOperatorKey).pem", "missing log operator key")
        }
        for c in writer.checkpoints {
            let note = try Checkpoint.sign(origin: origin, size: UInt64(c.size), root: c.root,
                                           keyName: DemoCatalog.logOperatorKey, privateKey: operatorKey)
            try DemoFiles.write(out, checkpointPath(size: c.size), note)
        }
        if let last = writer.checkpoints.last {
            try appendTree(out, size: last.size, root: last.root)
        }

        var counts: [String: Int] = [:]
        for d in drafts { counts[d.action, default: 0] += 1 }
        for (k, action) in DemoBulk.actions.enumerated() { counts[action, default: 0] += bulk.counts[k] }
        return DemoSummary(
            counts: DemoEventCounts(requested: options.events, events: Int(writer.seq), minimum: story.minimum, story: drafts.count,
                                    bulk: bulk.count, signed: story.signed),
            actionCounts: counts.keys.sorted().map { DemoActionCount(action: $0, count: counts[$0] ?? 0) },
            versions: story.versions,
            segments: writer.segments, checkpointSizes: writer.checkpoints.map(\.size), driftWindows: story.plan.driftWindows,
            auditBytes: writer.bytes, firstTime: DemoTime.text(writer.firstMs ?? 0), lastTime: DemoTime.text(writer.lastMs),
            root: writer.merkle.root.hex)
    }

    /// `trailpack demo --dry-run`: the checks of ``generate(into:options:)`` (OUT a new or empty
    /// folder that can be created) and what it would write, with nothing written. The story
    /// (keys, documents, story events, evidence, registry) is made in memory as the real run
    /// makes it (small and fixed in size); the automated records filling the log are not made:
    /// their number and the log's segments follow from the options and the story's times.
    public static func dryRun(into out: URL, options: DemoOptions) throws -> DemoDryRun {
        let folders = try check(out)
        let story = try story(DemoSink(root: out, dryRun: true), options: options)
        let segments = segmentNames(drafts: story.drafts, bulk: story.total - story.drafts.count)
        let files = Set(story.sink.paths + segments.map { "audit/" + $0 })
        return DemoDryRun(
            out: out.path, foldersCreated: folders,
            counts: DemoEventCounts(requested: options.events, events: story.total, minimum: story.minimum, story: story.drafts.count,
                                    bulk: story.total - story.drafts.count, signed: story.signed),
            files: files.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }, segments: segments,
            checkpoints: segments.count, driftWindows: story.plan.driftWindows, versions: story.versions)
    }

    /// The demo's story: keys, documents, the story's events (with their evidence files),
    /// registry and configuration, written through `sink`; the log is written after it.
    struct Story {
        var sink: DemoSink
        var keys: [String: Ed25519PrivateKey]
        var plan: DemoPlan
        /// The story's events in time order.
        var drafts: [DemoDraft]
        var signed: Int
        var minimum: Int
        /// Events in the log: the options' count, raised to `minimum`.
        var total: Int
        var versions: [DemoVersionSummary]
    }

    static func story(_ sink: DemoSink, options: DemoOptions) throws -> Story {
        var sink = sink
        let keys = try makeKeys(seed: options.seed)
        try writeKeys(&sink, keys, seed: options.seed)
        let docs = DemoDocs(hostile: options.hostile, policy: (policy.revalidationDays, policy.capaDueDays))
        var digests: [(path: String, digest: String)] = []
        for d in docs.all() {
            try sink.write(d.path, d.text)
            digests.append((d.path, SHA256.digest(Array(d.text.utf8)).hex))
        }
        var plan = DemoPlan(seed: options.seed, hostile: options.hostile, sink: sink, keys: keys)
        try plan.lifecycles()
        try plan.monitoring()
        try plan.governance(docs: digests)
        sink = plan.sink
        let drafts = plan.sortedDrafts()
        let signed = drafts.filter(\.signed).count
        // Signatures by people stay sparse (about one event in a hundred); service signatures (CI) do not count.
        let minimum = max(drafts.count + 1, drafts.filter { $0.signed && !$0.byService }.count * 100)
        let registry = plan.registry
        try writeRegistry(&sink, registry, hostile: options.hostile)
        let release = registry.filter { $0.stage == "production" }
        try writeConfig(&sink, release: release, hostile: options.hostile)
        let versions = registry.map { v in
            DemoVersionSummary(model: v.model, version: v.version, stage: v.stage, inScope: release.contains { $0.model == v.model && $0.version == v.version })
        }
        return Story(sink: sink, keys: keys, plan: plan, drafts: drafts, signed: signed, minimum: minimum,
                     total: max(options.events, minimum), versions: versions)
    }

    /// `checkpoints/<size, 12 digits>.checkpoint`.
    static func checkpointPath(size: Int) -> String {
        let digits = String(size)
        return "checkpoints/\(String(repeating: "0", count: max(0, 12 - digits.count)) + digits).checkpoint"
    }

    /// The log's segments (`YYYY-MM.jsonl`, one per month with events): every month from the
    /// first event's to the last's, the story's events and the automated records together. The
    /// records are spread evenly over the story's time (``DemoBulk/plannedTime(_:)``), many to a
    /// day, so every month between has some.
    static func segmentNames(drafts: [DemoDraft], bulk count: Int) -> [String] {
        var first = drafts.first?.ms ?? Int64.max
        var last = drafts.last?.ms ?? Int64.min
        if count > 0 {
            let span = DemoBulk.span(count: count)
            first = min(first, span.first)
            last = max(last, span.last)
        }
        guard first <= last else { return [] }
        var names: [String] = []
        var at = first
        while at <= last {
            let m = DemoTime.month(at)
            names.append(m.key + ".jsonl")
            at = m.next
        }
        return names
    }

    /// Refuses an existing file or non-empty folder; creates the folder otherwise.
    static func prepare(_ out: URL) throws {
        if try check(out).isEmpty { return }
        do { try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true) } catch {
            throw DemoError.cannotWrite(out.path, cannotCreate)
        }
    }

    /// The checks of ``prepare(_:)``, nothing created: refuses an existing file or non-empty
    /// folder and a folder that cannot be created; returns the folders to create (none when OUT
    /// is an empty folder).
    static func check(_ out: URL) throws -> [String] {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: out.path, isDirectory: &isDir) {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? ["?"]
            guard isDir.boolValue, entries.isEmpty else { throw DemoError.outputNotEmpty(out.path) }
            return []
        }
        // Something there that is not followed to a folder (a dangling link) cannot be created over.
        var st = stat()
        guard lstat(out.path, &st) != 0, let folders = FileProblem.foldersToCreate(out.path), !folders.isEmpty else {
            throw DemoError.cannotWrite(out.path, cannotCreate)
        }
        return folders
    }

    static let cannotCreate = "the folder cannot be created (check that the folders on its path are folders, the nearest "
        + "existing one writable, and that the disk has space); give another OUT"

    /// The demo key of a name: Ed25519 with seed SHA-256("trailpack-demo-key/<seed>/<name>").
    public static func demoKey(seed: UInt64, name: String) throws -> Ed25519PrivateKey {
        try Ed25519PrivateKey(rawSeed: SHA256.hash(Array("trailpack-demo-key/\(seed)/\(name)".utf8)))
    }

    static func makeKeys(seed: UInt64) throws -> [String: Ed25519PrivateKey] {
        var keys: [String: Ed25519PrivateKey] = [:]
        for name in DemoCatalog.keyNames { keys[name] = try demoKey(seed: seed, name: name) }
        return keys
    }

    /// `keys/*.pem` (public), `demo-private-keys/*.key` (mode 0600), `DEMO-KEYS.txt`, `trust.txt`.
    static func writeKeys(_ sink: inout DemoSink, _ keys: [String: Ed25519PrivateKey], seed: UInt64) throws {
        var trust = "# Trust list of the demo keys, for `trailpack verify --trust trust.txt` (format: docs/trust.md).\n"
        trust += "# Each line: fingerprint (SHA-256 of the raw Ed25519 public key), the key's owner, and `checkpoint` for\n"
        trust += "# the key that signs checkpoints and nothing else; a `tree` line holds the log's last tree head.\n"
        trust += "# DEMO KEYS: derived from the public seed \(seed); never trust them for real records.\n"
        var listing = ""
        for name in DemoCatalog.keyNames {
            guard let key = keys[name] else { continue }
            try sink.write("keys/\(name).pem", key.publicKey.pemString)
            try sink.write("demo-private-keys/\(name).key", try key.pemString, mode: 0o600)
            let owner = DemoCatalog.keyOwner(name)?.id ?? DemoCatalog.logOperatorID
            let mark = name == DemoCatalog.logOperatorKey ? " checkpoint" : ""
            trust += "\(key.publicKey.fingerprint) owner=\(owner)\(mark)  # \(name)\n"
            listing += "  \(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(owner.padding(toLength: 18, withPad: " ", startingAt: 0)) \(key.publicKey.fingerprint)\n"
        }
        do {
            if !sink.dryRun {
                try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: sink.root.appendingPathComponent("demo-private-keys").path)
            }
        } catch {
            throw DemoError.cannotWrite("demo-private-keys", error.localizedDescription)
        }
        let notice = """
            DEMO KEYS - NEVER TRUST THEM

            This pack source was generated by `trailpack demo --seed \(seed)`. Every key in keys/ is a
            demo key: its Ed25519 private key is SHA-256("trailpack-demo-key/\(seed)/<key name>"),
            computable by anyone who knows the seed. The private keys are in demo-private-keys/ so
            that you can try signing events and checkpoints yourself.

            Signatures by these keys prove nothing about who did what. Never add their fingerprints
            to the trust list of a real pack, and never reuse these keys outside the demo.

            trust.txt lists the fingerprints, in the format of `trailpack verify --trust`.
            The key demo-mkrause was rotated (revoked in the log) and replaced by demo-mkrause-2.

            Keys (name, owner, fingerprint):
            \(listing)
            """
        try sink.write("DEMO-KEYS.txt", notice)
        try sink.write("trust.txt", trust)
    }

    /// Appends the log's last tree head to `trust.txt`, as an inspector would from the last release.
    static func appendTree(_ out: URL, size: Int, root: SHA256.Digest) throws {
        let url = out.appendingPathComponent("trust.txt")
        let text = ((try? String(contentsOf: url, encoding: .utf8)) ?? "") + "tree \(size) \(root.hex)  # the tree head of the demo's last checkpoint\n"
        try DemoFiles.write(out, "trust.txt", text)
    }

    static func writeRegistry(_ sink: inout DemoSink, _ registry: [DemoRegistryVersion], hostile: Bool) throws {
        func t(_ s: String) -> String { hostile ? s + " " + DemoCatalog.hostilePayload : s }
        for m in DemoCatalog.models {
            let requirements = m.requirements.map { r in
                DJ.obj([("id", DJ.s(r.id)), ("title", DJ.s(t(r.title))), ("text", DJ.s(t(r.text))), ("category", DJ.s(r.category))])
            }
            let versions = registry.filter { $0.model == m.id }.map { v in
                DJ.obj([("version", DJ.s(v.version)), ("stage", DJ.s(v.stage)), ("created", DJ.s(v.created)),
                        ("run", DJ.s(v.run)), ("commit", DJ.s(v.commit)), ("datasets", DJ.strings(v.datasets))])
            }
            let record = DJ.obj([("id", DJ.s(m.id)), ("name", DJ.s(t(m.name))), ("owner", DJ.s(m.owner)),
                                 ("intendedUse", DJ.s("docs/\(m.id)/intended-use.md")),
                                 ("intendedUseSummary", DJ.s(t(m.purpose))), ("risk", DJ.s(m.risk)),
                                 ("requirements", .array(requirements)), ("versions", .array(versions))])
            try sink.write("registry/models/\(m.id).json", DJ.pretty(record))
        }
    }

    static func writeConfig(_ sink: inout DemoSink, release: [DemoRegistryVersion], hostile: Bool) throws {
        func t(_ s: String) -> String { hostile ? s + " " + DemoCatalog.hostilePayload : s }
        let config = DJ.obj([
            ("title", DJ.s(t("Clinical ML models: inspection pack (demo)"))),
            ("organization", DJ.s(t("Example Pharma GmbH (demo)"))),
            ("origin", DJ.s(origin)),
            ("preparedBy", DJ.s(t("Dr. Amélie Baptiste, Validation Lead (demo)"))),
            ("release", DJ.obj([("name", DJ.s("2026.2")), ("models", DJ.obj(release.map { ($0.model, DJ.s($0.version)) }))])),
            ("policy", DJ.obj([("revalidationDays", DJ.i(policy.revalidationDays)), ("capaDueDays", DJ.i(policy.capaDueDays)),
                               ("clockSkewSeconds", DJ.i(policy.clockSkewSeconds)), ("requireBiasEvaluation", .bool(true)),
                               ("requireExplainability", .bool(true)),
                               ("approvers", DJ.strings(DemoCatalog.approvers)),
                               ("keyAdministrators", DJ.strings(DemoCatalog.keyAdministrators)),
                               ("requireSigned", DJ.strings(DemoCatalog.requireSigned))])),
        ])
        try sink.write(Config.fileName, DJ.pretty(config))
    }
}

extension Trailpack {
    /// `trailpack demo OUT`: writes the demo pack source and returns what was written.
    public static func demo(out path: String, options: DemoOptions) throws -> DemoSummary {
        try DemoGenerator.generate(into: URL(fileURLWithPath: path), options: options)
    }

    /// `trailpack demo OUT --dry-run`: the checks of ``demo(out:options:)`` and what it would
    /// write; nothing is written.
    public static func demoDryRun(out path: String, options: DemoOptions) throws -> DemoDryRun {
        try DemoGenerator.dryRun(into: URL(fileURLWithPath: path), options: options)
    }
}
