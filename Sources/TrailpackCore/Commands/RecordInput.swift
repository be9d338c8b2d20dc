import Foundation

/// What `record` reads besides the pack: its input events (a file or standard input) and the
/// private key it signs with, each read as a regular file or from a descriptor, never trapping.
extension Trailpack {
    /// What reading a regular file whole gave (``readRegularFile(_:maxBytes:)``).
    enum RegularFileRead {
        case bytes([UInt8])
        /// Larger than the limit: its size.
        case tooLarge(Int64)
        /// Shorter than its size said: it changed while being read.
        case changed
    }

    /// The bytes of the regular file at `path`, at most `maxBytes`: a named pipe, device or
    /// folder is refused by the open, saying what it is, and never read.
    static func readRegularFile(_ path: String, maxBytes: Int64) throws(SystemCallFailure) -> RegularFileRead {
        let file = try DurableFiles.openRegularFile(path)
        let size = try DurableFiles.size(file, path: path)
        guard size <= maxBytes, size <= Int64(Int.max) else { return .tooLarge(size) }
        guard let bytes = InsideFolder.readAll(file.fd, size: Int(size)) else { return .changed }
        return .bytes(bytes)
    }

    /// The bytes of `record --event FILE`, read whole: a regular file only. A named pipe, device
    /// or folder is refused saying what it is (it was reported as "no such file"), never read.
    public static func readEventInput(_ path: String) throws(RecordError) -> [UInt8] {
        let read: RegularFileRead
        do throws(SystemCallFailure) { read = try readRegularFile(path, maxBytes: .max) } catch {
            throw RecordError.inputUnreadable(path, reason: error.reason + "; give --event a regular JSON or JSON Lines file, or - for standard input")
        }
        guard case .bytes(let bytes) = read else {
            throw RecordError.inputUnreadable(path, reason: "read: it is shorter than its size says (it changed while being read); try again")
        }
        return bytes
    }

    /// All of standard input, read with read(2): a folder, a closed descriptor or a device
    /// error is a message naming `<stdin>` (Foundation's `readDataToEndOfFile` traps on them).
    public static func readStandardInput() throws(RecordError) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else {
                let reason = String(cString: strerror(errno))
                throw RecordError.inputUnreadable("<stdin>", reason: "read: \(reason); pipe or redirect a JSON or JSON Lines file to standard input, or give --event FILE")
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    /// Reads an unencrypted PKCS#8 Ed25519 private key file (a regular file only), given with
    /// `option` (`--sign-key` for record and import, `--key` for checkpoint).
    static func loadPrivateKey(_ path: String, option: String = "--sign-key") throws(RecordError) -> Ed25519PrivateKey {
        let fix = "give \(option) the private key file that keygen wrote"
        let read: RegularFileRead
        // A key file is a few hundred bytes.
        do throws(SystemCallFailure) { read = try readRegularFile(path, maxBytes: 64 << 10) } catch {
            throw .privateKeyUnusable(path, reason: "\(error.reason); \(fix)")
        }
        let bytes: [UInt8]
        switch read {
        case .bytes(let b): bytes = b
        case .tooLarge(let size): throw .privateKeyUnusable(path, reason: "\(size) bytes is not a key file; \(fix)")
        case .changed: throw .privateKeyUnusable(path, reason: "it changed while being read; try again")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .privateKeyUnusable(path, reason: "not text (a PEM file is ASCII); \(fix)")
        }
        do { return try Ed25519PrivateKey(pem: text, source: path) } catch {
            throw .privateKeyUnusable(path, reason: error.reason)
        }
    }
}
