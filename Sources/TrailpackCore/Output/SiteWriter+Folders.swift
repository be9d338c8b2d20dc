import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The folders around a ``SiteWriter``'s build: the checks of a dry run, its writer when the
/// target's parent is missing, and the sweep of temporary folders left by killed builds (moved
/// out of SiteWriter.swift unchanged).
extension SiteWriter {
    /// A writer for a dry run whose target's parent folder does not exist yet, after
    /// ``check(target:)`` passed: nothing is created on the target's way, and the temporary
    /// folder is made in `scratch` instead. Never committed.
    init(dryRunTarget target: URL, scratch: String) throws(SiteWriterError) {
        self.target = target.standardizedFileURL.path
        self.exchange = Self.systemExchange
        temporary = try Self.makeFolder(in: scratch, prefix: ".trailpack-dry-run-\(getpid())-")
    }

    /// The checks of ``init(target:)``, with nothing created (for a dry run that writes no
    /// temporary folder either): the target names a folder and is a folder or absent, and its
    /// parent is a writable folder or can be created. Returns the folders that would be created
    /// for the parent, outermost first.
    public static func check(target: URL, marks: [String], only: Set<String>? = nil) throws(SiteWriterError) -> [String] {
        let path = target.standardizedFileURL.path
        try checkReplaceable(path, marks: marks, only: only)
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

    /// Refuses a `path` that exists, is a folder, holds entries, and lacks one of `marks` (as a
    /// regular file): it is no earlier output, and replacing it would delete what it holds.
    /// An absent path, an empty folder and an earlier output pass; a path that is not a folder is
    /// left to ``targetNotAFolder``. With `only`, a folder holding any entry not in it is refused
    /// too, even with every mark.
    static func checkReplaceable(_ path: String, marks: [String], only: Set<String>? = nil) throws(SiteWriterError) {
        var st = stat()
        guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else { return }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            throw .io(operation: "listing", path: path, errno: EACCES)
        }
        if entries.isEmpty { return }
        for mark in marks {
            var m = stat()
            guard lstat(path + "/" + mark, &m) == 0, m.st_mode & S_IFMT == S_IFREG else {
                throw .notAnEarlierOutput(path, marks: marks)
            }
        }
        if let only, let other = entries.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).first(where: { !only.contains($0) }) {
            throw .holdsOtherFiles(path, entry: other)
        }
    }

    /// Removes folders named `.<target name>.trailpack-tmp-<pid>-<n>` beside `target` whose
    /// process no longer runs (left by a killed build). Folders of running processes,
    /// including this one, and entries that are not folders are kept. Returns the removed paths.
    @discardableResult
    public static func sweepStale(beside target: URL) throws(SiteWriterError) -> [String] {
        let (parent, name) = try split(target.standardizedFileURL.path)
        let prefix = prefix(name)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return [] }
        var removed: [String] = []
        for entry in entries.sorted() where entry.hasPrefix(prefix) {
            let rest = entry.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
            guard rest.count == 2, rest.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }),
                  let pid = Int32(rest[0]), Int(rest[1]) != nil
            else { continue }
            if pid == getpid() || kill(pid, 0) == 0 || errno == EPERM { continue }
            let path = parent + "/" + entry
            var st = stat()
            guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { continue }
            do {
                try FileManager.default.removeItem(atPath: path)
                removed.append(path)
            } catch {
                throw .io(operation: "removing the stale build folder", path: path, errno: Self.posixCode(of: error))
            }
        }
        return removed
    }
}
