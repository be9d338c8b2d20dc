import Foundation
import Testing
@testable import TrailpackCore

/// Black-box mutation of whole packs: segments, checkpoints, keys, registry, drift, docs and
/// configuration are damaged at random (deterministically), and every run must end as the CLI
/// would map it to 0, 1 or 2: a result (findings) or one of our errors with its own message.
/// A crash fails the suite; a hang fails the time limit.
struct MutationTests {
    /// Deterministic pseudo-random numbers (SplitMix64).
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    }

    static let tokens: [String] = [
        "9223372036854775807", "-9223372036854775808", "99999999999999999999", "-1", "0", "1e999", "1.5", "null", "true",
        "\"\\u0000\"", "{", "}", "[", "]", ",", "\"", "\\", "\n", "\r\n", "\u{FEFF}", "é", "\u{0}", "\"2204-01-01T00:00:00Z\"",
        "\"..\"", "\"/etc/passwd\"", "\"../../x\"", "{{>p}}", "<script>", "[l](javascript:x)", "— ", "AAAA", "=",
    ]

    /// One mutation of `bytes` (nil: delete the file).
    static func mutate(_ bytes: [UInt8], _ r: inout Random) -> [UInt8]? {
        var b = bytes
        switch r.below(8) {
        case 0:
            if !b.isEmpty { b[r.below(b.count)] ^= UInt8(1 << r.below(8)) }
        case 1:
            if !b.isEmpty { let at = r.below(b.count); b.removeSubrange(at..<min(b.count, at + 1 + r.below(64))) }
        case 2:
            b = Array(b.prefix(r.below(b.count + 1)))
        case 3:
            b.insert(contentsOf: Array(tokens[r.below(tokens.count)].utf8), at: r.below(b.count + 1))
        case 4:
            var lines = b.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
            if !lines.isEmpty { let i = r.below(lines.count); lines.insert(lines[i], at: r.below(lines.count + 1)) }
            b = Array(lines.joined(separator: [0x0A]))
        case 5:
            var lines = b.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
            if lines.count > 1 { lines.swapAt(r.below(lines.count), r.below(lines.count)) }
            b = Array(lines.joined(separator: [0x0A]))
        case 6:
            // Replace a number with an extreme one.
            if let i = b.indices.filter({ b[$0] >= 0x30 && b[$0] <= 0x39 }).randomElement(using: &r) {
                b.replaceSubrange(i...i, with: Array(tokens[r.below(4)].utf8))
            }
        default:
            return nil
        }
        return b
    }

    static func files(_ root: URL) -> [String] {
        let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        return (e?.compactMap { $0 as? URL } ?? [])
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .map { String($0.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1)) }
            .sorted()
    }

    @Test(.timeLimit(.minutes(10))) func mutatedPacksEndWithAResultOrOurError() throws {
        let base = try PackBuilder.sample()
        let theme = try SiteBuilding.theme()
        let names = Self.files(base.url).filter { !$0.hasPrefix("site") }
        #expect(names.contains { $0.hasPrefix("audit/") } && names.contains { $0.hasPrefix("checkpoints/") }
                && names.contains { $0.hasPrefix("keys/") } && names.contains { $0.hasPrefix("registry/") }
                && names.contains { $0.hasPrefix("drift/") } && names.contains("trailpack.json"))
        let work = try TempDir()
        var r = Random(state: 20261206)
        var outcomes = [0, 0, 0]
        for n in 0..<240 {
            let dir = work.url.appendingPathComponent("m\(n)")
            try FileManager.default.copyItem(at: base.url, to: dir)
            // One to three mutations, in one or more files.
            var what: [String] = []
            for _ in 0...r.below(3) {
                let name = names[r.below(names.count)]
                let url = dir.appendingPathComponent(name)
                guard let bytes = FileManager.default.contents(atPath: url.path) else { continue }
                if let m = Self.mutate(Array(bytes), &r) { try Data(m).write(to: url) } else { try FileManager.default.removeItem(at: url) }
                what.append(name)
            }
            do {
                if n % 12 == 0 {
                    let result = try Trailpack.build(source: dir.path, options: BuildOptions(output: dir.appendingPathComponent("site"), theme: theme))
                    outcomes[result.verifyReport.fails(at: .major) ? 1 : 0] += 1
                } else {
                    let report = try Trailpack.verify(source: dir.path, trust: nil)
                    outcomes[report.fails(at: .major) ? 1 : 0] += 1
                }
            } catch {
                outcomes[2] += 1
                let message = error.localizedDescription
                #expect(error is LocalizedError, "mutant \(n) (\(what)): \(type(of: error)) is not one of our errors")
                #expect(!message.isEmpty && !message.contains("could not be completed") && !message.contains("Error Domain="),
                        "mutant \(n) (\(what)): \(message)")
            }
            try? FileManager.default.removeItem(at: dir)
        }
        // The mutations reach every outcome (a test that could not fail otherwise).
        #expect(outcomes[1] > 0 && outcomes[2] > 0, "\(outcomes)")
    }
}

extension MutationTests.Random: RandomNumberGenerator {}
