import Foundation

/// Why writing or publishing a site failed, naming the path and the fix.
public enum SiteWriterError: LocalizedError, Sendable, Equatable {
    /// A relative path that is not a plain path inside the site (or would leave it).
    case unsafePath(String, reason: String)
    /// The same relative path was written twice in one build.
    case duplicatePath(String)
    /// The target exists and is not a folder (a symbolic link counts as not a folder).
    case targetNotAFolder(String)
    /// The target path cannot name an output folder (`/`, `.`, `..`).
    case invalidTarget(String)
    /// The target is a folder that holds files and is not an earlier output of the same kind
    /// (it lacks the files named, e.g. `SHA256SUMS` and `report.json` of a site): replacing it
    /// would delete what it holds.
    case notAnEarlierOutput(String, marks: [String])
    /// The target folder has the marks of an earlier output but also an entry that output never writes.
    case holdsOtherFiles(String, entry: String)
    /// The build was already committed or abandoned.
    case finished(String)
    /// A system call failed.
    case io(operation: String, path: String, errno: Int32)
    /// The new site is in place but the previous one could not be removed.
    case oldSiteNotRemoved(String, target: String, errno: Int32)

    /// The message: what failed, on which path, and how to fix it.
    public var errorDescription: String? {
        switch self {
        case .unsafePath(let p, let reason):
            return "refusing to write \"\(p)\" into the site: \(reason). Fix: use a relative path of plain names "
                + "joined by \"/\" (build names from untrusted ids with PathNames.slug)."
        case .duplicatePath(let p):
            return "\"\(p)\" was already written in this build. Fix: give every file its own path; if two ids "
                + "map to this name, derive names with PathNames.slug."
        case .targetNotAFolder(let p):
            return "\"\(p)\" exists and is not a folder (or is a symbolic link). Fix: remove it or choose another "
                + "output folder."
        case .holdsOtherFiles(let p, let entry):
            return "\"\(p)\" holds \"\(Escape.visibleControls(entry))\", which no earlier output of trailpack there would hold; writing there would replace the folder "
                + "and delete it, so nothing was written. Fix: choose a new or empty folder, or move that file away."
        case .notAnEarlierOutput(let p, let marks):
            return "\"\(p)\" is a folder that holds files and is not an earlier output of trailpack (it has no "
                + marks.joined(separator: " and ") + "); writing there would replace it and delete what it holds, so nothing was written. "
                + "Fix: choose a new or empty folder, or the folder of an earlier output; remove the folder yourself if it is no longer needed."
        case .invalidTarget(let p):
            return "\"\(p)\" cannot be an output folder: it must end in a folder name. Fix: name a folder such as ./site."
        case .finished(let p):
            return "the build in \"\(p)\" was already committed or abandoned. Fix: create a new SiteWriter for each build."
        case .io(let op, let p, let e):
            return "\(op) \"\(p)\" failed: \(Self.describe(e)). Fix: check that the output folder's file system is "
                + "writable, supports renames within one folder and has free space."
        case .oldSiteNotRemoved(let p, let target, let e):
            return "the new site is in place at \"\(target)\", but the previous one could not be removed from \"\(p)\": "
                + "\(Self.describe(e)). Fix: delete \"\(p)\" (the next build also removes it)."
        }
    }

    static func describe(_ e: Int32) -> String {
        String(cString: strerror(e)) + " (errno \(e))"
    }
}
