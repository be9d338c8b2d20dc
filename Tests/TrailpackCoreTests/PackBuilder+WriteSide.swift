import Foundation
@testable import TrailpackCore

// MARK: Write side (moved out of PackBuilder.swift unchanged)

extension PackBuilder {
    static let writeSideOrigin = "example.com/trailpack/test"

    /// A source for write-side tests: trailpack.json only, no log; keys come from ``installKey(_:)``
    /// and events from `trailpack record` (``record(_:signKey:name:)``).
    static func writeSide(clockSkewSeconds: Int = 300) throws -> PackBuilder {
        var p = try PackBuilder()
        p.title = "Write-side test pack"
        p.origin = writeSideOrigin
        p.releaseName = "2026.1"
        p.release = []
        p.policy = ["clockSkewSeconds": .integer(Int64(clockSkewSeconds))]
        try p.write()
        return p
    }

    /// Makes key `name`: its public key in `keys/<name>.pem`, its private key file outside the source.
    mutating func installKey(_ name: String) throws {
        let k = try key(name)
        try dir.write("keys/\(name).pem", try k.publicKey.pemString)
        try outside.write("\(name).key", try k.pemString)
    }

    /// The private key file of key `name`.
    func privateKey(_ name: String) -> String { outside.path("\(name).key").path }

    /// Records events given as JSON text.
    @discardableResult
    func record(_ text: String, signKey: String? = nil, name: String = "<input>") throws -> RecordResult {
        try Trailpack.record(source: url.path, input: Array(text.utf8), inputName: name, signKey: signKey.map(privateKey))
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
            let d = url.appendingPathComponent(sub)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: d.path)) ?? [] {
                out["\(sub)/\(name)"] = FileManager.default.contents(atPath: d.appendingPathComponent(name).path)
            }
        }
        return out
    }

    /// The lines of a segment as recorded.
    func recordedLines(_ segment: String = "audit/\(Trailpack.firstSegmentName)") throws -> [String] {
        let text = try String(contentsOf: url.appendingPathComponent(segment), encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    func verify() throws -> VerifyReport { try Trailpack.verify(source: url.path, trust: nil) }
}
