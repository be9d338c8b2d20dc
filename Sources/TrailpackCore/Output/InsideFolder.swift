import Foundation

/// Files of a folder written by trailpack (a built site), read back without following a
/// symbolic link and without leaving the folder: each path is checked as ``SiteWriter`` checks
/// the paths it writes (no `..`, no absolute path), then opened component by component with
/// `O_NOFOLLOW`, and only a regular file is read. Incremental builds read the previous site
/// this way (``PreviousSite``, ``PageReuse``), and `trailpack pdf` the site it prints (``PrintPack``).
enum InsideFolder {
    /// Files larger than this are not read.
    static let maxFile = 256 << 20

    /// Why a file inside the folder cannot be read.
    enum Problem: Error, Sendable, Equatable {
        /// The path is empty, absolute, or has a `..`, `.` or empty component.
        case unsafePath(String)
        /// There is no such file (or one of its folders is missing).
        case missing
        /// `component` (the file itself, or one of its folders) is a symbolic link.
        case symbolicLink(component: String)
        /// The entry is not a regular file (a folder, a device, a socket…).
        case notAFile
        /// A folder on the path is not a folder.
        case notAFolder(component: String)
        /// The file is larger than ``maxFile``.
        case tooLarge
        /// The system refused (permission, device error); `errno` names why.
        case unreadable(errno: Int32)

        /// The problem in words, for a message that already names the file.
        var reason: String {
            switch self {
            case .unsafePath(let why): return "its path is not a plain relative path inside the folder (\(why))"
            case .missing: return "no such file"
            case .symbolicLink(let c): return "\(c) is a symbolic link, which is never followed (it could point outside the folder)"
            case .notAFile: return "not a regular file"
            case .notAFolder(let c): return "\(c) is not a folder"
            case .tooLarge: return "larger than \(InsideFolder.maxFile) bytes"
            case .unreadable(let e): return String(cString: strerror(e))
            }
        }
    }

    /// An open regular file: its folder's and its own descriptors, its name in that folder and
    /// its status. ``closeBoth()`` closes both descriptors.
    struct Opened {
        var dir: Int32
        var file: Int32
        var name: String
        var status: stat

        func closeBoth() {
            close(file)
            close(dir)
        }
    }

    /// Opens the regular file at `relative` inside `root` component by component without
    /// following a symbolic link; the caller closes it (``Opened/closeBoth()``).
    static func open(_ root: String, _ relative: String, maxSize: Int = maxFile) throws(Problem) -> Opened {
        let parts: [String]
        do { parts = try SiteWriter.components(relative) } catch {
            if case .unsafePath(_, let why) = error { throw .unsafePath(why) }
            throw .unsafePath(relative)
        }
        var dir = Glibc.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { throw errno == ENOENT ? .missing : .unreadable(errno: errno) }
        var walked = ""
        /// Why `name` in `dir` could not be opened, from its own status (never followed).
        func problem(_ name: String, code: Int32, wantFolder: Bool) -> Problem {
            if code == ENOENT { return .missing }
            var st = stat()
            guard fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return errno == ENOENT ? .missing : .unreadable(errno: code) }
            switch st.st_mode & S_IFMT {
            case S_IFLNK: return .symbolicLink(component: walked + name)
            case S_IFDIR: return wantFolder ? .unreadable(errno: code) : .notAFile
            default: return wantFolder ? .notAFolder(component: walked + name) : .notAFile
            }
        }
        for part in parts.dropLast() {
            let next = openat(dir, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else {
                let p = problem(part, code: errno, wantFolder: true)
                close(dir)
                throw p
            }
            close(dir)
            dir = next
            walked += part + "/"
        }
        let name = parts[parts.count - 1]
        let fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let p = problem(name, code: errno, wantFolder: false)
            close(dir)
            throw p
        }
        var st = stat()
        var failure: Problem?
        if fstat(fd, &st) != 0 {
            failure = .unreadable(errno: errno)
        } else if (st.st_mode & S_IFMT) != S_IFREG {
            failure = .notAFile
        } else if st.st_size < 0 || st.st_size > maxSize {
            failure = .tooLarge
        }
        if let failure {
            close(fd)
            close(dir)
            throw failure
        }
        return Opened(dir: dir, file: fd, name: name, status: st)
    }

    /// The regular file `name` of the folder `dir` (an ``Opened/dir``), opened as ``open(_:_:)``
    /// opens its last component, its descriptor only; nil for any problem. The caller closes it.
    static func openSibling(_ dir: Int32, _ name: String, maxSize: Int = maxFile) -> (file: Int32, status: stat)? {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else { return nil }
        let fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size >= 0, st.st_size <= maxSize else {
            close(fd)
            return nil
        }
        return (fd, st)
    }

    /// ``open(_:_:)``, nil for any problem.
    static func openInside(_ root: String, _ relative: String) -> Opened? {
        try? open(root, relative)
    }

    /// The bytes of the open file `fd` of `size` bytes (nil when it cannot be read whole).
    static func readAll(_ fd: Int32, size: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < out.count {
            let n = out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress.map { $0 + done }, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            done += n
        }
        return out
    }

    /// The bytes of the regular file at `relative` inside `root` (see ``open(_:_:)``).
    static func read(_ root: String, _ relative: String) throws(Problem) -> [UInt8] {
        let f = try open(root, relative)
        defer { f.closeBoth() }
        guard let bytes = readAll(f.file, size: Int(f.status.st_size)) else { throw .unreadable(errno: EIO) }
        return bytes
    }

    /// ``read(_:_:)``, nil for any problem.
    static func readInside(_ root: String, _ relative: String) -> [UInt8]? {
        try? read(root, relative)
    }
}
