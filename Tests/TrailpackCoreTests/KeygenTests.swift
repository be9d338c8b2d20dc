import Foundation
import Testing
@testable import TrailpackCore

struct KeygenTests {
    static func mode(_ path: String) -> mode_t {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_mode & 0o777 : 0
    }

    /// Runs a program; nil when it cannot be started (not installed).
    static func run(_ executable: String, _ arguments: [String]) -> Int32? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        p.waitUntilExit()
        return p.terminationStatus
    }

    static let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/bin/openssl"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test func writesAKeyPairThatSignsAndVerifies() throws {
        let dir = try TempDir()
        let out = dir.path("new/keys").path
        let r = try Trailpack.keygen(name: "qa.lead_01-x", outDirectory: out)
        #expect(r.privateKeyPath == out + "/qa.lead_01-x.key" && r.publicKeyPath == out + "/qa.lead_01-x.pem")
        #expect(Self.mode(r.privateKeyPath) == 0o600)
        #expect(Self.mode(out) == 0o700)
        let privatePEM = try String(contentsOfFile: r.privateKeyPath, encoding: .utf8)
        let publicPEM = try String(contentsOfFile: r.publicKeyPath, encoding: .utf8)
        #expect(privatePEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----\n") && publicPEM.hasSuffix("-----END PUBLIC KEY-----\n"))
        let privateKey = try Ed25519PrivateKey(pem: privatePEM)
        let publicKey = try Ed25519PublicKey(pem: publicPEM)
        #expect(privateKey.publicKey == publicKey)
        #expect(r.fingerprint == SHA256.digest(publicKey.rawRepresentation).hex && r.fingerprint.count == 64)
        let message = Array("trailpack-signature/1\n{}".utf8)
        let signature = try privateKey.sign(message: message)
        #expect(publicKey.verify(signature: signature, message: message))
        #expect(!publicKey.verify(signature: signature, message: message + [0x20]))
        // Two runs give two different keys.
        let other = try Trailpack.keygen(name: "other", outDirectory: out)
        #expect(other.fingerprint != r.fingerprint)
    }

    @Test func privateKeyIsCreatedWith0600EvenUnderAPermissiveUmask() throws {
        let dir = try TempDir()
        let old = umask(0)
        defer { umask(old) }
        let r = try Trailpack.keygen(name: "k", outDirectory: dir.url.path)
        #expect(Self.mode(r.privateKeyPath) == 0o600)
        #expect(Self.mode(r.publicKeyPath) == 0o644)
    }

    @Test(.enabled(if: KeygenTests.openssl != nil, "openssl is not installed"))
    func opensslAcceptsBothKeys() throws {
        let openssl = try #require(Self.openssl)
        let dir = try TempDir()
        let r = try Trailpack.keygen(name: "k", outDirectory: dir.url.path)
        #expect(Self.run(openssl, ["pkey", "-pubin", "-in", r.publicKeyPath, "-noout"]) == 0)
        #expect(Self.run(openssl, ["pkey", "-in", r.privateKeyPath, "-noout"]) == 0)
        // openssl derives the same public key file from the private key, byte for byte.
        let derived = dir.path("derived.pem").path
        #expect(Self.run(openssl, ["pkey", "-in", r.privateKeyPath, "-pubout", "-out", derived]) == 0)
        #expect(FileManager.default.contents(atPath: derived) == FileManager.default.contents(atPath: r.publicKeyPath))
    }

    @Test(arguments: ["", "a/b", "../x", "a b", "k\u{E9}y", "x+y", String(repeating: "k", count: 65), "-\n"])
    func refusesInvalidNames(_ name: String) throws {
        let dir = try TempDir()
        #expect(throws: RecordError.invalidKeyName(name)) { try Trailpack.keygen(name: name, outDirectory: dir.url.path) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty)
    }

    @Test(arguments: ["k.key", "k.pem"])
    func refusesToOverwrite(_ existing: String) throws {
        let dir = try TempDir()
        try dir.write(existing, "keep me\n")
        #expect(throws: RecordError.fileExists(dir.path(existing).path)) { try Trailpack.keygen(name: "k", outDirectory: dir.url.path) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == [existing])
        #expect(try String(contentsOf: dir.path(existing), encoding: .utf8) == "keep me\n")
    }

    @Test func refusesADanglingSymlinkInTheWay() throws {
        let dir = try TempDir()
        try FileManager.default.createSymbolicLink(atPath: dir.path("k.key").path, withDestinationPath: dir.path("elsewhere").path)
        #expect(throws: RecordError.fileExists(dir.path("k.key").path)) { try Trailpack.keygen(name: "k", outDirectory: dir.url.path) }
        #expect(!FileManager.default.fileExists(atPath: dir.path("elsewhere").path))
    }

    // MARK: --dry-run

    @Test func dryRunMakesEveryCheckAndWritesNothing() throws {
        let dir = try TempDir()
        let out = dir.path("new/keys").path
        let before = TreeListing.of(dir.url)
        let plan = try Trailpack.keygenPlan(name: "qa.lead", outDirectory: out)
        #expect(TreeListing.of(dir.url) == before && before.isEmpty)
        #expect(plan.privateKeyPath == out + "/qa.lead.key" && plan.publicKeyPath == out + "/qa.lead.pem")
        #expect(plan.foldersCreated == [dir.path("new").standardizedFileURL.path, dir.path("new/keys").standardizedFileURL.path])
        // The real command writes exactly the files the plan names.
        let r = try Trailpack.keygen(name: "qa.lead", outDirectory: out)
        #expect(r.privateKeyPath == plan.privateKeyPath && r.publicKeyPath == plan.publicKeyPath)
        #expect(Set(TreeListing.of(dir.url).keys) == ["new/", "new/keys/", "new/keys/qa.lead.key", "new/keys/qa.lead.pem"])
        // An existing folder: nothing to create.
        #expect(try Trailpack.keygenPlan(name: "other", outDirectory: out).foldersCreated.isEmpty)
    }

    /// Every refusal of the real command, made by the dry run first with the same error, and
    /// nothing written by either.
    @Test(arguments: ["bad name", "key exists", "pem exists", "dangling link", "DIR is a file", "a file on the way"])
    func dryRunRefusesWhatTheCommandRefuses(_ situation: String) throws {
        let dir = try TempDir()
        var name = "k"
        var out = dir.url.path
        switch situation {
        case "bad name": name = "../k"
        case "key exists": try dir.write("k.key", "keep me\n")
        case "pem exists": try dir.write("k.pem", "keep me\n")
        case "dangling link":
            try FileManager.default.createSymbolicLink(atPath: dir.path("k.pem").path, withDestinationPath: dir.path("elsewhere").path)
        case "DIR is a file": out = try dir.write("file", "x").path
        default: out = try dir.write("file", "x").path + "/sub/keys"
        }
        let before = TreeListing.of(dir.url)
        let dry = #expect(throws: RecordError.self) { try Trailpack.keygenPlan(name: name, outDirectory: out) }
        #expect(TreeListing.of(dir.url) == before)
        let real = #expect(throws: RecordError.self) { try Trailpack.keygen(name: name, outDirectory: out) }
        #expect(dry != nil && dry == real, "\(String(describing: dry)) vs \(String(describing: real))")
        #expect(TreeListing.of(dir.url) == before)
    }

    @Test func commandLineDryRun() throws {
        let dir = try TempDir()
        let out = dir.path("keys").path
        let before = TreeListing.of(dir.url)
        let dry = try TrailpackBinary.run(["keygen", "ci", "--out", out, "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout == "would create folder \(out) (mode 0700)\nwould write \(out)/ci.key (private key, mode 0600)\n"
                + "would write \(out)/ci.pem (public key)\ndry run: nothing written, no key made\n", "\(dry.stdout)")
        #expect(TreeListing.of(dir.url) == before)
        let real = try TrailpackBinary.run(["keygen", "ci", "--out", out])
        #expect(real.status == 0 && real.stdout.hasPrefix("wrote \(out)/ci.key"))
        let written = TreeListing.of(dir.url)
        // Refusals exit 2 as without --dry-run, with the same message, and write nothing.
        for args in [["ci", "--out", out], ["a b", "--out", out], ["ci", "--out", out + "/ci.key"]] {
            let d = try TrailpackBinary.run(["keygen"] + args + ["--dry-run"])
            let r = try TrailpackBinary.run(["keygen"] + args)
            #expect(d.status == 2 && r.status == 2 && d.stdout.isEmpty, "\(args)")
            #expect(d.stderr == r.stderr && !d.stderr.isEmpty, "\(args): \(d.stderr) vs \(r.stderr)")
        }
        #expect(TreeListing.of(dir.url) == written)
        let help = try TrailpackBinary.run(["keygen", "--help"])
        #expect(help.stdout.contains("Usage: trailpack keygen NAME --out DIR [--dry-run]") && help.stdout.contains("--dry-run "))
    }
}
