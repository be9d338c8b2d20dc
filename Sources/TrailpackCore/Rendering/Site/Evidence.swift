import CSysShim
import Foundation

/// Why the evidence cannot be copied (exit 2, nothing written).
enum EvidenceError: LocalizedError, Sendable, Equatable {
    /// A file of the pack source holds a PEM private key (`-----BEGIN … PRIVATE KEY-----`).
    case privateKey(String)

    var errorDescription: String? {
        switch self {
        case .privateKey(let p):
            return "\(p): holds a private key (a PEM \"PRIVATE KEY\" block); the site would publish it in evidence/, and anyone "
                + "could sign with it. Nothing was written. Fix: move the private key out of the pack source (keygen --out a "
                + "folder outside it; only NAME.pem belongs in keys/), and if it was ever published or shared, revoke the key "
                + "(key.revoked) and make a new one"
        }
    }
}

/// Finds the PEM marker `PRIVATE KEY-----` (PKCS#8, encrypted PKCS#8, RSA, EC, OpenSSH private
/// keys all end their BEGIN line with it) in a file fed in chunks, across chunk boundaries.
struct PrivateKeyFinder {
    static let marker = Array("PRIVATE KEY-----".utf8)
    private(set) var found = false
    /// The last bytes of the previous chunk (a marker may straddle two).
    private var tail: [UInt8] = []

    mutating func scan(_ chunk: UnsafeRawBufferPointer) {
        guard !found, !chunk.isEmpty else { return }
        let keep = Self.marker.count - 1
        let seam = tail + Array(chunk.prefix(keep))
        if seam.withUnsafeBytes({ Self.contains($0) }) || Self.contains(chunk) { found = true; return }
        tail = Array((tail + Array(chunk.suffix(keep))).suffix(keep))
    }

    /// `memmem` (libc's vectorised search): the evidence is scanned at memory speed.
    private static func contains(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress, bytes.count >= marker.count else { return false }
        return marker.withUnsafeBytes { m in trailpack_contains(base, bytes.count, m.baseAddress, m.count) != 0 }
    }
}

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
    private var previous: Previous?
    private var index: [String: Int] = [:]
    /// Entries not copied, with the reason (links leaving the source, special files, names the
    /// site cannot hold).
    var skipped: [(path: String, reason: String)] = []

    /// The source-relative paths copied.
    var paths: Set<String> { Set(index.keys) }
    /// The log's segments as they were copied (their status before and after the copy was the
    /// same): for the status cache, so that the next build may link an unchanged segment's copy.
    private(set) var copiedSegments: [(status: stat, digest: SHA256.Digest)] = []

    /// What a build may take from the previous site's evidence: its root, the digests its
    /// `SHA256SUMS` lists for `evidence/audit/…`, and the status cache.
    struct Previous: Sendable {
        var root: String
        var digests: [String: SHA256.Digest]
        var cache: SiteStatCache
    }

    /// Whether a source-relative path is one of the log's segments (`audit/*.jsonl`).
    static func isLogSegment(_ relative: String) -> Bool { relative.hasPrefix("audit/") && relative.hasSuffix(".jsonl") }

    /// Whether a path of the site is the copy of one of the log's segments (`evidence/audit/*.jsonl`).
    static func isLogSegmentCopy(_ sitePath: String) -> Bool {
        sitePath.hasPrefix("evidence/") && isLogSegment(String(sitePath.dropFirst("evidence/".count)))
    }

    /// File name endings a browser opens as an active document (HTML, SVG, XML, web archives,
    /// scripts): such evidence is copied (its digest is checked like any other) but never
    /// linked from a page, so that a page the site did not render, with scripts of its own,
    /// cannot be reached through a genuine link ("✔" pages forged as evidence).
    static let documentEndings: Set<String> = ["html", "htm", "xhtml", "xht", "shtml", "svg", "svgz", "xml", "xsl", "xslt",
                                                "mht", "mhtml", "js", "mjs"]

    /// Whether the evidence file at `path` would open in a browser as an active document.
    static func opensAsDocument(_ path: String) -> Bool {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return false }
        return documentEndings.contains(path[path.index(after: dot)...].lowercased())
    }

    /// Whether a page links an artifact's evidence copy: its path stays inside the pack and a
    /// browser would not run it (``opensAsDocument(_:)``).
    static func linksArtifact(_ path: String) -> Bool { ArtifactChecker.isSafeRelativePath(path) && !opensAsDocument(path) }

    /// What a page says beside an artifact it does not link (``opensAsDocument(_:)``).
    static let notLinked = "(not linked: a browser would run it; its copy is in evidence/ with its digest checked)"

    /// What a page says beside an artifact whose file the pack source does not hold (or that
    /// could not be read): there is no copy to link.
    static let notInPack = "(not linked: the pack source holds no readable file at this path; see the INT-ARTIFACT finding)"

    /// SHA-256 by source-relative path.
    func digest(_ path: String) -> String? { index[path].map { files[$0].sha256 } }

    /// Copies the pack source's records into `evidence/`, in byte order of path.
    /// A log segment whose status is the one the cache recorded for the digest of the previous
    /// site's copy, and whose copy there is unchanged too, is linked from `previous` instead.
    static func copy(source: URL, output: inout SiteOutput, previous: Previous? = nil) throws -> Evidence {
        var ev = Evidence()
        ev.previous = previous
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
            var st = stat()
            let known = Self.isLogSegment(relative) && stat(path, &st) == 0
            if known, let d = try linkUnchanged(relative, status: st, output: &output) {
                index[relative] = files.count
                files.append(File(path: relative, sha256: d.hex, bytes: Int(st.st_size)))
                copiedSegments.append((st, d))
                return
            }
            let before = output.bytes
            var finder = PrivateKeyFinder()
            // The log's segments are not scanned: they cannot be edited, so a marker in an event's
            // text (an insider's, or a pasted key) would otherwise stop every build for good.
            let scanned = !relative.hasPrefix("audit/")
            let d = try output.copy("evidence/" + relative, from: path) { if scanned { finder.scan($0) } }
            // The build is abandoned (nothing written): a site must never publish a private key file.
            if finder.found { throw EvidenceError.privateKey(relative) }
            index[relative] = files.count
            files.append(File(path: relative, sha256: d.hex, bytes: output.bytes - before))
            var after = stat()
            if known, stat(path, &after) == 0, SiteStatCache.sameStatus(after, st) {
                copiedSegments.append((st, d))
            }
        } catch SiteWriterError.unsafePath(_, let reason) {
            skipped.append((relative, "its name cannot be written into the site: \(reason)"))
        }
    }

    /// Links the previous site's copy of a log segment when the segment (status `st`) and that
    /// copy both still have the status the cache recorded for the digest the previous
    /// `SHA256SUMS` lists; returns that digest, or nil when the segment is to be copied.
    private func linkUnchanged(_ relative: String, status st: stat, output: inout SiteOutput) throws -> SHA256.Digest? {
        let name = "evidence/" + relative
        guard let previous, let d = previous.digests[name], previous.cache.holds(st, digest: d),
              let f = InsideFolder.openInside(previous.root, name)
        else { return nil }
        defer { f.closeBoth() }
        guard previous.cache.holds(f.status, digest: d), f.status.st_size == st.st_size else { return nil }
        let inode = (UInt64(f.status.st_dev), UInt64(f.status.st_ino))
        // Linked first, then noted as written; on another file system it is copied as usual.
        guard try output.writer.linkReserved(name, from: f.dir, name: f.name, inode: inode) else { return nil }
        try output.writer.reserve(name)
        output.record([WrittenFile(path: name, digest: d, count: Int(f.status.st_size))])
        return d
    }
}
