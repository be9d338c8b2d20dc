import Foundation
import Testing
@testable import TrailpackCore

/// Appends events to a demo pack source as an insider would: correctly chained, optionally signed.
struct InsiderLog {
    struct Signer {
        var key: String
        var privateKey: Ed25519PrivateKey
        var meaning: String
        var name: String
        /// The signature's time; nil: the event's time.
        var time: String? = nil
    }

    let src: URL
    let segment: URL
    var lines: [[UInt8]]
    var seq: Int64
    var prev: String
    var time: Timestamp
    var counter = 0

    init(_ src: URL) throws {
        self.src = src
        guard let seg = try DemoTamperTests.segments(src).last else { throw TrustTestError.noLog }
        segment = seg
        lines = try DemoTamperTests.lines(seg)
        guard let lastLine = lines.last, let last = try JSONReader().parse(lastLine).objectValue,
              let s = last["seq"]?.integerValue, let h = last["hash"]?.stringValue,
              let t = last["time"]?.stringValue, case .valid(let ts) = Timestamp.parse(t) else { throw TrustTestError.noLog }
        seq = s
        prev = h
        time = ts
    }

    /// `audit/<segment>`, as findings name it.
    var file: String { "audit/\(segment.lastPathComponent)" }

    /// Appends one event; returns its seq and line.
    @discardableResult
    mutating func append(actor: String, name: String? = nil, service: Bool = false, action: String,
                         subject: [(String, String)], reason: String? = nil, refs: [(String, JSONValue)] = [],
                         data: [(String, JSONValue)] = [], sign: Signer? = nil) throws -> (seq: Int64, line: Int) {
        counter += 1
        time = time.adding(seconds: 60)
        let timeText = time.description
        func obj(_ pairs: [(String, JSONValue)]) -> JSONValue { .object(JSONObject(pairs.map { JSONMember(key: JSONString($0.0), value: $0.1) })) }
        var actorPairs: [(String, JSONValue)] = [("id", .string(JSONString(actor))), ("kind", .string(service ? "service" : "person"))]
        if let name { actorPairs.append(("name", .string(JSONString(name)))) }
        var o = JSONObject()
        o["id"] = .string(JSONString("insider-\(counter)"))
        o["time"] = .string(JSONString(timeText))
        o["actor"] = obj(actorPairs)
        o["action"] = .string(JSONString(action))
        o["subject"] = obj(subject.map { ($0.0, .string(JSONString($0.1))) })
        if let reason { o["reason"] = .string(JSONString(reason)) }
        if !refs.isEmpty { o["refs"] = obj(refs) }
        if !data.isEmpty { o["data"] = obj(data) }
        if let sign {
            o["signature"] = obj([("signer", .string(JSONString(actor))), ("name", .string(JSONString(sign.name))),
                                  ("meaning", .string(JSONString(sign.meaning))), ("time", .string(JSONString(sign.time ?? timeText))),
                                  ("key", .string(JSONString(sign.key))), ("alg", "ed25519")])
            let sig = try sign.privateKey.sign(message: EventHashing.signatureMessage(o))
            var s = o["signature"]?.objectValue ?? JSONObject()
            s["sig"] = .string(JSONString(Base64.encode(sig)))
            o["signature"] = .object(s)
        }
        seq += 1
        o["seq"] = .integer(seq)
        o["prev"] = .string(JSONString(prev))
        let h = EventHashing.hash(o).hex
        o["hash"] = .string(JSONString(h))
        prev = h
        lines.append(JCS.serialize(.object(o)))
        return (seq, lines.count)
    }

    func save() throws { try DemoTamperTests.write(lines, segment) }
}
