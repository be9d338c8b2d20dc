internal import CCrypto

/// SHA-256 through OpenSSL's libcrypto: one-shot helpers, an incremental `Hasher`, and an
/// inline 32-byte `Digest` that needs no heap allocation.
public enum SHA256 {
    /// The length of a SHA-256 hash in bytes.
    public static let byteCount = 32

    /// The hash of `bytes`, as 32 bytes.
    public static func hash<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        digest(bytes).bytes
    }

    /// The hash of the bytes in `buffer`, as 32 bytes.
    public static func hash(_ buffer: UnsafeRawBufferPointer) -> [UInt8] {
        digest(buffer).bytes
    }

    /// The hash of `bytes` as an inline `Digest` (no heap allocation for contiguous input).
    public static func digest<C: Collection>(_ bytes: C) -> Digest where C.Element == UInt8 {
        var hasher = Hasher()
        hasher.update(bytes)
        return hasher.finalizeDigest()
    }

    /// The hash of the bytes in `buffer` as an inline `Digest`.
    public static func digest(_ buffer: UnsafeRawBufferPointer) -> Digest {
        var hasher = Hasher()
        hasher.update(buffer)
        return hasher.finalizeDigest()
    }

    /// A 32-byte SHA-256 hash stored inline; equality and hashing are byte-wise.
    public struct Digest: Sendable, Hashable, CustomStringConvertible {
        fileprivate var storage: (UInt64, UInt64, UInt64, UInt64)

        /// The all-zero value (the `prev` of the first event is its hex form).
        public static let zero = Digest(storage: (0, 0, 0, 0))

        fileprivate init(storage: (UInt64, UInt64, UInt64, UInt64)) { self.storage = storage }

        /// The digest with these 32 bytes, or nil when `bytes` does not hold exactly 32.
        public init?<C: Collection>(bytes: C) where C.Element == UInt8 {
            guard bytes.count == SHA256.byteCount else { return nil }
            var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            withUnsafeMutableBytes(of: &storage) { raw in
                for (i, b) in bytes.enumerated() { raw[i] = b }
            }
            self.storage = storage
        }

        /// The digest written as 64 lowercase hex digits, or nil for anything else.
        public init?<S: StringProtocol>(hex: S) {
            self.init(hexUTF8: hex.utf8)
        }

        /// The digest from 64 lowercase hex digits given as UTF-8 bytes, without allocating.
        public init?<C: Collection>(hexUTF8 text: C) where C.Element == UInt8 {
            if let d = text.withContiguousStorageIfAvailable({ Digest(hexBuffer: $0) }) {
                guard let d else { return nil }
                self = d
                return
            }
            self.init(hexBuffer: Array(text))
        }

        /// Hex digits to nibble values; 0xFF for anything that is not a lowercase hex digit.
        private static let nibbles: [UInt8] = (0..<256).map { c in
            switch c {
            case 0x30...0x39: return UInt8(c - 0x30)
            case 0x61...0x66: return UInt8(c - 0x61 + 10)
            default: return 0xFF
            }
        }

        private init?(hexBuffer text: UnsafeBufferPointer<UInt8>) {
            guard text.count == 2 * SHA256.byteCount else { return nil }
            var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            let ok = Digest.nibbles.withUnsafeBufferPointer { table in
                withUnsafeMutableBytes(of: &storage) { raw -> Bool in
                    var bad: UInt8 = 0
                    for i in 0..<SHA256.byteCount {
                        let hi = table[Int(text[2 * i])], lo = table[Int(text[2 * i + 1])]
                        bad |= hi | lo
                        raw[i] = hi << 4 | (lo & 0x0F)
                    }
                    return bad & 0xF0 == 0
                }
            }
            guard ok else { return nil }
            self.storage = storage
        }

        private init?(hexBuffer bytes: [UInt8]) {
            guard let d = bytes.withUnsafeBufferPointer({ Digest(hexBuffer: $0) }) else { return nil }
            self = d
        }


        /// The 32 bytes as an array.
        public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

        /// The 32 bytes as 64 lowercase hex digits.
        public var hex: String { withUnsafeBytes { Hex.encode($0) } }

        /// Lowercase hex, as `hex`.
        public var description: String { hex }

        /// Calls `body` with the 32 bytes.
        public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            try Swift.withUnsafeBytes(of: storage) { try body($0) }
        }

        /// Byte-wise equality.
        public static func == (lhs: Digest, rhs: Digest) -> Bool {
            lhs.storage.0 == rhs.storage.0 && lhs.storage.1 == rhs.storage.1
                && lhs.storage.2 == rhs.storage.2 && lhs.storage.3 == rhs.storage.3
        }

        /// Feeds the 32 bytes to a hash table hasher.
        public func hash(into hasher: inout Swift.Hasher) {
            hasher.combine(storage.0)
            hasher.combine(storage.1)
            hasher.combine(storage.2)
            hasher.combine(storage.3)
        }

        /// Byte-wise equality with an arbitrary byte collection (false unless it has 32 bytes).
        public func equals<C: Collection>(_ other: C) -> Bool where C.Element == UInt8 {
            guard other.count == SHA256.byteCount else { return false }
            return withUnsafeBytes { mine in mine.elementsEqual(other) }
        }
    }

    /// An incremental SHA-256 computation. The state (OpenSSL's `SHA256_CTX`) is stored inline, so
    /// creating, copying and feeding a hasher never allocates; a copy continues independently.
    public struct Hasher: Sendable {
        private var context = SHA256_CTX()

        /// A hasher with nothing fed yet.
        public init() {
            SHA256_Init(&context)
        }

        /// Feeds the bytes in `buffer`.
        public mutating func update(_ buffer: UnsafeRawBufferPointer) {
            guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
            SHA256_Update(&context, base, buffer.count)
        }

        /// Feeds `bytes`; contiguous collections (arrays, slices, `Data`) are fed without copying.
        public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
            let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
            if done == nil {
                let copy = Array(bytes)
                copy.withUnsafeBytes { update($0) }
            }
        }

        /// Feeds one byte.
        public mutating func update(byte: UInt8) {
            var b = byte
            SHA256_Update(&context, &b, 1)
        }

        /// The hash of everything fed so far, as 32 bytes; the hasher itself is left unchanged.
        public func finalize() -> [UInt8] {
            finalizeDigest().bytes
        }

        /// The hash of everything fed so far as an inline `Digest`; the hasher is left unchanged.
        public func finalizeDigest() -> Digest {
            var copy = context
            var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            withUnsafeMutableBytes(of: &storage) { raw in
                if let out = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) {
                    SHA256_Final(out, &copy)
                }
            }
            return Digest(storage: storage)
        }
    }
}

/// Lowercase hexadecimal encoding of bytes.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The bytes as lowercase hex digits, two per byte.
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes written as hex digits, or nil unless `text` is an even number of hex digits.
    /// Only lowercase digits are accepted unless `allowUppercase` is true.
    public static func decode<S: StringProtocol>(_ text: S, allowUppercase: Bool = false) -> [UInt8]? {
        let utf8 = text.utf8
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var high: UInt8?
        for c in utf8 {
            guard let v = value(of: c, allowUppercase: allowUppercase) else { return nil }
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return out
    }

    private static func value(of c: UInt8, allowUppercase: Bool) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F") where allowUppercase: return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
