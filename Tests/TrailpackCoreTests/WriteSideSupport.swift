import Foundation
import Testing
@testable import TrailpackCore

/// A pack source in a temporary folder for write-side tests: `trailpack.json`, key pairs made with
/// `Trailpack.keygen` (private keys outside the source, public keys in `keys/`), and helpers to
/// record events and snapshot the store.
final class PackFixture {
    static let origin = "example.com/trailpack/test"
    let dir: TempDir
    var source: URL { dir.path("src") }
    var sourcePath: String { source.path }

    init(clockSkewSeconds: Int = 300) throws {
        dir = try TempDir()
        try dir.write("src/trailpack.json", """
            {"title": "Write-side test pack", "origin": "\(Self.origin)",
             "release": {"name": "2026.1", "models": {}},
             "policy": {"clockSkewSeconds": \(clockSkewSeconds)}}
            """)
    }

    /// Makes a key pair `name` and installs its public key as `keys/<name>.pem`.
    @discardableResult
    func key(_ name: String) throws -> KeygenResult {
        let result = try Trailpack.keygen(name: name, outDirectory: dir.path("private").path)
        try FileManager.default.createDirectory(at: source.appendingPathComponent("keys"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: result.publicKeyPath, toPath: source.appendingPathComponent("keys/\(name).pem").path)
        return result
    }

    /// The private key file of key `name`.
    func privateKey(_ name: String) -> String { dir.path("private/\(name).key").path }

    /// Records events given as JSON text.
    @discardableResult
    func record(_ text: String, signKey: String? = nil, name: String = "<input>") throws -> RecordResult {
        try Trailpack.record(source: sourcePath, input: Array(text.utf8), inputName: name, signKey: signKey.map(privateKey))
    }

    /// Records events given as objects, one per line.
    @discardableResult
    func record(_ events: [JSONObject], signKey: String? = nil) throws -> RecordResult {
        try record(jsonl(events), signKey: signKey)
    }

    /// Every file of `audit/` and `checkpoints/` with its bytes, to show that a refusal changed nothing.
    func snapshot() -> [String: Data] {
        var out: [String: Data] = [:]
        for sub in ["audit", "checkpoints"] {
            let d = source.appendingPathComponent(sub)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: d.path)) ?? [] {
                out["\(sub)/\(name)"] = FileManager.default.contents(atPath: d.appendingPathComponent(name).path)
            }
        }
        return out
    }

    /// The lines of a segment.
    func lines(_ segment: String = "audit/\(Trailpack.firstSegmentName)") throws -> [String] {
        let text = try String(contentsOf: source.appendingPathComponent(segment), encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    func verify() throws -> VerifyReport { try Trailpack.verify(source: sourcePath, trust: nil) }
}

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
func signatureBlock(_ signer: String, key: String, meaning: String = "approval") -> JSONValue {
    obj([("signer", JSONValue(signer)), ("name", JSONValue("Dr. \(signer)")), ("meaning", JSONValue(meaning)),
         ("time", JSONValue("2026-03-01T10:00:00Z")), ("key", JSONValue(key))])
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
