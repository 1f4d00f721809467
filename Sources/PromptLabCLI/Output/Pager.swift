import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

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
        guard isatty(STDOUT_FILENO) == 1, let command = command(environment) else {
            Terminal.write(text)
            return
        }
        fflush(nil)  // whatever was printed before comes first
        // Quitting the pager early closes the pipe, which must end the write quietly rather than
        // kill us with SIGPIPE; and while the pager owns the terminal, Ctrl-C is the pager's.
        signal(SIGPIPE, SIG_IGN)
        guard let pager = spawn(command, environment: environment) else {
            Terminal.write(text)
            return
        }
        signal(SIGINT, SIG_IGN)
        defer { signal(SIGINT, SIG_DFL) }
        let input = FileHandle(fileDescriptor: pager.input, closeOnDealloc: false)
        try? input.write(contentsOf: Data(text.utf8))  // fails with EPIPE when the reader quit early
        try? input.close()
        var status: Int32 = 0
        while waitpid(pager.pid, &status, 0) < 0, errno == EINTR {}
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

    /// Starts `/bin/sh -c command` (so `PAGER` may quote its arguments, as with git) reading a new
    /// pipe and writing to our terminal.
    ///
    /// Not Foundation's `Process`: it puts the child in a process group of its own, and a pager
    /// outside the terminal's foreground group is stopped (SIGTTOU) as soon as it sets up the
    /// terminal. `posix_spawn` keeps the pager in our group, as git's fork and exec do.
    ///
    /// - Returns: the pager's pid and the pipe's write end, or nil when it cannot be started.
    private static func spawn(_ command: String, environment: [String: String]) -> (pid: pid_t, input: Int32)? {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        #if os(Linux)
            var actions = posix_spawn_file_actions_t()
            var attributes = posix_spawnattr_t()
        #else
            var actions: posix_spawn_file_actions_t? = nil
            var attributes: posix_spawnattr_t? = nil
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        // The pager starts with default signal handling and nothing blocked, whatever ours are.
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let arguments: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command].map { (text: String) in strdup(text) } + [nil]
        let variables: [UnsafeMutablePointer<CChar>?] =
            environment.map { (key: String, value: String) in strdup("\(key)=\(value)") } + [nil]
        defer {
            for pointer in arguments { free(pointer) }
            for pointer in variables { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/bin/sh", &actions, &attributes, arguments, variables)
        close(fds[0])
        guard result == 0 else {
            close(fds[1])
            return nil
        }
        return (pid, fds[1])
    }
}
