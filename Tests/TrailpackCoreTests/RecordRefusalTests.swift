import Foundation
import Testing
@testable import TrailpackCore

/// One input `record` must refuse, with what the message must say; the store must not change.
struct RefusalCase: Sendable, CustomTestStringConvertible {
    var name: String
    var input: String
    var signKey: String? = nil
    /// Damage done to the store before recording.
    var damage: (@Sendable (PackBuilder) throws -> Void)? = nil
    /// Substrings the error message must contain (the first is usually the input place).
    var expect: [String]

    var testDescription: String { name }
}

private func line(_ events: JSONObject...) -> String { jsonl(events) }

/// One event after the fixture's latest time, with `data.n` written as `number` (JSON text).
func numberEvent(_ number: String) -> String {
    "{\"id\":\"n1\",\"time\":\"2026-03-01T10:06:00Z\",\"actor\":{\"id\":\"u:dev\"},\"action\":\"code.changed\","
        + "\"subject\":{\"type\":\"code\",\"id\":\"repo\"},\"data\":{\"n\":\(number)}}\n"
}

private func appendToSegment(_ f: PackBuilder, _ text: String) throws {
    let h = try FileHandle(forWritingTo: f.url.appendingPathComponent("audit/\(Trailpack.firstSegmentName)"))
    try h.seekToEnd()
    try h.write(contentsOf: Data(text.utf8))
    try h.close()
}

private func rewriteLastLine(_ f: PackBuilder, _ change: (String) -> String) throws {
    var lines = try f.recordedLines()
    if let last = lines.popLast() { lines.append(change(last)) }
    try f.dir.write("audit/\(Trailpack.firstSegmentName)", lines.map { $0 + "\n" }.joined())
}

private let zeroSig = Data(count: 64).base64EncodedString()

/// The refusals of `record` (contract sections 3.1, 4.2), each against the same base log.
let refusalCases: [RefusalCase] = [
    // Input that is not events.
    RefusalCase(name: "empty input", input: "\n  \n", expect: ["<input>: no event in the input"]),
    RefusalCase(name: "invalid JSON", input: "{\"id\": \"x\",\n \"time\": }\n", expect: ["<input>:2:10:", "not valid JSON"]),
    RefusalCase(name: "byte order mark", input: "\u{FEFF}" + line(ev("x1")), expect: ["<input>:1:1:", "byte order mark"]),
    RefusalCase(name: "array instead of object", input: "[1, 2]\n", expect: ["<input>:1:1:", "JSON array, not an event object"]),
    RefusalCase(name: "second JSON Lines value not an object", input: line(ev("x1")) + "42\n",
                expect: ["<input>:2:1:", "JSON integer, not an event object"]),
    RefusalCase(name: "two objects on one line, second broken", input: String(line(ev("x1")).dropLast()) + " {\"b\": }\n",
                expect: ["<input>:1:\(line(ev("x1")).count + 7):", "not valid JSON"]),
    // Events are checked as they are read: the first problem in input order is the one reported.
    RefusalCase(name: "first problem in input order", input: "{\"a\": 1} {\"b\": }\n", expect: ["<input>:1:1:", "missing field \"id\""]),
    // Fields record fills itself.
    RefusalCase(name: "carries seq", input: line(ev("x1", [("seq", .integer(6))])), expect: ["<input>:1:", "carries \"seq\""]),
    RefusalCase(name: "carries prev", input: line(ev("x1", [("prev", JSONValue(EventHashing.zeroHash))])), expect: ["carries \"prev\""]),
    RefusalCase(name: "carries hash", input: line(ev("x1", [("hash", JSONValue(EventHashing.zeroHash))])), expect: ["carries \"hash\""]),
    // Required fields.
    RefusalCase(name: "missing id", input: line(ev("x1").removing("id")), expect: ["<input>:1:1:", "missing field \"id\""]),
    RefusalCase(name: "empty id", input: line(ev("")), expect: ["missing field \"id\"", "it is empty"]),
    RefusalCase(name: "id not a string", input: line(ev("x1", [("id", .integer(7))])), expect: ["field \"id\" must be a string"]),
    RefusalCase(name: "missing time", input: line(ev("x1").removing("time")), expect: ["missing field \"time\""]),
    RefusalCase(name: "time without offset", input: line(ev("x1", time: "2026-03-01T10:10:00")), expect: ["field \"time\"", "no UTC offset"]),
    RefusalCase(name: "time not RFC 3339", input: line(ev("x1", time: "yesterday")), expect: ["not an RFC 3339 date-time"]),
    RefusalCase(name: "pretty-printed time without offset names its line",
                input: "{\n  \"id\": \"x1\",\n  \"time\": \"2026-03-01T10:10:00\",\n  \"actor\": {\"id\": \"u:dev\"},\n"
                    + "  \"action\": \"code.changed\",\n  \"subject\": {\"type\": \"code\", \"id\": \"r\"}\n}\n",
                expect: ["<input>:3:3:", "no UTC offset"]),
    RefusalCase(name: "missing actor", input: line(ev("x1").removing("actor")), expect: ["missing field \"actor\""]),
    RefusalCase(name: "missing actor.id", input: line(ev("x1", [("actor", obj([("name", JSONValue("Dev"))]))])),
                expect: ["missing field \"actor.id\""]),
    RefusalCase(name: "actor not an object", input: line(ev("x1", [("actor", JSONValue("u:dev"))])),
                expect: ["field \"actor\" must be an object"]),
    RefusalCase(name: "missing action", input: line(ev("x1").removing("action")), expect: ["missing field \"action\""]),
    RefusalCase(name: "missing subject.type", input: line(ev("x1", [("subject", obj([("id", JSONValue("r"))]))])),
                expect: ["missing field \"subject.type\""]),
    RefusalCase(name: "missing subject.id", input: line(ev("x1", [("subject", obj([("type", JSONValue("code"))]))])),
                expect: ["missing field \"subject.id\""]),
    RefusalCase(name: "modified without reason", input: line(ev("x1", action: "record.modified",
                [("changes", .array([obj([("field", JSONValue("a")), ("old", .integer(1)), ("new", .integer(2))])]))])),
                expect: ["missing field \"reason\"", "record.modified needs a non-empty reason"]),
    RefusalCase(name: "stage change with blank reason", input: line(ev("x1", action: "model.stage_changed", [("reason", JSONValue("  "))])),
                expect: ["missing field \"reason\""]),
    RefusalCase(name: "deleted without reason", input: line(ev("x1", action: "record.deleted")), expect: ["missing field \"reason\""]),
    RefusalCase(name: "overridden without reason", input: line(ev("x1", action: "check.overridden")), expect: ["missing field \"reason\""]),
    RefusalCase(name: "finding.waived without reason", input: line(ev("x1", action: "finding.waived")), expect: ["missing field \"reason\""]),
    RefusalCase(name: "modified without changes", input: line(ev("x1", action: "record.modified", [("reason", JSONValue("typo"))])),
                expect: ["missing field \"changes\""]),
    RefusalCase(name: "modified with empty changes", input: line(ev("x1", action: "record.modified",
                [("reason", JSONValue("typo")), ("changes", .array([]))])), expect: ["field \"changes\" must be a non-empty array"]),
    RefusalCase(name: "change without old", input: line(ev("x1", action: "record.modified",
                [("reason", JSONValue("typo")), ("changes", .array([obj([("field", JSONValue("a")), ("new", .integer(2))])]))])),
                expect: ["field \"changes[0]\"", "\"old\""]),
    RefusalCase(name: "key.registered without owner", input: line(ev("x1", action: "key.registered", subject: ("key", "k"))),
                expect: ["missing field \"data\"", "key.registered names the actor id"]),
    RefusalCase(name: "malformed refs.model", input: line(ev("x1", [("refs", obj([("model", JSONValue("no-version"))]))])),
                expect: ["field \"refs.model\"", "model-id@version"]),
    RefusalCase(name: "actor.kind not person or service", input: line(ev("x1", [("actor", obj([("id", JSONValue("u:dev")), ("kind", JSONValue("robot"))]))])),
                expect: ["field \"actor.kind\""]),
    // Ids and time against the log and the input.
    RefusalCase(name: "id already in the log", input: line(ev("x1"), ev("e1")), expect: ["<input>:2:", "\"e1\" is already used by an event in the log"]),
    RefusalCase(name: "id repeated in the input", input: line(ev("x1"), ev("x2"), ev("x1")),
                expect: ["<input>:3:", "by the input event at <input>:1:"]),
    RefusalCase(name: "time back beyond skew from the log", input: line(ev("x1", time: "2026-03-01T09:59:59Z")),
                expect: ["<input>:1:", "earlier than the latest time 2026-03-01T10:05:00Z", "(300 s)"]),
    RefusalCase(name: "time back beyond skew within the input",
                input: line(ev("x1", time: "2026-03-01T12:00:00Z"), ev("x2", time: "2026-03-01T11:00:00+00:00")),
                expect: ["<input>:2:", "latest time 2026-03-01T12:00:00Z"]),
    // What verify would report for good once written: ids not in NFC, an artifact outside the pack.
    RefusalCase(name: "a subject id not in NFC", input: line(ev("u1", time: "2026-03-01T10:06:00Z", subject: ("dataset", "cafe\u{301}"))),
                expect: ["<input>:1:", "field \"subject.id\" is not in Unicode NFC"]),
    RefusalCase(name: "an actor id not in NFC", input: line(ev("u1", time: "2026-03-01T10:06:00Z", actor: "u:jose\u{301}")),
                expect: ["<input>:1:", "field \"actor.id\" is not in Unicode NFC"]),
    RefusalCase(name: "an actor id with a word joiner", input: line(ev("u1", time: "2026-03-01T10:06:00Z", actor: "u:jose\u{2060}")),
                expect: ["<input>:1:", "field \"actor.id\" holds an invisible character"]),
    RefusalCase(name: "a subject id with a zero-width non-joiner", input: line(ev("u1", time: "2026-03-01T10:06:00Z", subject: ("dataset", "d\u{200C}"))),
                expect: ["<input>:1:", "field \"subject.id\" holds an invisible character"]),
    RefusalCase(name: "an artifact path that leaves the pack",
                input: line(ev("u1", time: "2026-03-01T10:06:00Z", [("refs", ["artifacts": [["path": "../../../etc/passwd", "sha256": .string(JSONString(String(repeating: "0", count: 64)))]]])])),
                expect: ["<input>:1:", "field \"refs.artifacts[0].path\" \"../../../etc/passwd\" is not a path inside the pack source"]),
    // Numbers the canonical form would change, and a value too large to be an event.
    RefusalCase(name: "an integer beyond 2^53", input: numberEvent("9007199254740993"),
                expect: ["<input>:1:", "the number 9007199254740993 cannot be kept exactly", "would make it 9007199254740992", "write it as a string"]),
    RefusalCase(name: "a decimal with more digits than a double keeps", input: numberEvent("0.12345678901234567890"),
                expect: ["<input>:1:", "the number 0.12345678901234567890 cannot be kept exactly", "would make it 0.12345678901234568"]),
    RefusalCase(name: "a decimal too small for a double", input: numberEvent("1e-400"),
                expect: ["<input>:1:", "the number 1e-400 cannot be kept exactly", "would make it 0;"]),
    RefusalCase(name: "a value many times larger than an event may be",
                input: numberEvent("\"" + String(repeating: "x", count: 5 << 20) + "\""),
                expect: ["<input>:1:1: field \"event\" is 524", "bytes of JSON, more than the 4194304", "refs.artifacts"]),
    // Signatures.
    RefusalCase(name: "signature block without sig and no key",
                input: line(ev("s1", actor: "u:alice", [("signature", signatureBlock("u:alice", key: "alice"))])),
                expect: ["no --sign-key was given"]),
    RefusalCase(name: "sig that does not verify",
                input: line(ev("s1", actor: "u:alice", [("signature", {
                    guard case .object(var o) = signatureBlock("u:alice", key: "alice") else { return .null }
                    o["sig"] = JSONValue(zeroSig)
                    return .object(o)
                }())])), expect: ["\"signature.sig\" does not verify with keys/alice.pem"]),
    RefusalCase(name: "signer differs from actor",
                input: line(ev("s1", actor: "u:bob", [("signature", signatureBlock("u:alice", key: "alice"))])),
                signKey: "alice", expect: ["\"u:alice\" differs from \"actor.id\" \"u:bob\""]),
    RefusalCase(name: "key file missing",
                input: line(ev("s1", actor: "u:alice", [("signature", signatureBlock("u:alice", key: "nobody"))])),
                signKey: "alice", expect: ["keys/nobody.pem cannot be used"]),
    RefusalCase(name: "key not registered",
                input: line(ev("s1", actor: "u:dave", [("signature", signatureBlock("u:dave", key: "dave"))])),
                signKey: "dave", expect: ["key dave has no key.registered event", "data.owner \"u:dave\""]),
    RefusalCase(name: "key registered to someone else",
                input: line(ev("s1", actor: "u:alice", [("signature", signatureBlock("u:alice", key: "bob"))])),
                signKey: "bob", expect: ["key bob is registered to \"u:bob\", not to signer \"u:alice\""]),
    RefusalCase(name: "key re-registered to someone else (a key belongs to one person for good)",
                input: line(keyRegistered("r1", key: "bob", owner: "u:alice", time: "2026-03-01T10:06:00Z"),
                            ev("s1", time: "2026-03-01T10:07:00Z", actor: "u:alice", [("signature", signatureBlock("u:alice", key: "bob"))])),
                signKey: "bob", expect: ["key bob is registered to \"u:bob\", not to signer \"u:alice\""]),
    RefusalCase(name: "printed name other than the registered one",
                input: line(ev("r1", time: "2026-03-01T10:06:00Z", action: "key.registered", actor: "u:admin", subject: ("key", "dave"),
                               [("data", obj([("owner", JSONValue("u:dave")), ("name", JSONValue("Dave Dee"))]))]),
                            ev("s1", time: "2026-03-01T10:07:00Z", actor: "u:dave", [("signature", signatureBlock("u:dave", key: "dave", time: "2026-03-01T10:07:00Z"))])),
                signKey: "dave", expect: ["signature.name \"Dr. u:dave\" is not \"Dave Dee\""]),
    RefusalCase(name: "signing time away from the event's time",
                input: line(ev("s1", time: "2026-03-01T10:07:00Z", actor: "u:alice", [("signature", signatureBlock("u:alice", key: "alice", time: "2026-02-01T10:07:00Z"))])),
                signKey: "alice", expect: ["signature.time is more than 300 s away"]),
    RefusalCase(name: "key revoked",
                input: line(ev("s1", actor: "u:carol", [("signature", signatureBlock("u:carol", key: "carol"))])),
                signKey: "carol", expect: ["key carol was revoked"]),
    RefusalCase(name: "sign key is not the named key",
                input: line(ev("s1", actor: "u:alice", [("signature", signatureBlock("u:alice", key: "alice"))])),
                signKey: "bob", expect: ["bob.key is not the private key of keys/alice.pem"]),
    RefusalCase(name: "meaning outside the four",
                input: line(ev("s1", actor: "u:alice", [("signature", signatureBlock("u:alice", key: "alice", meaning: "ok"))])),
                signKey: "alice", expect: ["field \"signature.meaning\""]),
    RefusalCase(name: "algorithm other than ed25519",
                input: line(ev("s1", actor: "u:alice", [("signature", {
                    guard case .object(var o) = signatureBlock("u:alice", key: "alice") else { return .null }
                    o["alg"] = JSONValue("rsa")
                    return .object(o)
                }())])), signKey: "alice", expect: ["field \"signature.alg\"", "only \"ed25519\""]),
    RefusalCase(name: "a good event before a bad one is not recorded either",
                input: line(ev("x1"), ev("x2"), ev("x3", [("seq", .integer(9))])), expect: ["<input>:3:", "carries \"seq\""]),
    // A log that does not end in a sound event.
    RefusalCase(name: "unterminated last line", input: line(ev("x1")),
                damage: { try appendToSegment($0, "{\"half\": ") }, expect: ["audit/000001.jsonl:6", "no terminating newline", "trailpack verify"]),
    RefusalCase(name: "garbage last line", input: line(ev("x1")),
                damage: { try appendToSegment($0, "garbage\n") }, expect: ["audit/000001.jsonl:6", "not JSON"]),
    RefusalCase(name: "last event altered", input: line(ev("x1")),
                damage: { try rewriteLastLine($0) { $0.replacingOccurrences(of: "u:dev", with: "u:eve") } },
                expect: ["audit/000001.jsonl:5", "hash does not match"]),
    RefusalCase(name: "last line not canonical", input: line(ev("x1")),
                damage: { try rewriteLastLine($0) { "{ " + $0.dropFirst() } }, expect: ["audit/000001.jsonl:5", "canonical"]),
]

struct RecordRefusalTests {
    /// A log of five events: keys alice, bob and carol registered, carol revoked, latest time 10:05.
    /// dave has a public key in keys/ but no registration.
    static func baseFixture() throws -> PackBuilder {
        var f = try PackBuilder.writeSide()
        for k in ["alice", "bob", "carol", "dave"] { try f.installKey(k) }
        try f.record([
            keyRegistered("k1", key: "alice", owner: "u:alice"),
            keyRegistered("k2", key: "bob", owner: "u:bob"),
            keyRegistered("k3", key: "carol", owner: "u:carol"),
            ev("k4", time: "2026-03-01T09:30:00Z", action: "key.revoked", actor: "u:admin", subject: ("key", "carol")),
            ev("e1", time: "2026-03-01T10:05:00Z"),
        ])
        return f
    }

    @Test(arguments: refusalCases)
    func refusesAndLeavesTheStoreUnchanged(_ c: RefusalCase) throws {
        let f = try Self.baseFixture()
        try c.damage?(f)
        let before = f.snapshot()
        let error = #expect(throws: RecordError.self) { try f.record(c.input, signKey: c.signKey) }
        let message = error?.localizedDescription ?? ""
        for s in c.expect { #expect(message.contains(s), "message: \(message)") }
        #expect(f.snapshot() == before)
    }

    /// Numbers whose canonical form is the same value are recorded, in that form.
    @Test(arguments: [("1e2", "100"), ("100.0", "100"), ("-0", "0"), ("9007199254740992", "9007199254740992"),
                      ("0.1", "0.1"), ("1.5E-7", "1.5e-7"), ("12.50", "12.5")])
    func numbersTheCanonicalFormKeepsAreRecorded(_ number: String, _ stored: String) throws {
        let f = try Self.baseFixture()
        try f.record(numberEvent(number))
        let last = try f.recordedLines().last ?? ""
        #expect(last.contains("\"data\":{\"n\":\(stored)}"), "\(last)")
    }

    @Test func timeBackWithinTheSkewIsAccepted() throws {
        let f = try Self.baseFixture()
        let r = try f.record(line(ev("x1", time: "2026-03-01T10:00:00Z"), ev("x2", time: "2026-03-01T11:00:00+01:00")))
        #expect(r.appended == 2 && r.treeSize == 7)
        // The fixture's unsigned key.revoked is SIG-KEY since contract v1.1 (section 4.4); the
        // appended events themselves raise nothing.
        #expect(integrityFindings(try f.verify()).filter { $0.seq != 4 }.isEmpty)
        #expect(integrityFindings(try f.verify()).map(\.rule) == [.sigKey])
    }

    @Test func failedWriteIsRolledBack() throws {
        let f = try Self.baseFixture()
        let before = f.snapshot()
        var recorder = Recorder(source: f.url.path)
        recorder.failAfterWrite = true
        let error = #expect(throws: RecordError.self) { try recorder.record(Array(line(ev("x1"), ev("x2")).utf8), inputName: "<input>") }
        guard case .writeFailed(let path, let reason, let rolledBack)? = error else { Issue.record("no writeFailed: \(String(describing: error))"); return }
        #expect(path.hasSuffix("audit/000001.jsonl") && reason.hasPrefix("fsync") && rolledBack)
        #expect(f.snapshot() == before)
        // The log still takes events afterwards.
        #expect(try f.record(line(ev("x1"))).lastSeq == 6)
    }

    @Test func failedFirstWriteRemovesTheNewSegment() throws {
        let f = try PackBuilder.writeSide()
        var recorder = Recorder(source: f.url.path)
        recorder.failAfterWrite = true
        #expect(throws: RecordError.self) { try recorder.record(Array(line(ev("x1")).utf8), inputName: "<input>") }
        #expect(!FileManager.default.fileExists(atPath: f.url.appendingPathComponent("audit/000001.jsonl").path))
    }
}

/// `record --event` names what it cannot read: a named pipe, a device and a folder were reported
/// as "no such file, or it cannot be read".
struct RecordInputKindTests {
    @Test func theInputMustBeARegularFileAndTheMessageSaysWhatItIs() throws {
        let dir = try TempDir()
        let fifo = dir.path("events.fifo").path
        try #require(mkfifo(fifo, 0o600) == 0)
        let cases: [(String, String)] = [
            (fifo, "not a regular file (a named pipe, socket or device)"),
            ("/dev/zero", "not a regular file (a named pipe, socket or device)"),
            (dir.url.path, "a folder, not a file"),
            (dir.path("missing.json").path, "No such file or directory"),
        ]
        for (path, reason) in cases {
            #expect {
                _ = try Trailpack.readEventInput(path)
            } throws: { error in
                let text = (error as? RecordError)?.errorDescription ?? ""
                return text.hasPrefix("\(path): cannot read the input events: open: \(reason)") && text.contains("give --event a regular")
            }
        }
        let file = dir.path("e.json")
        try Data("{}\n".utf8).write(to: file)
        #expect(try Trailpack.readEventInput(file.path) == Array("{}\n".utf8))
    }
}
