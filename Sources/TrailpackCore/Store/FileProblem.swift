import Foundation

/// Our own words for a file-system problem: what is wrong with the path (named absolutely) and
/// how to fix it, never Foundation's "The operation could not be completed".
enum FileProblem {
    /// Why `path` cannot be read as a file (`folder` false) or listed as a folder (`folder` true),
    /// e.g. `/abs/pack/trailpack.json: no such file; ...`.
    static func reading(_ path: String, folder: Bool = false, fix: String? = nil) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var isDir: ObjCBool = false
        let what = folder ? "folder" : "file"
        let reason: String
        if !FileManager.default.fileExists(atPath: absolute, isDirectory: &isDir) {
            let parent = (absolute as NSString).deletingLastPathComponent
            var parentIsDir: ObjCBool = false
            if !FileManager.default.fileExists(atPath: parent, isDirectory: &parentIsDir) || !parentIsDir.boolValue {
                reason = "no such \(what): its folder \(parent) does not exist either"
            } else {
                reason = "no such \(what)"
            }
        } else if isDir.boolValue != folder {
            reason = folder ? "is a file, not a folder" : "is a folder, not a file"
        } else if !FileManager.default.isReadableFile(atPath: absolute) {
            reason = "permission denied (it is not readable by this user; check its owner and mode with ls -l)"
        } else if folder && !FileManager.default.isExecutableFile(atPath: absolute) {
            reason = "permission denied (the folder cannot be searched by this user; check its mode with ls -ld)"
        } else {
            reason = "cannot be read (a device error, or it changed while being read)"
        }
        return "\(absolute): \(reason)" + (fix.map { "; \($0)" } ?? "")
    }

    /// Why a folder cannot be created or written at `path`.
    static func writing(_ path: String, fix: String? = nil) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var isDir: ObjCBool = false
        let reason: String
        if FileManager.default.fileExists(atPath: absolute, isDirectory: &isDir), !isDir.boolValue {
            reason = "exists and is not a folder"
        } else if FileManager.default.fileExists(atPath: absolute), !FileManager.default.isWritableFile(atPath: absolute) {
            reason = "permission denied (the folder is not writable by this user)"
        } else {
            reason = "cannot be created or written (check that its parent exists and is writable, and that the disk has space)"
        }
        return "\(absolute): \(reason)" + (fix.map { "; \($0)" } ?? "")
    }

    /// The folders `createDirectory(atPath:withIntermediateDirectories: true)` would make for
    /// `path` (absolute, outermost first; empty when it is a folder already), without making
    /// them; nil when it would fail: an entry on the way is not a folder (links are followed, as
    /// creating does), or the nearest existing folder is not writable.
    static func foldersToCreate(_ path: String) -> [String]? {
        var missing: [String] = []
        var current = URL(fileURLWithPath: path).standardizedFileURL.path
        while true {
            var st = stat()
            if stat(current, &st) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFDIR else { return nil }
                if !missing.isEmpty && access(current, W_OK | X_OK) != 0 { return nil }
                return missing.reversed()
            }
            guard errno == ENOENT, current != "/" else { return nil }
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
    }
}
