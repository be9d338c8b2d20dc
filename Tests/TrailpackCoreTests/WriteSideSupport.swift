import Foundation
import Testing
@testable import TrailpackCore

/// An event object: the required fields plus `extra` members.
func ev(_ id: String, time: String = "2026-03-01T10:00:00Z", action: String = "code.changed", actor: String = "u:dev",
        subject: (String, String) = ("code", "repo"), _ extra: [(String, JSONValue)] = []) -> JSONObject {
    var o = JSONObject()
    o["id"] = JSONValue(id)
    o["time"] = JSONValue(time)
    o["actor"] = .object(JSONObject([JSONMember(key: "id", value: JSONValue(actor))]))
    o["action"] = JSONValue(action)
    o["subject"] = .object(JSONObject([JSONMember(key: "type", value: JSONValue(subject.0)),
                                       JSONMember(key: "id", value: JSONValue(subject.1))]))
    for (k, v) in extra { o[k] = v }
    return o
}

/// An object from key-value pairs.
func obj(_ pairs: [(String, JSONValue)]) -> JSONValue {
    .object(JSONObject(pairs.map { JSONMember(key: JSONString($0.0), value: $0.1) }))
}

/// A signature block for `signer` with key `key` (no `sig`).
func signatureBlock(_ signer: String, key: String, meaning: String = "approval", time: String = "2026-03-01T10:00:00Z") -> JSONValue {
    obj([("signer", JSONValue(signer)), ("name", JSONValue("Dr. \(signer)")), ("meaning", JSONValue(meaning)),
         ("time", JSONValue(time)), ("key", JSONValue(key))])
}

/// A `key.registered` event for `key` owned by `owner`.
func keyRegistered(_ id: String, key: String, owner: String, time: String = "2026-03-01T09:00:00Z") -> JSONObject {
    ev(id, time: time, action: "key.registered", actor: "u:admin", subject: ("key", key), [("data", obj([("owner", JSONValue(owner))]))])
}

/// Objects as JSON Lines (canonical form, not required of input but handy).
func jsonl(_ events: [JSONObject]) -> String {
    events.map { String(decoding: JCS.serialize(.object($0)), as: UTF8.self) + "\n" }.joined()
}

/// Integrity and signature findings (INT-*, SIG-*) of a report.
func integrityFindings(_ report: VerifyReport) -> [Finding] {
    report.findings.filter { $0.rule.rawValue.hasPrefix("INT-") || $0.rule.rawValue.hasPrefix("SIG-") }
}
