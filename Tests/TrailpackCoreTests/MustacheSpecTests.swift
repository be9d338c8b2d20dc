import Foundation
import Testing
@testable import TrailpackCore

/// One test case of the official Mustache spec (`../shared/suites/mustache/*.json`, read in place).
struct MustacheSpecCase: Sendable, CustomTestStringConvertible {
    let file: String
    let index: Int
    let name: String
    let template: String
    let data: TemplateValue
    let partials: [String: String]
    let expected: String

    /// Names repeat within a file ("Text inside parent"), so the index is part of the label.
    var testDescription: String { "\(file) #\(index): \(name)" }
}

enum MustacheSpec {
    /// The spec files covered. Lambdas (`~lambdas.json`) are out of scope.
    static let files = [
        "comments", "delimiters", "interpolation", "inverted", "partials", "sections",
        "~dynamic-names", "~inheritance",
    ]

    static func url(_ file: String) -> URL { Shared.url("suites/mustache/\(file).json") }

    /// Loads a spec file's cases, throwing on any unreadable or malformed entry.
    static func load(_ file: String) throws -> [MustacheSpecCase] {
        let json = try JSONReader(file: "\(file).json").parse(Data(contentsOf: url(file)))
        guard let tests = json["tests"]?.arrayValue else { throw SpecError.malformed(file, "no tests array") }
        return try tests.enumerated().map { index, test in
            guard let name = test["name"]?.stringValue,
                  let template = test["template"]?.stringValue,
                  let expected = test["expected"]?.stringValue,
                  let data = test["data"] else {
                throw SpecError.malformed(file, "test \(index)")
            }
            var partials: [String: String] = [:]
            for member in test["partials"]?.objectValue?.members ?? [] {
                guard let source = member.value.stringValue else { throw SpecError.malformed(file, "partial of \(name)") }
                partials[member.key.string] = source
            }
            return MustacheSpecCase(file: file, index: index, name: name, template: template,
                                    data: TemplateValue(data), partials: partials, expected: expected)
        }
    }

    /// Cases for `@Test(arguments:)`; a file that fails to load yields none, and
    /// `MustacheSpecTests.caseCounts` reports the failure.
    static func cases(_ file: String) -> [MustacheSpecCase] {
        (try? load(file)) ?? []
    }

    enum SpecError: Error {
        case malformed(String, String)
    }

    static func run(_ c: MustacheSpecCase) throws {
        let partials = try TemplateSet(sources: c.partials)
        let template = try Template(source: c.template, name: "\(c.file)#\(c.index)")
        let output = try partials.render(template, c.data)
        #expect(output == c.expected, "\(c.testDescription)\ntemplate: \(c.template.debugDescription)")
        // Parsed once, rendered again: same output.
        #expect(try partials.render(template, c.data) == output)
    }
}

@Suite("Mustache spec")
struct MustacheSpecTests {
    @Test("comments.json", arguments: MustacheSpec.cases("comments"))
    func comments(_ c: MustacheSpecCase) throws { try MustacheSpec.run(c) }

    @Test("delimiters.json", arguments: MustacheSpec.cases("delimiters"))
    func delimiters(_ c: MustacheSpecCase) throws { try MustacheSpec.run(c) }

    @Test("interpolation.json", arguments: MustacheSpec.cases("interpolation"))
    func interpolation(_ c: MustacheSpecCase) throws { try MustacheSpec.run(c) }

    @Test("inverted.json", arguments: MustacheSpec.cases("inverted"))
    func inverted(_ c: MustacheSpecCase) throws { try MustacheSpec.run(c) }

    @Test("partials.json", arguments: MustacheSpec.cases("partials"))
    func partials(_ c: MustacheSpecCase) throws { try MustacheSpec.run(c) }

    @Test("sections.json", arguments: MustacheSpec.cases("sections"))
    func sections(_ c: MustacheSpecCase) throws { try MustacheSpec.run(c) }

    @Test("~dynamic-names.json", arguments: MustacheSpec.cases("~dynamic-names"))
    func dynamicNames(_ c: MustacheSpecCase) throws { try MustacheSpec.run(c) }

    @Test("~inheritance.json", arguments: MustacheSpec.cases("~inheritance"))
    func inheritance(_ c: MustacheSpecCase) throws { try MustacheSpec.run(c) }

    /// Every spec file loads, has cases, and the parameterized tests above cover them all.
    @Test func caseCounts() throws {
        var total = 0
        var report: [String] = []
        for file in MustacheSpec.files {
            let loaded = try MustacheSpec.load(file)
            // Counted independently of the loader: the raw length of the file's `tests` array.
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: MustacheSpec.url(file)))
            let raw = ((object as? [String: Any])?["tests"] as? [Any])?.count ?? -1
            #expect(loaded.count > 0, "\(file).json has no cases")
            #expect(loaded.count == raw, "\(file).json: loaded \(loaded.count) of \(raw)")
            #expect(MustacheSpec.cases(file).count == loaded.count)
            total += loaded.count
            report.append("\(file): \(loaded.count)")
        }
        let all = MustacheSpec.files.map { MustacheSpec.cases($0).count }.reduce(0, +)
        #expect(total > 0)
        #expect(all == total)
        print("Mustache spec cases: \(report.joined(separator: ", ")); total \(total)")
    }

    /// No spec file in the suite folder is silently left out (lambdas excepted).
    @Test func everySpecFileCovered() throws {
        let folder = Shared.url("suites/mustache")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".json") && $0 != "~lambdas.json" }
            .map { String($0.dropLast(5)) }
        #expect(Set(names) == Set(MustacheSpec.files))
    }
}
