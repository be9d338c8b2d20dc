internal import CCrypto

/// Owns one OpenSSL `EVP_PKEY`, freed when the last reference goes. OpenSSL allows one key to be
/// used for signing and verifying from several threads at once, hence `@unchecked Sendable`.
final class OwnedPKey: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }
}

/// An Ed25519 public key (RFC 8032): its 32-byte encoding, backed by an OpenSSL key.
public struct Ed25519PublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The length of an Ed25519 public key in bytes.
    public static let byteCount = 32
    /// The length of an Ed25519 signature in bytes.
    public static let signatureByteCount = 64

    /// The 32-byte RFC 8032 encoding of the key.
    public let rawRepresentation: [UInt8]
    let key: OwnedPKey

    /// The key with this 32-byte RFC 8032 encoding.
    public init<C: Collection>(rawRepresentation: C) throws(IntegrityError) where C.Element == UInt8 {
        let raw = Array(rawRepresentation)
        guard raw.count == Self.byteCount else {
            throw .invalidKey(source: "raw Ed25519 public key", reason: "expected 32 bytes, got \(raw.count)")
        }
        guard let pkey = raw.withUnsafeBufferPointer({
            EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, $0.count)
        }) else {
            throw .invalidKey(source: "raw Ed25519 public key", reason: OpenSSL.takeErrors())
        }
        self.rawRepresentation = raw
        self.key = OwnedPKey(pkey)
    }

    /// The key in PEM SubjectPublicKeyInfo form (`-----BEGIN PUBLIC KEY-----`), as
    /// `openssl pkey -pubout` writes it. `source` names the file in error messages.
    /// Other key types (RSA, EC, X25519, …) and private keys are rejected.
    public init(pem: String, source: String = "<PEM>") throws(IntegrityError) {
        let pkey = try OpenSSL.readPEM(pem, label: "PUBLIC KEY", source: source) { bio in
            PEM_read_bio_PUBKEY(bio, nil, nil, nil)
        }
        let owned = OwnedPKey(pkey)
        try OpenSSL.requireEd25519(owned, source: source)
        var raw = [UInt8](repeating: 0, count: Self.byteCount)
        var length = raw.count
        guard EVP_PKEY_get_raw_public_key(owned.pointer, &raw, &length) == 1, length == Self.byteCount else {
            throw .invalidKey(source: source, reason: "cannot extract the raw public key: \(OpenSSL.takeErrors())")
        }
        self.rawRepresentation = raw
        self.key = owned
    }

    /// The key as PEM SubjectPublicKeyInfo text, byte-identical to `openssl pkey -pubout` output.
    public var pemString: String {
        get throws(IntegrityError) {
            try OpenSSL.writePEM(operation: "PEM_write_bio_PUBKEY") { bio in PEM_write_bio_PUBKEY(bio, key.pointer) }
        }
    }

    /// Lowercase hex SHA-256 of the 32 raw key bytes.
    public var fingerprint: String { SHA256.digest(rawRepresentation).hex }

    /// `ed25519:` followed by the fingerprint.
    public var description: String { "ed25519:\(fingerprint)" }

    /// True when `signature` is a valid 64-byte Ed25519 signature of `message` by this key.
    public func verify<S: Collection, M: Collection>(signature: S, message: M) -> Bool
    where S.Element == UInt8, M.Element == UInt8 {
        let sig = Array(signature)
        guard sig.count == Self.signatureByteCount, let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, nil, nil, key.pointer) == 1 else {
            OpenSSL.clearErrors()
            return false
        }
        let ok = OpenSSL.withContiguousBytes(message) { msg, msgCount in
            EVP_DigestVerify(ctx, sig, sig.count, msg, msgCount)
        }
        if ok != 1 { OpenSSL.clearErrors() }
        return ok == 1
    }

    /// Keys are equal when their 32-byte encodings are.
    public static func == (lhs: Ed25519PublicKey, rhs: Ed25519PublicKey) -> Bool {
        lhs.rawRepresentation == rhs.rawRepresentation
    }

    /// Hashes the 32-byte encoding.
    public func hash(into hasher: inout Hasher) { hasher.combine(rawRepresentation) }
}

/// An Ed25519 private key held by OpenSSL; its description never shows secret material.
public struct Ed25519PrivateKey: Sendable, CustomStringConvertible {
    /// The length of an Ed25519 private key seed in bytes.
    public static let seedByteCount = 32

    let key: OwnedPKey
    /// The matching public key.
    public let publicKey: Ed25519PublicKey

    private init(owned: OwnedPKey, source: String) throws(IntegrityError) {
        try OpenSSL.requireEd25519(owned, source: source)
        var raw = [UInt8](repeating: 0, count: Ed25519PublicKey.byteCount)
        var length = raw.count
        guard EVP_PKEY_get_raw_public_key(owned.pointer, &raw, &length) == 1, length == raw.count else {
            throw .invalidKey(source: source, reason: "cannot derive the public key: \(OpenSSL.takeErrors())")
        }
        self.key = owned
        self.publicKey = try Ed25519PublicKey(rawRepresentation: raw)
    }

    /// A new random key pair, generated by OpenSSL (`EVP_PKEY_keygen`, seeded from its DRBG).
    public static func generate() throws(IntegrityError) -> Ed25519PrivateKey {
        guard let ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else {
            throw .cryptoFailure(operation: "EVP_PKEY_CTX_new_id", detail: OpenSSL.takeErrors())
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        var pkey: OpaquePointer?
        guard EVP_PKEY_keygen_init(ctx) == 1, EVP_PKEY_keygen(ctx, &pkey) == 1, let pkey else {
            throw .cryptoFailure(operation: "EVP_PKEY_keygen", detail: OpenSSL.takeErrors())
        }
        return try Ed25519PrivateKey(owned: OwnedPKey(pkey), source: "generated key")
    }

    /// The key with this 32-byte RFC 8032 secret seed.
    public init<C: Collection>(rawSeed: C) throws(IntegrityError) where C.Element == UInt8 {
        let seed = Array(rawSeed)
        guard seed.count == Self.seedByteCount else {
            throw .invalidKey(source: "raw Ed25519 seed", reason: "expected 32 bytes, got \(seed.count)")
        }
        guard let pkey = seed.withUnsafeBufferPointer({
            EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, $0.count)
        }) else {
            throw .invalidKey(source: "raw Ed25519 seed", reason: OpenSSL.takeErrors())
        }
        try self.init(owned: OwnedPKey(pkey), source: "raw Ed25519 seed")
    }

    /// The key in unencrypted PKCS#8 PEM form (`-----BEGIN PRIVATE KEY-----`). Encrypted keys
    /// are rejected (no passphrase is ever prompted for), and so are other key types.
    public init(pem: String, source: String = "<PEM>") throws(IntegrityError) {
        let pkey = try OpenSSL.readPEM(pem, label: "PRIVATE KEY", source: source) { bio in
            PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
        }
        try self.init(owned: OwnedPKey(pkey), source: source)
    }

    /// The 32-byte RFC 8032 secret seed.
    public var rawSeed: [UInt8] {
        get throws(IntegrityError) {
            var seed = [UInt8](repeating: 0, count: Self.seedByteCount)
            var length = seed.count
            guard EVP_PKEY_get_raw_private_key(key.pointer, &seed, &length) == 1, length == seed.count else {
                throw .cryptoFailure(operation: "EVP_PKEY_get_raw_private_key", detail: OpenSSL.takeErrors())
            }
            return seed
        }
    }

    /// The key as unencrypted PKCS#8 PEM text (`-----BEGIN PRIVATE KEY-----`).
    public var pemString: String {
        get throws(IntegrityError) {
            try OpenSSL.writePEM(operation: "PEM_write_bio_PrivateKey") { bio in
                PEM_write_bio_PrivateKey(bio, key.pointer, nil, nil, 0, nil, nil)
            }
        }
    }

    /// Names the public key only.
    public var description: String { "Ed25519PrivateKey(public: \(publicKey.fingerprint))" }

    /// The 64-byte Ed25519 signature of `message` (RFC 8032, pure Ed25519).
    public func sign<M: Collection>(message: M) throws(IntegrityError) -> [UInt8] where M.Element == UInt8 {
        guard let ctx = EVP_MD_CTX_new() else {
            throw .cryptoFailure(operation: "EVP_MD_CTX_new", detail: OpenSSL.takeErrors())
        }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, nil, nil, key.pointer) == 1 else {
            throw .cryptoFailure(operation: "EVP_DigestSignInit", detail: OpenSSL.takeErrors())
        }
        var signature = [UInt8](repeating: 0, count: Ed25519PublicKey.signatureByteCount)
        var length = signature.count
        let ok = OpenSSL.withContiguousBytes(message) { msg, msgCount in
            EVP_DigestSign(ctx, &signature, &length, msg, msgCount)
        }
        guard ok == 1, length == Ed25519PublicKey.signatureByteCount else {
            throw .cryptoFailure(operation: "EVP_DigestSign", detail: OpenSSL.takeErrors())
        }
        return signature
    }
}

/// Small helpers around libcrypto calls: error queue, memory BIOs, contiguous byte access.
enum OpenSSL {
    /// Drains this thread's OpenSSL error queue into one line of text.
    static func takeErrors() -> String {
        var messages: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            ERR_error_string_n(code, &buffer, buffer.count)
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            messages.append(String(decoding: bytes, as: UTF8.self))
        }
        return messages.joined(separator: "; ")
    }

    /// Empties this thread's error queue after an expected failure.
    static func clearErrors() { ERR_clear_error() }

    /// Calls `body` with a non-null pointer to the bytes of `bytes` and their count.
    static func withContiguousBytes<C: Collection, R>(
        _ bytes: C, _ body: (UnsafePointer<UInt8>, Int) -> R
    ) -> R where C.Element == UInt8 {
        if let result = bytes.withContiguousStorageIfAvailable({ call(body, $0) }) { return result }
        return Array(bytes).withUnsafeBufferPointer { call(body, $0) }
    }

    private static func call<R>(_ body: (UnsafePointer<UInt8>, Int) -> R, _ buffer: UnsafeBufferPointer<UInt8>) -> R {
        if let base = buffer.baseAddress { return body(base, buffer.count) }
        let empty: UInt8 = 0
        return withUnsafePointer(to: empty) { body($0, 0) }
    }

    /// Reads one key from PEM text through a read-only memory BIO; the text's first PEM block
    /// must carry `label` (`-----BEGIN <label>-----`).
    static func readPEM(
        _ pem: String, label: String, source: String, _ read: (OpaquePointer) -> OpaquePointer?
    ) throws(IntegrityError) -> OpaquePointer {
        var text = Array(pem.utf8)
        guard !text.isEmpty else { throw .invalidKey(source: source, reason: "the PEM text is empty") }
        guard text.allSatisfy({ $0 < 0x80 }) else {
            throw .invalidKey(source: source, reason: "PEM text must be ASCII")
        }
        guard let found = firstPEMLabel(pem) else {
            throw .invalidKey(source: source, reason: "no PEM block (-----BEGIN \(label)-----) found")
        }
        guard found == label else {
            throw .invalidKey(source: source, reason: "expected a PEM \"\(label)\" block, found \"\(found)\"")
        }
        guard text.count < Int(Int32.max) else { throw .invalidKey(source: source, reason: "PEM text too large") }
        let result: OpaquePointer?? = text.withUnsafeMutableBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return .some(read(bio))
        }
        guard let bioResult = result else {
            throw .cryptoFailure(operation: "BIO_new_mem_buf", detail: takeErrors())
        }
        guard let pkey = bioResult else {
            let detail = takeErrors()
            throw .invalidKey(source: source, reason: "cannot decode the PEM key (\(detail))")
        }
        return pkey
    }

    /// The label of the first `-----BEGIN <label>-----` line, if any.
    static func firstPEMLabel(_ pem: String) -> String? {
        let begin = "-----BEGIN "
        guard let start = pem.firstRange(of: begin) else { return nil }
        let rest = pem[start.upperBound...]
        guard let end = rest.firstRange(of: "-----") else { return nil }
        return String(rest[..<end.lowerBound])
    }

    /// Rejects any key that is not Ed25519.
    static func requireEd25519(_ key: OwnedPKey, source: String) throws(IntegrityError) {
        let id = EVP_PKEY_get_base_id(key.pointer)
        guard id == EVP_PKEY_ED25519 else {
            let name = EVP_PKEY_get0_type_name(key.pointer).map { String(cString: $0) } ?? "key type \(id)"
            throw .invalidKey(source: source, reason: "expected an Ed25519 key, found \(name)")
        }
    }

    /// Runs a PEM writer against a memory BIO and returns what it wrote.
    static func writePEM(operation: String, _ write: (OpaquePointer) -> Int32) throws(IntegrityError) -> String {
        guard let method = BIO_s_mem(), let bio = BIO_new(method) else {
            throw .cryptoFailure(operation: "BIO_new", detail: takeErrors())
        }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw .cryptoFailure(operation: operation, detail: takeErrors()) }
        let pending = Int(BIO_ctrl_pending(bio))
        var out = [UInt8](repeating: 0, count: pending)
        let read = pending == 0 ? 0 : BIO_read(bio, &out, Int32(pending))
        guard read == pending else { throw .cryptoFailure(operation: "BIO_read", detail: takeErrors()) }
        return String(decoding: out, as: UTF8.self)
    }
}
