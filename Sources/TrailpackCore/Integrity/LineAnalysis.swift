import Foundation

/// A 128-bit digest of an event id, for the set of seen ids (bounded memory, no id strings kept).
public struct IDKey: Sendable, Hashable {
    var a: UInt64
    var b: UInt64

    init(_ id: JSONString) {
        let d = SHA256.hash(id.bytes)
        var a: UInt64 = 0
        var b: UInt64 = 0
        for i in 0..<8 { a = a << 8 | UInt64(d[i]) }
        for i in 8..<16 { b = b << 8 | UInt64(d[i]) }
        self.a = a
        self.b = b
    }
}

/// The outcome of checking an e-signature's cryptography (key state is checked in order later).
public enum SignatureCheck: Sendable, Equatable {
    case verified
    case doesNotVerify
    case unknownKey(String)
    case untrustedKey(String)
    case unsupportedAlgorithm(String)
    case malformed(String)
}

/// Everything about one line that can be computed independently of other lines; computed in
/// parallel, then folded in order by `IntegrityChecker`.
public struct LineAnalysis: Sendable {
    public var segment: Int
    public var line: Int
    /// Nil when the line is not a JSON object (it takes no seq and no Merkle leaf).
    public var event: Event?
    /// INT-PARSE messages for this line.
    public var parseProblems: [String] = []
    public var computedHash: SHA256.Digest?
    public var recordedHash: SHA256.Digest?
    public var idKey: IDKey?
    public var signature: SignatureCheck?
    /// Length of the line in bytes (for throughput figures).
    public var byteCount: Int

    /// Analyses one raw line.
    static func analyze(_ raw: RawLine, in batch: LineBatch, keyring: Keyring) -> LineAnalysis {
        var a = LineAnalysis(segment: raw.segment, line: raw.line, byteCount: raw.range.count + 1)
        if raw.tooLong {
            a.parseProblems.append("line longer than \(AuditStore.maxLineBytes) bytes; not read")
            return a
        }
        let bytes = batch.bytes(raw)
        if bytes.isEmpty {
            a.parseProblems.append("blank line")
            return a
        }
        var body = bytes[...]
        var notes: [String] = []
        if !raw.terminated { notes.append("last line of the segment has no terminating newline (truncated?)") }
        if body.starts(with: [0xEF, 0xBB, 0xBF]) {
            notes.append("byte order mark at the start of the line")
            body = body.dropFirst(3)
        }
        if body.last == 0x0D { notes.append("CR before the newline (CRLF line ending)") }
        let value: JSONValue
        do {
            value = try JSONReader(file: "", firstLine: raw.line).parse(body)
        } catch {
            a.parseProblems = notes + ["not JSON: \(error.reason) at column \(error.location.column)"]
            return a
        }
        guard case .object(let object) = value else {
            a.parseProblems = notes + ["a JSON \(value.typeName), not an event object"]
            return a
        }
        let event = Event(object)
        a.event = event
        let canonical = JCS.serialize(value)
        if !notes.isEmpty {
            a.parseProblems.append(contentsOf: notes)
        } else if !canonical.elementsEqual(bytes) {
            let at = Array(zip(canonical, bytes)).firstIndex(where: { $0.0 != $0.1 }) ?? min(canonical.count, bytes.count)
            a.parseProblems.append("not in RFC 8785 canonical form (first difference at byte \(at + 1))")
        }
        if !event.shapeProblems.isEmpty {
            a.parseProblems.append("not a well-formed event: " + event.shapeProblems.joined(separator: "; "))
        }
        a.computedHash = EventHashing.hash(object)
        if let h = event.hash { a.recordedHash = SHA256.Digest(hex: h) }
        if let id = event.id { a.idKey = IDKey(id) }
        if let sig = event.signature { a.signature = checkSignature(sig, object: object, keyring: keyring) }
        return a
    }

    static func checkSignature(_ sig: Signature, object: JSONObject, keyring: Keyring) -> SignatureCheck {
        guard let keyName = sig.key, Keyring.isValidName(keyName) else {
            return .malformed("signature has no valid \"key\" name")
        }
        guard sig.alg == "ed25519" else { return .unsupportedAlgorithm(sig.alg ?? "none") }
        guard let info = keyring.info(named: keyName) else { return .unknownKey(keyName) }
        guard info.trusted else { return .untrustedKey(keyName) }
        guard let sigText = sig.sig, let raw = Base64.decodeCanonical(sigText), raw.count == 64 else {
            return .malformed("\"sig\" is not a base64 64-byte Ed25519 signature")
        }
        return info.key.verify(signature: raw, message: EventHashing.signatureMessage(object)) ? .verified : .doesNotVerify
    }
}

