import Foundation

/// A 128-bit digest of an event id, for the set of seen ids (bounded memory, no id strings kept).
public struct IDKey: Sendable, Hashable {
    var a: UInt64
    var b: UInt64

    /// The first eight bytes of a SHA-256 are as well spread as any hash of them (equality still
    /// compares all sixteen).
    public func hash(into hasher: inout Hasher) { hasher.combine(a) }

    init(_ id: JSONString) {
        let d = SHA256.digest(id.utf8)
        (a, b) = d.withUnsafeBytes { ($0.load(fromByteOffset: 0, as: UInt64.self), $0.load(fromByteOffset: 8, as: UInt64.self)) }
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
    /// INT-PARSE problems of this line (worded by `IntParse`).
    public var parseProblems: [String] = []
    public var computedHash: SHA256.Digest?
    public var recordedHash: SHA256.Digest?
    public var idKey: IDKey?
    public var signature: SignatureCheck?
    /// The Merkle leaf hash of the event (SHA-256 of 0x00 || its recorded or computed hash).
    public var leafHash: SHA256.Digest?
    /// The event's time, read once here.
    public var time: Timestamp.ParseResult?
    /// Findings of the rules that depend on the event alone (`EventRules`).
    public var ruleProblems: [(rule: RuleID, message: String)] = []
    /// Length of the line in bytes (for throughput figures).
    public var byteCount: Int

    /// Analyses one raw line.
    static func analyze(_ raw: RawLine, in batch: LineBatch, keyring: Keyring) -> LineAnalysis {
        var a = LineAnalysis(segment: raw.segment, line: raw.line, byteCount: raw.range.count + 1)
        if raw.tooLong {
            a.parseProblems.append(IntParse.tooLong(AuditStore.maxLineBytes))
            return a
        }
        let bytes = batch.bytes(raw)
        if bytes.isEmpty {
            a.parseProblems.append(IntParse.blankLine)
            return a
        }
        var body = bytes[...]
        var notes: [String] = []
        if !raw.terminated { notes.append(IntParse.unterminated) }
        if body.starts(with: [0xEF, 0xBB, 0xBF]) {
            notes.append(IntParse.byteOrderMark)
            body = body.dropFirst(3)
        }
        if body.last == 0x0D { notes.append(IntParse.carriageReturn) }
        // Fast path: a canonical line is scanned without building its value.
        if notes.isEmpty, let members = body.withUnsafeBufferPointer({ CanonicalScanner.scan($0) }) {
            let event = Event(line: body, members: members)
            a.event = event
            let span = members.first { m in Event.field(bytes: body[(body.startIndex + m.key.lowerBound)..<(body.startIndex + m.key.upperBound)]) == .hash }?.whole
            a.computedHash = hashWithoutMember(body, span: span)
            finish(&a, event, keyring: keyring)
            return a
        }
        let parsed: CanonicalParse
        do {
            parsed = try JSONReader(file: "", firstLine: raw.line).parseCanonical(body, member: "hash")
        } catch {
            a.parseProblems = notes + [IntParse.notJSON(error.reason, column: error.location.column)]
            return a
        }
        guard case .object(let object) = parsed.value else {
            a.parseProblems = notes + [IntParse.notAnObject(parsed.value.typeName)]
            return a
        }
        let event = Event(object)
        a.event = event
        if !notes.isEmpty {
            a.parseProblems.append(contentsOf: notes)
        } else if !parsed.isCanonical {
            let canonical = JCS.serialize(parsed.value)
            let at = Array(zip(canonical, bytes)).firstIndex(where: { $0.0 != $0.1 }) ?? min(canonical.count, bytes.count)
            a.parseProblems.append(IntParse.notCanonical(firstDifference: at + 1))
        }
        if notes.isEmpty && parsed.isCanonical {
            a.computedHash = hashWithoutMember(body, span: parsed.memberSpan)
        } else {
            a.computedHash = EventHashing.hash(object)
        }
        finish(&a, event, keyring: keyring)
        return a
    }

    /// The parts common to both paths: event problems, recorded hash, id digest, per-event rules, signature.
    static func finish(_ a: inout LineAnalysis, _ event: Event, keyring: Keyring) {
        IntParse.eventProblems(event, into: &a.parseProblems)
        a.recordedHash = event.hashDigest
        if let leaf = event.hashDigest ?? a.computedHash {
            a.leafHash = leaf.withUnsafeBytes { MerkleHash.leaf($0) }
        }
        // The event read its time already when valid; only another text is parsed again, for its problem.
        if let ts = event.time { a.time = .valid(ts) } else if let t = event.timeText { a.time = Timestamp.parse(t) }
        a.ruleProblems = EventRules.check(event)
        if let id = event.id { a.idKey = IDKey(id) }
        if let sig = event.signature { a.signature = SigInvalid.crypto(sig, object: event.object, keyring: keyring) }
    }

    /// SHA-256 of a canonical event's bytes without its `hash` member: the same bytes as
    /// JCS(event minus hash), hashed in place without re-serializing.
    static func hashWithoutMember(_ body: ArraySlice<UInt8>, span: Range<Int>?) -> SHA256.Digest {
        guard let span else { return SHA256.digest(body) }
        let base = body.startIndex
        var lo = base + span.lowerBound
        var hi = base + span.upperBound
        if lo > base && body[lo - 1] == UInt8(ascii: ",") {
            lo -= 1
        } else if hi < body.endIndex && body[hi] == UInt8(ascii: ",") {
            hi += 1
        }
        var h = SHA256.Hasher()
        h.update(body[base..<lo])
        h.update(body[hi..<body.endIndex])
        return h.finalizeDigest()
    }
}

