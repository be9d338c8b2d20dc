import Testing
@testable import TrailpackCore

struct PathNamesTests {
    /// Expected values computed independently (Python hashlib) from the documented rules.
    static let cases: [([UInt8], String)] = [
        (Array("abc".utf8), "abc"),
        (Array("a-b_c.d".utf8), "a-b_c.d"),
        (Array("../../etc/passwd".utf8), "etc-passwd-3754d6cb3a38e1185e5b382d5f3ef3f1"),
        (Array("a/b".utf8), "a-b-c14cddc033f64b9dea80ea675cf280a0"),
        (Array("a\\b".utf8), "a-b-c62016d0f8ee333350283fd879b50b69"),
        (Array("CON".utf8), "con-a3dbc4b644a9a2c51e74509ded5c46cc"),
        (Array("con".utf8), "con-1143da2bc54c495c4be31d3868785d39"),
        (Array("con.txt".utf8), "con.txt-d3bde286fd271ed6d39388eff4859603"),
        (Array("com1".utf8), "com1-957a49c3e803f5053e436c10ca10240b"),
        (Array("com10".utf8), "com10"),
        (Array("lpt9.log".utf8), "lpt9.log-83b3402a2030ab587f588147abac357c"),
        ([], "id-e3b0c44298fc1c149afbf4c8996fb924"),
        (Array(".".utf8), "id-cdb4ee2aea69cc6a83331bbe96dc2caa"),
        (Array("..".utf8), "id-5ec1f7e700f37c3d0b2981d04855fc34"),
        (Array(".hidden".utf8), "hidden-1692419006a88aab3372cf255367e2cc"),
        (Array("-rf".utf8), "rf-686c39acd6327bbd2c7c3aeea382e60f"),
        (Array("trailing.".utf8), "trailing.-44c12a4e432eba3f7fa634fd116eef39"),
        (Array("é".utf8), "id-4a99557e4033c3539de2eb65472017ca"),
        (Array("e\u{301}".utf8), "e--bf12767b0f2a56b2190075bae8169f65"),
        (Array("Hello World".utf8), "hello-world-a591a6d40bf420404a011733cfb7b190"),
        (Array(repeating: UInt8(ascii: "x"), count: 72), String(repeating: "x", count: 72)),
        (Array(repeating: UInt8(ascii: "x"), count: 73), String(repeating: "x", count: 39) + "-71b07785703e311e58ec20b25a30357f"),
        ([97, 0, 98], "a-b-59b271ae1bbcb1d31d41929817f4b16f"),
        (Array("A".utf8), "a-559aead08264d5795d3909718cdd05ab"),
        (Array("a".utf8), "a"),
        (Array(("id-" + String(repeating: "0", count: 32)).utf8), "id-00000000000000000000000000000000-ec787cc9a14d3205a9913aa004f1b489"),
        (Array("%2e%2e".utf8), "2e-2e-032f551e881f922fa1f06525c0725b91"),
        (Array("日本語".utf8), "id-77710aedc74ecfa33685e33a6c7df5cc"),
        ([0xFF, 0xFE], "id-b3d510ef04275ca8e698e5b3cbb0ece3"),
    ]

    @Test("Slugs", arguments: cases)
    func slug(id: [UInt8], expected: String) {
        #expect(PathNames.slug(id) == expected)
        #expect(Self.isSafe(PathNames.slug(id)))
    }

    @Test func stringOverloadUsesUTF8Bytes() {
        #expect(PathNames.slug("é") == PathNames.slug(Array("é".utf8)))
        #expect(PathNames.slug("é") != PathNames.slug("e\u{301}"))
    }

    /// A hashed slug, used as an id, does not come back unchanged (it would collide).
    @Test func hashedSlugsAreNotFixedPoints() {
        for id in ["Foo", "a/b", "", "..", String(repeating: "y", count: 100)] {
            let s = PathNames.slug(id)
            #expect(PathNames.slug(s) != s, "\(s)")
        }
    }

    @Test func distinctIdsGiveDistinctSafeSlugs() {
        var rng = SplitMix64(state: 3)
        let alphabet: [[UInt8]] = [[0x61], [0x41], [0x2E], [0x2D], [0x5F], [0x2F], [0x5C], [0x00], [0x20], [0x30], [0x7A],
                                   Array("é".utf8), [0xFF], Array("con".utf8), Array("-0123456789abcdef0123456789abcdef".utf8)]
        var byId: [[UInt8]: String] = [:]
        for _ in 0..<20_000 {
            let id = (0..<Int(rng.next() % 12)).flatMap { _ in rng.pick(alphabet) }
            let s = PathNames.slug(id)
            #expect(Self.isSafe(s), "\(id) -> \(s)")
            if let previous = byId[id] { #expect(previous == s) }
            byId[id] = s
        }
        let slugs = Set(byId.values)
        #expect(slugs.count == byId.count)
    }

    @Test func sha256() {
        #expect(String(decoding: PathNames.sha256Hex(Array("abc".utf8)), as: UTF8.self)
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    static func isSafe(_ s: String) -> Bool {
        !s.isEmpty && s != "." && s != ".." && s.utf8.count <= PathNames.maxLength
            && !s.hasPrefix(".") && !s.hasPrefix("-")
            && s.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D || $0 == 0x5F }
    }
}
