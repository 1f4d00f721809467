import Foundation
import PromptLabCore

/// Printing conventions shared by every subcommand: results to stdout, errors
/// and progress to stderr, colour only on a terminal and never with `NO_COLOR`.
enum Terminal {
    /// Whether stdout gets ANSI colours.
    static let colorsStdout: Bool = {
        let environment = ProcessInfo.processInfo.environment
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isatty(STDOUT_FILENO) == 1
    }()

    enum Style: String {
        case red = "31"
        case green = "32"
        case yellow = "33"
        case cyan = "36"
        case bold = "1"
        case dim = "2"
    }

    /// `text` wrapped in an ANSI style when stdout is a colour terminal.
    static func paint(_ text: String, _ style: Style) -> String {
        colorsStdout ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// `error: MESSAGE`, then `hint: HINT` and, with `--verbose`, `detail: DETAIL`.
    static func printError(_ message: String, hint: String?, detail: String? = nil) {
        var text = "error: \(message)\n"
        if let hint { text += "hint: \(hint)\n" }
        if let detail { text += "detail: \(detail)\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }

    /// Progress and notes that are not the command's result: stderr.
    static func note(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Writes to stdout through the same buffer as `print`, so output keeps its order.
    static func write(_ text: String) {
        print(text, terminator: "")
    }

    /// Prints an output document as JSON (see docs/json-output.md).
    static func writeJSON<Value: Encodable>(_ value: Value) throws {
        write(try JSONOutput.text(value))
    }

    /// `2026-11-30 14:05 +0100` from an output's ISO 8601 date `2026-11-30T14:05:09+01:00`.
    static func shortDate(_ iso: String) -> String {
        guard iso.count >= 25 else { return iso }
        let characters = Array(iso)
        let day = String(characters[0..<10])
        let time = String(characters[11..<16])
        let offset = String(characters[19...]).replacingOccurrences(of: ":", with: "")
        return "\(day) \(time) \(offset)"
    }
}
