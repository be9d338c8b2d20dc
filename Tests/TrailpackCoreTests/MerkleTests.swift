import Foundation
import Testing
@testable import TrailpackCore

/// One file of `suites/merkle/testdata/{inclusion,consistency}`, named by its path there.
struct MerkleCase: Sendable, CustomTestStringConvertible {
    var path: String
    var testDescription: String { path }

    struct Inclusion: Decodable {
        var leafIdx: UInt64
        var treeSize: UInt64
        var root: String
        var leafHash: String
        var proof: [String]?
        var wantErr: Bool
    }

    struct Consistency: Decodable {
        var size1: UInt64
        var size2: UInt64
        var root1: String
        var root2: String
        var proof: [String]?
        var wantErr: Bool
    }

    static let testdata = Shared.url("suites/merkle/testdata")

    /// Every `.json` file under `testdata/<kind>`, enumerated at test time, sorted.
    static func all(_ kind: String) -> [MerkleCase] {
        let base = testdata.appendingPathComponent(kind)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        var paths: [String] = []
        for case let url as URL in walker where url.pathExtension == "json" {
            paths.append(String(url.path.dropFirst(testdata.path.count + 1)))
        }
        return paths.sorted().map { MerkleCase(path: $0) }
    }

    func load<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(contentsOf: Self.testdata.appendingPathComponent(path)))
    }
}

/// Strict base64 (the vectors use the standard alphabet with padding); "" is zero bytes.
private func b64(_ text: String) throws -> [UInt8] {
    try #require(Data(base64Encoded: text).map { Array($0) }, "bad base64 \(text)")
}

struct MerkleVectorTests {
    static let inclusionCases = MerkleCase.all("inclusion")
    static let consistencyCases = MerkleCase.all("consistency")

    @Test func allFilesFound() {
        // 196 files at the time of writing; guard against a silently empty enumeration.
        #expect(Self.inclusionCases.count >= 90)
        #expect(Self.consistencyCases.count >= 90)
        #expect(Self.inclusionCases.contains { $0.path.hasPrefix("inclusion/single-entry/") })
        #expect(Self.consistencyCases.contains { $0.path.hasPrefix("consistency/additional/") })
    }

    @Test("inclusion vectors", arguments: inclusionCases)
    func inclusion(_ c: MerkleCase) throws {
        let v = try c.load(MerkleCase.Inclusion.self)
        let proof = try (v.proof ?? []).map(b64)
        let leaf = try b64(v.leafHash), root = try b64(v.root)
        let result = Result { () throws(IntegrityError) in
            try MerkleTree.verifyInclusion(index: v.leafIdx, size: v.treeSize, leafHash: leaf, proof: proof, root: root)
        }
        switch result {
        case .success: #expect(!v.wantErr, "verified but the vector wants an error")
        case .failure(let e): #expect(v.wantErr, "\(e.localizedDescription)")
        }
    }

    @Test("consistency vectors", arguments: consistencyCases)
    func consistency(_ c: MerkleCase) throws {
        let v = try c.load(MerkleCase.Consistency.self)
        let proof = try (v.proof ?? []).map(b64)
        let root1 = try b64(v.root1), root2 = try b64(v.root2)
        let result = Result { () throws(IntegrityError) in
            try MerkleTree.verifyConsistency(size1: v.size1, size2: v.size2, root1: root1, root2: root2, proof: proof)
        }
        switch result {
        case .success: #expect(!v.wantErr, "verified but the vector wants an error")
        case .failure(let e): #expect(v.wantErr, "\(e.localizedDescription)")
        }
    }

    struct Roots: Decodable {
        var leafInputsHex: [String]
        var rootsBySizeHex: [String]
    }

    @Test func referenceRoots() throws {
        let data = try Data(contentsOf: Shared.url("suites/merkle/roots.json"))
        let roots = try JSONDecoder().decode(Roots.self, from: data)
        let leaves = try roots.leafInputsHex.map { try #require(Hex.decode($0)) }
        #expect(roots.rootsBySizeHex.count == leaves.count + 1)
        var tree = MerkleTree()
        var accumulator = MerkleAccumulator()
        #expect(tree.root.hex == roots.rootsBySizeHex[0])
        #expect(accumulator.root.hex == roots.rootsBySizeHex[0])
        for (i, leaf) in leaves.enumerated() {
            tree.append(leafData: leaf)
            accumulator.append(leafData: leaf)
            #expect(tree.root.hex == roots.rootsBySizeHex[i + 1], "size \(i + 1)")
            #expect(accumulator.root.hex == roots.rootsBySizeHex[i + 1], "size \(i + 1)")
        }
        for size in 0...leaves.count {
            #expect(try tree.root(size: size).hex == roots.rootsBySizeHex[size])
        }
    }
}

struct MerkleTreeTests {
    /// A tree of `n` leaves whose data is the leaf's index as text.
    static func tree(_ n: Int) -> MerkleTree {
        var tree = MerkleTree()
        for i in 0..<n { tree.append(leafData: Array("leaf \(i)".utf8)) }
        return tree
    }

    @Test func accumulatorMatchesTreeForEverySize() throws {
        let full = Self.tree(300)
        var accumulator = MerkleAccumulator()
        #expect(accumulator.root == MerkleHash.emptyRoot)
        for size in 1...300 {
            accumulator.append(leafHash: full.leafHashes[size - 1])
            #expect(accumulator.size == size)
            #expect(accumulator.root == (try full.root(size: size)), "size \(size)")
        }
        #expect(throws: IntegrityError.self) { try accumulator.append(leafHash: [UInt8](repeating: 0, count: 31)) }
    }

    @Test func generatedInclusionProofsVerify() throws {
        let full = Self.tree(300)
        var generator = SystemRandomNumberGenerator()
        var sizes = Array(1...17) + [31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 300]
        sizes += (0..<20).map { _ in Int.random(in: 1...300, using: &generator) }
        for size in sizes {
            let root = try full.root(size: size)
            for index in Set([0, size - 1, size / 2, Int.random(in: 0..<size, using: &generator)]) {
                let proof = try full.inclusionProof(index: index, size: size)
                let leaf = full.leafHashes[index]
                try MerkleTree.verifyInclusion(index: UInt64(index), size: UInt64(size), leafHash: leaf, proof: proof, root: root)
                // Any change breaks it: another leaf, another index, a dropped or extra hash.
                let other = full.leafHashes[(index + 1) % full.size]
                #expect(throws: IntegrityError.self) {
                    try MerkleTree.verifyInclusion(index: UInt64(index), size: UInt64(size), leafHash: other, proof: proof, root: root)
                }
                if size > 1 {
                    #expect(throws: IntegrityError.self) {
                        try MerkleTree.verifyInclusion(index: UInt64((index + 1) % size), size: UInt64(size),
                                                       leafHash: leaf, proof: proof, root: root)
                    }
                    #expect(throws: IntegrityError.self) {
                        try MerkleTree.verifyInclusion(index: UInt64(index), size: UInt64(size), leafHash: leaf,
                                                       proof: Array(proof.dropLast()), root: root)
                    }
                }
                #expect(throws: IntegrityError.self) {
                    try MerkleTree.verifyInclusion(index: UInt64(index), size: UInt64(size), leafHash: leaf,
                                                   proof: proof + [leaf], root: root)
                }
            }
        }
    }

    @Test func generatedConsistencyProofsVerify() throws {
        let full = Self.tree(300)
        var generator = SystemRandomNumberGenerator()
        var pairs: [(Int, Int)] = []
        for size2 in 1...40 { for size1 in 1...size2 { pairs.append((size1, size2)) } }
        pairs += (0..<200).map { _ in
            let a = Int.random(in: 1...300, using: &generator), b = Int.random(in: 1...300, using: &generator)
            return (min(a, b), max(a, b))
        }
        for (size1, size2) in pairs {
            let proof = try full.consistencyProof(from: size1, to: size2)
            let root1 = try full.root(size: size1), root2 = try full.root(size: size2)
            try MerkleTree.verifyConsistency(size1: UInt64(size1), size2: UInt64(size2), root1: root1, root2: root2, proof: proof)
            if size1 < size2 {
                let wrong = try full.root(size: size1 - 1)
                #expect(throws: IntegrityError.self) {
                    try MerkleTree.verifyConsistency(size1: UInt64(size1), size2: UInt64(size2), root1: wrong, root2: root2, proof: proof)
                }
                #expect(throws: IntegrityError.self) {
                    try MerkleTree.verifyConsistency(size1: UInt64(size1), size2: UInt64(size2), root1: root1, root2: root2,
                                                     proof: Array(proof.dropFirst()))
                }
            }
        }
    }

    @Test func requestsOutsideTheTreeThrow() {
        let tree = Self.tree(5)
        #expect(throws: IntegrityError.self) { try tree.root(size: 6) }
        #expect(throws: IntegrityError.self) { try tree.inclusionProof(index: 5, size: 5) }
        #expect(throws: IntegrityError.self) { try tree.inclusionProof(index: 0, size: 6) }
        #expect(throws: IntegrityError.self) { try tree.consistencyProof(from: 3, to: 2) }
        #expect(throws: IntegrityError.self) { try tree.consistencyProof(from: 0, to: 2) }
        #expect(throws: IntegrityError.self) { try tree.consistencyProof(from: 1, to: 6) }
        #expect((try? tree.consistencyProof(from: 0, to: 0)) == [])
    }

    @Test func malformedConsistencyInputs() {
        let tree = Self.tree(8)
        let r = tree.root.bytes
        let cases: [(UInt64, UInt64, [UInt8], [UInt8], [[UInt8]])] = [
            (5, 4, r, r, []),                      // size1 > size2
            (0, 3, MerkleHash.emptyRoot.bytes, r, [r]),  // from the empty tree, even with a proof
            (0, 0, r, r, []),                      // empty tree with a non-empty-tree root
            (3, 3, r, r, [r]),                     // equal sizes with a proof
            (3, 5, r, r, []),                      // empty proof
            (3, 5, Array(r.prefix(31)), r, [r, r, r]),  // short root
            (3, 5, r, r, [r, Array(r.prefix(12)), r]),  // short proof hash
        ]
        for (s1, s2, r1, r2, proof) in cases {
            #expect(throws: IntegrityError.self, "\(s1)→\(s2)") {
                try MerkleTree.verifyConsistency(size1: s1, size2: s2, root1: r1, root2: r2, proof: proof)
            }
        }
    }
}
