import Foundation
@testable import TrailpackCore

/// Locations of reference data shared beside the checkout (`../shared`).
enum Shared {
    /// The repository root (two levels above this file's folder).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The nearest `shared` folder beside the checkout or beside one of its ancestors
    /// (`../shared` for the main checkout, `../../shared` for a worktree under `wt/`), or
    /// `$TRAILPACK_SHARED` when set; read in place, nothing from it is copied into the repository.
    static let root: URL = {
        if let env = ProcessInfo.processInfo.environment["TRAILPACK_SHARED"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        var dir = repoRoot
        while dir.path != "/" {
            dir = dir.deletingLastPathComponent()
            let candidate = dir.appendingPathComponent("shared")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("suites").path) {
                return candidate
            }
        }
        return repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }()

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}

/// A temporary folder removed when the value is released.
final class TempDir {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("trailpack-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes a text file at a relative path, creating folders.
    @discardableResult
    func write(_ relative: String, _ text: String) throws -> URL {
        try write(relative, Data(text.utf8))
    }

    /// Writes bytes at a relative path, creating folders.
    @discardableResult
    func write(_ relative: String, _ data: Data) throws -> URL {
        let u = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: u)
        return u
    }

    func path(_ relative: String) -> URL { url.appendingPathComponent(relative) }
}

/// The same event line with its top-level members in reverse order: valid JSON, not canonical.
func reorderedKeys(_ line: [UInt8]) -> [UInt8] {
    guard let o = try? JSONReader().parse(line).objectValue else { return line }
    var out: [UInt8] = [UInt8(ascii: "{")]
    for (i, m) in o.members.reversed().enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        JCS.writeString(m.key.utf8, to: &out)
        out.append(UInt8(ascii: ":"))
        JCS.write(m.value, to: &out)
    }
    return out + [UInt8(ascii: "}")]
}
