import CSysShim
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a site into a fresh temporary folder beside the target folder and swaps it into
/// place in one step, so that readers see either the previous site or the new one.
///
/// The temporary folder is `.<target name>.trailpack-tmp-<pid>-<n>` in the target's parent
/// (created if missing). ``commit()`` exchanges it with an existing target atomically
/// (`renameat2(RENAME_EXCHANGE)`) and then removes the previous site, or renames it into
/// place if there is no target yet. On file systems without the exchange, the target is
/// renamed aside, the new folder renamed in, and the aside copy removed: between the two
/// renames (microseconds) the target path does not exist.
///
/// Nothing is flushed to stable storage: after a power loss the new site may be incomplete.
/// Copies of a `SiteWriter` share one temporary folder; use one value per build.
public struct SiteWriter: Sendable {
    /// Exchanges two paths atomically; returns 0 or an errno value.
    typealias Exchange = @Sendable (String, String) -> Int32

    /// The folder the site is published to.
    public let target: String
    /// The temporary folder being written.
    public let temporary: String
    private var written: Set<[UInt8]> = []
    private var isOpen = true
    let exchange: Exchange

    /// Prepares a build of the site at `target`: creates the target's parent if missing,
    /// removes temporary folders of builds that were killed (see ``sweepStale(beside:)``)
    /// and creates a fresh temporary folder.
    public init(target: URL) throws(SiteWriterError) {
        try self.init(target: target, exchange: Self.systemExchange)
    }

    /// `renameat2(RENAME_EXCHANGE)`.
    static let systemExchange: Exchange = { a, b in trailpack_exchange_paths(a, b) == 0 ? 0 : errno }

    init(target: URL, exchange: @escaping Exchange) throws(SiteWriterError) {
        let path = target.standardizedFileURL.path
        let (parent, name) = try Self.split(path)
        self.target = path
        self.exchange = exchange
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw .io(operation: "creating the folder", path: parent, errno: Self.posixCode(of: error))
        }
        var st = stat()
        if lstat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFDIR { throw .targetNotAFolder(path) }
        try Self.sweepStale(beside: target)
        temporary = try Self.makeFolder(in: parent, prefix: Self.prefix(name) + "\(getpid())-")
    }

    /// Builds the site at `target`: runs `body` on a new writer, then commits, or abandons
    /// the build (leaving the previous site untouched) if `body` throws, or always when
    /// `commit` is false (a dry run). Returns the relative paths written.
    ///
    /// An existing `target` is replaced only when it is empty or an earlier output: a folder
    /// holding every file of `marks` (``checkReplaceable(_:marks:)``); any other folder is
    /// refused before anything is written. With `only`, an earlier output holds nothing else
    /// (`diff --out` writes three files: a folder with more is not one of its outputs).
    @discardableResult
    public static func build(target: URL, marks: [String], only: Set<String>? = nil, commit: Bool = true,
                             _ body: (inout SiteWriter) throws -> Void) throws -> [String] {
        // A dry run creates nothing on the target's way: where its parent folder is missing (the
        // checks name folders to create), the site is built in the system's temporary folder
        // (there is no previous site to link from).
        let parentMissing: Bool
        if commit {
            try checkReplaceable(target.standardizedFileURL.path, marks: marks, only: only)
            parentMissing = false
        } else {
            parentMissing = try !check(target: target, marks: marks, only: only).isEmpty
        }
        var writer = parentMissing
            ? try SiteWriter(dryRunTarget: target, scratch: NSTemporaryDirectory())
            : try SiteWriter(target: target)
        do {
            try body(&writer)
        } catch {
            writer.abandon()
            throw error
        }
        let files = writer.writtenFiles
        if commit { try writer.commit() } else { writer.abandon() }
        return files
    }

    /// The relative paths written so far, sorted by their UTF-8 bytes.
    public var writtenFiles: [String] {
        written.sorted { $0.lexicographicallyPrecedes($1) }.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Writes a file at `relativePath` in the new site, creating folders as needed.
    ///
    /// Refused: empty, absolute or backslashed paths, NUL, empty, `.` or `..` components,
    /// a path already written, and any path through a symbolic link or onto an existing
    /// entry. Components are opened one by one without following links, so nothing outside
    /// the temporary folder can be reached.
    public mutating func write(_ relativePath: String, bytes: some Collection<UInt8>) throws(SiteWriterError) {
        guard isOpen else { throw .finished(temporary) }
        let components = try Self.components(relativePath)
        let key = Array(relativePath.utf8)
        if written.contains(key) { throw .duplicatePath(relativePath) }
        let bytesWritten = bytes.withContiguousStorageIfAvailable { buf in
            Result { () throws(SiteWriterError) in try writeFile(relativePath, components, buf) }
        }
        if let bytesWritten {
            try bytesWritten.get()
        } else {
            let copy = Array(bytes)
            try copy.withUnsafeBufferPointer { buf throws(SiteWriterError) in try writeFile(relativePath, components, buf) }
        }
        written.insert(key)
    }

    /// Checks `relativePath` as ``write(_:bytes:)`` does and reserves it for
    /// ``writeReserved(_:bytes:)``, which may then run on any thread.
    public mutating func reserve(_ relativePath: String) throws(SiteWriterError) {
        guard isOpen else { throw .finished(temporary) }
        _ = try Self.components(relativePath)
        let key = Array(relativePath.utf8)
        if written.contains(key) { throw .duplicatePath(relativePath) }
        written.insert(key)
    }

    /// Writes a path reserved by ``reserve(_:)`` (and only such a path): safe on several
    /// threads at once, each writing its own paths, so workers write the pages they render.
    public func writeReserved(_ relativePath: String, bytes: [UInt8]) throws(SiteWriterError) {
        let components = try Self.components(relativePath)
        try bytes.withUnsafeBufferPointer { buf throws(SiteWriterError) in try writeFile(relativePath, components, buf) }
    }

    /// Writes `string` as UTF-8 at `relativePath`; see ``write(_:bytes:)``.
    public mutating func write(_ relativePath: String, string: String) throws(SiteWriterError) {
        try write(relativePath, bytes: Array(string.utf8))
    }

    /// Publishes the new site at the target and removes the previous one.
    public mutating func commit() throws(SiteWriterError) {
        guard isOpen else { throw .finished(temporary) }
        var st = stat()
        if lstat(target, &st) != 0 {
            guard errno == ENOENT else { throw .io(operation: "inspecting", path: target, errno: errno) }
            guard rename(temporary, target) == 0 else { throw .io(operation: "renaming into place", path: target, errno: errno) }
            isOpen = false
            return
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw .targetNotAFolder(target) }
        let e = exchange(temporary, target)
        if e == 0 {
            isOpen = false
            try Self.remove(temporary, target: target)  // now the previous site
            return
        }
        guard [ENOSYS, EINVAL, EOPNOTSUPP, EPERM].contains(e) else {
            throw .io(operation: "exchanging the new site with", path: target, errno: e)
        }
        try commitByRenaming()
    }

    /// The fallback of ``commit()``: target aside, new site in, previous site removed.
    private mutating func commitByRenaming() throws(SiteWriterError) {
        let (parent, name) = try Self.split(target)
        // mkdir claims a free name; rename(2) may then replace that empty folder.
        let aside = try Self.makeFolder(in: parent, prefix: Self.prefix(name) + "\(getpid())-")
        guard rename(target, aside) == 0 else {
            let e = errno
            rmdir(aside)
            throw .io(operation: "moving the previous site aside from", path: target, errno: e)
        }
        guard rename(temporary, target) == 0 else {
            let e = errno
            rename(aside, target)
            throw .io(operation: "renaming into place", path: target, errno: e)
        }
        isOpen = false
        try Self.remove(aside, target: target)
    }

    /// Removes the temporary folder; the target is left as it was. A folder that cannot be
    /// removed is left for the next build's sweep.
    public mutating func abandon() {
        guard isOpen else { return }
        isOpen = false
        try? FileManager.default.removeItem(atPath: temporary)
    }

    // MARK: - Internals

    static func prefix(_ name: String) -> String { "." + name + ".trailpack-tmp-" }

    /// The parent folder and last component of an absolute, standardised path.
    static func split(_ path: String) throws(SiteWriterError) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { throw .invalidTarget(path) }
        let name = String(path[path.index(after: slash)...])
        guard !name.isEmpty, name != ".", name != ".." else { throw .invalidTarget(path) }
        let parent = String(path[..<slash])
        return (parent.isEmpty ? "/" : parent, name)
    }

    /// Creates `<parent>/<prefix><n>` for the first free n.
    static func makeFolder(in parent: String, prefix: String) throws(SiteWriterError) -> String {
        var n = 0
        while true {
            let path = (parent == "/" ? "" : parent) + "/" + prefix + "\(n)"
            if mkdir(path, 0o755) == 0 { return path }
            guard errno == EEXIST, n < 10_000 else { throw .io(operation: "creating the folder", path: path, errno: errno) }
            n += 1
        }
    }

    /// Checks a relative path and returns its components.
    static func components(_ path: String) throws(SiteWriterError) -> [String] {
        if path.isEmpty { throw .unsafePath(path, reason: "the path is empty") }
        if path.utf8.contains(0) { throw .unsafePath(path, reason: "it contains a NUL byte") }
        if path.utf8.contains(UInt8(ascii: "\\")) { throw .unsafePath(path, reason: "it contains a backslash") }
        if path.hasPrefix("/") { throw .unsafePath(path, reason: "it is absolute") }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for part in parts {
            if part.isEmpty { throw .unsafePath(path, reason: "it has an empty component (\"//\" or a trailing \"/\")") }
            if part == "." || part == ".." { throw .unsafePath(path, reason: "it has a \"\(part)\" component") }
        }
        return parts
    }

    /// Creates the file through descriptors opened without following links.
    private func writeFile(
        _ path: String, _ components: [String], _ bytes: UnsafeBufferPointer<UInt8>
    ) throws(SiteWriterError) {
        let fd = try createFile(path, components)
        do {
            try Self.writeAll(fd, bytes, path: path)
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw .io(operation: "closing", path: path, errno: errno) }
    }

    /// Copies the file at `sourcePath` (an absolute path, read as it is; links are followed)
    /// to `relativePath` in the new site in 1 MiB chunks, so memory stays small whatever the
    /// file's size; `observe` sees every chunk in order (for example to hash it). The target
    /// path is checked as for ``write(_:bytes:)``.
    public mutating func copy(
        _ relativePath: String, from sourcePath: String, observe: (UnsafeRawBufferPointer) -> Void = { _ in }
    ) throws(SiteWriterError) {
        guard isOpen else { throw .finished(temporary) }
        let components = try Self.components(relativePath)
        let key = Array(relativePath.utf8)
        if written.contains(key) { throw .duplicatePath(relativePath) }
        let input = openPath(sourcePath, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .io(operation: "opening the source file", path: sourcePath, errno: errno) }
        defer { close(input) }
        let fd = try createFile(relativePath, components)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        do throws(SiteWriterError) {
            while true {
                let n = buffer.withUnsafeMutableBytes { readBytes(input, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { throw SiteWriterError.io(operation: "reading", path: sourcePath, errno: errno) }
                if n == 0 { break }
                try buffer.withUnsafeBufferPointer { all throws(SiteWriterError) in
                    let chunk = UnsafeBufferPointer(rebasing: all[0..<n])
                    observe(UnsafeRawBufferPointer(chunk))
                    try Self.writeAll(fd, chunk, path: relativePath)
                }
            }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw .io(operation: "closing", path: relativePath, errno: errno) }
        written.insert(key)
    }

    /// Opens the folders of `components` one by one without following links, creating them as
    /// needed, and creates the (new) file; returns its descriptor.
    private func createFile(_ path: String, _ components: [String]) throws(SiteWriterError) -> Int32 {
        let dir = try openParent(path, components)
        defer { close(dir) }
        let fd = openat(dir, components[components.count - 1], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let e = errno
            if e == EEXIST || e == ELOOP { throw .unsafePath(path, reason: "an entry already exists there") }
            throw .io(operation: "creating", path: path, errno: e)
        }
        return fd
    }

    /// Opens (creating as needed) the folder that holds the last of `components`, one folder at
    /// a time without following links; the caller closes the descriptor.
    private func openParent(_ path: String, _ components: [String]) throws(SiteWriterError) -> Int32 {
        let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        var dir = openPath(temporary, flags)
        guard dir >= 0 else { throw .io(operation: "opening the build folder", path: temporary, errno: errno) }
        for (i, part) in components.dropLast().enumerated() {
            var next = openat(dir, part, flags)
            if next < 0 && errno == ENOENT {
                if mkdirat(dir, part, 0o755) != 0 && errno != EEXIST {
                    let e = errno
                    close(dir)
                    throw .io(operation: "creating a folder for", path: path, errno: e)
                }
                next = openat(dir, part, flags)
            }
            guard next >= 0 else {
                let e = errno
                close(dir)
                let prefix = components[...i].joined(separator: "/")
                if e == ELOOP || e == ENOTDIR {
                    throw .unsafePath(path, reason: "\"\(prefix)\" is a symbolic link or not a folder")
                }
                throw .io(operation: "opening the folder \"\(prefix)\" for", path: path, errno: e)
            }
            close(dir)
            dir = next
        }
        return dir
    }

    /// Links the file `name` of the open folder `directory` (in another site on the same file
    /// system) at `relativePath`, a path reserved by ``reserve(_:)``: no byte is copied. The
    /// entry linked must be the file `inode` names (checked after linking: a file swapped in
    /// meanwhile is unlinked again). Returns false when the file system cannot link it (another
    /// device, no hard links); the caller then writes the bytes.
    public func linkReserved(_ relativePath: String, from directory: Int32, name: String,
                             inode: (device: UInt64, number: UInt64)) throws(SiteWriterError) -> Bool {
        let dir = try openFolder(of: relativePath)
        defer { close(dir) }
        return try linkReserved(relativePath, into: dir, from: directory, name: name, inode: inode)
    }

    /// The folder that will hold `relativePath` in the new site, open (made when missing, never
    /// through a link), for several ``linkReserved(_:into:from:name:inode:)`` calls; the caller closes it.
    func openFolder(of relativePath: String) throws(SiteWriterError) -> Int32 {
        try openParent(relativePath, try Self.components(relativePath))
    }

    /// ``linkReserved(_:from:name:inode:)`` into the folder `dir` (``openFolder(of:)`` of the same path).
    func linkReserved(_ relativePath: String, into dir: Int32, from directory: Int32, name: String,
                      inode: (device: UInt64, number: UInt64)) throws(SiteWriterError) -> Bool {
        let components = try Self.components(relativePath)
        let last = components[components.count - 1]
        guard linkat(directory, name, dir, last, 0) == 0 else {
            let e = errno
            if e == EXDEV || e == EPERM || e == EMLINK || e == ENOTSUP || e == EOPNOTSUPP { return false }
            if e == EEXIST { throw .unsafePath(relativePath, reason: "an entry already exists there") }
            throw .io(operation: "linking", path: relativePath, errno: e)
        }
        var st = stat()
        guard fstatat(dir, last, &st, AT_SYMLINK_NOFOLLOW) == 0, (st.st_mode & S_IFMT) == S_IFREG,
              UInt64(st.st_dev) == inode.device, UInt64(st.st_ino) == inode.number
        else {
            unlinkat(dir, last, 0)
            return false
        }
        return true
    }

    /// Writes every byte of `bytes` to `fd`, retrying short writes.
    private static func writeAll(_ fd: Int32, _ bytes: UnsafeBufferPointer<UInt8>, path: String) throws(SiteWriterError) {
        var offset = 0
        while offset < bytes.count {
            let n = writeBytes(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .io(operation: "writing", path: path, errno: n < 0 ? errno : EIO) }
            offset += n
        }
    }

    /// Removes a previous site after a successful swap.
    private static func remove(_ path: String, target: String) throws(SiteWriterError) {
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw .oldSiteNotRemoved(path, target: target, errno: posixCode(of: error))
        }
    }

    static func posixCode(of error: Error) -> Int32 {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return Int32(underlying.code)
        }
        return ns.domain == NSPOSIXErrorDomain ? Int32(ns.code) : EIO
    }
}

// File-scope wrappers: inside `SiteWriter`, `write` names the method.
private func openPath(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }
private func writeBytes(_ fd: Int32, _ p: UnsafePointer<UInt8>?, _ n: Int) -> Int { write(fd, p, n) }
private func readBytes(_ fd: Int32, _ p: UnsafeMutableRawPointer?, _ n: Int) -> Int { read(fd, p, n) }
