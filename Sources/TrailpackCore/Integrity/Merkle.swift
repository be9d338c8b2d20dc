/// RFC 9162 §2.1 Merkle tree hashing: leaf = SHA-256(0x00 || data),
/// node = SHA-256(0x01 || left || right), and the empty tree's root = SHA-256("").
public enum MerkleHash {
    /// The root of the tree with no leaves: SHA-256 of the empty string.
    public static let emptyRoot: SHA256.Digest = SHA256.digest([UInt8]())

    /// The leaf hash of `data`: SHA-256(0x00 || data).
    public static func leaf<C: Collection>(_ data: C) -> SHA256.Digest where C.Element == UInt8 {
        var hasher = SHA256.Hasher()
        hasher.update(byte: 0x00)
        hasher.update(data)
        return hasher.finalizeDigest()
    }

    /// The interior node hash over two children: SHA-256(0x01 || left || right).
    public static func node(_ left: SHA256.Digest, _ right: SHA256.Digest) -> SHA256.Digest {
        var hasher = SHA256.Hasher()
        hasher.update(byte: 0x01)
        left.withUnsafeBytes { hasher.update($0) }
        right.withUnsafeBytes { hasher.update($0) }
        return hasher.finalizeDigest()
    }

    /// The largest power of two strictly less than `n` (`n` ≥ 2): RFC 9162's split point `k`.
    static func split(_ n: Int) -> Int {
        1 << (Int.bitWidth - 1 - (n - 1).leadingZeroBitCount)
    }
}

/// Computes the Merkle root of a growing log in O(log n) memory: it keeps only the roots of the
/// perfect subtrees that the binary form of the current size decomposes into.
public struct MerkleAccumulator: Sendable, Hashable {
    /// Roots of perfect subtrees, largest (leftmost) first; one per set bit of `size`.
    private var stack: [SHA256.Digest] = []
    /// The number of leaves appended so far.
    public private(set) var size: Int = 0

    /// An accumulator for the empty tree.
    public init() {
        stack.reserveCapacity(64)
    }

    /// Appends a leaf by its leaf hash (already SHA-256(0x00 || data)).
    public mutating func append(leafHash: SHA256.Digest) {
        var current = leafHash
        var n = size
        while n & 1 == 1, let left = stack.popLast() {
            current = MerkleHash.node(left, current)
            n >>= 1
        }
        stack.append(current)
        size += 1
    }

    /// Appends a leaf by its 32-byte leaf hash; other lengths are rejected.
    public mutating func append<C: Collection>(leafHash: C) throws(IntegrityError) where C.Element == UInt8 {
        guard let digest = SHA256.Digest(bytes: leafHash) else {
            throw .invalidHashLength(what: "leaf hash", count: leafHash.count)
        }
        append(leafHash: digest)
    }

    /// Appends a leaf by its data, hashed as SHA-256(0x00 || data).
    public mutating func append<C: Collection>(leafData: C) where C.Element == UInt8 {
        append(leafHash: MerkleHash.leaf(leafData))
    }

    /// The root of the tree of the leaves appended so far (`MerkleHash.emptyRoot` when none).
    public var root: SHA256.Digest {
        guard var result = stack.last else { return MerkleHash.emptyRoot }
        for left in stack.dropLast().reversed() {
            result = MerkleHash.node(left, result)
        }
        return result
    }
}

/// A Merkle tree that keeps every leaf hash (32 bytes each, stored contiguously) and answers
/// roots and RFC 9162 inclusion and consistency proofs for any size up to its own.
public struct MerkleTree: Sendable, Hashable {
    /// The leaf hashes, in log order.
    public private(set) var leafHashes: [SHA256.Digest]

    /// A tree over these leaf hashes.
    public init(leafHashes: [SHA256.Digest] = []) {
        self.leafHashes = leafHashes
    }

    /// The number of leaves.
    public var size: Int { leafHashes.count }

    /// Appends a leaf by its leaf hash.
    public mutating func append(leafHash: SHA256.Digest) {
        leafHashes.append(leafHash)
    }

    /// Appends a leaf by its data, hashed as SHA-256(0x00 || data).
    public mutating func append<C: Collection>(leafData: C) where C.Element == UInt8 {
        leafHashes.append(MerkleHash.leaf(leafData))
    }

    /// The root of the whole tree.
    public var root: SHA256.Digest { subtreeRoot(0..<size) }

    /// The root of the tree of the first `size` leaves, in O(size) time.
    public func root(size: Int) throws(IntegrityError) -> SHA256.Digest {
        guard size >= 0, size <= self.size else {
            throw .invalidTreeRequest("no root for size \(size): the tree has \(self.size) leaves")
        }
        return subtreeRoot(0..<size)
    }

    /// The RFC 9162 §2.1.3.1 inclusion proof (audit path) of leaf `index` in the tree of the first
    /// `size` leaves, ordered from the leaf's sibling up to the root's child.
    public func inclusionProof(index: Int, size: Int) throws(IntegrityError) -> [SHA256.Digest] {
        guard size >= 0, size <= self.size else {
            throw .invalidTreeRequest("no inclusion proof for size \(size): the tree has \(self.size) leaves")
        }
        guard index >= 0, index < size else {
            throw .invalidTreeRequest("leaf index \(index) is outside a tree of size \(size)")
        }
        var topDown: [SHA256.Digest] = []
        var lo = 0, hi = size
        while hi - lo > 1 {
            let k = MerkleHash.split(hi - lo)
            if index - lo < k {
                topDown.append(subtreeRoot((lo + k)..<hi))
                hi = lo + k
            } else {
                topDown.append(subtreeRoot(lo..<(lo + k)))
                lo += k
            }
        }
        return topDown.reversed()
    }

    /// The RFC 9162 §2.1.4.1 consistency proof between the trees of the first `from` and `to`
    /// leaves. Empty when `from == to`; there is no proof from the empty tree (`from == 0 < to`).
    public func consistencyProof(from: Int, to: Int) throws(IntegrityError) -> [SHA256.Digest] {
        guard to <= size else {
            throw .invalidTreeRequest("no consistency proof to size \(to): the tree has \(size) leaves")
        }
        return try Self.consistencyProof(from: from, to: to) { leafHashes[$0] }
    }

    /// ``consistencyProof(from:to:)`` over the leaf hashes `leaf(0..<to)` gives, for a caller that
    /// holds its leaves otherwise (the diff: OLD's leaves, then NEW's after them).
    static func consistencyProof(from: Int, to: Int, leaf: (Int) -> SHA256.Digest) throws(IntegrityError) -> [SHA256.Digest] {
        guard from >= 0, from <= to else {
            throw .invalidTreeRequest("no consistency proof from size \(from) to the smaller size \(to)")
        }
        if from == to { return [] }
        guard from > 0 else {
            throw .invalidTreeRequest("no consistency proof from the empty tree to size \(to)")
        }
        func subtreeRoot(_ range: Range<Int>) -> SHA256.Digest {
            var accumulator = MerkleAccumulator()
            for i in range { accumulator.append(leafHash: leaf(i)) }
            return accumulator.root
        }
        var topDown: [SHA256.Digest] = []
        var m = from, lo = 0, hi = to, complete = true
        while m != hi - lo {
            let k = MerkleHash.split(hi - lo)
            if m <= k {
                topDown.append(subtreeRoot((lo + k)..<hi))
                hi = lo + k
            } else {
                topDown.append(subtreeRoot(lo..<(lo + k)))
                m -= k
                lo += k
                complete = false
            }
        }
        if !complete { topDown.append(subtreeRoot(lo..<hi)) }
        return topDown.reversed()
    }

    /// The root over `leafHashes[range]`, streamed through an accumulator.
    private func subtreeRoot(_ range: Range<Int>) -> SHA256.Digest {
        var accumulator = MerkleAccumulator()
        for i in range { accumulator.append(leafHash: leafHashes[i]) }
        return accumulator.root
    }
}
