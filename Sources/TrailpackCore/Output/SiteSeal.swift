import Foundation

/// A built site checked against its own `SHA256SUMS`: every file listed is there with those
/// bytes, and nothing else is (besides `SHA256SUMS`). Read by the INT-SITE rule (``IntSite``)
/// when `verify` is given a built site. This catches a page edited after the build; an editor
/// who also rewrote `SHA256SUMS` is caught only by building the evidence again and comparing
/// (docs/commands.md).
enum SiteSeal {
    /// One way a site differs from its `SHA256SUMS`, with the site-relative path.
    enum Problem: Sendable, Equatable {
        case unreadableSums(reason: String)
        case malformedLine(Int)
        case missing(String, reason: String)
        case unlisted(String)
        case changed(String)
        case notAFile(String)
        case unlistable(String)

        /// What is wrong, in words, naming the file.
        var message: String {
            switch self {
            case .unreadableSums(let reason): return "the site's SHA256SUMS cannot be read: \(reason)"
            case .malformedLine(let n): return "SHA256SUMS line \(n) is not a `<sha256>  <path>` line of a site trailpack built"
            case .missing(let p, let reason): return "\(p) is listed in the site's SHA256SUMS but \(reason)"
            case .unlisted(let p): return "\(p) is in the site but not in its SHA256SUMS"
            case .changed(let p): return "\(p) differs from its SHA-256 in the site's SHA256SUMS (changed after the build)"
            case .notAFile(let p): return "\(p) is not a regular file (a build writes only files and folders)"
            case .unlistable(let p): return "the site's folder \(p) cannot be listed"
            }
        }
    }

    /// The problems of the site at `site`, files in byte order of path (hashing on all cores).
    static func problems(site: URL) -> [Problem] {
        let root = site.standardizedFileURL.path
        let sums: [UInt8]
        do throws(InsideFolder.Problem) { sums = try InsideFolder.read(root, "SHA256SUMS") } catch {
            return [.unreadableSums(reason: error.reason)]
        }
        var listed: [String: SHA256.Digest] = [:]
        for (n, line) in sums.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            guard let (path, digest) = entry(line), listed[path] == nil, path != "SHA256SUMS" else { return [.malformedLine(n + 1)] }
            listed[path] = digest
        }
        var problems: [Problem] = []
        var present: [String] = []
        walk(root, relative: "", into: &present, problems: &problems)
        for path in present where listed[path] == nil { problems.append(.unlisted(path)) }
        let paths = listed.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let expected = listed
        let checked = Parallel.fill(paths.count) { i -> Problem? in
            let path = paths[i]
            let f: InsideFolder.Opened
            do throws(InsideFolder.Problem) { f = try InsideFolder.open(root, path, maxSize: Int.max) } catch {
                return .missing(path, reason: error.reason)
            }
            defer { f.closeBoth() }
            guard let d = FileHashing.sha256(fd: f.file), d == expected[path] else { return .changed(path) }
            return nil
        }
        problems += checked.compactMap { $0 }
        return problems.sorted { $0.sortKey.utf8.lexicographicallyPrecedes($1.sortKey.utf8) }
    }

    /// A `SHA256SUMS` line: `<64 hex>  <path>`, or GNU's escaped form (a leading `\`, with `\\`,
    /// `\n` and `\r` in the path), which ``SiteOutput/checksums()`` writes for such names.
    static func entry(_ line: ArraySlice<UInt8>) -> (String, SHA256.Digest)? {
        guard line.first == UInt8(ascii: "\\") else { return SiteOutput.checksumLine(line) }
        guard let (raw, d) = SiteOutput.checksumLine(line.dropFirst()) else { return nil }
        var out = ""
        var escaped = false
        for c in raw {
            if escaped {
                switch c {
                case "\\": out.append("\\")
                case "n": out.append("\n")
                case "r": out.append("\r")
                default: return nil
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return escaped ? nil : (out, d)
    }

    /// The regular files under `relative` (site-relative paths), never following a link.
    private static func walk(_ root: String, relative: String, into files: inout [String], problems: inout [Problem]) {
        let dir = relative.isEmpty ? root : root + "/" + relative
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
            problems.append(.unlistable(relative.isEmpty ? "." : relative))
            return
        }
        for name in names {
            let path = relative.isEmpty ? name : relative + "/" + name
            var st = stat()
            guard lstat(root + "/" + path, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: walk(root, relative: path, into: &files, problems: &problems)
            case S_IFREG: if path != "SHA256SUMS" { files.append(path) }
            default: problems.append(.notAFile(path))
            }
        }
    }
}

extension SiteSeal.Problem {
    /// The path a problem is about ("" for the file list itself), for a stable order.
    var sortKey: String {
        switch self {
        case .unreadableSums, .malformedLine: return ""
        case .missing(let p, _), .unlisted(let p), .changed(let p), .notAFile(let p), .unlistable(let p): return p
        }
    }
}
