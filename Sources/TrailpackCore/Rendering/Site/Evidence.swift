import Foundation

/// The byte-identical copy of the pack source under `evidence/`, from which `trailpack verify
/// SITE` re-verifies everything the site shows.
struct Evidence: Sendable {
    /// A copied file: its path relative to the pack source, SHA-256 and size.
    struct File: Sendable {
        var path: String
        var sha256: String
        var bytes: Int
    }

    /// The folders of a pack source that are copied (contract section 1), besides trailpack.json.
    static let folders = ["audit", "checkpoints", "keys", "registry", "drift", "docs", "artifacts"]

    private(set) var files: [File] = []
    private var index: [String: Int] = [:]
    /// Entries not copied, with the reason (links leaving the source, special files, names the
    /// site cannot hold).
    var skipped: [(path: String, reason: String)] = []

    /// The source-relative paths copied.
    var paths: Set<String> { Set(index.keys) }

    /// SHA-256 by source-relative path.
    func digest(_ path: String) -> String? { index[path].map { files[$0].sha256 } }

    /// Copies the pack source's records into `evidence/`, in byte order of path.
    static func copy(source: URL, output: inout SiteOutput) throws -> Evidence {
        var ev = Evidence()
        let root = ArtifactChecker.realPath(source.path) ?? source.standardizedFileURL.path
        try ev.copyEntry(Config.fileName, root: root, output: &output)
        for folder in folders { try ev.copyEntry(folder, root: root, output: &output) }
        return ev
    }

    private mutating func copyEntry(_ relative: String, root: String, output: inout SiteOutput) throws {
        // record's cache beside the segments is not a record (docs/format.md): never published.
        if LogState.isCacheFile(relative) { return }
        let full = root + "/" + relative
        var st = stat()
        guard lstat(full, &st) == 0 else { return }
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            let names = (try? FileManager.default.contentsOfDirectory(atPath: full)) ?? []
            for name in names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
                try copyEntry(relative + "/" + name, root: root, output: &output)
            }
        case S_IFREG:
            try copyFile(relative, from: full, output: &output)
        case S_IFLNK:
            var target = stat()
            guard let real = ArtifactChecker.realPath(full), real.hasPrefix(root + "/"), stat(real, &target) == 0,
                  (target.st_mode & S_IFMT) == S_IFREG else {
                skipped.append((relative, "a symbolic link that does not lead to a file inside the pack source"))
                return
            }
            try copyFile(relative, from: real, output: &output)
        default:
            skipped.append((relative, "not a regular file"))
        }
    }

    private mutating func copyFile(_ relative: String, from path: String, output: inout SiteOutput) throws {
        do {
            let before = output.bytes
            let d = try output.copy("evidence/" + relative, from: path)
            index[relative] = files.count
            files.append(File(path: relative, sha256: d.hex, bytes: output.bytes - before))
        } catch SiteWriterError.unsafePath(_, let reason) {
            skipped.append((relative, "its name cannot be written into the site: \(reason)"))
        }
    }
}
