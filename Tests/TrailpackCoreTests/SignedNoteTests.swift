import Foundation
import Testing
@testable import TrailpackCore

struct SignedNoteTests {
    static let notes = SignedNoteVectors.shared?.notes ?? []

    @Test func vectorsLoaded() {
        #expect(Self.notes.count >= 2)
    }

    @Test("reference notes verify as stated", arguments: notes)
    func referenceNote(vector: SignedNoteVectors.Note) throws {
        let key = try NoteVerifierKey(vkey: vector.vkey)
        #expect(key.vkey == vector.vkey)
        let result = try SignedNote.verify(vector.note, keys: [key])
        #expect(result.isAccepted == vector.valid)
        #expect(result.hasValidKnownSignature == vector.valid)
        if vector.valid {
            #expect(result.verifiedKeys == [key])
            #expect(result.failedKeys.isEmpty && result.unknownSignatures.isEmpty)
        }
        // The same note with its text altered by one byte no longer verifies with that key.
        let tampered = "X" + vector.note.dropFirst()
        let tamperedResult = try SignedNote.verify(tampered, keys: [key])
        #expect(!tamperedResult.isAccepted && !tamperedResult.hasValidKnownSignature)
        #expect(tamperedResult.failedKeys == [key])
    }

    @Test("signing with the skey reproduces the note", arguments: notes.filter { $0.skey != nil })
    func signRoundTrip(vector: SignedNoteVectors.Note) throws {
        let signer = try NoteSigner(skey: try #require(vector.skey))
        #expect(try signer.skey == vector.skey)
        #expect(signer.verifierKey == (try NoteVerifierKey(vkey: vector.vkey)))
        let parsed = try SignedNote(parsing: vector.note)
        #expect(parsed.formatted == vector.note)
        let note = try SignedNote.sign(text: parsed.text, keyName: signer.name, privateKey: signer.privateKey)
        #expect(note == vector.note)
    }

    @Test func c2spExampleWithUTF8TextParses() throws {
        let note = """
            Ognuno sta solo sul cuor della terra
            trafitto da un raggio di sole:

            ed è subito sera.

            — quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=

            """
        let parsed = try SignedNote(parsing: note)
        #expect(parsed.text.hasSuffix("ed è subito sera.\n"))
        #expect(parsed.signatures.count == 1)
        #expect(parsed.signatures[0].keyName == "quasimodo.example/salvatore")
        #expect(parsed.signatures[0].line == 6)
        #expect(parsed.formatted == note)
        #expect(throws: IntegrityError.self) { try SignedNote(parsing: note, asciiOnly: true) }
        let result = parsed.verify(keys: [])
        #expect(result.results.map(\.status) == [.unknownKey] && !result.hasValidKnownSignature)
    }

    @Test func unknownAndExtraSignatures() throws {
        let alice = try NoteSigner(name: "example.com/alice", privateKey: try Ed25519PrivateKey.generate())
        let witness = try NoteSigner(name: "witness.example/w1", privateKey: try Ed25519PrivateKey.generate())
        let note = try SignedNote.sign(text: "hello\n\nworld\n", signers: [alice, witness])
        let parsed = try SignedNote(parsing: note)
        #expect(parsed.text == "hello\n\nworld\n" && parsed.signatures.count == 2)

        let both = parsed.verify(keys: [alice.verifierKey])
        #expect(both.isAccepted)
        #expect(both.results.map(\.status) == [.valid, .unknownKey])
        #expect(both.unknownSignatures.map(\.keyName) == ["witness.example/w1"])

        // Only unknown keys: nothing verifies, so the note must be rejected.
        let other = try NoteSigner(name: "example.com/bob", privateKey: try Ed25519PrivateKey.generate())
        let none = parsed.verify(keys: [other.verifierKey])
        #expect(!none.hasValidKnownSignature && !none.isAccepted && none.failedKeys.isEmpty)

        // Same name, other key (so other ID): ignored, not a failure.
        let sameName = try NoteVerifierKey(name: "example.com/alice", publicKey: other.privateKey.publicKey)
        #expect(parsed.verify(keys: [sameName]).results.map(\.status) == [.unknownKey, .unknownKey])

        // Same name and ID but the wrong key material: a known key whose signature fails.
        let forged = NoteSignature(keyName: alice.name, keyID: alice.keyID,
                                   signature: try other.privateKey.sign(message: Array("hello\n\nworld\n".utf8)))
        var mixed = parsed
        mixed.signatures.append(forged)
        let mixedResult = mixed.verify(keys: [alice.verifierKey])
        #expect(mixedResult.results.map(\.status) == [.valid, .unknownKey, .invalid])
        #expect(mixedResult.hasValidKnownSignature && !mixedResult.isAccepted)
        #expect(mixedResult.failedKeys == [alice.verifierKey])
        let reparsed = try SignedNote(parsing: mixed.formatted).verify(keys: [alice.verifierKey])
        #expect(reparsed.results.map(\.status) == [.valid, .unknownKey, .invalid])
        #expect(reparsed.results.map(\.signature.line) == [5, 6, 7])
    }

    static let sig = "— k AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"

    @Test("malformed notes are rejected", arguments: [
        ("no blank line", "text\n" + sig),
        ("no final newline", "text\n\n" + String(sig.dropLast())),
        ("no signature lines", "text\n\n"),
        ("hyphens instead of em dash", "text\n\n-- k AAAAAAAA\n"),
        ("em dash without space", "text\n\n—k AAAAAAAA\n"),
        ("no space before signature", "text\n\n— kAAAAAAAA\n"),
        ("empty key name", "text\n\n—  AAAAAAAA\n"),
        ("plus in key name", "text\n\n— a+b AAAAAAAA\n"),
        ("no-break space in key name", "text\n\n— a\u{00A0}b AAAAAAAA\n"),
        ("bad base64", "text\n\n— k AAA*AAAA\n"),
        ("unpadded base64", "text\n\n— k AAAAAAA\n"),
        ("trailing space", "text\n\n— k AAAAAAAA \n"),
        ("signature too short", "text\n\n— k AAAAAA==\n"),
        ("tab in text", "te\txt\n\n" + sig),
        ("carriage return", "text\r\n\n" + sig),
        ("text line after blank line", "text\n\nmore\n" + sig),
        ("empty note", ""),
    ])
    func malformed(name: String, note: String) {
        #expect(throws: IntegrityError.self, "\(name)") { try SignedNote(parsing: note, source: "cp/x.checkpoint") }
    }

    @Test func malformedBytesAndLimits() throws {
        var invalidUTF8 = Array("text \n\n".utf8) + Array(Self.sig.utf8)
        invalidUTF8[4] = 0xFF
        #expect(throws: IntegrityError.self) { try SignedNote(parsing: invalidUTF8) }
        let many = "text\n\n" + String(repeating: Self.sig, count: SignedNote.maxSignatures + 1)
        #expect(throws: IntegrityError.self) { try SignedNote(parsing: many) }
        let enough = "text\n\n" + String(repeating: Self.sig, count: 16)
        #expect(try SignedNote(parsing: enough).signatures.count == 16)
    }

    @Test func errorsNameFileAndLine() {
        do {
            _ = try SignedNote(parsing: "a\nb\n\n" + Self.sig + "— k AAA*\n", source: "checkpoints/1.checkpoint")
            Issue.record("accepted")
        } catch {
            #expect(error.localizedDescription.hasPrefix("checkpoints/1.checkpoint:5: "), "\(error.localizedDescription)")
        }
    }

    @Test func signingRejectsBadInput() throws {
        let key = try Ed25519PrivateKey.generate()
        #expect(throws: IntegrityError.self) { try SignedNote.sign(text: "no newline", keyName: "k", privateKey: key) }
        #expect(throws: IntegrityError.self) { try SignedNote.sign(text: "tab\there\n", keyName: "k", privateKey: key) }
        #expect(throws: IntegrityError.self) { try SignedNote.sign(text: "x\n", keyName: "a b", privateKey: key) }
        #expect(throws: IntegrityError.self) { try SignedNote.sign(text: "x\n", keyName: "", privateKey: key) }
        #expect(throws: IntegrityError.self) { try SignedNote.sign(text: "x\n", keyName: "a+b", privateKey: key) }
    }

    @Test("malformed vkeys are rejected", arguments: [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // wrong ID
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // uppercase ID
        "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",   // short ID
        "PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",   // bad base64
        "PeterNeumann+c74f20a3+Alpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // type byte 0x02
        "PeterNeumann+c74f20a3",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "",
    ])
    func badVkey(vkey: String) {
        #expect(throws: IntegrityError.self) { try NoteVerifierKey(vkey: vkey) }
    }

    @Test func badSkeys() {
        #expect(throws: IntegrityError.self) {
            try NoteSigner(skey: "PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")
        }
        #expect(throws: IntegrityError.self) {
            try NoteSigner(skey: "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")
        }
    }

    @Test func keyIDMatchesSpecExample() throws {
        let key = try NoteVerifierKey(vkey: "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
        #expect(key.keyID == 0x530d_903a)
        #expect(NoteVerifierKey.keyID(name: "example.com/foo", publicKey: key.publicKey) == 0x530d_903a)
    }
}
