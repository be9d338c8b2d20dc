import Foundation

/// The digests of evidence files named by events (INT-ARTIFACT decides; the pages reuse them):
/// inside the pack source, present, hashed.
/// Digests are cached per path, so a file named by many events is read once.
public struct ArtifactChecker: Sendable {
    let source: URL
    let sourceReal: String
    var cache: [String: Result<String, ArtifactProblem>] = [:]

    /// Why an artifact could not be checked.
    public enum ArtifactProblem: Error, Sendable, Equatable {
        case outside
        case missing
        case unreadable(String)
    }

    public init(source: URL) {
        self.source = source
        self.sourceReal = ArtifactChecker.realPath(source.path) ?? source.standardizedFileURL.path
    }

    /// A checker that starts from digests computed earlier (by the verify pass): those files
    /// are not read again.
    public init(source: URL, digests: [String: Result<String, ArtifactProblem>]) {
        self.init(source: source)
        cache = digests
    }

    static func realPath(_ p: String) -> String? {
        guard let r = realpath(p, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }

    /// True for a relative path with no `..`, empty or absolute components.
    public static func isSafeRelativePath(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"), !path.utf8.contains(0) else { return false }
        return !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0.isEmpty }
    }

    /// The lowercase hex SHA-256 of the file at a source-relative path.
    public mutating func digest(of path: String) -> Result<String, ArtifactProblem> {
        if let c = cache[path] { return c }
        let r = compute(path)
        cache[path] = r
        return r
    }

    private func compute(_ path: String) -> Result<String, ArtifactProblem> {
        guard ArtifactChecker.isSafeRelativePath(path) else { return .failure(.outside) }
        let full = source.appendingPathComponent(path).path
        guard FileManager.default.fileExists(atPath: full) else { return .failure(.missing) }
        guard let real = ArtifactChecker.realPath(full), real.hasPrefix(sourceReal + "/") else { return .failure(.outside) }
        guard let h = FileHashing.sha256(path: real) else { return .failure(.unreadable(path)) }
        return .success(h.hex)
    }
}

/// Streaming SHA-256 of files.
public enum FileHashing {
    /// The SHA-256 of a file's bytes, read in 1 MiB chunks, or nil if it cannot be read.
    public static func sha256(path: String) -> SHA256.Digest? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return sha256(fd: fd)
    }

    /// The SHA-256 of the rest of an open file, read in 1 MiB chunks, or nil if reading fails.
    static func sha256(fd: Int32) -> SHA256.Digest? {
        var hasher = SHA256.Hasher()
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            buf.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return hasher.finalizeDigest()
    }
}
