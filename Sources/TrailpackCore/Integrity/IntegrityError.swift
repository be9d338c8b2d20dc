import Foundation

/// Everything that can go wrong in the integrity layer: keys, hashes, Merkle proofs, signed notes
/// and checkpoints. Each message names the file or place it concerns.
public enum IntegrityError: LocalizedError, Sendable, Equatable {
    /// A key (PEM text, raw bytes, verifier or signer key string) cannot be used;
    /// `source` names the file or string it came from.
    case invalidKey(source: String, reason: String)
    /// An OpenSSL operation failed; `detail` carries OpenSSL's own error text when there is one.
    case cryptoFailure(operation: String, detail: String)
    /// Bytes that must be a 32-byte SHA-256 hash are not; `what` names the value.
    case invalidHashLength(what: String, count: Int)
    /// An inclusion proof does not prove what it claims.
    case inclusionProofFailed(String)
    /// A consistency proof does not prove what it claims.
    case consistencyProofFailed(String)
    /// A Merkle tree cannot answer the request (index or size out of range).
    case invalidTreeRequest(String)
    /// A signed note is malformed; `line` is 1-based when the problem is on one line.
    case malformedNote(source: String, line: Int?, reason: String)
    /// A checkpoint's note text is malformed; `line` is 1-based when known.
    case malformedCheckpoint(source: String, line: Int?, reason: String)
    /// Text or a key name cannot be signed as a note.
    case unsignableNote(String)

    /// A human-readable description naming the place of the problem.
    public var errorDescription: String? {
        switch self {
        case let .invalidKey(source, reason):
            return "\(source): invalid key: \(reason)"
        case let .cryptoFailure(operation, detail):
            return detail.isEmpty ? "OpenSSL \(operation) failed" : "OpenSSL \(operation) failed: \(detail)"
        case let .invalidHashLength(what, count):
            return "\(what) must be a 32-byte SHA-256 hash, got \(count) bytes"
        case let .inclusionProofFailed(reason):
            return "inclusion proof does not verify: \(reason)"
        case let .consistencyProofFailed(reason):
            return "consistency proof does not verify: \(reason)"
        case let .invalidTreeRequest(reason):
            return "Merkle tree: \(reason)"
        case let .malformedNote(source, line, reason):
            return "\(Self.place(source, line)): malformed signed note: \(reason)"
        case let .malformedCheckpoint(source, line, reason):
            return "\(Self.place(source, line)): malformed checkpoint: \(reason)"
        case let .unsignableNote(reason):
            return "cannot sign note: \(reason)"
        }
    }

    private static func place(_ source: String, _ line: Int?) -> String {
        if let line { return "\(source):\(line)" }
        return source
    }
}
