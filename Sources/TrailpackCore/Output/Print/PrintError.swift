import Foundation

/// Why `trailpack pdf` could not print a site (the CLI exits 2; nothing is written).
public enum PrintError: LocalizedError, Sendable, Equatable {
    /// The folder is not a built trailpack site (no `report.json` or `SHA256SUMS`).
    case notASite(String)
    /// A file of the site that cannot be read.
    case unreadable(String, reason: String)
    /// A line of `SHA256SUMS` that is not `<64 hex>  <path>`.
    case badChecksumLine(file: String, line: Int)
    /// A line of `SHA256SUMS` whose path would leave the site (`..`, absolute, empty component).
    case unsafeChecksumPath(file: String, line: Int, path: String)
    /// A file of the site that is not read: a symbolic link (or under one), not a regular file,
    /// too large, or unreadable; `reason` says which.
    case unsafeFile(site: String, file: String, reason: String)
    /// A file whose bytes do not match its line in `SHA256SUMS`, or that is missing.
    case checksumMismatch(site: String, file: String)
    /// `report.json` lacks a member the cover needs, or is not JSON.
    case badReport(file: String, reason: String)
    /// An HTML page without the structure trailpack writes (`<main id="main">` ... `</main>`).
    case notATrailpackPage(String)
    /// A program the PDF needs is not on PATH.
    case toolMissing(tool: String, package: String)
    /// The program ran and failed; `reason` is its last message line.
    case toolFailed(tool: String, reason: String)
    /// The program did not finish in time and was stopped.
    case toolTimedOut(tool: String, seconds: Int)
    /// The contents' page numbers did not settle after a few print passes.
    case pageNumbersUnsettled(passes: Int)
    /// The PDF could not be written to its destination.
    case output(String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .notASite(let p):
            return "\(p): not a site built by trailpack (no report.json or SHA256SUMS). Fix: run `trailpack build SOURCE --out \(p)` first"
        case .unreadable(let p, let why):
            return "\(p): cannot be read: \(why)"
        case .badChecksumLine(let f, let line):
            return "\(f):\(line): not a `<sha256 hex>  <path>` line. Fix: rebuild the site with `trailpack build`"
        case .unsafeChecksumPath(let f, let line, let path):
            return "\(f):\(line): the path \"\(path)\" leaves the site (a \"..\", absolute or empty component); nothing is read "
                + "outside the site. Fix: rebuild the site with `trailpack build`, and find out who changed its SHA256SUMS"
        case .unsafeFile(let site, let file, let why):
            return "\(site)/\(file): refused: \(why); trailpack pdf reads only regular files inside the site, never through "
                + "a symbolic link. Fix: rebuild the site with `trailpack build`, and find out who changed it"
        case .checksumMismatch(let site, let file):
            return "\(site)/\(file): does not match its SHA-256 in SHA256SUMS (changed or missing since the build). "
                + "Fix: rebuild the site with `trailpack build`; never print a site that was edited after its build"
        case .badReport(let f, let why):
            return "\(f): \(why). Fix: rebuild the site with this version of trailpack"
        case .notATrailpackPage(let p):
            return "\(p): not a page written by trailpack (no <main id=\"main\"> ... </main>). Fix: rebuild the site with `trailpack build`"
        case .toolMissing(let tool, let package):
            return "\(tool) is not on PATH: install Debian's `\(package)` package (apt-get install \(package), or `make deps`), "
                + "or set TRAILPACK_CHROMIUM to the browser's path"
        case .toolFailed(let tool, let why):
            return "\(tool) failed: \(why)"
        case .toolTimedOut(let tool, let s):
            return "\(tool) did not finish within \(s) s and was stopped. Fix: retry with a longer --timeout"
        case .pageNumbersUnsettled(let n):
            return "the contents' page numbers still changed after \(n) print passes; no PDF written. Fix: report this with the site"
        case .output(let p, let why):
            return "\(p): cannot write the PDF: \(why)"
        }
    }
}
