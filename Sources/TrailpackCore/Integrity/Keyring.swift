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
}

/// The list of trusted key fingerprints given with `--trust FILE`.
public struct TrustList: Sendable, Equatable {
    public var path: String
    public var fingerprints: Set<String>

    /// Reads one lowercase hex fingerprint per line; `#` starts a comment.
    public init(path: String) throws(SourceError) {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadable(path, FileProblem.reading(path, fix: "give --trust the path of a trust list (one key fingerprint per line)"))
        }
        self.path = path
        var set = Set<String>()
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = (raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                .trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard line.utf8.count == 64, Hex.decode(line) != nil else {
                throw .invalidValue("fingerprint", "must be 64 lowercase hex digits (SHA-256 of the raw Ed25519 public key)",
                                    SourceLocation(file: path, line: n + 1, column: 1))
            }
            set.insert(line)
        }
        fingerprints = set
    }

    public init(path: String, fingerprints: Set<String>) {
        self.path = path
        self.fingerprints = fingerprints
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
                problems.append(Finding(.sigKey, "key file name \"\(name)\" is not a valid key name ([A-Za-z0-9._-]{1,64}); the key is ignored", file: path))
                continue
            }
            do {
                let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
                let key = try Ed25519PublicKey(pem: text, source: path)
                keys.append(KeyInfo(name: name, fingerprint: key.fingerprint,
                                    trusted: trust?.fingerprints.contains(key.fingerprint) ?? true, key: key))
            } catch {
                problems.append(Finding(.sigKey, "key file cannot be used: \(error.localizedDescription); signatures by it count as unknown", file: path))
            }
        }
        self.keys = keys
        self.problems = problems
    }

    /// The trusted key of that name, if any.
    public func trustedKey(named name: String) -> Ed25519PublicKey? {
        keys.first { $0.name == name && $0.trusted }?.key
    }

    /// Any key of that name (trusted or not).
    public func info(named name: String) -> KeyInfo? { keys.first { $0.name == name } }

    /// A sentence for reports: which keys were trusted and why.
    public var trustStatement: String {
        if let trust { return "keys trusted: those of keys/ whose fingerprint is listed in \(trust.path)" }
        return "keys/ was trusted as found (no --trust list given): compare each key's fingerprint with an independent record"
    }
}
