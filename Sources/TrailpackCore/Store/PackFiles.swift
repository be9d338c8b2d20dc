import Foundation

/// Where a record of a pack source may be read from: only from inside the pack source, as the
/// evidence copy (``Evidence``) sees it. A file reached through a symbolic link that leads out
/// of the pack (the file itself, or a folder on its way) would be read and shown on the site
/// while the site's evidence leaves it out, so the site could not be re-verified from its
/// evidence. Every reader of the pack's records checks this first.
enum PackFiles {
    /// Why such a file is not read (the reason part of ``SourceError/unreadable(_:_:)``).
    static let outsideReason = "it is reached through a symbolic link that the site's evidence copy does not follow "
        + "(a linked folder, or a link leading outside the pack source), so the site could not be re-verified from its evidence. "
        + "Fix: replace the link with the file or folder itself"

    /// Whether the evidence copy holds `file` (absent files pass: their readers say so): no
    /// folder between `source` and it is a symbolic link (the copy does not follow linked
    /// folders), and the file resolves to a path inside `source`.
    static func isInside(_ file: URL, source: URL) -> Bool {
        var st = stat()
        guard lstat(file.path, &st) == 0 else { return true }
        guard let real = ArtifactChecker.realPath(file.path), let root = ArtifactChecker.realPath(source.path),
              real.hasPrefix(root + "/") else { return false }
        let base = source.standardizedFileURL.pathComponents.count
        var folder = file.standardizedFileURL.deletingLastPathComponent()
        while folder.pathComponents.count > base {
            if lstat(folder.path, &st) != 0 || st.st_mode & S_IFMT == S_IFLNK { return false }
            folder = folder.deletingLastPathComponent()
        }
        return true
    }

    /// Throws ``SourceError/unreadable(_:_:)`` naming `display` for a file outside the pack.
    static func checkInside(_ file: URL, source: URL, display: String) throws(SourceError) {
        guard isInside(file, source: source) else { throw .unreadable(display, outsideReason) }
    }
}

/// A key or checkpoint file reached through a link out of the pack (``PackFiles``).
struct OutsidePackSource: LocalizedError {
    var errorDescription: String? { PackFiles.outsideReason }
}
