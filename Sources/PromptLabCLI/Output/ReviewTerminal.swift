import Foundation
import PromptExperiments

/// Draws review items and reads single keys (raw mode on a terminal, lines otherwise).
final class ReviewTerminal {
    private let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
    private var width: Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 40 { return Int(size.ws_col) }
        return 100
    }

    func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    func show(_ item: ReviewQueue.Item, position: Int, of total: Int) {
        let column = (width - 3) / 2
        var text = "\n" + Terminal.paint("── case \(item.caseID) (\(position)/\(total)) ", .bold) + "\n"
        text += item.input + "\n"
        if let expected = item.expected { text += Terminal.paint("expected: \(expected)", .dim) + "\n" }
        let left = Self.wrap(item.leftOutput, width: column)
        let right = Self.wrap(item.rightOutput, width: column)
        text +=
            Terminal.paint("LEFT".padding(toLength: column, withPad: " ", startingAt: 0), .cyan) + " │ "
            + Terminal.paint("RIGHT", .cyan) + "\n"
        for row in 0..<max(left.count, right.count) {
            let l = row < left.count ? left[row] : ""
            let r = row < right.count ? right[row] : ""
            text += l.padding(toLength: column, withPad: " ", startingAt: 0) + " │ " + r + "\n"
        }
        text += "[a] left better  [b] right better  [t] tie  [s] skip  [q] quit: "
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// The next choice, or nil to stop (q, end of input).
    func readChoice() -> ReviewQueue.Choice? {
        while true {
            guard let key = interactive ? readKey() : readLine()?.trimmingCharacters(in: .whitespaces).lowercased().first
            else { return nil }
            if interactive { say(String(key)) }
            switch key {
            case "a": return .left
            case "b": return .right
            case "t": return .tie
            case "s": return .skip
            case "q": return nil
            default: FileHandle.standardOutput.write(Data("press a, b, t, s or q: ".utf8))
            }
        }
    }

    /// One key press in raw mode, restoring the terminal afterwards.
    private func readKey() -> Character? {
        var original = termios()
        tcgetattr(STDIN_FILENO, &original)
        var raw = original
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &raw)
        defer { tcsetattr(STDIN_FILENO, TCSANOW, &original) }
        var byte: UInt8 = 0
        guard read(STDIN_FILENO, &byte, 1) == 1 else { return nil }
        if byte == 3 || byte == 4 { return "q" }  // Ctrl-C, Ctrl-D
        return Character(UnicodeScalar(byte)).lowercased().first
    }

    static func wrap(_ text: String, width: Int) -> [String] {
        var lines = [String]()
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
                if line.count + word.count + 1 > width, !line.isEmpty {
                    lines.append(line)
                    line = ""
                }
                var rest = Substring(word)
                while rest.count > width {
                    lines.append(String(rest.prefix(width)))
                    rest = rest.dropFirst(width)
                }
                line += line.isEmpty ? String(rest) : " " + rest
            }
            lines.append(line)
        }
        return lines
    }
}
