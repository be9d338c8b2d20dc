import Foundation
import Testing
@testable import TrailpackCore

/// Everything under a folder, for proving that a dry run wrote nothing: each entry's relative
/// path with its kind, mode and size, a link's target and a file's SHA-256. Links are listed,
/// never followed; hidden entries (temporary folders such as `.site.trailpack-tmp-…`) included.
enum TreeListing {
    static func of(_ root: URL) -> [String: String] {
        var out: [String: String] = [:]
        func walk(_ dir: String, _ prefix: String) {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
            for name in names {
                let path = dir + "/" + name
                let rel = prefix + name
                var st = stat()
                guard lstat(path, &st) == 0 else { out[rel] = "vanished"; continue }
                let mode = String(st.st_mode & 0o7777, radix: 8)
                switch st.st_mode & S_IFMT {
                case S_IFDIR:
                    out[rel + "/"] = "dir \(mode)"
                    walk(path, rel + "/")
                case S_IFLNK:
                    out[rel] = "link -> " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?")
                case S_IFREG:
                    let bytes = FileManager.default.contents(atPath: path).map { SHA256.digest(Array($0)).hex } ?? "unreadable"
                    out[rel] = "file \(mode) \(st.st_size) \(bytes)"
                default:
                    out[rel] = "other \(mode)"
                }
            }
        }
        walk(root.standardizedFileURL.path, "")
        return out
    }
}
