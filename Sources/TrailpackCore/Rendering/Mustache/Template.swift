/// A Mustache template, parsed once into a node tree and rendered any number of times.
///
/// Supports the spec's interpolation, sections, inverted sections, comments, set delimiters,
/// partials, dynamic names (`{{>*name}}`) and inheritance (`{{<parent}}{{$block}}…{{/block}}{{/parent}}`);
/// lambdas are not supported. Partials and parents resolve through a ``TemplateSet``.
public struct Template: Sendable {
    /// The name used for partial lookup and in error locations (e.g. `page.html`).
    public let name: String
    let nodes: [TemplateNode]

    /// Parses `source`; errors name `name` with the line and column of the offending tag.
    public init(source: String, name: String) throws(TemplateError) {
        self.name = name
        self.nodes = try TemplateParser.parse(source: source, name: name)
    }

    /// Renders the template against `value` on its own: partial and parent tags render nothing.
    public func render(_ value: TemplateValue) -> String {
        var out = ""
        render(value, into: &out)
        return out
    }

    /// Appends the rendering of the template against `value` to `output`, without partials.
    public func render(_ value: TemplateValue, into output: inout String) {
        var renderer = TemplateRenderer(out: "", templates: [:], strict: false, name: name, workLimit: .max)
        swap(&renderer.out, &output)
        do {
            try renderer.render(nodes, context: value)
        } catch {
            // Unreachable: without templates to include, no partial is missing and none recurses,
            // and work is not limited (it is linear in the template and the value).
            assertionFailure("\(error)")
        }
        swap(&renderer.out, &output)
    }
}
