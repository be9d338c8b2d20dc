
/// Safe, deterministic file names for untrusted identifiers.
public enum PathNames {
    /// The longest slug, in bytes (ASCII characters).
    public static let maxLength = 72
    /// Hex digits of SHA-256 in a hash suffix: 128 bits, so that no one can make two ids
    /// with the same suffix. (32 bits could be brute-forced in a second.)
    public static let hashDigits = 32
    /// The readable part before a hash suffix is at most this long.
    static let baseLength = maxLength - hashDigits - 1

    /// A file-name component for an arbitrary id given as bytes (normally UTF-8).
    ///
    /// - An id made only of `[a-z0-9._-]`, not starting with `.` or `-` (hidden files,
    ///   command-line options), not ending with `.` (dropped by Windows), at
    ///   most ``maxLength`` bytes long, not a Windows device name (`con`, `nul`, `com1`…,
    ///   optionally with an extension) and not itself shaped like a hashed slug
    ///   (`…-` + ``hashDigits`` hex digits) is returned unchanged.
    /// - Any other id becomes a readable base — ASCII letters lowercased, other bytes as `-`
    ///   (runs collapsed), leading `.` and `-` dropped, at most 39 bytes, `id` if nothing is
    ///   left — then `-` and the first ``hashDigits`` hex digits of SHA-256 of the id.
    ///
    /// Distinct ids give distinct slugs: unchanged slugs are the ids themselves and never
    /// have the hashed shape; hashed slugs differ unless SHA-256 prefixes collide. Slugs
    /// are lowercase ASCII, so they also stay distinct on case-insensitive file systems.
    /// The result is never empty, `.` or `..`, and never contains `/`.
    public static func slug(_ id: [UInt8]) -> String {
        if isKeptAsIs(id) { return String(decoding: id, as: UTF8.self) }
        var base: [UInt8] = []
        base.reserveCapacity(baseLength)
        for b in id {
            if base.count == baseLength { break }
            let c: UInt8
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "."):
                c = b
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                c = b | 0x20
            default:
                c = UInt8(ascii: "-")
            }
            if base.isEmpty && (c == UInt8(ascii: ".") || c == UInt8(ascii: "-")) { continue }
            if c == UInt8(ascii: "-") && base.last == UInt8(ascii: "-") { continue }
            base.append(c)
        }
        if base.isEmpty { base = Array("id".utf8) }
        base.append(UInt8(ascii: "-"))
        base.append(contentsOf: sha256Hex(id).prefix(hashDigits))
        return String(decoding: base, as: UTF8.self)
    }

    /// ``slug(_:)`` of the UTF-8 bytes of `id` (no Unicode normalisation: `é` and `e` +
    /// U+0301 are different ids).
    public static func slug(_ id: String) -> String {
        slug(Array(id.utf8))
    }

    /// Whether `id` is already a safe slug that cannot be confused with a hashed one.
    private static func isKeptAsIs(_ id: [UInt8]) -> Bool {
        guard let first = id.first, let last = id.last, id.count <= maxLength,
              first != UInt8(ascii: "."), first != UInt8(ascii: "-"), last != UInt8(ascii: ".")
        else { return false }
        for b in id {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return !hasHashShape(id) && !isWindowsDeviceName(id)
    }

    /// Whether `id` ends with `-` and ``hashDigits`` lowercase hex digits.
    private static func hasHashShape(_ id: [UInt8]) -> Bool {
        guard id.count > hashDigits, id[id.count - hashDigits - 1] == UInt8(ascii: "-") else { return false }
        return id.suffix(hashDigits).allSatisfy {
            ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f"))
        }
    }

    /// Whether the part before the first `.` is a Windows device name.
    private static func isWindowsDeviceName(_ id: [UInt8]) -> Bool {
        let stem = id.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        switch String(decoding: stem, as: UTF8.self) {
        case "con", "prn", "aux", "nul": return true
        case let s where s.count == 4 && (s.hasPrefix("com") || s.hasPrefix("lpt")):
            return s.last?.isNumber == true
        default: return false
        }
    }

    /// SHA-256 of `bytes` as 64 lowercase hex digits (as ASCII bytes).
    static func sha256Hex(_ bytes: [UInt8]) -> [UInt8] {
        let digest = SHA256.hash(bytes)
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in digest {
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0x0F)])
        }
        return out
    }
}
