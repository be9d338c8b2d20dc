/// A C2SP transparency-log checkpoint (c2sp.org/tlog-checkpoint): the note text
/// `<origin>\n<tree size>\n<base64 root hash>\n[extension lines]`, signed as a C2SP signed note.
/// Checkpoint text is ASCII (trailpack input contract, section 8).
public struct Checkpoint: Sendable, Hashable {
    /// The log's identity line (non-empty).
    public var origin: String
    /// The number of leaves the checkpoint covers.
    public var size: UInt64
    /// The RFC 9162 Merkle root of the first `size` leaves.
    public var root: SHA256.Digest
    /// Opaque, non-empty extension lines after the root hash (rarely used).
    public var extensions: [String]

    /// A checkpoint with these fields.
    public init(origin: String, size: UInt64, root: SHA256.Digest, extensions: [String] = []) {
        self.origin = origin
        self.size = size
        self.root = root
        self.extensions = extensions
    }

    /// Parses checkpoint note text (the part of the note before the blank line, ending with a
    /// newline). `source` names the file in error messages; lines are numbered from 1.
    public init<C: Collection>(textBytes: C, source: String = "<checkpoint>") throws(IntegrityError)
    where C.Element == UInt8 {
        func fail(_ line: Int?, _ reason: String) -> IntegrityError {
            .malformedCheckpoint(source: source, line: line, reason: reason)
        }
        let bytes = Array(textBytes)
        guard bytes.last == 0x0A else { throw fail(nil, "the checkpoint text must end with a newline") }
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { Array($0) }
        for (i, line) in lines.enumerated() {
            if line.isEmpty { throw fail(i + 1, i == 0 ? "the origin line is empty" : "empty line in the checkpoint text") }
            if line.contains(where: { $0 >= 0x80 || $0 < 0x20 || $0 == 0x7F }) {
                throw fail(i + 1, "checkpoint text must be printable ASCII")
            }
        }
        guard lines.count >= 3 else {
            throw fail(nil, "expected at least 3 lines (origin, tree size, root hash), found \(lines.count)")
        }
        let sizeText = String(decoding: lines[1], as: UTF8.self)
        guard let size = Self.parseSize(lines[1]) else {
            throw fail(2, "tree size \"\(sizeText)\" is not a decimal number without leading zeros")
        }
        let rootText = String(decoding: lines[2], as: UTF8.self)
        guard let rootBytes = Base64.decodeCanonical(rootText) else {
            throw fail(3, "root hash \"\(rootText)\" is not canonical base64")
        }
        guard let root = SHA256.Digest(bytes: rootBytes) else {
            throw fail(3, "root hash must be 32 bytes, got \(rootBytes.count)")
        }
        self.origin = String(decoding: lines[0], as: UTF8.self)
        self.size = size
        self.root = root
        self.extensions = lines.dropFirst(3).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Parses checkpoint note text from a string; see `init(textBytes:source:)`.
    public init(text: String, source: String = "<checkpoint>") throws(IntegrityError) {
        try self.init(textBytes: Array(text.utf8), source: source)
    }

    /// The note text: origin, size, base64 root and extension lines, each ending in a newline.
    public var text: String {
        ([origin, String(size), Base64.encode(root.bytes)] + extensions).map { $0 + "\n" }.joined()
    }

    /// Signs this checkpoint with each signer and returns the whole signed note.
    /// The origin and extension lines must be non-empty printable ASCII.
    public func sign(signers: [NoteSigner]) throws(IntegrityError) -> String {
        for (what, line) in [("origin", origin)] + extensions.map({ ("extension line", $0) }) {
            guard !line.isEmpty, line.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
                throw .unsignableNote("the checkpoint \(what) \"\(line)\" must be non-empty printable ASCII")
            }
        }
        for signer in signers where !signer.name.utf8.allSatisfy({ $0 < 0x80 }) {
            throw .unsignableNote("the key name \"\(signer.name)\" must be ASCII")
        }
        return try SignedNote.sign(text: text, signers: signers)
    }

    /// Signs the checkpoint (origin, size, root) with one Ed25519 key under `keyName` and returns
    /// the signed note, as written to `checkpoints/*.checkpoint`.
    public static func sign(
        origin: String, size: UInt64, root: SHA256.Digest, keyName: String, privateKey: Ed25519PrivateKey
    ) throws(IntegrityError) -> String {
        try Checkpoint(origin: origin, size: size, root: root)
            .sign(signers: [NoteSigner(name: keyName, privateKey: privateKey)])
    }

    /// Parses a signed checkpoint note and checks its signatures against `keys`. Throws only when
    /// the note or its checkpoint text is malformed; signature outcomes are in the result.
    public static func verify<C: Collection>(_ note: C, keys: [NoteVerifierKey], source: String = "<checkpoint>")
    throws(IntegrityError) -> CheckpointVerification where C.Element == UInt8 {
        let signed = try SignedNote(parsing: note, source: source, asciiOnly: true)
        let checkpoint = try Checkpoint(textBytes: signed.textBytes, source: source)
        return CheckpointVerification(checkpoint: checkpoint, signatures: signed.verify(keys: keys))
    }

    /// `verify` for a note held as a string.
    public static func verify(_ note: String, keys: [NoteVerifierKey], source: String = "<checkpoint>")
    throws(IntegrityError) -> CheckpointVerification {
        try verify(Array(note.utf8), keys: keys, source: source)
    }

    /// `verify` against named public keys (for example `keys/<name>.pem` by file name).
    public static func verify(_ note: String, keys: [String: Ed25519PublicKey], source: String = "<checkpoint>")
    throws(IntegrityError) -> CheckpointVerification {
        var verifiers: [NoteVerifierKey] = []
        for name in keys.keys.sorted() {
            if let key = keys[name] { verifiers.append(try NoteVerifierKey(name: name, publicKey: key)) }
        }
        return try verify(note, keys: verifiers, source: source)
    }

    /// ASCII digits without leading zeros ("0" alone is allowed), within UInt64.
    private static func parseSize(_ digits: [UInt8]) -> UInt64? {
        guard !digits.isEmpty, digits.count == 1 || digits[0] != UInt8(ascii: "0") else { return nil }
        var value: UInt64 = 0
        for d in digits {
            guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(d - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            value = sum
        }
        return value
    }
}

/// A parsed checkpoint with the outcome of each of its signature lines.
public struct CheckpointVerification: Sendable, Hashable {
    /// The checkpoint the note carries (its fields are trustworthy only if `isAccepted`).
    public var checkpoint: Checkpoint
    /// Per-signature results: valid, invalid, or unknown key (ignored, e.g. witness cosignatures).
    public var signatures: NoteVerification

    /// At least one signature by a known key verifies (what trailpack requires of a checkpoint).
    public var hasValidKnownSignature: Bool { signatures.hasValidKnownSignature }
    /// At least one known key verifies and no known key's signature fails.
    public var isAccepted: Bool { signatures.isAccepted }
}
