import Foundation
import TrailpackCore

let pdfCommand = Command(
    name: "pdf", summary: "print a built site as one PDF inspection pack (headless Chromium)",
    usage: """
    Usage: trailpack pdf SITE --out FILE [--format text|json] [--dry-run] [--chromium PATH] [--timeout SECONDS]

    Prints the site SITE (built by `trailpack build`) as one PDF: a cover with the verdict, the
    contents with page numbers, then every page of the site except the complete audit trail
    (its month pages and their model, actor and action views), which stays in the site and its
    evidence. Every printed page has a footer with the pack, the release, the as-of time and
    "page x of y"; wide pages are printed landscape. Each file used is first checked against the
    site's SHA256SUMS: an edited site is refused. The PDF is byte-identical for the same site,
    Chromium version and fonts (docs/pdf.md).

    Needs Debian's `chromium` (found on PATH, or --chromium / TRAILPACK_CHROMIUM) and
    `poppler-utils` (pdftotext, to number the contents); `make deps` installs both.

      --out FILE             the PDF to write (replaced in one step; left as it was on error;
                             an existing FILE must be an earlier PDF)
      --format text|json     output form (default text)
      --dry-run              check the site and --out, list the pages the PDF would hold; write no PDF
      --chromium PATH        the browser to use (default: chromium on PATH)
      --timeout SECONDS      time one print pass may take (default 300)

    Exit status: 0 the PDF was written (or, with --dry-run, could be), 2 the site, the browser
    or the output could not be used (nothing is written).
    """,
    options: ["--out", "--format", "--chromium", "--timeout"],
    flags: ["--dry-run"],
    run: { args in
        let site = try args.onePositional("SITE")
        let format = try args.format([.text, .json])
        let timeout = try args.int("--timeout", default: 300)
        if args.flags.contains("--dry-run") {
            let pack = try PrintPack.read(site: site)
            if let out = args.options["--out"] { try PDFExport.checkOutput(out, site: site) }
            if format == .json {
                var b = JSONBuilder()
                b.set("dryRun", true)
                b.set("verdict", pack.cover.verdict)
                b.set("sections", .array(pack.sections.map { s in
                    var sb = JSONBuilder()
                    sb.set("path", s.path)
                    sb.set("title", s.title)
                    sb.set("landscape", s.wide)
                    return sb.value
                }))
                Console.writeDocument(JSONWriter.pretty(b.value))
            } else {
                var text = "dry run: \(site) would print as a cover (verdict: \(pack.cover.verdict)), the contents and "
                    + "\(pack.sections.count) pages:\n"
                for (i, s) in pack.sections.enumerated() {
                    text += "  \(i + 1). \(s.path): \(s.title)\(s.wide ? " (landscape)" : "")\n"
                }
                Console.write(text)
            }
            return 0
        }
        guard let out = args.options["--out"] else { throw UsageError(message: "missing --out FILE") }
        Console.progress("printing \(site) with headless Chromium…")
        let result = try PDFExport.write(site: site, out: out, options: PDFExport.Options(chromium: args.options["--chromium"], timeout: timeout))
        Console.endProgress()
        if format == .json {
            Console.writeDocument(JSONWriter.pretty(result.json))
        } else {
            Console.write("wrote \(out): \(result.pageCount) pages, \(result.pack.sections.count) sections, "
                          + "\(result.bytes) bytes, sha256 \(result.sha256)\n")
        }
        return 0
    })
