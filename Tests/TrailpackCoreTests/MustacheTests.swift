import Foundation
import Testing
@testable import TrailpackCore

@Suite("Mustache engine")
struct MustacheTests {
    // MARK: Parse errors name the template, line and column

    static let parseErrors: [(source: String, message: String)] = [
        ("<ul>\n  {{#events}}\n  <li>{{name}}</li>\n", "page.html:2:3: unclosed section 'events'"),
        ("{{#a}}{{#b}}{{/b}}", "page.html:1:1: unclosed section 'a'"),
        ("x {{/events}}", "page.html:1:3: closing tag 'events' without an open section"),
        ("{{#a}}\n{{/b}}", "page.html:2:1: closing tag 'b' does not match open section 'a'"),
        ("ok\n{{name", "page.html:2:1: tag not closed"),
        ("{{{name}}", "page.html:1:1: tag not closed"),
        ("{{}}", "page.html:1:1: empty tag"),
        ("{{#}}{{/}}", "page.html:1:1: empty tag"),
        ("{{first name}}", "page.html:1:1: invalid name 'first name'"),
        ("{{a..b}}", "page.html:1:1: invalid name 'a..b'"),
        ("{{> my partial}}", "page.html:1:1: invalid name 'my partial'"),
        ("{{=<% %> x=}}", "page.html:1:1: invalid delimiters '<% %> x'"),
        ("{{=<%=%>=}}", "page.html:1:1: invalid delimiters '<%=%>'"),
        ("été {{#x}}", "page.html:1:5: unclosed section 'x'"),
        ("{{=<% %>=}}\n<%#x%>{{/x}}<%/y%>", "page.html:2:13: closing tag 'y' does not match open section 'x'"),
        ("{{<layout}}{{$title}}{{/layout}}", "page.html:1:22: closing tag 'layout' does not match open section 'title'"),
    ]

    @Test("parse errors", arguments: parseErrors)
    func parseError(source: String, message: String) {
        #expect(throws: TemplateError.self) { try Template(source: source, name: "page.html") }
        do {
            _ = try Template(source: source, name: "page.html")
        } catch {
            #expect(error.errorDescription == message)
            #expect(error.localizedDescription == message)
        }
    }

    @Test func errorLocationParts() throws {
        do {
            _ = try Template(source: "a\n\n   {{#events}}", name: "t.mustache")
            Issue.record("expected an error")
        } catch {
            #expect(error == .unclosedSection("events", SourceLocation(file: "t.mustache", line: 3, column: 4)))
            #expect(error.reason == "unclosed section 'events'")
        }
    }

    // MARK: Partials: missing, strict, recursion

    @Test func missingPartialRendersEmptyUnlessStrict() throws {
        let page = try Template(source: "<main>\n  {{>sidebar}}\n</main>\n", name: "page.html")
        let lax = TemplateSet([page])
        #expect(try lax.render("page.html", [:]) == "<main>\n</main>\n")

        let strict = TemplateSet([page], strict: true)
        #expect(throws: TemplateError.missingPartial("sidebar", SourceLocation(file: "page.html", line: 2, column: 3))) {
            try strict.render("page.html", [:])
        }
        do {
            _ = try strict.render("page.html", [:])
        } catch {
            #expect(error.errorDescription == "page.html:2:3: missing partial 'sidebar'")
        }
    }

    @Test func strictMissingParentAndDynamicPartial() throws {
        let set = try TemplateSet(sources: [
            "a.html": "{{<layout}}{{$body}}x{{/body}}{{/layout}}",
            "b.html": "{{#items}}{{>*kind}}{{/items}}",
            "row": "[{{name}}]",
        ], strict: true)
        #expect(throws: TemplateError.missingPartial("layout", SourceLocation(file: "a.html", line: 1, column: 1))) {
            try set.render("a.html", [:])
        }
        let items: TemplateValue = ["items": [["kind": "row", "name": "ok"], ["kind": "card", "name": "no"]]]
        #expect(throws: TemplateError.missingPartial("card", SourceLocation(file: "b.html", line: 1, column: 11))) {
            try set.render("b.html", items)
        }
        var lax = set
        lax.strict = false
        #expect(try lax.render("b.html", items) == "[ok]")
        // A dynamic name that resolves to nothing renders nothing, strict or not.
        #expect(try set.render("b.html", ["items": [["name": "x"]]]) == "")
    }

    /// `escapesRawText` (the site's sets): `{{{ }}}` and `{{& }}` escape text values as `{{ }}`
    /// does in HTML; fragments are written as they are; the spec's rule is the default.
    @Test func rawTagsEscapeTextWhenTheSetSaysSo() throws {
        let value: TemplateValue = ["t": .string("<b>&'</b>"),
                                    "f": .fragment(TemplateFragment(html: SafeHTML(rendered: "<i>ok</i>"), markdown: SafeMarkdown()))]
        var set = try TemplateSet(sources: ["p": "{{{t}}}|{{& t}}|{{t}}|{{{f}}}"])
        #expect(try set.render("p", value) == "<b>&'</b>|<b>&'</b>|&lt;b&gt;&amp;&#39;&lt;/b&gt;|<i>ok</i>")
        set.escapesRawText = true
        #expect(try set.render("p", value) == "&lt;b&gt;&amp;&#39;&lt;/b&gt;|&lt;b&gt;&amp;&#39;&lt;/b&gt;|&lt;b&gt;&amp;&#39;&lt;/b&gt;|<i>ok</i>")
        set.escaping = .markdown
        #expect(try set.render("p", ["t": .string("a_b <x>")]).hasPrefix("a_b &lt;x&gt;|"))
    }

    @Test func unknownTemplate() {
        #expect(throws: TemplateError.unknownTemplate("nope")) { try TemplateSet().render("nope", [:]) }
    }

    @Test func runawayRecursionStops() throws {
        let set = try TemplateSet(sources: ["loop": "x{{>loop}}"])
        #expect(throws: TemplateError.recursionTooDeep("loop", SourceLocation(file: "loop", line: 1, column: 2))) {
            try set.render("loop", [:])
        }
    }

    @Test func recursivePartialsOverData() throws {
        let set = try TemplateSet(sources: [
            "tree": "<ul>\n{{#children}}\n  <li>{{name}}\n    {{>tree}}\n  </li>\n{{/children}}\n</ul>\n",
        ])
        let data: TemplateValue = ["children": [["name": "a", "children": [["name": "b", "children": []]]]]]
        let expected = """
            <ul>
              <li>a
                <ul>
                  <li>b
                    <ul>
                    </ul>
                  </li>
                </ul>
              </li>
            </ul>

            """
        #expect(try set.render("tree", data) == expected)
    }

    // MARK: Inheritance

    @Test func layoutInheritance() throws {
        let set = try TemplateSet(sources: [
            "layout.html": """
                <html>
                  <head>
                    <title>{{$title}}Trailpack{{/title}}</title>
                  </head>
                  <body>
                    {{$content}}
                    <p>No content.</p>
                    {{/content}}
                  </body>
                </html>

                """,
            "page.html": """
                {{<layout.html}}
                {{$title}}{{name}} – Trailpack{{/title}}
                {{$content}}
                <h1>{{name}}</h1>
                <ul>
                  {{#events}}
                  <li>{{.}}</li>
                  {{/events}}
                </ul>
                {{/content}}
                {{/layout.html}}

                """,
            "dynamic.html": "{{<*layout}}{{$title}}T{{/title}}{{/*layout}}",
        ])
        let expected = """
            <html>
              <head>
                <title>Q&amp;A – Trailpack</title>
              </head>
              <body>
                <h1>Q&amp;A</h1>
                <ul>
                  <li>one</li>
                  <li>two</li>
                </ul>
              </body>
            </html>

            """
        #expect(try set.render("page.html", ["name": "Q&A", "events": ["one", "two"]]) == expected)
        // The layout alone renders its defaults.
        #expect(try set.render("layout.html", [:]).contains("    <p>No content.</p>\n"))
        #expect(try set.render("dynamic.html", ["layout": "layout.html"]).contains("<title>T</title>"))
        #expect(try set.render("dynamic.html", [:]) == "")
    }

    @Test func blockArgumentMentioningItselfUsesTheDefault() throws {
        let set = try TemplateSet(sources: [
            "parent": "[{{$a}}default{{/a}}]",
            "child": "{{<parent}}{{$a}}<{{$a}}inner{{/a}}>{{/a}}{{/parent}}",
        ])
        #expect(try set.render("child", [:]) == "[<inner>]")
    }

    // MARK: Values

    @Test func escaping() {
        let value: TemplateValue = ["x": "<a href='u?a=1&b=2'>\"hi\"</a>"]
        let escaped = "&lt;a href=&#39;u?a=1&amp;b=2&#39;&gt;&quot;hi&quot;&lt;/a&gt;"
        #expect(render("{{x}}", value) == escaped)
        #expect(render("{{{x}}}|{{& x}}", value) == "<a href='u?a=1&b=2'>\"hi\"</a>|<a href='u?a=1&b=2'>\"hi\"</a>")
        #expect(render("{{x}}", ["x": "plain ünïcode 🙂"]) == "plain ünïcode 🙂")
        #expect(render("{{x}}", ["x": "&"]) == "&amp;")
        #expect(render("{{x}}", ["x": "a<"]) == "a&lt;")
    }

    static let numbers: [(TemplateValue, String)] = [
        (85, "85"), (-3, "-3"), (1.5, "1.5"), (85.0, "85"), (1.21, "1.21"), (-0.0, "0"), (1e21, "1e+21"),
        (.double(0.1 + 0.2), "0.30000000000000004"), (.double(.nan), "NaN"), (.double(-.infinity), "-Infinity"),
        (true, "true"), (false, "false"), (nil, ""), ([1, 2], ""), (["a": 1], ""),
    ]

    @Test("interpolated text", arguments: numbers)
    func interpolation(value: TemplateValue, text: String) {
        #expect(value.interpolationText == text)
        #expect(render("{{v}}", ["v": value]) == text)
    }

    static let truthiness: [(TemplateValue, Bool)] = [
        (nil, false), (false, false), (true, true), ("", false), ("0", true), (" ", true),
        (0, false), (1, true), (0.0, false), (.double(.nan), false), (0.5, true),
        ([], false), ([nil], true), ([:], true), (["a": nil], true),
    ]

    @Test("truthiness", arguments: truthiness)
    func truthy(value: TemplateValue, truthy: Bool) {
        #expect(value.isTruthy == truthy)
        #expect(render("{{#v}}yes{{/v}}{{^v}}no{{/v}}", ["v": value]) == (truthy ? "yes" : "no"))
    }

    @Test func jsonConversion() throws {
        let json = try JSONReader().parse(Array(#"{"a":[1,2.5,true,null,"x"],"b":{"c":-7}}"#.utf8))
        let value = TemplateValue(json)
        #expect(value == ["a": [1, 2.5, true, nil, "x"], "b": ["c": -7]])
        #expect(value["b"]?["c"] == .int(-7))
        #expect(value["a"]?["c"] == nil)
    }

    @Test func contextStackAndDottedNames() {
        let data: TemplateValue = ["site": ["title": "T"], "events": [["title": "e1"], ["name": "e2"]]]
        #expect(render("{{#events}}{{title}},{{/events}}", data) == "e1,,")
        #expect(render("{{#events}}{{site.title}}{{/events}}", data) == "TT")
        #expect(render("{{#site}}{{#events}}{{title}}{{/events}}{{/site}}", data) == "e1T")
    }

    // MARK: Rendering API

    @Test func rendersIntoExistingOutputAndReusesTheParse() throws {
        let template = try Template(source: "<li>{{.}}</li>\n", name: "row")
        var out = "<ul>\n"
        for item: TemplateValue in ["a", "b&c"] { template.render(item, into: &out) }
        out += "</ul>\n"
        #expect(out == "<ul>\n<li>a</li>\n<li>b&amp;c</li>\n</ul>\n")
        #expect(template.name == "row")

        let set = TemplateSet([template])
        var more = "x"
        try set.render("row", "y", into: &more)
        #expect(more == "x<li>y</li>\n")
        #expect(set.names == ["row"])
        #expect(set["row"] != nil)
    }

    @Test func concurrentRendering() async throws {
        let set = try TemplateSet(sources: ["p": "{{#n}}<{{>q}}>{{/n}}", "q": "{{.}}"])
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<8 { group.addTask { try set.render("p", ["n": [.int(i)]]) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(results) == Set((0..<8).map { "<\($0)>" }))
    }

    /// Thousands of rows through a standalone (indented) partial: linear, parsed once.
    @Test func manyRowsRenderQuickly() throws {
        let set = try TemplateSet(sources: [
            "page": """
                <table>
                  {{#events}}
                  {{>row}}
                  {{/events}}
                </table>

                """,
            "row": "<tr class=\"{{kind}}\">\n  <td>{{id}}</td><td>{{title}}</td><td>{{score}}</td>\n</tr>\n",
        ], strict: true)
        let count = 20_000
        let events: [TemplateValue] = (0..<count).map { i in
            ["id": .int(i), "kind": i % 2 == 0 ? "even" : "odd", "title": .string("Event <\(i)> & co"), "score": .double(Double(i) / 4)]
        }
        let clock = ContinuousClock()
        var output = ""
        let elapsed = try clock.measure { output = try set.render("page", ["events": .array(events)]) }
        print("Rendered \(count) rows (\(output.utf8.count) bytes) in \(elapsed)")
        #expect(output.hasPrefix("<table>\n  <tr class=\"even\">\n    <td>0</td><td>Event &lt;0&gt; &amp; co</td><td>0</td>\n  </tr>\n"))
        #expect(output.hasSuffix("<td>4999.75</td>\n  </tr>\n</table>\n"))
        #expect(output.components(separatedBy: "<tr ").count == count + 1)
        #expect(elapsed < .seconds(20), "debug build, shared machine: only catches quadratic behaviour")
    }

    private func render(_ source: String, _ value: TemplateValue) -> String {
        do {
            return try Template(source: source, name: "inline").render(value)
        } catch {
            Issue.record(error)
            return ""
        }
    }
}

@Suite("Mustache escaping modes")
struct MustacheEscapingTests {
    static let cases: [(TemplateEscaping, String)] = [
        (.html, "| &lt;b&gt;a|b&lt;/b&gt; | *x* | <i>ok</i> |"),
        (.markdown, "| &lt;b&gt;a\\|b&lt;/b&gt; | \\*x\\* | <i>ok</i> |"),
    ]

    @Test("{{x}} escapes for the set's output format; {{{x}}} never escapes", arguments: cases)
    func escaping(mode: TemplateEscaping, expected: String) throws {
        var set = try TemplateSet(sources: ["row": "| {{a}} | {{b}} | {{{c}}} |"], strict: true)
        set.escaping = mode
        #expect(try set.render("row", ["a": "<b>a|b</b>", "b": "*x*", "c": "<i>ok</i>"]) == expected)
    }
}

/// Lexing is linear in the template: one line of 50,000 tags (a theme written by a generator,
/// or a hostile one) compiles and renders; counting every tag's column from the start of its
/// line made this take minutes.
struct LongTemplateLineTests {
    @Test func aLineOfFiftyThousandTagsCompilesAndRenders() throws {
        let source = String(repeating: "a{{x}}", count: 50_000) + "{{!c}}"
        let set = try TemplateSet(sources: ["long": source])
        let out = try set.render("long", ["x": "b"])
        #expect(out.utf8.count == 100_000 && out.hasPrefix("abab") && out.hasSuffix("ab"))
    }
}
