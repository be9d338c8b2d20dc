import Foundation

/// Why a Mustache template could not be parsed or rendered, with the template name, line and
/// column, e.g. `page.html:12:5: unclosed section 'events'`.
public enum TemplateError: LocalizedError, Sendable, Hashable {
    /// An opening delimiter without its closing delimiter.
    case unclosedTag(SourceLocation)
    /// A tag with nothing to name, such as `{{}}` or `{{#}}`.
    case emptyTag(SourceLocation)
    /// A name that is not `.` or dot-separated non-empty parts without whitespace.
    case invalidName(String, SourceLocation)
    /// A set-delimiter tag that is not `{{=open close=}}` with two non-empty delimiters.
    case invalidDelimiters(String, SourceLocation)
    /// A section, inverted section, block or parent never closed; the place is its opening tag.
    case unclosedSection(String, SourceLocation)
    /// A closing tag with no open section.
    case unexpectedClose(String, SourceLocation)
    /// A closing tag naming another section than the innermost open one (which is `open`).
    case mismatchedClose(found: String, open: String, SourceLocation)
    /// Strict rendering only: a partial or parent that the template set does not hold.
    case missingPartial(String, SourceLocation)
    /// Partials or parents nested deeper than the renderer allows (runaway recursion).
    case recursionTooDeep(String, SourceLocation)
    /// A rendering that visited more nodes than the renderer allows (e.g. partials that include
    /// themselves more than once per level); the name is the template being rendered then.
    case tooMuchWork(String)
    /// `TemplateSet.render` was asked for a template it does not hold.
    case unknownTemplate(String)

    /// Where the problem is (the template name alone when no place applies).
    public var location: SourceLocation {
        switch self {
        case .unclosedTag(let l), .emptyTag(let l), .invalidName(_, let l), .invalidDelimiters(_, let l),
             .unclosedSection(_, let l), .unexpectedClose(_, let l), .mismatchedClose(_, _, let l),
             .missingPartial(_, let l), .recursionTooDeep(_, let l):
            return l
        case .unknownTemplate(let name), .tooMuchWork(let name):
            return SourceLocation(file: name)
        }
    }

    /// The message without the place.
    public var reason: String {
        switch self {
        case .unclosedTag: return "tag not closed"
        case .emptyTag: return "empty tag"
        case .invalidName(let n, _): return "invalid name '\(n)'"
        case .invalidDelimiters(let d, _): return "invalid delimiters '\(d)'"
        case .unclosedSection(let n, _): return "unclosed section '\(n)'"
        case .unexpectedClose(let n, _): return "closing tag '\(n)' without an open section"
        case .mismatchedClose(let found, let open, _): return "closing tag '\(found)' does not match open section '\(open)'"
        case .missingPartial(let n, _): return "missing partial '\(n)'"
        case .recursionTooDeep(let n, _): return "partials nested too deeply at '\(n)'"
        case .unknownTemplate(let n): return "no template named '\(n)'"
        case .tooMuchWork: return "rendering takes too many steps (more than the work limit); "
            + "a partial that includes itself more than once per level grows exponentially: include it once or end the recursion earlier"
        }
    }

    /// `template:line:column: reason`.
    public var errorDescription: String? { "\(location): \(reason)" }
}
