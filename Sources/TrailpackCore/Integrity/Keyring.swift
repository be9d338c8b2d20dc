import Foundation

/// A public key found in `keys/`, with whether the verifier trusts it.
public struct KeyInfo: Sendable, Hashable {
    /// The key name (`keys/<name>.pem`).
    public var name: String
    /// Lowercase hex SHA-256 of the raw 32-byte public key.
    public var fingerprint: String
    /// False when `--trust` was given and does not list this fingerprint.
    public var trusted: Bool
    public var key: Ed25519PublicKey
    /// The owner its trust line names (`owner=`), if any.
    public var trustOwner: JSONString? = nil
    /// Marked `checkpoint` in the trust list: signs checkpoints and nothing else.
    public var checkpointOnly = false
}

/// One key line of a trust list: `<fingerprint> [owner=<actor id>] [checkpoint]`.
public struct TrustEntry: Sendable, Hashable {
    public var fingerprint: String
    public var owner: JSONString?
    public var checkpoint: Bool
    public var line: Int
}

/// A `tree <size> <root hex>` line: a tree head the inspector holds from outside the pack.
public struct TrustTree: Sendable, Hashable {
    public var size: Int
    public var root: SHA256.Digest
    public var line: Int
}

/// The trust list given with `--trust FILE` (contract section 4.4).
public struct TrustList: Sendable, Equatable {
    public var path: String
    public var entries: [TrustEntry]
    public var trees: [TrustTree]

    /// The trusted fingerprints.
    public var fingerprints: Set<String> { Set(entries.map(\.fingerprint)) }
    /// The entry of a fingerprint, if listed.
    public func entry(_ fingerprint: String) -> TrustEntry? { entries.first { $0.fingerprint == fingerprint } }
    /// True when some line is marked `checkpoint`: only such keys then make a checkpoint count.
    public var hasCheckpointKeys: Bool { entries.contains(where: \.checkpoint) }

    /// Reads a trust list file; a malformed line is an error naming file:line.
    public init(path: String) throws(SourceError) {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadable(path, FileProblem.reading(path, fix: "give --trust the path of a trust list (one key fingerprint per line)"))
        }
        try self.init(path: path, text: text)
    }

    /// Parses trust list text (`path` names it in errors).
    public init(path: String, text: String) throws(SourceError) {
        self.path = path
        var entries: [TrustEntry] = []
        var trees: [TrustTree] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let first = words.first else { continue }
            let at = SourceLocation(file: path, line: n + 1, column: 1)
            if first == "tree" {
                guard words.count == 3, let size = Int(words[1]), size >= 0, words[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                      let root = Self.hex32(words[2]) else {
                    throw .invalidValue("tree", "must be `tree <size> <root>`: a decimal tree size and 64 lowercase hex digits of the Merkle root (as the last release's report.json gives them)", at)
                }
                trees.append(TrustTree(size: size, root: root, line: n + 1))
                continue
            }
            guard Self.hex32(first) != nil else {
                throw .invalidValue("fingerprint", "must be 64 lowercase hex digits (SHA-256 of the raw Ed25519 public key), or a `tree <size> <root>` line", at)
            }
            var entry = TrustEntry(fingerprint: first, owner: nil, checkpoint: false, line: n + 1)
            for w in words.dropFirst() {
                if w == "checkpoint" && !entry.checkpoint {
                    entry.checkpoint = true
                } else if w.hasPrefix("owner="), entry.owner == nil, w.utf8.count > 6 {
                    entry.owner = JSONString(String(w.dropFirst(6)))
                } else {
                    throw .invalidValue(w, "is not understood: after the fingerprint a trust line takes at most one `owner=<actor id>` and one `checkpoint`", at)
                }
            }
            if entries.contains(where: { $0.fingerprint == first }) {
                throw .invalidValue("fingerprint", "\(first) is listed twice: keep one line per key", at)
            }
            entries.append(entry)
        }
        self.entries = entries
        self.trees = trees
    }

    /// A trust list of plain fingerprints (no owners, no checkpoint marks).
    public init(path: String, fingerprints: Set<String>) {
        self.path = path
        self.entries = fingerprints.sorted().enumerated().map { TrustEntry(fingerprint: $0.element, owner: nil, checkpoint: false, line: $0.offset + 1) }
        self.trees = []
    }

    static func hex32(_ s: String) -> SHA256.Digest? {
        guard s.utf8.count == 64, s.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }),
              let bytes = Hex.decode(s) else { return nil }
        return SHA256.Digest(bytes: bytes)
    }
}

/// The public keys of a pack source (`keys/*.pem`) and the trust placed in them.
public struct Keyring: Sendable {
    /// Every readable key, sorted by name.
    public var keys: [KeyInfo]
    /// Key files that could not be used, as findings.
    public var problems: [Finding]
    /// The trust list, or nil when `keys/` is trusted as found.
    public var trust: TrustList?

    /// Allowed key names: `[A-Za-z0-9._-]{1,64}`.
    public static func isValidName(_ name: String) -> Bool {
        let u = Array(name.utf8)
        return !u.isEmpty && u.count <= 64 && u.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x2D
        }
    }

    /// Loads `source/keys/*.pem`.
    public init(source: URL, trust: TrustList?) {
        self.trust = trust
        var keys: [KeyInfo] = []
        var problems: [Finding] = []
        let dir = source.appendingPathComponent("keys")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        for file in names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) where file.hasSuffix(".pem") {
            let name = String(file.dropLast(4))
            let path = "keys/\(file)"
            guard Keyring.isValidName(name) else {
                problems.append(SigKey.invalidKeyFileName(name, file: path))
                continue
            }
            do {
                guard PackFiles.isInside(dir.appendingPathComponent(file), source: source) else { throw OutsidePackSource() }
                let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
                let key = try Ed25519PublicKey(pem: text, source: path)
                let entry = trust?.entry(key.fingerprint)
                keys.append(KeyInfo(name: name, fingerprint: key.fingerprint, trusted: trust == nil || entry != nil, key: key,
                                    trustOwner: entry?.owner, checkpointOnly: entry?.checkpoint ?? false))
            } catch {
                problems.append(SigKey.unusableKeyFile(error, file: path))
            }
        }
        self.keys = keys
        self.problems = problems
        var byFingerprint: [String: [String]] = [:]
        for k in keys { byFingerprint[k.fingerprint, default: []].append(k.name) }
        shared = Set(byFingerprint.values.filter { $0.count > 1 }.flatMap { $0 })
    }

    /// Names of keys whose public key is also in `keys/` under another name (every signature by them is SIG-KEY).
    public var shared: Set<String> = []

    /// The other names of the same public key.
    public func sameKey(as name: String) -> [String] {
        guard let f = info(named: name)?.fingerprint else { return [] }
        return keys.filter { $0.fingerprint == f && $0.name != name }.map(\.name)
    }

    /// Keys that make a checkpoint count: trusted ones, and only those marked `checkpoint` when the trust list marks any.
    public var checkpointKeys: [String: Ed25519PublicKey] {
        var out: [String: Ed25519PublicKey] = [:]
        let onlyMarked = trust?.hasCheckpointKeys ?? false
        for k in keys where k.trusted && (!onlyMarked || k.checkpointOnly) { out[k.name] = k.key }
        return out
    }

    /// The trusted key of that name, if any.
    public func trustedKey(named name: String) -> Ed25519PublicKey? {
        keys.first { $0.name == name && $0.trusted }?.key
    }

    /// Any key of that name (trusted or not).
    public func info(named name: String) -> KeyInfo? { keys.first { $0.name == name } }

    /// A sentence for reports: which keys were trusted and why.
    public var trustStatement: String {
        if let trust {
            var s = "keys trusted: those of keys/ whose fingerprint is listed in \(trust.path)"
            if trust.hasCheckpointKeys { s += "; only keys marked checkpoint there sign checkpoints" }
            if !trust.trees.isEmpty { s += "; the log must be consistent with the tree heads it lists" }
            return s
        }
        return "keys/ was trusted as found (no --trust list given): compare each key's fingerprint with an independent record"
    }
}
