import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `trailpack pdf`: a built site printed as one PDF through headless Chromium.
///
/// The pack is printed, its text read back with `pdftotext` (poppler) to find the page each
/// section starts on, and printed again with those numbers in the contents until they hold
/// (two passes, as a rule). Chromium stamps the PDF's creation and modification dates with the
/// clock; they are replaced by the pack's as-of time (same length, so the file's offsets hold),
/// which makes the PDF byte-identical for the same site, Chromium version and fonts.
public enum PDFExport {
    /// How to run the browser.
    public struct Options: Sendable {
        /// The browser's path; nil finds `chromium` (then `chromium-browser`) on PATH.
        public var chromium: String?
        /// Seconds one print pass may take.
        public var timeout: Int
        public init(chromium: String? = nil, timeout: Int = 300) {
            self.chromium = chromium
            self.timeout = timeout
        }
    }

    /// What was printed.
    public struct Result: Sendable {
        public var pack: PrintPack
        /// The first page of each section, in the order of `pack.sections`.
        public var pages: [Int]
        public var pageCount: Int
        public var bytes: Int
        public var sha256: String
        /// Print passes it took for the contents' page numbers to hold.
        public var passes: Int

        /// The result as JSON (for `--format json`).
        public var json: JSONValue {
            var b = JSONBuilder()
            b.set("pages", pageCount)
            b.set("bytes", bytes)
            b.set("sha256", sha256)
            b.set("passes", passes)
            b.set("sections", .array(zip(pack.sections, pages).map { s, p in
                var sb = JSONBuilder()
                sb.set("path", s.path)
                sb.set("title", s.title)
                sb.set("page", p)
                return sb.value
            }))
            return b.value
        }
    }

    static let maxPasses = 4

    /// Prints the site at `site` to `out` (written atomically; nothing is written on error).
    public static func write(site: String, out: String, options: Options = Options()) throws(PrintError) -> Result {
        let pack = try PrintPack.read(site: site)
        try checkOutput(out, site: site)
        let env = ProcessInfo.processInfo.environment
        let chromium = try ExternalTool.find(["chromium", "chromium-browser"], package: "chromium",
                                             override: options.chromium ?? env["TRAILPACK_CHROMIUM"])
        let pdftotext = try ExternalTool.find(["pdftotext"], package: "poppler-utils")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("trailpack-pdf-\(getpid())-\(UUID().uuidString)")
        do { try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true) } catch {
            throw .output(work.path, reason: "cannot create a temporary folder")
        }
        defer { try? FileManager.default.removeItem(at: work) }
        let html = work.appendingPathComponent("pack.html")
        let pdf = work.appendingPathComponent("pack.pdf")
        var numbers: [Int]?
        for pass in 1...maxPasses {
            do { try Data(pack.document(pageNumbers: numbers).utf8).write(to: html) } catch {
                throw .output(html.path, reason: "cannot write the print document")
            }
            try? FileManager.default.removeItem(at: pdf)
            _ = try chromium.run(chromiumArguments(html: html, pdf: pdf, profile: work.appendingPathComponent("profile")),
                                 in: work, environment: ["TZ": "UTC", "HOME": work.path, "LANG": "C.UTF-8"],
                                 timeout: options.timeout)
            let text = try pdftotext.run(["-enc", "UTF-8", pdf.path, "-"], in: work, timeout: options.timeout)
            let pages = text.split(separator: 0x0C, omittingEmptySubsequences: false).map { normalize($0) }
            let found = try locate(pack: pack, pages: pages)
            if found == numbers {
                guard var bytes = try? [UInt8](Data(contentsOf: pdf)) else {
                    throw .toolFailed(tool: chromium.name, reason: "wrote no PDF")
                }
                stampDates(&bytes, asOf: pack.cover.asOf)
                try writeAtomically(bytes, to: out)
                let pageCount = pages.last?.isEmpty == true ? pages.count - 1 : pages.count
                return Result(pack: pack, pages: found, pageCount: pageCount, bytes: bytes.count,
                              sha256: Hex.encode(SHA256.hash(bytes)), passes: pass)
            }
            numbers = found
        }
        throw .pageNumbersUnsettled(passes: maxPasses)
    }

    /// Scripts cannot run: the document's Content-Security-Policy is default-src 'none' (the
    /// --blink-settings switch that turns scripts off also stops headless printing).
    static func chromiumArguments(html: URL, pdf: URL, profile: URL) -> [String] {
        ExternalTool.headlessChromium(profile: profile)
            + ["--no-pdf-header-footer", "--generate-pdf-document-outline", "--print-to-pdf=" + pdf.path, html.absoluteString]
    }

    /// A page's text with every run of white space made one space.
    static func normalize(_ page: ArraySlice<UInt8>) -> String {
        String(decoding: page, as: UTF8.self).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// The page (1-based) each section's marker is first printed on, after the contents.
    static func locate(pack: PrintPack, pages: [String]) throws(PrintError) -> [Int] {
        let n = pack.sections.count
        guard n > 0 else { return [] }
        var result: [Int] = []
        var from = 1  // the cover is page 1; sections start after it
        for k in 1...n {
            let marker = PrintPack.marker(k, of: n) + " "
            guard let p = pages.indices.first(where: { $0 >= from && pages[$0].contains(marker) }) else {
                throw .toolFailed(tool: "pdftotext", reason: "section \(k) (\(pack.sections[k - 1].path)) was not found in the printed PDF")
            }
            result.append(p + 1)
            from = p
        }
        return result
    }

    /// Replaces the 14 digits of `/CreationDate (D:` and `/ModDate (D:` with the as-of time in UTC.
    static func stampDates(_ bytes: inout [UInt8], asOf: String) {
        guard case .valid(let t) = Timestamp.parse(asOf) else { return }
        let c = t.components
        let digits = Array(("\(Timestamp.pad(c.year, 4))\(Timestamp.pad(c.month, 2))\(Timestamp.pad(c.day, 2))"
            + "\(Timestamp.pad(c.hour, 2))\(Timestamp.pad(c.minute, 2))\(Timestamp.pad(c.second, 2))").utf8)
        guard digits.count == 14 else { return }
        for key in ["/CreationDate (D:", "/ModDate (D:"] {
            let k = Array(key.utf8)
            var i = 0
            while i + k.count + 14 <= bytes.count {
                if bytes[i] == k[0] && bytes[i..<(i + k.count)].elementsEqual(k) {
                    let start = i + k.count
                    if bytes[start..<(start + 14)].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                        bytes.replaceSubrange(start..<(start + 14), with: digits)
                    }
                    i = start + 14
                } else {
                    i += 1
                }
            }
        }
    }

    /// Checks `--out` before anything is printed (and in a dry run): its folder exists and is
    /// not inside `site` (the site's SHA256SUMS would not list the PDF: INT-SITE), and it is
    /// absent or an earlier PDF (a regular file starting `%PDF-`). Any other file is refused: a
    /// mistyped `--out trailpack.json` must not replace a record with the print.
    public static func checkOutput(_ path: String, site: String? = nil) throws(PrintError) {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let folder = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir), isDir.boolValue else {
            throw .output(path, reason: "its folder \(folder.path) does not exist")
        }
        if let site, let root = ArtifactChecker.realPath(site), let dir = ArtifactChecker.realPath(folder.path),
           dir == root || dir.hasPrefix(root + "/") {
            throw .output(path, reason: "it lies inside the site \(site), whose SHA256SUMS would not list it (verify reports such a file as INT-SITE). "
                          + "Fix: write the PDF outside the site folder")
        }
        var st = stat()
        guard lstat(url.path, &st) == 0 else { return }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: throw .output(path, reason: "it is a folder")
        case S_IFREG:
            let fd = open(url.path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
            var head = [UInt8](repeating: 0, count: 5)
            let n = fd < 0 ? -1 : head.withUnsafeMutableBytes { read(fd, $0.baseAddress, 5) }
            if fd >= 0 { close(fd) }
            guard n == 5, head == Array("%PDF-".utf8) else {
                throw .output(path, reason: "it exists and is not a PDF; trailpack pdf replaces only an earlier PDF. "
                              + "Fix: give another file name, or remove the file yourself")
            }
        default:
            throw .output(path, reason: "it exists and is not a regular file (a link, pipe or device); give another file name")
        }
    }

    /// Writes beside the target and renames over it, so that a failed run leaves any earlier file.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(PrintError) {
        try checkOutput(path)
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let folder = url.deletingLastPathComponent()
        let temp = folder.appendingPathComponent(".\(url.lastPathComponent).trailpack-tmp-\(getpid())")
        do {
            try Data(bytes).write(to: temp)
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw .output(path, reason: "the folder is not writable")
        }
        guard rename(temp.path, url.path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(at: temp)
            throw .output(path, reason: String(cString: strerror(code)))
        }
    }
}
