import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a dry run needs of ``SiteWriter`` (moved out of SiteWriter.swift unchanged).
extension SiteWriter {
    /// The checks of ``init(target:)``, with nothing created (for a dry run that writes no
    /// temporary folder either): the target names a folder and is a folder or absent, and its
    /// parent is a writable folder or can be created. Returns the folders that would be created
    /// for the parent, outermost first.
    public static func check(target: URL) throws(SiteWriterError) -> [String] {
        let path = target.standardizedFileURL.path
        let (parent, _) = try split(path)
        guard let folders = FileProblem.foldersToCreate(parent) else {
            // The nearest existing entry on the way: not a folder, or not writable.
            var at = parent
            var st = stat()
            while stat(at, &st) != 0 && at != "/" { at = (at as NSString).deletingLastPathComponent }
            throw .io(operation: "creating the folder", path: parent, errno: (st.st_mode & S_IFMT) == S_IFDIR ? EACCES : ENOTDIR)
        }
        var st = stat()
        if lstat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFDIR { throw .targetNotAFolder(path) }
        // The temporary folder is made in the parent.
        if folders.isEmpty && access(parent, W_OK | X_OK) != 0 { throw .io(operation: "creating a folder in", path: parent, errno: EACCES) }
        return folders
    }
}
