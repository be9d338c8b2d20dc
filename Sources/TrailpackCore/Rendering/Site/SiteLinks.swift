/// The pages of the site, each rendered from `<template>.html` and its twin `<template>.md`.
public enum SitePageKind: String, CaseIterable, Sendable {
    /// The inspection summary.
    case index
    /// The audit trail's index: months, pages, models, actors, actions.
    case auditIndex = "audit-index"
    /// A chronological page of full event rows.
    case auditPage = "audit-page"
    /// A page of compact rows of one model, actor or action.
    case auditGroup = "audit-group"
    /// A page of the GxP view: one month's person and rule-relevant events, in full rows.
    case auditGxP = "audit-gxp"
    /// A model.
    case model
    /// A model version.
    case version
    /// The traceability matrix.
    case traceability
    /// The e-signature manifest.
    case signatures
    /// The integrity page.
    case integrity
    /// The findings and the rule catalogue.
    case findings
    /// CAPAs, exceptions and drift.
    case capa
    /// The drift charts and monitoring windows of one model version.
    case drift
    /// A Markdown document of docs/.
    case narrative
    /// The changes since the previous release (`build --previous`).
    case changes
    /// The list of datasets.
    case datasets
    /// A page of one dataset's versions (runs, quality checks, models trained on it).
    case dataset

    /// The template's name for an output format: `index.html` or `index.md`.
    public func template(_ escaping: TemplateEscaping) -> String {
        rawValue + (escaping == .html ? ".html" : ".md")
    }
}

/// Paths and links inside the site. Page paths are relative to the site root and have no
/// extension (`audit/page-0003`); a page exists as `.html` and as its Markdown twin `.md`.
/// Every path component derived from an id goes through ``PathNames/slug(_:)``.
enum SiteLinks {
    static func model(_ id: JSONString) -> String { "models/\(PathNames.slug(id.bytes))/index" }
    static func version(_ ref: VersionRef) -> String {
        "models/\(PathNames.slug(ref.model.bytes))/versions/\(PathNames.slug(ref.version.bytes))"
    }
    /// The drift page of a version: `models/<m>/versions/<v>/drift`, beside the version's page.
    static func drift(_ ref: VersionRef) -> String { version(ref) + "/drift" }
    /// The dataset index and the pages of a dataset: `datasets/<slug>/page-NNNN`.
    static let datasetIndex = "datasets/index"
    static func dataset(_ id: JSONString, page: Int) -> String { "datasets/\(PathNames.slug(id.bytes))/" + pageName(page) }
    /// The anchor of a dataset version on its dataset's page (`unversioned` for events naming no version).
    static func datasetVersionAnchor(_ version: JSONString?) -> String {
        version.map { "v-" + PathNames.slug($0.bytes) } ?? "unversioned"
    }
    static func auditPage(_ n: Int) -> String { "audit/" + pageName(n) }
    /// Page `n` of the findings: `findings` (with the counts and the rule catalogue), then
    /// `findings/page-0002`, ... (``FindingsPage/pageSize`` findings each).
    static func findingsPage(_ n: Int) -> String { n <= 1 ? "findings" : "findings/" + pageName(n) }
    /// A page of the GxP view of a month (`YYYY-MM`, or `unknown`): `audit/gxp-2026-05-page-0001`,
    /// at the depth of the chronological pages, so that a full row's links hold on both.
    static func gxpPage(month: String, _ n: Int) -> String { "audit/gxp-" + PathNames.slug(Array(month.utf8)) + "-" + pageName(n) }
    static func group(_ dimension: String, _ key: [UInt8], page: Int) -> String {
        "audit/\(dimension)/\(PathNames.slug(key))/" + pageName(page)
    }
    static func pageName(_ n: Int) -> String {
        let s = String(n)
        return "page-" + String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    /// The anchor of the event at a log position.
    static func eventAnchor(_ index: Int64) -> String { "e\(index)" }
    static func requirementAnchor(_ id: JSONString) -> String { "req-" + PathNames.slug(id.bytes) }
    static func capaAnchor(_ id: JSONString) -> String { "capa-" + PathNames.slug(id.bytes) }
    static func exceptionAnchor(_ id: JSONString) -> String { "exc-" + PathNames.slug(id.bytes) }
    static func ruleAnchor(_ rule: RuleID) -> String { "rule-" + rule.rawValue }
    static func findingAnchor(_ n: Int) -> String { "f\(n + 1)" }
    /// The anchor of a drift window's row on its drift page, from its file (`drift/NAME.json`).
    static func windowAnchor(_ path: String) -> String {
        "w-" + PathNames.slug(path.hasPrefix("drift/") ? String(path.dropFirst(6)) : path)
    }

    /// `../` once per folder of `path`: the way from a page back to the site root.
    static func root(of path: String) -> String {
        String(repeating: "../", count: path.utf8.reduce(0) { $1 == UInt8(ascii: "/") ? $0 + 1 : $0 })
    }

    /// A path percent-encoded for an `href`: every byte but `A-Z a-z 0-9 - . _ ~ /` becomes `%XX`,
    /// so that no scheme, query, fragment or markup can appear.
    static func percentEncoded(_ path: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count)
        for b in path.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Builders of template values. Every object a template sees names all its keys (absent values
/// are `null`), so that a missing key never falls through to an outer context.
enum TV {
    static func str(_ s: String?) -> TemplateValue { s.map { .string($0) } ?? .null }
    static func str(_ s: JSONString?) -> TemplateValue { s.map { .string($0.string) } ?? .null }
    static func int(_ i: Int64?) -> TemplateValue { i.map { .int(Int($0)) } ?? .null }
    static func list(_ items: [TemplateValue]) -> TemplateValue { .array(items) }

    /// A link to a page of the site: `html` and `md` are the hrefs of the two formats,
    /// relative to the site root (templates prefix `{{root}}`).
    static func page(_ label: String, _ path: String, anchor: String? = nil) -> TemplateValue {
        let fragment = anchor.map { "#" + $0 } ?? ""
        return ["label": .string(label), "html": .string(path + ".html" + fragment), "md": .string(path + ".md" + fragment), "file": false]
    }

    /// A link to a file of the site (the same in both formats), percent-encoded.
    static func file(_ label: String, _ path: String) -> TemplateValue {
        let href = SiteLinks.percentEncoded(path)
        return ["label": .string(label), "html": .string(href), "md": .string(href), "file": true]
    }

    /// A label with no link.
    static func text(_ label: String) -> TemplateValue { ["label": .string(label), "html": .null, "md": .null, "file": false] }

    /// A time for a table: `utc` (`2026-01-05 06:02:59Z`, the `<time>` element), `offset`
    /// (`+01:00`, written beside it only where the recorded offset is not UTC) and `text`, the two
    /// in one string for Markdown (``TimeDisplay/cell(_:)``); the partials `time.html` and
    /// `time.md` write one. Null for no time.
    static func time(_ recorded: String?) -> TemplateValue {
        guard let recorded else { return .null }
        return ["utc": .string(TimeDisplay.utc(recorded)), "offset": str(TimeDisplay.offset(recorded)),
                "text": .string(TimeDisplay.cell(recorded))]
    }

    /// Ids in a list, each `{id, more}` (`more` true but for the last), for templates that mark
    /// each id as one token and put a separator between them.
    static func idList(_ ids: [String]) -> TemplateValue {
        .array(ids.enumerated().map { ["id": .string($0.element), "more": .bool($0.offset < ids.count - 1)] })
    }

    /// A status badge: the text carries the meaning, the class only adds colour.
    static func badge(_ label: String, _ tone: String) -> TemplateValue {
        ["label": .string(label), "tone": .string(tone)]
    }
}
