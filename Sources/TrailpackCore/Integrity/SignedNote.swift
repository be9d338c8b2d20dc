/// One signature line of a signed note: `— <key name> base64(key ID || signature)`.
public struct NoteSignature: Sendable, Hashable {
    /// The key name.
    public var keyName: String
    /// The 32-bit key ID (the first four bytes, big-endian).
    public var keyID: UInt32
    /// The signature bytes after the key ID (64 bytes for Ed25519).
    public var signature: [UInt8]
    /// The 1-based line of the note it was read from (0 for a signature not read from a note).
    public var line: Int

    /// A signature line's content.
    public init(keyName: String, keyID: UInt32, signature: [UInt8], line: Int = 0) {
        self.keyName = keyName
        self.keyID = keyID
        self.signature = signature
        self.line = line
    }

    /// The signature line, ending in a newline.
    public var formatted: String {
        let id = [UInt8(keyID >> 24), UInt8(keyID >> 16 & 0xFF), UInt8(keyID >> 8 & 0xFF), UInt8(keyID & 0xFF)]
        return "\u{2014} \(keyName) \(Base64.encode(id + signature))\n"
    }
}

/// What verifying one signature line against a set of known keys found.
public enum NoteSignatureStatus: String, Sendable, Hashable {
    /// A known key (same name and key ID) made this signature.
    case valid
    /// The line names a known key, but the signature does not verify with it.
    case invalid
    /// No known key has both this name and this key ID; the line is ignored.
    case unknownKey
}

/// The verification result of one signature line.
public struct NoteSignatureResult: Sendable, Hashable {
    /// The signature line.
    public var signature: NoteSignature
    /// Valid, invalid or unknown key.
    public var status: NoteSignatureStatus
    /// The known key the line names, when there is one.
    public var key: NoteVerifierKey?
}

/// The outcome of verifying a note's signatures: per line, and summarized per known key.
public struct NoteVerification: Sendable, Hashable {
    /// One result per signature line, in note order.
    public var results: [NoteSignatureResult]

    /// Known keys with at least one valid signature, in note order, without repeats.
    public var verifiedKeys: [NoteVerifierKey] { keys(with: .valid) }
    /// Known keys with a signature that failed to verify, in note order, without repeats.
    public var failedKeys: [NoteVerifierKey] { keys(with: .invalid) }
    /// Signature lines from keys not in the known set (ignored, e.g. witness cosignatures).
    public var unknownSignatures: [NoteSignature] { results.filter { $0.status == .unknownKey }.map(\.signature) }

    /// At least one signature by a known key verifies (C2SP: otherwise the note MUST be rejected).
    public var hasValidKnownSignature: Bool { results.contains { $0.status == .valid } }
    /// At least one known key verifies and none fails (C2SP: a failing known key SHOULD reject the note).
    public var isAccepted: Bool { hasValidKnownSignature && !results.contains { $0.status == .invalid } }

    private func keys(with status: NoteSignatureStatus) -> [NoteVerifierKey] {
        var out: [NoteVerifierKey] = []
        for r in results where r.status == status {
            if let k = r.key, !out.contains(k) { out.append(k) }
        }
        return out
    }
}

/// A C2SP signed note (c2sp.org/signed-note): text ending in a newline, a blank line, then one or
/// more signature lines. Parsing is byte-exact; the text is never trusted before verification.
public struct SignedNote: Sendable, Hashable {
    /// The most signature lines accepted in one note (C2SP requires at least 16).
    public static let maxSignatures = 100

    /// The note text, including its final newline but not the separating blank line.
    public private(set) var textBytes: [UInt8]
    /// The signature lines, in note order.
    public var signatures: [NoteSignature]

    /// The note text as a string (it is valid UTF-8).
    public var text: String { String(decoding: textBytes, as: UTF8.self) }

    /// The text followed by a blank line and the signature lines.
    public var formatted: String { text + "\n" + signatures.map(\.formatted).joined() }

    /// Parses a note from its bytes. `source` names the file in error messages. With
    /// `asciiOnly` (trailpack's contract for keys, signatures and checkpoints) every byte except
    /// the signature lines' em dashes must be ASCII.
    public init<C: Collection>(parsing bytes: C, source: String = "<note>", asciiOnly: Bool = false)
    throws(IntegrityError) where C.Element == UInt8 {
        let note = Array(bytes)
        func fail(_ line: Int?, _ reason: String) -> IntegrityError {
            .malformedNote(source: source, line: line, reason: reason)
        }
        func lineOf(_ offset: Int) -> Int { note[..<offset].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 } }

        guard String(decoding: note, as: UTF8.self).utf8.elementsEqual(note) else { throw fail(nil, "not valid UTF-8") }
        if let bad = note.firstIndex(where: { $0 < 0x20 && $0 != 0x0A }) {
            throw fail(lineOf(bad), "control character 0x\(Hex.encode([note[bad]])) (only newline is allowed)")
        }
        guard note.last == 0x0A else { throw fail(lineOf(note.count), "the note must end with a newline") }
        guard let split = Self.lastBlankLine(note) else {
            throw fail(nil, "no blank line separates the text from the signature lines")
        }
        let text = Array(note[...split])
        let firstSignatureLine = lineOf(split) + 2
        let block = note[(split + 2)...]
        guard !block.isEmpty else { throw fail(firstSignatureLine, "no signature lines after the blank line") }
        if asciiOnly, let bad = text.firstIndex(where: { $0 >= 0x80 }) {
            throw fail(lineOf(bad), "the text must be ASCII")
        }

        var signatures: [NoteSignature] = []
        var lineNumber = firstSignatureLine
        for line in block.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
            guard signatures.count < Self.maxSignatures else {
                throw fail(lineNumber, "more than \(Self.maxSignatures) signatures")
            }
            signatures.append(try Self.parseSignatureLine(Array(line), line: lineNumber, source: source, asciiOnly: asciiOnly))
            lineNumber += 1
        }
        self.textBytes = text
        self.signatures = signatures
    }

    /// Parses a note from a string; see `init(parsing:source:asciiOnly:)` for bytes.
    public init(parsing note: String, source: String = "<note>", asciiOnly: Bool = false) throws(IntegrityError) {
        try self.init(parsing: Array(note.utf8), source: source, asciiOnly: asciiOnly)
    }

    /// Checks every signature line against `keys`: a line whose name and key ID both match a
    /// known key must verify; other lines are reported as unknown and otherwise ignored.
    public func verify(keys: [NoteVerifierKey]) -> NoteVerification {
        var results: [NoteSignatureResult] = []
        for sig in signatures {
            let candidates = keys.filter { $0.matches(sig) }
            guard let first = candidates.first else {
                results.append(NoteSignatureResult(signature: sig, status: .unknownKey, key: nil))
                continue
            }
            let verifier = candidates.first { $0.publicKey.verify(signature: sig.signature, message: textBytes) }
            results.append(NoteSignatureResult(signature: sig, status: verifier == nil ? .invalid : .valid,
                                               key: verifier ?? first))
        }
        return NoteVerification(results: results)
    }

    /// Parses `note` and verifies it against `keys`; throws only when the note is malformed.
    public static func verify(_ note: String, keys: [NoteVerifierKey], source: String = "<note>")
    throws(IntegrityError) -> NoteVerification {
        try SignedNote(parsing: note, source: source).verify(keys: keys)
    }

    /// Signs `text` (which must end with a newline) with an Ed25519 key under `keyName` and
    /// returns the whole note.
    public static func sign(text: String, keyName: String, privateKey: Ed25519PrivateKey) throws(IntegrityError) -> String {
        try sign(text: text, signers: [NoteSigner(name: keyName, privateKey: privateKey)])
    }

    /// Signs `text` with each signer in turn and returns the whole note.
    public static func sign(text: String, signers: [NoteSigner]) throws(IntegrityError) -> String {
        let bytes = Array(text.utf8)
        guard bytes.last == 0x0A else { throw .unsignableNote("the text must end with a newline") }
        if bytes.contains(where: { $0 < 0x20 && $0 != 0x0A }) {
            throw .unsignableNote("the text must not contain control characters other than newline")
        }
        guard !signers.isEmpty else { throw .unsignableNote("no signer") }
        guard signers.count <= maxSignatures else { throw .unsignableNote("more than \(maxSignatures) signers") }
        var note = SignedNote(textBytes: bytes, signatures: [])
        for signer in signers {
            let signature = try signer.privateKey.sign(message: bytes)
            note.signatures.append(NoteSignature(keyName: signer.name, keyID: signer.keyID, signature: signature))
        }
        return note.formatted
    }

    private init(textBytes: [UInt8], signatures: [NoteSignature]) {
        self.textBytes = textBytes
        self.signatures = signatures
    }

    /// The offset of the first newline of the last "\n\n" pair.
    private static func lastBlankLine(_ note: [UInt8]) -> Int? {
        var i = note.count - 2
        while i >= 0 {
            if note[i] == 0x0A && note[i + 1] == 0x0A { return i }
            i -= 1
        }
        return nil
    }

    private static let emDashSpace: [UInt8] = [0xE2, 0x80, 0x94, 0x20]

    private static func parseSignatureLine(_ line: [UInt8], line number: Int, source: String, asciiOnly: Bool)
    throws(IntegrityError) -> NoteSignature {
        func fail(_ reason: String) -> IntegrityError { .malformedNote(source: source, line: number, reason: reason) }
        guard line.starts(with: emDashSpace) else {
            throw fail("a signature line must start with an em dash (U+2014) and a space")
        }
        let rest = line.dropFirst(emDashSpace.count)
        guard let space = rest.firstIndex(of: 0x20) else {
            throw fail("a signature line must be \"— <key name> <base64 signature>\"")
        }
        let nameBytes = rest[..<space], encoded = rest[(space + 1)...]
        if asciiOnly, nameBytes.contains(where: { $0 >= 0x80 }) { throw fail("the key name must be ASCII") }
        let name = String(decoding: nameBytes, as: UTF8.self)
        if let problem = NoteKeyName.problem(name) { throw fail(problem) }
        guard let decoded = Base64.decodeCanonical(String(decoding: encoded, as: UTF8.self)) else {
            throw fail("the signature of key \"\(name)\" is not canonical base64")
        }
        guard decoded.count > 4 else { throw fail("the signature of key \"\(name)\" is shorter than 5 bytes") }
        let id = decoded.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return NoteSignature(keyName: name, keyID: id, signature: Array(decoded.dropFirst(4)), line: number)
    }
}
