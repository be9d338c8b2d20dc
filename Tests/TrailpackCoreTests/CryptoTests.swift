import Foundation
import Testing
@testable import TrailpackCore

/// `suites/signed-note/vectors.json`, decoded once.
struct SignedNoteVectors: Decodable {
    struct Note: Decodable, Sendable, CustomTestStringConvertible {
        var vkey: String
        var skey: String?
        var note: String
        var valid: Bool
        var testDescription: String { String(vkey.prefix { $0 != "+" }) }
    }

    struct RFC8032: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var secret: String
        var `public`: String
        var message: String
        var signature: String
        var testDescription: String { name }
    }

    var notes: [Note]
    var rfc8032: [RFC8032]

    static let shared: SignedNoteVectors? = {
        guard let data = try? Data(contentsOf: Shared.url("suites/signed-note/vectors.json")) else { return nil }
        return try? JSONDecoder().decode(SignedNoteVectors.self, from: data)
    }()
}

struct SHA256Tests {
    @Test("known digests", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func known(input: String, hex: String) {
        #expect(Hex.encode(SHA256.hash(Array(input.utf8))) == hex)
        #expect(SHA256.digest(Data(input.utf8)).hex == hex)
        let viaBuffer = Array(input.utf8).withUnsafeBytes { SHA256.hash($0) }
        #expect(Hex.encode(viaBuffer) == hex)
        // A non-contiguous collection takes the copying path.
        #expect(Hex.encode(SHA256.hash(input.utf8)) == hex)
    }

    @Test func millionAsIncremental() {
        var hasher = SHA256.Hasher()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(chunk) }
        #expect(Hex.encode(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalMatchesOneShotAndCopiesAreIndependent() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 55, 56, 63, 64, 65, 127, 128, 1000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var hasher = SHA256.Hasher()
            var start = 0
            while start < length {
                let end = min(length, start + Int.random(in: 1...70, using: &generator))
                hasher.update(bytes[start..<end])
                start = end
            }
            #expect(hasher.finalize() == SHA256.hash(bytes))
            // finalize leaves the hasher usable; a copy continues on its own.
            var copy = hasher
            copy.update(byte: 0x42)
            #expect(hasher.finalizeDigest() == SHA256.digest(bytes))
            #expect(copy.finalize() == SHA256.hash(bytes + [0x42]))
        }
    }

    @Test func digestValue() throws {
        let d = SHA256.digest([UInt8]())
        #expect(SHA256.Digest(bytes: d.bytes) == d)
        #expect(SHA256.Digest(hex: d.hex) == d)
        #expect(SHA256.Digest(bytes: [UInt8](repeating: 0, count: 31)) == nil)
        #expect(SHA256.Digest(hex: d.hex.uppercased()) == nil)
        #expect(SHA256.Digest.zero.hex == String(repeating: "0", count: 64))
        #expect(d.equals(d.bytes) && !d.equals(d.bytes.dropLast()))
        #expect(Set([d, SHA256.digest([1]), d]).count == 2)
    }
}

struct HexTests {
    @Test func roundTrip() {
        let all = (0...255).map { UInt8($0) }
        let text = Hex.encode(all)
        #expect(text.hasPrefix("000102") && text.hasSuffix("fdfeff"))
        #expect(Hex.decode(text) == all)
        #expect(Hex.decode("") == [])
    }

    @Test("rejects", arguments: ["0", "abc", "0g", "AB", "zz", " 00", "00 "])
    func rejects(text: String) {
        #expect(Hex.decode(text) == nil)
    }

    @Test func uppercaseOnRequest() {
        #expect(Hex.decode("ABcd", allowUppercase: true) == [0xAB, 0xCD])
    }
}

struct Ed25519Tests {
    static let rfcVectors = SignedNoteVectors.shared?.rfc8032 ?? []

    /// RFC 8032 TEST 1's keys as `openssl pkey` writes them.
    static let test1PublicPEM = """
        -----BEGIN PUBLIC KEY-----
        MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
        -----END PUBLIC KEY-----

        """
    static let test1PrivatePEM = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
        -----END PRIVATE KEY-----

        """

    @Test func vectorsLoaded() {
        #expect(Self.rfcVectors.count == 3)
    }

    @Test("RFC 8032 vectors", arguments: rfcVectors)
    func rfc8032(vector: SignedNoteVectors.RFC8032) throws {
        let seed = try #require(Hex.decode(vector.secret))
        let message = try #require(Hex.decode(vector.message))
        let expected = try #require(Hex.decode(vector.signature))
        let key = try Ed25519PrivateKey(rawSeed: seed)
        #expect(Hex.encode(key.publicKey.rawRepresentation) == vector.public)
        #expect(try key.rawSeed == seed)
        let signature = try key.sign(message: message)
        #expect(signature == expected)
        let publicKey = try Ed25519PublicKey(rawRepresentation: try #require(Hex.decode(vector.public)))
        #expect(publicKey.verify(signature: expected, message: message))
        var tampered = expected
        tampered[0] ^= 1
        #expect(!publicKey.verify(signature: tampered, message: message))
        #expect(!publicKey.verify(signature: expected, message: message + [0]))
        #expect(!publicKey.verify(signature: expected.dropLast(), message: message))
    }

    @Test func pemMatchesOpenSSL() throws {
        let key = try Ed25519PrivateKey(pem: Self.test1PrivatePEM, source: "test1.pem")
        #expect(try key.pemString == Self.test1PrivatePEM)
        #expect(try key.publicKey.pemString == Self.test1PublicPEM)
        let publicKey = try Ed25519PublicKey(pem: Self.test1PublicPEM)
        #expect(publicKey == key.publicKey)
        #expect(publicKey.fingerprint == SHA256.digest(publicKey.rawRepresentation).hex)
        #expect(publicKey.fingerprint.count == 64)
    }

    @Test func generatedKeysRoundTrip() throws {
        let key = try Ed25519PrivateKey.generate()
        let again = try Ed25519PrivateKey(pem: try key.pemString)
        #expect(again.publicKey == key.publicKey)
        #expect(try again.rawSeed == key.rawSeed)
        let publicKey = try Ed25519PublicKey(pem: try key.publicKey.pemString)
        #expect(publicKey == key.publicKey)
        let message = Array("trailpack-signature/1\n{}".utf8)
        #expect(publicKey.verify(signature: try key.sign(message: message), message: message))
        #expect(try Ed25519PrivateKey.generate().publicKey != key.publicKey)
        #expect(!key.description.contains(Hex.encode(try key.rawSeed)))
    }

    static let ecPublicPEM = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEDfBPWZHkCq34KKbOanwlekmJJTKE
        cEU9YQWvOme+HKUL0aiSvl3IIgfEakpWyNLZbyPZ9MkMk932HZs2YTfTsA==
        -----END PUBLIC KEY-----

        """
    static let x25519PublicPEM = """
        -----BEGIN PUBLIC KEY-----
        MCowBQYDK2VuAyEA2khQSCW0VBL3qMi8a2r5JJm6hDlCocFyZxDwzqSz4go=
        -----END PUBLIC KEY-----

        """
    static let ecPrivatePEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgejUUH/FuoVjnjSxf
        mf5wEtE3jur7MLkUpr5m98uvBEKhRANCAAQN8E9ZkeQKrfgops5qfCV6SYklMoRw
        RT1hBa86Z74cpQvRqJK+XcgiB8RqSlbI0tlvI9n0yQyT3fYdmzZhN9Ow
        -----END PRIVATE KEY-----

        """
    /// TEST 1's key encrypted with passphrase "secret": must fail, never prompt.
    static let encryptedPrivatePEM = """
        -----BEGIN ENCRYPTED PRIVATE KEY-----
        MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAhnEejM2uRHUgICCAAw
        DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEN8ZuS3V3WEPSMVXtL0R6A8EQIJ1
        FJyChDDWp6lv03+gZ9P/z1EVUVALRomy6AEny76TRzkQ+hWVmnTuzSIGN/Sc14ZP
        C3e9hV2z1q65MxUCLhc=
        -----END ENCRYPTED PRIVATE KEY-----

        """

    @Test("public PEM rejected", arguments: [
        ecPublicPEM, x25519PublicPEM, test1PrivatePEM, "", "not a key",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        test1PublicPEM.replacingOccurrences(of: "MCow", with: "MCo\u{00E9}"),
    ])
    func publicRejected(pem: String) {
        #expect(throws: IntegrityError.self) { try Ed25519PublicKey(pem: pem, source: "keys/bad.pem") }
    }

    @Test func rejectionNamesTheFileAndType() {
        do {
            _ = try Ed25519PublicKey(pem: Self.ecPublicPEM, source: "keys/ec.pem")
            Issue.record("EC key accepted")
        } catch {
            let text = error.localizedDescription
            #expect(text.hasPrefix("keys/ec.pem: "))
            #expect(text.contains("Ed25519") && text.contains("EC"), "\(text)")
        }
    }

    @Test("private PEM rejected", arguments: [ecPrivatePEM, encryptedPrivatePEM, test1PublicPEM, ""])
    func privateRejected(pem: String) {
        #expect(throws: IntegrityError.self) { try Ed25519PrivateKey(pem: pem) }
    }

    @Test func rawLengthsChecked() {
        #expect(throws: IntegrityError.self) { try Ed25519PublicKey(rawRepresentation: [UInt8](repeating: 1, count: 31)) }
        #expect(throws: IntegrityError.self) { try Ed25519PrivateKey(rawSeed: [UInt8](repeating: 1, count: 33)) }
    }
}
