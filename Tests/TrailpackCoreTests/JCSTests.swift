import Foundation
import Testing
@testable import TrailpackCore

struct JCSTests {
    static let vectorNames = ["arrays", "french", "structures", "unicode", "values", "weird"]

    @Test("RFC 8785 vectors", arguments: vectorNames)
    func vector(name: String) throws {
        let input = try Data(contentsOf: Shared.url("suites/jcs/input/\(name).json"))
        let expected = try Data(contentsOf: Shared.url("suites/jcs/output/\(name).json"))
        let value = try JSONReader(file: name).parse(input)
        #expect(JCS.serialize(value) == Array(expected))
    }

    @Test("ECMAScript number formatting", arguments: [
        (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-1.5, "-1.5"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
        (0.000001, "0.000001"), (0.0000001, "1e-7"), (123456789.125, "123456789.125"),
        (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"), (0.1 + 0.2, "0.30000000000000004"),
        (4.35, "4.35"), (1e16, "10000000000000000"), (-1.2345e-10, "-1.2345e-10"),
    ])
    func numbers(value: Double, text: String) {
        #expect(JCS.formatNumber(value) == text)
    }

    @Test func integersStayIntegers() throws {
        let v = try JSONReader().parse(Array("[1,-0,9007199254740993,1.0,2e0]".utf8))
        #expect(v == .array([.integer(1), .integer(0), .integer(9007199254740993), .decimal(1), .decimal(2)]))
        #expect(String(decoding: JCS.serialize(v), as: UTF8.self) == "[1,0,9007199254740992,1,2]")
    }

    @Test func keysSortByUTF16() throws {
        // U+E000 sorts after U+1F600 in UTF-16 (0xD83D...) but before it in UTF-8/code points.
        let v = try JSONReader().parse(Array("{\"\u{E000}\":1,\"\u{1F600}\":2,\"a\":3}".utf8))
        #expect(String(decoding: JCS.serialize(v), as: UTF8.self) == "{\"a\":3,\"\u{1F600}\":2,\"\u{E000}\":1}")
    }
}

struct JSONReaderTests {
    static let bad: [(String, String)] = [
        ("{\"a\":1,\"a\":2}", "duplicate key"),
        ("{\"a\":1} x", "unexpected data"),
        ("\"\\ud800\"", "lone surrogate"),
        ("\"\\udc00x\"", "lone surrogate"),
        ("[1,]", "expected a value"),
        ("01", "leading zero"),
        ("1e999", "out of range"),
        ("\"a\tb\"", "control character"),
        ("{\"a\" 1}", "expected ':'"),
        ("nul", "invalid literal"),
        ("", "end of input"),
    ]

    @Test("rejects malformed JSON", arguments: bad)
    func rejects(text: String, message: String) {
        #expect(throws: JSONError.self) { try JSONReader().parse(Array(text.utf8)) }
        do {
            _ = try JSONReader().parse(Array(text.utf8))
        } catch {
            #expect(error.reason.contains(message), "\(error.reason)")
        }
    }

    @Test("rejects invalid UTF-8", arguments: [
        [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
        [0x22, 0xE2, 0x82, 0x22], [0x22, 0xFF, 0x22], [0x22, 0x80, 0x22],
    ] as [[UInt8]])
    func invalidUTF8(bytes: [UInt8]) {
        #expect(throws: JSONError.invalidUTF8(SourceLocation(file: "<input>", line: 1, column: 2))) {
            try JSONReader().parse(bytes)
        }
    }

    @Test func reportsLineAndColumn() {
        let text = "{\n  \"a\": 1,\n  \"b\": tru\n}"
        #expect(throws: JSONError.syntax("invalid literal", SourceLocation(file: "f.json", line: 3, column: 8))) {
            try JSONReader(file: "f.json").parse(Array(text.utf8))
        }
    }

    @Test func boundsDepth() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONError.self) { try JSONReader().parse(Array(deep.utf8)) }
    }

    @Test func keysAreBytes() throws {
        // "é" precomposed and decomposed are distinct keys.
        let v = try JSONReader().parse(Array("{\"\u{E9}\":1,\"e\u{301}\":2}".utf8))
        #expect(v.objectValue?.members.count == 2)
    }
}

struct CanonicalParseTests {
    static let samples: [String] = [
        "{\"a\":1,\"b\":[true,false,null],\"c\":\"x\"}", "{\"b\":1,\"a\":2}", "{\"a\": 1}", "{\"a\":1.0}", "{\"a\":1e3}",
        "{\"a\":-0}", "{\"a\":\"\\u00e9\"}", "{\"a\":\"\\u001f\"}", "{\"a\":\"\\u001F\"}", "{\"a\":\"\\n\"}", "{\"a\":\"\\u000a\"}",
        "{\"a\":\"\\/\"}", "{\"a\":0.1}", "{\"a\":1E-7}", "{\"a\":1e-7}", "{\"a\":9007199254740993}", "{\"\u{E000}\":1,\"\u{1F600}\":2}",
        "{\"\u{1F600}\":1,\"\u{E000}\":2}", "[1,2]", "\"\u{7F}\"", "{\"hash\":\"h\",\"id\":1}", "{\"a\":{\"z\":1,\"b\":2}}",
    ]

    @Test("canonical flag agrees with re-serialization", arguments: samples)
    func agrees(text: String) throws {
        let bytes = Array(text.utf8)
        let p = try JSONReader().parseCanonical(bytes, member: "hash")
        #expect(p.isCanonical == (JCS.serialize(p.value) == bytes))
    }

    @Test("RFC 8785 outputs are canonical", arguments: JCSTests.vectorNames)
    func vectors(name: String) throws {
        let out = try Data(contentsOf: Shared.url("suites/jcs/output/\(name).json"))
        #expect(try JSONReader().parseCanonical(out, member: "x").isCanonical)
    }

    @Test func hashWithoutMemberEqualsSerialization() throws {
        for text in ["{\"a\":1,\"hash\":\"h\",\"z\":2}", "{\"hash\":\"h\",\"z\":2}", "{\"a\":1,\"hash\":\"h\"}", "{\"a\":1}"] {
            let bytes = Array(text.utf8)
            let p = try JSONReader().parseCanonical(bytes, member: "hash")
            let expected = SHA256.digest(EventHashing.hashInput(p.value.objectValue ?? JSONObject()))
            #expect(LineAnalysis.hashWithoutMember(bytes[...], span: p.memberSpan) == expected, "\(text)")
        }
    }
}

/// `JSONReader.parseWritingCanonical`: the value `parse` reads, and in the same pass the bytes
/// `JCS.serialize` writes for it (or nil, when a token is not its own canonical form).
struct CanonicalInOnePassTests {
    static func check(_ text: String, expectBytes: Bool) throws {
        let bytes = Array(text.utf8)
        let value = try JSONReader().parse(bytes)
        let both = try JSONReader().parseWritingCanonical(bytes[...])
        #expect(both.value == value)
        if expectBytes {
            #expect(both.canonical.map { String(decoding: $0, as: UTF8.self) } == String(decoding: JCS.serialize(value), as: UTF8.self))
        } else {
            #expect(both.canonical == nil)
        }
    }

    @Test("RFC 8785 vectors", arguments: JCSTests.vectorNames)
    func vectors(name: String) throws {
        let input = try Data(contentsOf: Shared.url("suites/jcs/input/\(name).json"))
        let expected = try Data(contentsOf: Shared.url("suites/jcs/output/\(name).json"))
        let both = try JSONReader(file: name).parseWritingCanonical(Array(input)[...])
        #expect(JCS.serialize(both.value) == Array(expected))
        // Where the bytes are written, they are the vector's output.
        if let written = both.canonical { #expect(written == Array(expected)) }
    }

    @Test("written in one pass", arguments: [
        #"{"b":1,"a":{"d":[true,false,null],"c":"x"},"":[]}"#,
        "{ \"z\" : { \"y\" : 2 , \"x\" : \"\u{E9}\" } ,\n\t\"a\" : [ { } , [ ] , -12 , 0 ] }",
        "{\"\u{E000}\":1,\"\u{1F600}\":2,\"a\":3,\"ab\":4,\"aa\":5}",
        #"{"m":0,"l":1,"k":2,"j":3,"i":4,"h":5,"g":6,"f":7,"e":8,"d":9,"c":10,"b":11,"a":12,"q":13,"p":14,"o":15,"n":16,"r":{"b":[{"y":1,"x":2}],"a":"s"}}"#,
        "[123456789012345,-5,\"plain \u{E9} text\"]",
        "\"a string\"", "  7  ", "true",
    ])
    func written(text: String) throws {
        try Self.check(text, expectBytes: true)
    }

    @Test("left to JCS of the value", arguments: [
        #"{"a":"escaped \" quote"}"#, #"{"k\u0065y":1}"#, #"[1.5]"#, #"[-0]"#, #"[1234567890123456]"#, #"[1e2]"#, #"{"a":"\/"}"#,
    ])
    func declined(text: String) throws {
        try Self.check(text, expectBytes: false)
    }

    @Test("refuses what parse refuses, with the same error", arguments: [
        #"{"a":1,"a":2}"#, "{\"a\":\"\u{01}\"}", #"[1,]"#, #"{"a":1} x"#, #"[01]"#,
    ])
    func refuses(text: String) {
        let bytes = Array(text.utf8)
        var parseError: JSONError?, oneError: JSONError?
        do { _ = try JSONReader().parse(bytes) } catch { parseError = error }
        do { _ = try JSONReader().parseWritingCanonical(bytes[...]) } catch { oneError = error }
        #expect(parseError != nil)
        #expect(oneError == parseError)
    }
}

/// The canonical scanner's shortcut for plain decimals (no exponent, at most 15 significant
/// digits) must never call a number canonical that ECMAScript would print otherwise.
struct CanonicalDecimalShortcutTests {
    /// Whether the scanner takes `text` alone (as an object member) as canonical. (It leaves
    /// `-0.…` to the full reader, which decides; so no such number is listed here.)
    static func scansAsCanonical(_ text: String) -> Bool {
        let line = Array("{\"n\":\(text)}".utf8)
        return line.withUnsafeBufferPointer { CanonicalScanner.scan($0) } != nil
    }

    @Test("agrees with ECMAScript formatting", arguments: [
        "0.1", "0.5", "1.5", "100.5", "0.000001", "0.0000001", "0.00001", "123456789012345", "12345678901234.5",
        "123456789012345.6", "1.0", "1.10", "0.0", "-1.5", "9007199254740.993", "0.30000000000000004",
        "0.3", "2.675", "1e-7", "1.5e3", "999999999999999.9", "0.100000000000001", "4.35", "0.1234567890123456",
    ])
    func agreesWithFormatting(_ text: String) throws {
        let exact = Double(text).map { JCS.formatNumber($0) == text } ?? false
        #expect(Self.scansAsCanonical(text) == exact, "\(text)")
    }

    /// Seeded (the property tests' ``SplitMix64``), so that a failure repeats.
    @Test func randomDecimalsAgree() {
        var rng = SplitMix64(state: 12)
        for _ in 0..<20_000 {
            let intDigits = Int.random(in: 0...9, using: &rng)
            let fracDigits = Int.random(in: 1...9, using: &rng)
            var text = intDigits == 0 ? "0" : String(Int.random(in: 1...9, using: &rng))
            for _ in 1..<max(intDigits, 1) { text += String(Int.random(in: 0...9, using: &rng)) }
            text += "."
            for _ in 0..<fracDigits { text += String(Int.random(in: 0...9, using: &rng)) }
            let exact = Double(text).map { JCS.formatNumber($0) == text } ?? false
            #expect(Self.scansAsCanonical(text) == exact, "\(text)")
        }
    }
}

extension SplitMix64: RandomNumberGenerator {}
