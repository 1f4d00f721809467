import Foundation

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
        case red = "31", green = "32", yellow = "33", cyan = "36", bold = "1", dim = "2"
    }

    /// `text` wrapped in an ANSI style when stdout is a colour terminal.
    static func paint(_ text: String, _ style: Style) -> String {
        colorsStdout ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    static func printError(_ message: String, hint: String?) {
        var text = "error: \(message)\n"
        if let hint { text += "hint: \(hint)\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }

    /// Writes to stdout through the same buffer as `print`, so output keeps its order.
    static func write(_ text: String) {
        print(text, terminator: "")
    }
}
