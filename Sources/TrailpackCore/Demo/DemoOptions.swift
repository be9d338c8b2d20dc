import Foundation

/// Options of `trailpack demo`: how many events, which seed, and whether free text is hostile.
public struct DemoOptions: Sendable, Hashable {
    /// The number of events to write. Raised to the story's minimum (`DemoEventCounts.minimum`) when smaller.
    public var events: Int
    /// The seed of every random choice; the same seed gives byte-identical output.
    public var seed: UInt64
    /// When true, every free-text field carries HTML/Markdown injection payloads (ids stay plain).
    public var hostile: Bool

    /// Options with the defaults of the CLI: 3000 events, seed 1, friendly text.
    public init(events: Int = 3000, seed: UInt64 = 1, hostile: Bool = false) {
        self.events = events
        self.seed = seed
        self.hostile = hostile
    }
}

/// How many events of one action the demo wrote.
public struct DemoActionCount: Sendable, Hashable {
    /// The event's `action`.
    public var action: String
    /// How many events carry it.
    public var count: Int
}

/// One model version of the demo registry, with its final stage.
public struct DemoVersionSummary: Sendable, Hashable {
    /// Model id.
    public var model: String
    /// Version label.
    public var version: String
    /// Final registry stage (`none`, `staging`, `production`, `archived`).
    public var stage: String
    /// True when the release in `trailpack.json` names this version.
    public var inScope: Bool

    /// `model m@v: stage (in release scope)`, a line of the demo's reports.
    var line: String { "model \(model)@\(version): \(stage)\(inScope ? " (in release scope)" : "")" }
}

/// How many events the demo writes (or, in a dry run, would write), and of what kind.
public struct DemoEventCounts: Sendable, Hashable {
    /// Events asked for.
    public var requested: Int
    /// Events written (at least `minimum`).
    public var events: Int
    /// The smallest event count of the demo story: all story events plus enough automated
    /// records that at most 1 % of events are signed.
    public var minimum: Int
    /// Events of the story (lifecycle, governance, monitoring answers), fixed for a seed.
    public var story: Int
    /// Automated pipeline and monitoring records filling the log up to `events`.
    public var bulk: Int
    /// Events carrying an e-signature.
    public var signed: Int

    /// The report's lines on them; `verb` is `wrote` or `would write`.
    func lines(verb: String) -> [String] {
        var lines: [String] = []
        if events > requested {
            lines.append("note: \(requested) events is below the demo's minimum; \(verb) the minimum of \(minimum) events")
        }
        lines.append("events: \(events) (\(story) story events, \(bulk) automated records, \(signed) signed)")
        return lines
    }
}

/// What `DemoGenerator.generate` wrote.
public struct DemoSummary: Sendable, Hashable {
    /// Events asked for and written.
    public var counts: DemoEventCounts
    /// Events per action, sorted by action.
    public var actionCounts: [DemoActionCount]
    /// Every model version of the registry.
    public var versions: [DemoVersionSummary]
    /// `audit/*.jsonl` file names, in log order.
    public var segments: [String]
    /// Tree sizes of the signed checkpoints written.
    public var checkpointSizes: [Int]
    /// Drift windows written to `drift/`.
    public var driftWindows: Int
    /// Bytes of all audit segments.
    public var auditBytes: Int
    /// The first event's time.
    public var firstTime: String
    /// The last event's time: the pack's as-of time.
    public var lastTime: String
    /// Lowercase hex Merkle root of the whole log.
    public var root: String

    /// A short human-readable report of the generated pack source.
    public var text: String {
        var lines = counts.lines(verb: "wrote")
        lines.append("time: \(firstTime) to \(lastTime) (as of \(lastTime))")
        lines.append("segments: \(segments.count) (\(auditBytes) bytes); checkpoints at sizes \(checkpointSizes.map(String.init).joined(separator: ", "))")
        lines.append("drift windows: \(driftWindows); Merkle root \(root)")
        lines.append("events by action:")
        for c in actionCounts {
            lines.append("  " + c.action.padding(toLength: 28, withPad: " ", startingAt: 0) + String(c.count))
        }
        lines += versions.map(\.line)
        return lines.joined(separator: "\n") + "\n"
    }
}

/// What `trailpack demo --dry-run` found it would write (nothing is written).
public struct DemoDryRun: Sendable, Hashable {
    /// OUT as given.
    public var out: String
    /// The folders it would create for OUT, outermost first; empty when OUT is an empty folder.
    public var foldersCreated: [String]
    /// Events asked for and to be written.
    public var counts: DemoEventCounts
    /// Every file it would write, relative to OUT, sorted by bytes, except the checkpoints
    /// (named by the log's size at each, known only once the log is made).
    public var files: [String]
    /// `audit/*.jsonl` file names, in log order.
    public var segments: [String]
    /// Signed checkpoints in `checkpoints/`: one at the end of each segment.
    public var checkpoints: Int
    /// Drift windows in `drift/`.
    public var driftWindows: Int
    /// Every model version of the registry.
    public var versions: [DemoVersionSummary]

    /// What would be written, folder by folder.
    public var text: String {
        var lines = counts.lines(verb: "would write")
        for f in foldersCreated { lines.append("would create folder \(f)") }
        lines.append("would write \(files.count + checkpoints) files:")
        var folders: [String: Int] = [:]
        var top: [String] = []
        for f in files {
            if let slash = f.firstIndex(of: "/") { folders[String(f[...slash]), default: 0] += 1 } else { top.append(f) }
        }
        folders["checkpoints/", default: 0] += checkpoints
        if !top.isEmpty { lines.append("  " + top.joined(separator: ", ")) }
        for (folder, n) in folders.sorted(by: { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }) {
            var line = "  \(folder): \(n) file\(n == 1 ? "" : "s")"
            switch folder {
            case "audit/": line += " (log segments, \(segments.first ?? "") to \(segments.last ?? ""))"
            case "checkpoints/": line += " (signed checkpoints, one at the end of each segment)"
            case "demo-private-keys/": line += " (demo private keys, mode 0600)"
            case "keys/": line += " (public keys)"
            case "drift/": line += " (\(driftWindows) drift windows)"
            default: break
            }
            lines.append(line)
        }
        lines += versions.map(\.line)
        lines.append("dry run: nothing written")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Why the demo could not be written (the CLI exits 2).
public enum DemoError: LocalizedError, Sendable, Equatable {
    /// OUT exists and is not an empty folder: nothing is ever overwritten.
    case outputNotEmpty(String)
    /// OUT could not be created or written.
    case cannotWrite(String, String)

    /// A sentence for the terminal.
    public var errorDescription: String? {
        switch self {
        case .outputNotEmpty(let p):
            return "\(p) exists and is not an empty folder; give a new or empty folder (demo never overwrites or deletes files)"
        case .cannotWrite(let p, let why):
            return "\(p): cannot be written: \(why)"
        }
    }
}
