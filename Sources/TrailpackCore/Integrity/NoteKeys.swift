import Foundation

/// A public key that verifies C2SP signed-note Ed25519 signatures under a key name.
/// Names compare byte for byte (never by Unicode canonical equivalence).
public struct NoteVerifierKey: Sendable, Hashable, CustomStringConvertible {
    /// The C2SP signature type byte for Ed25519.
    public static let ed25519Type: UInt8 = 0x01

    /// The key name, as it appears in signature lines.
    public let name: String
    /// The 32-bit key ID: SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian.
    public let keyID: UInt32
    /// The Ed25519 public key.
    public let publicKey: Ed25519PublicKey

    /// The verifier key for `publicKey` under `name` (for example a `keys/<name>.pem` file);
    /// the name must be a valid note key name.
    public init(name: String, publicKey: Ed25519PublicKey) throws(IntegrityError) {
        if let problem = NoteKeyName.problem(name) {
            throw .invalidKey(source: "key name \"\(name)\"", reason: problem)
        }
        self.name = name
        self.publicKey = publicKey
        self.keyID = Self.keyID(name: name, publicKey: publicKey)
    }

    /// Parses a vkey string `<name>+<8 lowercase hex key ID>+<base64(0x01 || 32-byte key)>`.
    /// The key ID must match the one computed from the name and key.
    public init(vkey: String, source: String = "<vkey>") throws(IntegrityError) {
        let (name, id, key) = try NoteKeyName.splitKey(vkey, source: source)
        guard key.count == 1 + Ed25519PublicKey.byteCount, key.first == Self.ed25519Type else {
            throw .invalidKey(source: source, reason: "key material must be 0x01 followed by a 32-byte Ed25519 key")
        }
        let publicKey = try Ed25519PublicKey(rawRepresentation: key.dropFirst())
        try self.init(name: name, publicKey: publicKey)
        guard keyID == id else {
            throw .invalidKey(source: source, reason: "key ID \(NoteKeyName.hexID(id)) does not match the key (\(NoteKeyName.hexID(keyID)))")
        }
    }

    /// The vkey string `<name>+<hex key ID>+<base64(0x01 || key)>`.
    public var vkey: String {
        let material = Data([Self.ed25519Type] + publicKey.rawRepresentation).base64EncodedString()
        return "\(name)+\(NoteKeyName.hexID(keyID))+\(material)"
    }

    /// The vkey string.
    public var description: String { vkey }

    /// The Ed25519 key ID of `publicKey` under `name`:
    /// SHA-256(name || 0x0A || 0x01 || 32-byte key)[:4] as a big-endian integer.
    public static func keyID(name: String, publicKey: Ed25519PublicKey) -> UInt32 {
        var hasher = SHA256.Hasher()
        hasher.update(Array(name.utf8))
        hasher.update(byte: 0x0A)
        hasher.update(byte: ed25519Type)
        hasher.update(publicKey.rawRepresentation)
        return hasher.finalizeDigest().withUnsafeBytes { raw in
            raw.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        }
    }

    /// Byte-wise equality of name, ID and key.
    public static func == (lhs: NoteVerifierKey, rhs: NoteVerifierKey) -> Bool {
        lhs.name.utf8.elementsEqual(rhs.name.utf8) && lhs.keyID == rhs.keyID && lhs.publicKey == rhs.publicKey
    }

    /// Hashes the name's bytes, the ID and the key.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(Array(name.utf8))
        hasher.combine(keyID)
        hasher.combine(publicKey)
    }

    /// True when this key is the one a signature line names (same name bytes and key ID).
    public func matches(_ signature: NoteSignature) -> Bool {
        keyID == signature.keyID && name.utf8.elementsEqual(signature.keyName.utf8)
    }
}

/// A private key that signs notes under a key name; the text form is the C2SP/Go "skey"
/// `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || 32-byte seed)>`.
public struct NoteSigner: Sendable, CustomStringConvertible {
    /// The key name written in signature lines.
    public let name: String
    /// The Ed25519 private key.
    public let privateKey: Ed25519PrivateKey
    /// The matching verifier key (name, key ID, public key).
    public let verifierKey: NoteVerifierKey

    /// A signer for `privateKey` under `name`.
    public init(name: String, privateKey: Ed25519PrivateKey) throws(IntegrityError) {
        self.name = name
        self.privateKey = privateKey
        self.verifierKey = try NoteVerifierKey(name: name, publicKey: privateKey.publicKey)
    }

    /// Parses an skey string; its key ID must match the key derived from the seed.
    public init(skey: String, source: String = "<skey>") throws(IntegrityError) {
        let prefix = "PRIVATE+KEY+"
        guard skey.hasPrefix(prefix) else {
            throw .invalidKey(source: source, reason: "a signer key must start with \(prefix)")
        }
        let (name, id, key) = try NoteKeyName.splitKey(String(skey.dropFirst(prefix.count)), source: source)
        guard key.count == 1 + Ed25519PrivateKey.seedByteCount, key.first == NoteVerifierKey.ed25519Type else {
            throw .invalidKey(source: source, reason: "key material must be 0x01 followed by a 32-byte Ed25519 seed")
        }
        try self.init(name: name, privateKey: try Ed25519PrivateKey(rawSeed: key.dropFirst()))
        guard verifierKey.keyID == id else {
            throw .invalidKey(source: source, reason: "key ID \(NoteKeyName.hexID(id)) does not match the key (\(NoteKeyName.hexID(verifierKey.keyID)))")
        }
    }

    /// The key ID of the signer's public key under its name.
    public var keyID: UInt32 { verifierKey.keyID }

    /// The skey string (contains the secret seed).
    public var skey: String {
        get throws(IntegrityError) {
            let material = Data([NoteVerifierKey.ed25519Type] + (try privateKey.rawSeed)).base64EncodedString()
            return "PRIVATE+KEY+\(name)+\(NoteKeyName.hexID(keyID))+\(material)"
        }
    }

    /// The name and public key only.
    public var description: String { "NoteSigner(\(verifierKey.vkey))" }
}

/// Key-name rules and the shared `<name>+<hex id>+<base64>` syntax.
enum NoteKeyName {
    /// Why `name` is not a valid key name, or nil when it is: non-empty, no Unicode spaces,
    /// no `+`, no control characters.
    static func problem(_ name: String) -> String? {
        if name.isEmpty { return "a key name must not be empty" }
        for scalar in name.unicodeScalars {
            if scalar == "+" { return "a key name must not contain \"+\"" }
            if scalar.properties.isWhitespace { return "a key name must not contain spaces (U+\(hex4(scalar)))" }
            if scalar.value < 0x20 || scalar.value == 0x7F {
                return "a key name must not contain control characters (U+\(hex4(scalar)))"
            }
        }
        return nil
    }

    static func hex4(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The key ID as 8 lowercase hex digits.
    static func hexID(_ id: UInt32) -> String {
        Hex.encode([UInt8(id >> 24), UInt8(id >> 16 & 0xFF), UInt8(id >> 8 & 0xFF), UInt8(id & 0xFF)])
    }

    /// Splits `<name>+<8 hex digits>+<base64>` (the base64 part may itself contain `+`).
    static func splitKey(_ text: String, source: String) throws(IntegrityError) -> (String, UInt32, [UInt8]) {
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .invalidKey(source: source, reason: "expected <name>+<key ID>+<key>")
        }
        let name = String(parts[0])
        if let problem = problem(name) { throw .invalidKey(source: source, reason: problem) }
        guard parts[1].utf8.count == 8, let idBytes = Hex.decode(parts[1]) else {
            throw .invalidKey(source: source, reason: "key ID must be 8 lowercase hex digits, got \"\(parts[1])\"")
        }
        guard let key = Base64.decodeCanonical(parts[2]) else {
            throw .invalidKey(source: source, reason: "key material is not canonical base64")
        }
        return (name, idBytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }, key)
    }
}

/// Standard base64 (RFC 4648 §4) with padding, accepted only in its one canonical spelling.
enum Base64 {
    /// The decoded bytes, or nil unless `text` is exactly what encoding them gives back.
    static func decodeCanonical<S: StringProtocol>(_ text: S) -> [UInt8]? {
        let string = String(text)
        guard let data = Data(base64Encoded: string), data.base64EncodedString().utf8.elementsEqual(string.utf8) else { return nil }
        return Array(data)
    }

    /// The standard padded encoding of `bytes`.
    static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        Data(bytes).base64EncodedString()
    }
}
