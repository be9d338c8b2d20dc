/// Named templates, each parsed once, that render with each other as partials and parents.
///
/// By the spec a partial or parent the set does not hold renders as nothing; in ``strict``
/// mode rendering throws ``TemplateError/missingPartial(_:_:)`` naming the including template,
/// line and column instead.
public struct TemplateSet: Sendable {
    /// Whether a missing partial or parent is an error rather than empty output.
    public var strict: Bool
    /// How `{{name}}` escapes interpolated text (HTML unless set otherwise).
    public var escaping: TemplateEscaping = .html
    /// Whether `{{{name}}}` and `{{& name}}` HTML-escape text values too (the site: a theme
    /// cannot send a record's text out raw; only ``TemplateFragment`` values, escaped by
    /// construction, are written as they are). False, the spec's rule, by default.
    public var escapesRawText = false
    /// How many template nodes one rendering may visit before it stops with
    /// ``TemplateError/tooMuchWork(_:)`` (themes are user-supplied: recursion must not explode).
    public var workLimit = TemplateRenderer.defaultWorkLimit
    /// Partials that, included with a ``TemplateFragment`` on top of the context stack, emit
    /// that fragment (its form for this set's format) in place of rendering the template: the
    /// site's typed rows, which produce the bytes the default row templates would.
    public var fragmentPartials: Set<String> = []
    private var templates: [String: Template]

    /// A set of already parsed templates, keyed by their names (a later one replaces an earlier
    /// one with the same name).
    public init(_ templates: [Template] = [], strict: Bool = false) {
        self.strict = strict
        self.templates = [:]
        for template in templates { self.templates[template.name] = template }
    }

    /// Parses every source, keyed by template name.
    public init(sources: [String: String], strict: Bool = false) throws(TemplateError) {
        self.init(strict: strict)
        for name in sources.keys.sorted() {
            if let source = sources[name] { try add(source: source, name: name) }
        }
    }

    /// The names of the templates held, sorted.
    public var names: [String] { templates.keys.sorted() }

    /// The template with this name, if held.
    public subscript(name: String) -> Template? { templates[name] }

    /// Adds a parsed template, replacing any with the same name.
    public mutating func insert(_ template: Template) {
        templates[template.name] = template
    }

    /// Makes partial and parent tags naming `name` include the template `other` (which keeps its
    /// own name in error locations), replacing any template named `name`; does nothing when the
    /// set has no `other`. The diff's standalone page renders the site's `changes` templates with
    /// `layout-standalone` standing in for their `layout`.
    public mutating func alias(_ name: String, to other: String) {
        if let template = templates[other] { templates[name] = template }
    }

    /// Parses and adds a template, replacing any with the same name.
    @discardableResult
    public mutating func add(source: String, name: String) throws(TemplateError) -> Template {
        let template = try Template(source: source, name: name)
        templates[name] = template
        return template
    }

    /// Renders the named template against `value`.
    public func render(_ name: String, _ value: TemplateValue) throws(TemplateError) -> String {
        var out = ""
        try render(name, value, into: &out)
        return out
    }

    /// Appends the rendering of the named template against `value` to `output`.
    public func render(_ name: String, _ value: TemplateValue, into output: inout String) throws(TemplateError) {
        guard let template = templates[name] else { throw .unknownTemplate(name) }
        try render(template, value, into: &output)
    }

    /// Renders `template` (which need not be in the set) with this set's partials.
    public func render(_ template: Template, _ value: TemplateValue) throws(TemplateError) -> String {
        var out = ""
        try render(template, value, into: &out)
        return out
    }

    /// Appends the rendering of `template` with this set's partials to `output`.
    public func render(_ template: Template, _ value: TemplateValue, into output: inout String) throws(TemplateError) {
        var renderer = TemplateRenderer(out: "", templates: templates, strict: strict, escaping: escaping,
                                        name: template.name, workLimit: workLimit)
        renderer.fragmentPartials = fragmentPartials
        renderer.escapesRawText = escapesRawText
        swap(&renderer.out, &output)
        defer { swap(&renderer.out, &output) }
        try renderer.render(template.nodes, context: value)
    }
}

/// What an escaped interpolation `{{name}}` does to its text; `{{{name}}}` never escapes.
public enum TemplateEscaping: Sendable, Hashable {
    /// HTML text and attribute escaping (`&`, `<`, `>`, `"`, `'`): the Mustache spec's rule.
    case html
    /// ``Escape/markdownTableCell(_:)``: literal inline text in Markdown, safe in a pipe-table
    /// cell (line breaks become spaces), with no raw HTML.
    case markdown
}
