/// RFC 9162 proof verification. Inputs are raw bytes, as they arrive from outside: every hash
/// must be 32 bytes, and every malformed proof (wrong length, impossible sizes) is rejected.
extension MerkleTree {
    /// Verifies that `leafHash` is leaf `index` of the tree of `size` leaves with root `root`
    /// (RFC 9162 §2.1.3.2). Throws `IntegrityError.inclusionProofFailed` or
    /// `.invalidHashLength` when it does not.
    public static func verifyInclusion(
        index: UInt64, size: UInt64, leafHash: [UInt8], proof: [[UInt8]], root: [UInt8]
    ) throws(IntegrityError) {
        guard index < size else {
            throw .inclusionProofFailed("leaf index \(index) is outside a tree of size \(size)")
        }
        let leaf = try digest(leafHash, "leaf hash")
        let expectedRoot = try digest(root, "root hash")
        let path = try digests(proof)
        let inner = bitLength(index ^ (size - 1))
        let border = (index >> UInt64(inner)).nonzeroBitCount
        guard path.count == inner + border else {
            throw .inclusionProofFailed(
                "proof has \(path.count) hashes; leaf \(index) of a tree of size \(size) needs \(inner + border)")
        }
        var fn = index, sn = size - 1, r = leaf
        for p in path {
            guard sn != 0 else { throw .inclusionProofFailed("proof is longer than the path to the root") }
            if fn & 1 == 1 || fn == sn {
                r = MerkleHash.node(p, r)
                while fn & 1 == 0, fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                r = MerkleHash.node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw .inclusionProofFailed("proof is shorter than the path to the root") }
        guard r == expectedRoot else {
            throw .inclusionProofFailed("computed root \(r.hex) differs from the expected root \(expectedRoot.hex)")
        }
    }

    /// `verifyInclusion` for hashes already in `SHA256.Digest` form.
    public static func verifyInclusion(
        index: UInt64, size: UInt64, leafHash: SHA256.Digest, proof: [SHA256.Digest], root: SHA256.Digest
    ) throws(IntegrityError) {
        try verifyInclusion(
            index: index, size: size, leafHash: leafHash.bytes, proof: proof.map(\.bytes), root: root.bytes)
    }

    /// Verifies that the tree of `size1` leaves with root `root1` is a prefix of the tree of
    /// `size2` leaves with root `root2` (RFC 9162 §2.1.4.2). Equal sizes need an empty proof and
    /// equal roots (the empty tree's root must be SHA-256("")); a proof from the empty tree to a
    /// larger one proves nothing and is rejected. Throws `IntegrityError.consistencyProofFailed`
    /// or `.invalidHashLength` when the proof does not verify.
    public static func verifyConsistency(
        size1: UInt64, size2: UInt64, root1: [UInt8], root2: [UInt8], proof: [[UInt8]]
    ) throws(IntegrityError) {
        guard size1 <= size2 else {
            throw .consistencyProofFailed("first size \(size1) is larger than second size \(size2)")
        }
        if size1 == size2 {
            guard proof.isEmpty else {
                throw .consistencyProofFailed("sizes are equal (\(size1)) but the proof has \(proof.count) hashes")
            }
            if size1 == 0, !MerkleHash.emptyRoot.equals(root1) || !MerkleHash.emptyRoot.equals(root2) {
                throw .consistencyProofFailed("the root of the empty tree must be SHA-256 of the empty string")
            }
            guard root1 == root2 else {
                throw .consistencyProofFailed("sizes are equal (\(size1)) but the roots differ")
            }
            return
        }
        guard size1 > 0 else {
            throw .consistencyProofFailed("a consistency proof from the empty tree proves nothing")
        }
        let first = try digest(root1, "first root hash")
        let second = try digest(root2, "second root hash")
        let given = try digests(proof)

        // Expected length: the suffix of leaf (size1 - 1)'s inclusion path above the perfect
        // subtree that ends at size1, plus that subtree's root unless it is the whole first tree.
        let shift = size1.trailingZeroBitCount
        let inner = bitLength((size1 - 1) ^ (size2 - 1)) - shift
        let border = ((size1 - 1) >> UInt64(bitLength((size1 - 1) ^ (size2 - 1)))).nonzeroBitCount
        let isPowerOfTwo = size1 & (size1 - 1) == 0
        let expected = (isPowerOfTwo ? 0 : 1) + inner + border
        guard given.count == expected else {
            throw .consistencyProofFailed(
                "proof has \(given.count) hashes; sizes \(size1) → \(size2) need \(expected)")
        }

        let path = isPowerOfTwo ? [first] + given : given
        var fn = size1 - 1, sn = size2 - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { throw .consistencyProofFailed("proof is longer than the path to the root") }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleHash.node(c, fr)
                sr = MerkleHash.node(c, sr)
                while fn & 1 == 0, fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = MerkleHash.node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw .consistencyProofFailed("proof is shorter than the path to the root") }
        guard fr == first else {
            throw .consistencyProofFailed("computed first root \(fr.hex) differs from \(first.hex)")
        }
        guard sr == second else {
            throw .consistencyProofFailed("computed second root \(sr.hex) differs from \(second.hex)")
        }
    }

    /// `verifyConsistency` for hashes already in `SHA256.Digest` form.
    public static func verifyConsistency(
        size1: UInt64, size2: UInt64, root1: SHA256.Digest, root2: SHA256.Digest, proof: [SHA256.Digest]
    ) throws(IntegrityError) {
        try verifyConsistency(size1: size1, size2: size2, root1: root1.bytes, root2: root2.bytes,
                              proof: proof.map(\.bytes))
    }

    private static func bitLength(_ x: UInt64) -> Int { UInt64.bitWidth - x.leadingZeroBitCount }

    private static func digest(_ bytes: [UInt8], _ what: String) throws(IntegrityError) -> SHA256.Digest {
        guard let d = SHA256.Digest(bytes: bytes) else { throw .invalidHashLength(what: what, count: bytes.count) }
        return d
    }

    private static func digests(_ proof: [[UInt8]]) throws(IntegrityError) -> [SHA256.Digest] {
        var out: [SHA256.Digest] = []
        out.reserveCapacity(proof.count)
        for (i, bytes) in proof.enumerated() { out.append(try digest(bytes, "proof hash \(i)")) }
        return out
    }
}
