import Foundation
import Testing
@testable import TrailpackCore

struct CheckpointTests {
    static let origin = "example.com/trailpack/log"

    static func tree(_ n: Int) -> MerkleTree {
        var tree = MerkleTree()
        for i in 0..<n { tree.append(leafData: SHA256.hash(Array("event \(i)".utf8))) }
        return tree
    }

    @Test func roundTrip() throws {
        let key = try Ed25519PrivateKey.generate()
        let root = try Self.tree(20).root(size: 13)
        let note = try Checkpoint.sign(origin: Self.origin, size: 13, root: root, keyName: "log", privateKey: key)
        #expect(note.hasPrefix("\(Self.origin)\n13\n\(Data(root.bytes).base64EncodedString())\n\n\u{2014} log "))

        let result = try Checkpoint.verify(note, keys: ["log": key.publicKey], source: "checkpoints/0013.checkpoint")
        #expect(result.isAccepted && result.hasValidKnownSignature)
        #expect(result.checkpoint == Checkpoint(origin: Self.origin, size: 13, root: root))
        #expect(result.signatures.results.map(\.status) == [.valid])
        #expect(try Checkpoint(text: result.checkpoint.text) == result.checkpoint)
    }

    @Test func c2spExampleParses() throws {
        let note = """
            example.com/behind-the-sofa
            20852163
            CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

            — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=

            """
        let result = try Checkpoint.verify(note, keys: [NoteVerifierKey]())
        #expect(result.checkpoint.origin == "example.com/behind-the-sofa")
        #expect(result.checkpoint.size == 20_852_163)
        #expect(result.checkpoint.extensions.isEmpty)
        #expect(result.signatures.results.map(\.status) == [.unknownKey])
        #expect(!result.hasValidKnownSignature)
    }

    @Test func forgedRootIsDetected() throws {
        let key = try Ed25519PrivateKey.generate()
        let tree = Self.tree(8)
        let note = try Checkpoint.sign(origin: Self.origin, size: 8, root: tree.root, keyName: "log", privateKey: key)
        let forgedRoot = Data(try tree.root(size: 7).bytes).base64EncodedString()
        let forged = note.replacingOccurrences(of: Data(tree.root.bytes).base64EncodedString(), with: forgedRoot)
        #expect(forged != note)
        let result = try Checkpoint.verify(forged, keys: ["log": key.publicKey])
        #expect(result.signatures.results.map(\.status) == [.invalid])
        #expect(!result.hasValidKnownSignature && !result.isAccepted)
        #expect(result.signatures.failedKeys.map(\.name) == ["log"])
    }

    @Test func unknownKeyOnlyHasNoValidKnownSignature() throws {
        let logKey = try Ed25519PrivateKey.generate()
        let strangerKey = try Ed25519PrivateKey.generate()
        let note = try Checkpoint.sign(origin: Self.origin, size: 0, root: MerkleHash.emptyRoot,
                                       keyName: "stranger", privateKey: strangerKey)
        let result = try Checkpoint.verify(note, keys: ["log": logKey.publicKey])
        #expect(result.checkpoint.size == 0 && result.checkpoint.root == MerkleHash.emptyRoot)
        #expect(result.signatures.results.map(\.status) == [.unknownKey])
        #expect(!result.hasValidKnownSignature && !result.isAccepted)
        #expect(result.signatures.unknownSignatures.map(\.keyName) == ["stranger"])
        // The right key under another name is unknown too: names and IDs must both match.
        let renamed = try Checkpoint.verify(note, keys: ["log": strangerKey.publicKey])
        #expect(renamed.signatures.results.map(\.status) == [.unknownKey])
    }

    @Test func extraUnknownCosignatureIsAccepted() throws {
        let log = try NoteSigner(name: "log", privateKey: try Ed25519PrivateKey.generate())
        let witness = try NoteSigner(name: "witness.example/w", privateKey: try Ed25519PrivateKey.generate())
        let checkpoint = Checkpoint(origin: Self.origin, size: 5, root: try Self.tree(5).root(size: 5))
        for signers in [[log, witness], [witness, log]] {
            let note = try checkpoint.sign(signers: signers)
            let result = try Checkpoint.verify(note, keys: [log.verifierKey])
            #expect(result.isAccepted && result.hasValidKnownSignature)
            #expect(result.signatures.verifiedKeys == [log.verifierKey])
            #expect(result.signatures.unknownSignatures.map(\.keyName) == ["witness.example/w"])
            #expect(result.checkpoint == checkpoint)
        }
        // A foreign signature line appended by hand (as a witness would) is ignored as well.
        let foreign = try SignedNote(parsing: try checkpoint.sign(signers: [witness])).signatures[0].formatted
        let appended = try checkpoint.sign(signers: [log]) + foreign
        #expect(try Checkpoint.verify(appended, keys: [log.verifierKey]).isAccepted)
    }

    @Test func extensionLinesRoundTrip() throws {
        let log = try NoteSigner(name: "log", privateKey: try Ed25519PrivateKey.generate())
        let checkpoint = Checkpoint(origin: Self.origin, size: 1, root: MerkleHash.leaf([UInt8]()), extensions: ["x=1", "y"])
        let result = try Checkpoint.verify(try checkpoint.sign(signers: [log]), keys: [log.verifierKey])
        #expect(result.isAccepted && result.checkpoint == checkpoint)
        #expect(throws: IntegrityError.self) {
            try Checkpoint(origin: Self.origin, size: 1, root: .zero, extensions: [""]).sign(signers: [log])
        }
        #expect(throws: IntegrityError.self) {
            try Checkpoint(origin: "", size: 1, root: .zero).sign(signers: [log])
        }
        #expect(throws: IntegrityError.self) {
            try Checkpoint(origin: "caf\u{E9}", size: 1, root: .zero).sign(signers: [log])
        }
    }

    static let root64 = Data(repeating: 7, count: 32).base64EncodedString()

    @Test("size limits", arguments: [("0", UInt64(0)), ("1", 1), ("18446744073709551615", UInt64.max)])
    func sizes(text: String, value: UInt64) throws {
        #expect(try Checkpoint(text: "o\n\(text)\n\(Self.root64)\n").size == value)
    }

    @Test("malformed checkpoint text", arguments: [
        ("two lines", "o\n1\n"),
        ("empty origin", "\n1\n\(root64)\n"),
        ("leading zero", "o\n01\n\(root64)\n"),
        ("negative", "o\n-1\n\(root64)\n"),
        ("plus sign", "o\n+1\n\(root64)\n"),
        ("exponent", "o\n1e3\n\(root64)\n"),
        ("space in size", "o\n 1\n\(root64)\n"),
        ("overflow", "o\n18446744073709551616\n\(root64)\n"),
        ("bad base64", "o\n1\nnot base64!\n"),
        ("short root", "o\n1\n\(Data(repeating: 7, count: 31).base64EncodedString())\n"),
        ("non-canonical root", "o\n1\n\(String(root64.dropLast(2)))9=\n"),
        ("empty extension", "o\n1\n\(root64)\n\next\n"),
        ("no final newline", "o\n1\n\(root64)"),
        ("non-ASCII origin", "caf\u{E9}\n1\n\(root64)\n"),
    ])
    func malformed(name: String, text: String) {
        #expect(throws: IntegrityError.self, "\(name)") { try Checkpoint(text: text, source: "checkpoints/a.checkpoint") }
    }

    @Test func malformedNoteAndErrorPlace() throws {
        let key = try Ed25519PrivateKey.generate()
        let good = try Checkpoint.sign(origin: Self.origin, size: 3, root: .zero, keyName: "log", privateKey: key)
        let badSize = good.replacingOccurrences(of: "\n3\n", with: "\n03\n")
        do {
            _ = try Checkpoint.verify(badSize, keys: ["log": key.publicKey], source: "checkpoints/b.checkpoint")
            Issue.record("accepted a leading zero")
        } catch {
            #expect(error.localizedDescription.hasPrefix("checkpoints/b.checkpoint:2: "), "\(error.localizedDescription)")
        }
        // Signed notes with non-ASCII text are valid C2SP but not trailpack checkpoints.
        let utf8 = try SignedNote.sign(text: "caf\u{E9}\n3\n\(Self.root64)\n", keyName: "log", privateKey: key)
        #expect(throws: IntegrityError.self) { try Checkpoint.verify(utf8, keys: ["log": key.publicKey]) }
        #expect(throws: IntegrityError.self) { try Checkpoint.verify("o\n3\n\(Self.root64)\n", keys: [NoteVerifierKey]()) }
    }
}
