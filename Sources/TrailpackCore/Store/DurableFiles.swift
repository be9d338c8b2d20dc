import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An open POSIX file descriptor, closed when the value is released (which also drops any
/// `flock` held through it).
final class FileDescriptor: Sendable {
    let fd: Int32

    init(_ fd: Int32) { self.fd = fd }

    deinit { close(fd) }
}

/// A failed system call: which one, on which path, and `strerror(errno)`.
struct SystemCallFailure: Error, Sendable {
    var operation: String
    var path: String
    var code: Int32
    /// Said instead of `strerror(code)` when the call succeeded but the file is not what was asked for.
    var detail: String?

    init(_ operation: String, _ path: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    var reason: String { "\(operation): \(detail ?? String(cString: strerror(code)))" }
}

/// Durable file operations for the write side: exclusive creation with a mode, whole writes,
/// fsync of files and folders, appends that roll back, and atomic replacement.
enum DurableFiles {
    /// `open(2)`, retried on EINTR; `O_CLOEXEC` is always added.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(SystemCallFailure) -> FileDescriptor {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return FileDescriptor(fd) }
            if errno != EINTR { throw SystemCallFailure("open", path) }
        }
    }

    /// Opens an input file for reading, refusing anything but a regular file (a FIFO or a device
    /// would block or never end): non-blocking, then checked with `fstat` on what was opened.
    /// `followLinks: false` refuses a symbolic link as the last component (`O_NOFOLLOW`).
    static func openRegularFile(_ path: String, followLinks: Bool = true) throws(SystemCallFailure) -> FileDescriptor {
        let file = try open(path, O_RDONLY | O_NONBLOCK | (followLinks ? 0 : O_NOFOLLOW))
        var st = stat()
        guard fstat(file.fd, &st) == 0 else { throw SystemCallFailure("fstat", path) }
        guard st.st_mode & S_IFMT == S_IFREG else {
            var failure = SystemCallFailure("open", path, code: EINVAL)
            failure.detail = st.st_mode & S_IFMT == S_IFDIR ? "a folder, not a file" : "not a regular file (a named pipe, socket or device)"
            throw failure
        }
        return file
    }

    /// Writes every byte, looping over partial writes (the bytes go in one `write` call when the
    /// kernel takes them whole, as it does for regular files).
    static func writeAll(_ file: FileDescriptor, _ bytes: [UInt8], path: String) throws(SystemCallFailure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.write(file.fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemCallFailure("write", path)
            }
            offset += n
        }
    }

    /// `fsync(2)` of an open file.
    static func sync(_ file: FileDescriptor, path: String) throws(SystemCallFailure) {
        if fsync(file.fd) != 0 { throw SystemCallFailure("fsync", path) }
    }

    /// `fsync(2)` of a folder, so that files created or renamed in it survive a crash.
    static func syncDirectory(_ path: String) throws(SystemCallFailure) {
        let dir = try open(path, O_RDONLY | O_DIRECTORY)
        try sync(dir, path: path)
    }

    /// The size of an open file.
    static func size(_ file: FileDescriptor, path: String) throws(SystemCallFailure) -> Int64 {
        var st = stat()
        if fstat(file.fd, &st) != 0 { throw SystemCallFailure("fstat", path) }
        return Int64(st.st_size)
    }

    /// Creates the folder if it is missing (syncing its parent), and returns whether it did.
    @discardableResult
    static func ensureDirectory(_ path: String, mode: mode_t = 0o755) throws(SystemCallFailure) -> Bool {
        var st = stat()
        if stat(path, &st) == 0 {
            if st.st_mode & S_IFMT == S_IFDIR { return false }
            throw SystemCallFailure("mkdir", path, code: ENOTDIR)
        }
        if mkdir(path, mode) != 0 && errno != EEXIST { throw SystemCallFailure("mkdir", path) }
        try syncDirectory((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)
        return true
    }

    /// Creates a new file with `mode` from the start (`O_CREAT | O_EXCL | O_NOFOLLOW`), writes
    /// `bytes` and syncs it; a partly written file is removed again.
    static func createExclusive(_ path: String, _ bytes: [UInt8], mode: mode_t) throws(SystemCallFailure) {
        let file = try open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: mode)
        do throws(SystemCallFailure) {
            try writeAll(file, bytes, path: path)
            try sync(file, path: path)
        } catch {
            unlink(path)
            throw error
        }
    }

    /// Writes `bytes` to a temporary file beside `path`, syncs it and renames it over `path`,
    /// then syncs the folder: readers see the old file or the new one, never a part.
    /// `durable: false` skips both syncs, for caches that are checked before use (a crash may
    /// leave the old file, the new one or, rarely, an empty one).
    static func replaceAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644, durable: Bool = true) throws(SystemCallFailure) {
        let dir = (path as NSString).deletingLastPathComponent
        let temp = (dir as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).tmp-\(getpid())")
        unlink(temp)
        if durable {
            try createExclusive(temp, bytes, mode: mode)
        } else {
            let file = try open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: mode)
            do throws(SystemCallFailure) { try writeAll(file, bytes, path: temp) } catch {
                unlink(temp)
                throw error
            }
        }
        if rename(temp, path) != 0 {
            let failure = SystemCallFailure("rename", path)
            unlink(temp)
            throw failure
        }
        if durable { try syncDirectory(dir.isEmpty ? "." : dir) }
    }

    /// Appends `bytes` to a segment (created when `create`), syncs it, and syncs the folder when it
    /// created the file. On any failure the segment is truncated back to its size before (or removed
    /// when it was created here); the error says whether that worked. `failAfterWrite` simulates a
    /// failed fsync after the write, for tests of the rollback.
    static func append(_ bytes: [UInt8], to path: String, create: Bool, failAfterWrite: Bool = false) throws(RecordError) {
        try append(to: path, create: create, failAfterWrite: failAfterWrite) { write throws(RecordError) in try write(bytes) }
    }

    /// Appends what `produce` hands to its `write` (any number of times) to a segment, as
    /// ``append(_:to:create:failAfterWrite:)`` does with one buffer: synced once at the end, and
    /// truncated back (or removed) when a write, the sync or `produce` itself fails. Returns what
    /// `produce` returns.
    static func append<T>(to path: String, create: Bool, failAfterWrite: Bool = false,
                          _ produce: (_ write: ([UInt8]) throws(RecordError) -> Void) throws(RecordError) -> T) throws(RecordError) -> T {
        let dir = (path as NSString).deletingLastPathComponent
        let file: FileDescriptor
        do throws(SystemCallFailure) { file = try open(path, O_WRONLY | O_APPEND | (create ? O_CREAT | O_EXCL | O_NOFOLLOW : 0), mode: 0o644) } catch {
            throw .writeFailed(path, reason: error.reason, rolledBack: true)
        }
        var original: Int64 = 0
        var failure: SystemCallFailure?
        func failed(_ e: SystemCallFailure) -> RecordError {
            failure = e
            return .writeFailed(path, reason: e.reason, rolledBack: false)
        }
        // Each part is written on a worker while `produce` makes the next (one write in flight,
        // so the parts go in order).
        var inFlight: Parallel.Pending<Void>?
        func settle() throws(RecordError) {
            guard let pending = inFlight else { return }
            inFlight = nil
            do { _ = try pending.wait() } catch let e as SystemCallFailure { throw failed(e) } catch {
                throw failed(SystemCallFailure("write", path, code: EIO))
            }
        }
        do throws(RecordError) {
            do throws(SystemCallFailure) { original = try size(file, path: path) } catch { throw failed(error) }
            let result = try produce { bytes throws(RecordError) in
                try settle()
                inFlight = Parallel.background(1) { _ throws in try writeAll(file, bytes, path: path) }
            }
            try settle()
            do throws(SystemCallFailure) {
                if failAfterWrite { throw SystemCallFailure("fsync", path, code: EIO) }
                try sync(file, path: path)
                if create { try syncDirectory(dir) }
            } catch {
                throw failed(error)
            }
            return result
        } catch {
            // A write still in flight ends before the segment is cut back.
            _ = try? inFlight?.wait()
            var restored = ftruncate(file.fd, off_t(original)) == 0 && fsync(file.fd) == 0
            if create { restored = unlink(path) == 0 }
            if let failure { throw .writeFailed(path, reason: failure.reason, rolledBack: restored) }
            throw error
        }
    }
}

/// A `flock` on `audit/.lock`: exclusive for writers (`record`, `import`, `checkpoint`), shared
/// for readers that must see one consistent log (a dry run, `verify`, `build`, `diff`).
/// Released when the value is released.
struct StoreLock {
    let file: FileDescriptor

    /// Waits for the lock on `<audit>/.lock`, creating the lock file if needed.
    init(auditDirectory: String, exclusive: Bool) throws(RecordError) {
        let path = (auditDirectory as NSString).appendingPathComponent(".lock")
        do throws(SystemCallFailure) { file = try DurableFiles.open(path, O_RDWR | O_CREAT, mode: 0o644) } catch {
            throw .lockFailed(path, reason: error.reason)
        }
        try Self.wait(file, exclusive: exclusive, path: path)
    }

    private init(file: FileDescriptor) { self.file = file }

    /// A shared lock for a reader (`verify`, `build`, `diff`): waits while a writer appends, so
    /// the reader never sees half an event. The reader writes nothing to the pack: the lock file
    /// is opened read-only and only when it is there (every `record`, `import` and `checkpoint`
    /// creates it); nil when no writer has ever run on the store.
    static func reading(auditDirectory: String) throws(RecordError) -> StoreLock? {
        let path = (auditDirectory as NSString).appendingPathComponent(".lock")
        let file: FileDescriptor
        do throws(SystemCallFailure) { file = try DurableFiles.openRegularFile(path, followLinks: false) } catch {
            if error.code == ENOENT { return nil }
            // Not a regular file (``DurableFiles/openRegularFile(_:followLinks:)`` says which).
            if error.detail != nil { throw .lockFailed(path, reason: "not a regular file; remove it (a writer creates it again)") }
            throw .lockFailed(path, reason: error.reason)
        }
        try wait(file, exclusive: false, path: path)
        return StoreLock(file: file)
    }

    private static func wait(_ file: FileDescriptor, exclusive: Bool, path: String) throws(RecordError) {
        while flock(file.fd, exclusive ? LOCK_EX : LOCK_SH) != 0 {
            if errno != EINTR { throw .lockFailed(path, reason: SystemCallFailure("flock", path).reason) }
        }
    }
}
