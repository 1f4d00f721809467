import Foundation

/// Long text for people: through `$PAGER` on a terminal, straight to stdout otherwise.
///
/// As git does it: the pager runs only when stdout is a terminal (never when piped or
/// redirected), `PAGER` chooses it (default `less -FRX`: quit if one screen, keep colours,
/// leave the text on screen), and an empty `PAGER` or `cat` turns it off. A pager that is not
/// installed is not an error: the text is written directly.
enum Pager {
    static let defaultCommand = "less -FRX"

    /// Writes `text` to stdout, through the pager when there is a terminal to page on.
    static func write(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard isatty(STDOUT_FILENO) == 1, let command = command(environment), let process = launch(command) else {
            Terminal.write(text)
            return
        }
        // While the pager owns the terminal, Ctrl-C is the pager's to handle; and quitting it
        // early closes the pipe, which must end the write quietly rather than kill us with SIGPIPE.
        signal(SIGINT, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        if let input = process.standardInput as? Pipe {
            try? input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
            try? input.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        signal(SIGINT, SIG_DFL)
    }

    /// The pager command, or nil when paging is turned off or the program is not installed.
    static func command(_ environment: [String: String]) -> String? {
        let command = (environment["PAGER"] ?? defaultCommand).trimmingCharacters(in: .whitespaces)
        guard let program = command.split(separator: " ").first.map(String.init), program != "cat" else { return nil }
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? command : nil }
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        let installed = path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }
        return installed ? command : nil
    }

    /// Starts `command` through `/bin/sh -c` (so `PAGER` may quote its arguments, as with git),
    /// reading a pipe and writing to our terminal.
    private static func launch(_ command: String) -> Process? {
        fflush(nil)  // whatever was printed before comes first
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardInput = Pipe()
        do {
            try process.run()
            return process
        } catch {
            return nil
        }
    }
}
