import Foundation
import TrailpackCore

/// Terminal output conventions: errors and progress on stderr, progress only on a terminal,
/// colour only on a terminal and never with NO_COLOR.
enum Console {
    static let stderrIsTerminal = isatty(2) == 1
    static let useColor = isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"].map { $0.isEmpty } ?? true

    /// An error message on stderr; its invisible characters shown as text (``shown(_:)``).
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("trailpack: \(shown(message))\n".utf8))
    }

    /// A progress line, shown only when stderr is a terminal.
    static func progress(_ message: String) {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(shown(message))".utf8))
    }

    static func endProgress() {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    /// Text for people on stdout (reports, summaries). Ids, reasons, names and file names in it
    /// come from the log, the pack source or an imported store, which insiders write: an escape
    /// sequence there could erase or recolour lines of the report on a terminal (a finding made
    /// to vanish), a CR overwrite one, a bidi control reorder one. So every control character
    /// but tab and line feed, and every character that hides or reorders text, is written as
    /// `U+XXXX` text (``Escape/visibleControls(_:)``, as on the site's pages).
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(shown(text).utf8))
    }

    /// A document on stdout as it is (JSON, whose strings escape controls themselves, or a page
    /// rendered with every string escaped): byte for byte what the same command writes to a file.
    static func writeDocument(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// `text` with its invisible characters shown as `U+XXXX`.
    static func shown(_ text: String) -> String { Escape.visibleControls(text) }
}
