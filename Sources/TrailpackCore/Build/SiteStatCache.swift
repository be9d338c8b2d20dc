import Foundation

/// What a build knew of the files of its pages of events once they were in place: for each, a
/// fingerprint of its status (device, inode, size, modification and change times) and its digest
/// in `SHA256SUMS`. The next incremental build keeps a page whose two files still have that status
/// without reading and hashing them again (``PageReuse/keep(_:sink:)``): the kernel sets a file's
/// change time at every write, truncation, link and rename of it, and no system call sets it back.
///
/// The cache is kept outside the site (which stays byte for byte what a clean build writes), one
/// file per output folder in a cache folder (``defaultFolder(environment:)``). It is not
/// evidence and nothing trusts it more than the previous site's own `SHA256SUMS`: a fingerprint
/// binds the digest that file lists, so a page changed after the build is published under that
/// (now wrong) digest, which `verify SITE` reports (INT-SITE). A missing, stale, damaged or
/// unwritable cache only means that the files are hashed again (docs/site.md).
///
/// It also records the SHA-256 of the `SHA256SUMS` the build published (`sums`): the previous
/// site in the output folder is insider-writable, and a page forged together with its line in
/// `SHA256SUMS` would otherwise be kept by the next incremental build. Pages are kept only from
/// the site this user last built there, as it was published (``SiteBuild``'s `Reuse`).
struct SiteStatCache: Sendable {
    static let format = "trailpack-site-stat/2"
    /// SHA-256 of the `SHA256SUMS` file as the build published it.
    let sums: SHA256.Digest
    /// Fingerprints of files as they were when recorded (``fingerprint(_:digest:)``).
    let fingerprints: Set<SHA256.Digest>

    /// Whether a file with status `st` is the one recorded with `digest`.
    func holds(_ st: stat, digest: SHA256.Digest) -> Bool {
        fingerprints.contains(Self.fingerprint(st, digest: digest))
    }

    /// The status fields a fingerprint covers: device, inode, size, modification and change times.
    static func fields(_ st: stat) -> [Int64] {
        [
            Int64(bitPattern: UInt64(st.st_dev)), Int64(bitPattern: UInt64(st.st_ino)), Int64(st.st_size),
            Int64(st.st_mtim.tv_sec), Int64(st.st_mtim.tv_nsec), Int64(st.st_ctim.tv_sec), Int64(st.st_ctim.tv_nsec),
        ]
    }

    /// Whether two statuses of a file are the same in every field a fingerprint covers.
    static func sameStatus(_ a: stat, _ b: stat) -> Bool { fields(a) == fields(b) }

    /// SHA-256 of the format name, the file's status fields and its digest.
    static func fingerprint(_ st: stat, digest: SHA256.Digest) -> SHA256.Digest {
        var h = SHA256.Hasher()
        h.update(Array(format.utf8))
        fields(st).withUnsafeBytes { h.update($0) }
        h.update(digest.bytes)
        return h.finalizeDigest()
    }

    /// A status's change time, as (seconds, nanoseconds).
    private static func changeTime(_ st: stat) -> (Int64, Int64) { (Int64(st.st_ctim.tv_sec), Int64(st.st_ctim.tv_nsec)) }

    /// Where the cache is, as messages name it.
    static let cacheName = "$XDG_CACHE_HOME/trailpack/sites, else ~/.cache/trailpack/sites"

    /// The cache folder: `$XDG_CACHE_HOME/trailpack` when that is an absolute path, else
    /// `$HOME/.cache/trailpack`; nil when neither is set.
    static func defaultFolder(environment: [String: String]) -> URL? {
        if let x = environment["XDG_CACHE_HOME"], x.hasPrefix("/") { return URL(fileURLWithPath: x).appendingPathComponent("trailpack") }
        if let home = environment["HOME"], home.hasPrefix("/") {
            return URL(fileURLWithPath: home).appendingPathComponent(".cache/trailpack")
        }
        return nil
    }

    /// The cache file of the site at `site` (named by the SHA-256 of its real path) and that path.
    static func file(folder: URL, site: URL) -> (path: String, site: String) {
        let out = site.standardizedFileURL.path
        let real = ArtifactChecker.realPath(out) ?? out
        let name = String(SHA256.digest(Array(real.utf8)).hex.prefix(32)) + ".stat"
        return (folder.appendingPathComponent("sites").appendingPathComponent(name).path, real)
    }

    /// The cache recorded for the site at `site`, or nil when there is none that this version
    /// reads for that folder (then every kept file is hashed).
    static func load(folder: URL, site: URL) -> SiteStatCache? {
        let (path, real) = file(folder: folder, site: site)
        guard case .bytes(let bytes)? = try? Trailpack.readRegularFile(path, maxBytes: 64 << 20) else { return nil }
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)[...]
        guard lines.popFirst().map({ $0.elementsEqual(format.utf8) }) == true,
              lines.popFirst().map({ $0.elementsEqual(real.utf8) }) == true,
              let sumsLine = lines.popFirst(), let sums = SHA256.Digest(hexUTF8: sumsLine)
        else { return nil }
        var set = Set<SHA256.Digest>()
        set.reserveCapacity(lines.count)
        for line in lines where !line.isEmpty {
            guard let d = SHA256.Digest(hexUTF8: line) else { return nil }
            set.insert(d)
        }
        return SiteStatCache(sums: sums, fingerprints: set)
    }

    /// Records the files `files` (paths in the site at `site`, with the digests `SHA256SUMS`
    /// lists) as they are now, replacing the cache file atomically. A file changed in the current
    /// tick of the clock (its change time not before the moment this starts) is left out: a
    /// change later in that same tick could leave its status as recorded. Best effort: returns
    /// false, and leaves any earlier cache file as it was, when the cache cannot be written.
    @discardableResult
    static func record(folder: URL, site: URL, sums: SHA256.Digest, files: [(path: String, digest: SHA256.Digest)],
                       sources: [(status: stat, digest: SHA256.Digest)] = []) -> Bool {
        let (path, real) = file(folder: folder, site: site)
        var now = timespec()
        guard clock_gettime(CLOCK_REALTIME_COARSE, &now) == 0 else { return false }
        let start = (Int64(now.tv_sec), Int64(now.tv_nsec))
        let root = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { return false }
        defer { close(root) }
        let prints = (try? Parallel.map(files.count) { i -> SHA256.Digest? in
            var st = stat()
            guard fstatat(root, files[i].path, &st, AT_SYMLINK_NOFOLLOW) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
            if changeTime(st) >= start { return nil }
            return fingerprint(st, digest: files[i].digest)
        }) ?? []
        var text = format + "\n" + real + "\n" + sums.hex + "\n"
        text.reserveCapacity(text.utf8.count + (prints.count + sources.count) * 65)
        for case let p? in prints { text += p.hex + "\n" }
        // Files of the pack source copied into the site (log segments), as they were copied.
        for s in sources where changeTime(s.status) < start {
            text += fingerprint(s.status, digest: s.digest).hex + "\n"
        }
        let dir = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            return false
        }
        prune(dir, keeping: path)
        return true
    }

    /// Removes the cache files in `dir` (other than `keeping`) whose site is gone: the folder
    /// their second line names no longer holds a `build-state.json` (deleted, or no longer a
    /// site). Without this, every output folder ever built (test folders included) would leave
    /// a file behind for good. A file written in the last `minimumAge` seconds is left, so that a
    /// site being replaced by another build at this moment keeps its cache. Best effort; a file
    /// that cannot be read is left as it is.
    static func prune(_ dir: String, keeping: String, minimumAge: Int = 3600) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        var now = timespec()
        guard clock_gettime(CLOCK_REALTIME_COARSE, &now) == 0 else { return }
        for name in names where name.hasSuffix(".stat") {
            let path = (dir as NSString).appendingPathComponent(name)
            var st = stat()
            guard path != keeping, lstat(path, &st) == 0, Int64(now.tv_sec) - Int64(st.st_mtim.tv_sec) >= Int64(minimumAge),
                  let site = siteNamed(path) else { continue }
            let state = (site as NSString).appendingPathComponent(BuildState.fileName)
            if lstat(state, &st) != 0 && errno == ENOENT { unlink(path) }
        }
    }

    /// The site folder a cache file names (its second line), reading only its start.
    private static func siteNamed(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 8192)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        let lines = buf[..<n].split(separator: 0x0A, maxSplits: 2, omittingEmptySubsequences: false)
        guard lines.count == 3, lines[0].starts(with: "trailpack-site-stat/".utf8), lines[1].first == UInt8(ascii: "/") else { return nil }
        return String(decoding: lines[1], as: UTF8.self)
    }
}

extension Trailpack {
    /// The cache folder `build` uses (``SiteStatCache/defaultFolder(environment:)``).
    public static func cacheFolder(environment: [String: String]) -> URL? {
        SiteStatCache.defaultFolder(environment: environment)
    }
}
