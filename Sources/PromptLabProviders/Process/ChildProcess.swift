import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one external program to completion: feeds it `input` on stdin, collects stdout and stderr, and
/// enforces a time limit.
///
/// Built directly on `posix_spawn` and `poll` so that it can
/// - read stdout and stderr at the same time as it writes stdin (no deadlock on large outputs),
/// - start the program in its own process group and kill the whole group on time-out or cancellation
///   (so `sh -c 'sleep 100'` does not leave a grandchild holding the pipes open),
/// - survive a program that exits without reading its input (`SIGPIPE` is blocked on the I/O thread).
/// The blocking loop runs on a thread of its own, never on the Swift concurrency pool.
///
/// Public so that other modules (the `exec` grader) can run programs the same way as ``ExecProvider``.
public struct ChildProcess: Sendable {
    /// How the program ended.
    public enum Termination: Sendable, Hashable {
        /// It exited with this status.
        case exited(Int32)
        /// It was killed by this signal.
        case signaled(Int32)
    }

    /// What a finished program left behind.
    public struct Output: Sendable {
        /// How it ended (a program killed on time-out or cancellation shows as `signaled(SIGKILL)`).
        public var termination: Termination
        /// Its standard output, at most 16 MiB.
        public var stdout: [UInt8]
        /// The start of its standard error.
        public var stderr: [UInt8]
        /// Whether stdout was longer than the limit and cut.
        public var stdoutTruncated: Bool
        /// Whether it was killed because the time limit passed.
        public var timedOut: Bool
        /// Whether it was killed because the calling task was cancelled.
        public var cancelled: Bool
        /// Wall-clock seconds from start to end.
        public var seconds: Double
    }

    /// Why a program could not be run at all.
    public enum Failure: Error, Sendable {
        /// `posix_spawnp` failed, for example because the program does not exist (`errno` says why).
        case spawnFailed(program: String, errno: Int32)
        /// A system call needed to set the program up failed.
        case systemCall(String, errno: Int32)
    }

    var arguments: [String]
    var environment: [String: String]?
    var timeout: Duration
    /// Bytes of stdout kept; more is read and dropped (and reported as truncated).
    var maxStdoutBytes = 16 * 1024 * 1024
    /// Bytes of stderr kept; only its start is ever shown.
    var maxStderrBytes = 64 * 1024
    /// How long to keep reading after the program exited while something it started still holds the pipes.
    var exitGrace: Duration = .milliseconds(500)

    /// Describes a program to run.
    ///
    /// - Parameters:
    ///   - arguments: The program (looked up on `PATH` when it has no slash) and its arguments.
    ///   - environment: The program's environment; `nil` inherits this process's.
    ///   - timeout: The time limit; the program and everything it started are killed when it passes.
    public init(arguments: [String], environment: [String: String]? = nil, timeout: Duration) {
        self.arguments = arguments
        self.environment = environment
        self.timeout = timeout
    }

    /// Runs the program with `input` on stdin and waits for it to end. Cancelling the calling task kills
    /// the process group.
    ///
    /// - Throws: ``Failure`` only when the program could not be started; a non-zero exit, a signal or a
    ///   time-out is reported in the ``Output``.
    public func run(input: [UInt8]) async throws(Failure) -> Output {
        let control = Control()
        let result: Result<Output, Failure> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    continuation.resume(returning: Result { () throws(Failure) -> Output in
                        try self.runBlocking(input: input, control: control)
                    })
                }
                thread.name = "promptlab-exec"
                thread.start()
            }
        } onCancel: {
            control.cancel()
        }
        return try result.get()
    }

    /// A flag the async side uses to ask the blocking loop to stop.
    final class Control: Sendable {
        private let cancelled = Atomic<Bool>(false)

        func cancel() {
            cancelled.store(true, ordering: .releasing)
        }

        var isCancelled: Bool {
            cancelled.load(ordering: .acquiring)
        }
    }

    // MARK: - The blocking part

    private func runBlocking(input: [UInt8], control: Control) throws(Failure) -> Output {
        let clock = ContinuousClock()
        let start = clock.now

        // This thread is ours alone: block SIGPIPE on it, so a write to a program that exited without
        // reading its input fails with EPIPE instead of killing PromptLab. (A thread-directed signal left
        // pending is discarded when the thread ends.)
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)

        var stdinPipe: [Int32] = [-1, -1]
        var stdoutPipe: [Int32] = [-1, -1]
        var stderrPipe: [Int32] = [-1, -1]
        guard ChildProcess.makePipe(&stdinPipe), ChildProcess.makePipe(&stdoutPipe), ChildProcess.makePipe(&stderrPipe) else {
            let code = errno
            for fd in stdinPipe + stdoutPipe + stderrPipe where fd >= 0 { close(fd) }
            throw .systemCall("pipe", errno: code)
        }

        let pid: pid_t
        do {
            pid = try spawn(stdin: stdinPipe[0], stdout: stdoutPipe[1], stderr: stderrPipe[1])
        } catch {
            for fd in stdinPipe + stdoutPipe + stderrPipe { close(fd) }
            throw error
        }
        close(stdinPipe[0])
        close(stdoutPipe[1])
        close(stderrPipe[1])

        var stdinFD: Int32 = stdinPipe[1]
        var stdoutFD: Int32 = stdoutPipe[0]
        var stderrFD: Int32 = stderrPipe[0]
        for fd in [stdinFD, stdoutFD, stderrFD] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        if input.isEmpty {
            close(stdinFD)
            stdinFD = -1
        }

        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var stdoutTruncated = false
        var written = 0
        var termination: Termination?
        var exitedAt: ContinuousClock.Instant?
        var killed = false
        var timedOut = false
        var cancelled = false
        let deadline = start + timeout
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)

        func killGroup() {
            if !killed {
                // The child leads its own process group, so this reaches everything it started.
                _ = kill(-pid, SIGKILL)
                _ = kill(pid, SIGKILL)
                killed = true
            }
        }

        while true {
            // Reap the child without blocking.
            if termination == nil {
                var status: Int32 = 0
                let reaped = waitpid(pid, &status, WNOHANG)
                if reaped == pid {
                    termination = ChildProcess.termination(from: status)
                    exitedAt = clock.now
                }
            }
            let outputsOpen = stdoutFD >= 0 || stderrFD >= 0
            if termination != nil {
                if !outputsOpen { break }
                if let exitedAt, clock.now - exitedAt > exitGrace {
                    // Something the program started still holds the pipes: stop it and stop reading.
                    _ = kill(-pid, SIGKILL)
                    break
                }
            }
            if !killed {
                if control.isCancelled {
                    cancelled = true
                    killGroup()
                } else if clock.now >= deadline {
                    timedOut = true
                    killGroup()
                }
            }

            var fds: [pollfd] = []
            if stdinFD >= 0 { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
            if stdoutFD >= 0 { fds.append(pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)) }
            if stderrFD >= 0 { fds.append(pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)) }
            if fds.isEmpty {
                // Only the exit is left to wait for.
                usleep(2_000)
                continue
            }
            let ready = poll(&fds, nfds_t(fds.count), 20)
            if ready < 0 {
                if errno == EINTR { continue }
                killGroup()
                break
            }
            if ready == 0 { continue }

            for entry in fds where entry.revents != 0 {
                if entry.fd == stdinFD {
                    let remaining = input.count - written
                    let sent = input.withUnsafeBytes { raw in write(stdinFD, raw.baseAddress! + written, remaining) }
                    if sent > 0 {
                        written += sent
                        if written == input.count {
                            close(stdinFD)
                            stdinFD = -1
                        }
                    } else if sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                        // The program closed its stdin (or exited) without reading everything: not our error.
                        close(stdinFD)
                        stdinFD = -1
                    }
                } else {
                    let isStdout = entry.fd == stdoutFD
                    let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress!, $0.count) }
                    if count > 0 {
                        if isStdout {
                            let room = maxStdoutBytes - stdout.count
                            if room >= count {
                                stdout.append(contentsOf: buffer[0..<count])
                            } else {
                                if room > 0 { stdout.append(contentsOf: buffer[0..<room]) }
                                stdoutTruncated = true
                            }
                        } else {
                            let room = maxStderrBytes - stderr.count
                            if room > 0 { stderr.append(contentsOf: buffer[0..<min(room, count)]) }
                        }
                    } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                        close(entry.fd)
                        if isStdout { stdoutFD = -1 } else { stderrFD = -1 }
                    }
                }
            }
        }

        for fd in [stdinFD, stdoutFD, stderrFD] where fd >= 0 { close(fd) }
        if termination == nil {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            termination = ChildProcess.termination(from: status)
        }
        return Output(
            termination: termination ?? .signaled(SIGKILL),
            stdout: stdout,
            stderr: stderr,
            stdoutTruncated: stdoutTruncated,
            timedOut: timedOut,
            cancelled: cancelled,
            seconds: (clock.now - start).seconds
        )
    }

    /// A pipe whose both ends close on `exec`, created atomically so that no other program spawned at the
    /// same moment inherits them (which would delay end-of-file).
    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        #if os(Linux)
        return systemPipe2(&fds, O_CLOEXEC) == 0
        #else
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
        #endif
    }

    private static func termination(from status: Int32) -> Termination {
        let low = status & 0x7f
        if low == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(low)
    }

    /// Starts the program in a new process group with default signal handling and the given descriptors.
    private func spawn(stdin: Int32, stdout: Int32, stderr: Int32) throws(Failure) -> pid_t {
        #if os(Linux)
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #else
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        #if os(Linux)
        // Give the program nothing but stdin, stdout and stderr: no sockets or files of PromptLab's.
        if let closeFrom = ChildProcess.addCloseFrom { _ = closeFrom(&actions, 3) }
        #endif

        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2] {
            sigaddset(&defaultSignals, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        var flags = Int32(POSIX_SPAWN_SETPGROUP) | Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)
        #if canImport(Darwin)
        flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let environmentStrings: [UnsafeMutablePointer<CChar>?]?
        if let environment {
            environmentStrings = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        } else {
            environmentStrings = nil
        }
        defer { environmentStrings?.forEach { free($0) } }

        var pid: pid_t = 0
        var result: Int32 = 0
        // ETXTBSY: another thread of this process is writing the program file, or a program spawned
        // elsewhere still holds a write descriptor to it for a moment. It clears quickly; retry briefly.
        for attempt in 0..<8 {
            result = argv.withUnsafeBufferPointer { argvBuffer in
                if let environmentStrings {
                    return environmentStrings.withUnsafeBufferPointer { envBuffer in
                        posix_spawnp(&pid, argvBuffer[0]!, &actions, &attributes, argvBuffer.baseAddress!, envBuffer.baseAddress!)
                    }
                }
                #if canImport(Darwin)
                let inherited = _NSGetEnviron().pointee
                #else
                let inherited = environ
                #endif
                return posix_spawnp(&pid, argvBuffer[0]!, &actions, &attributes, argvBuffer.baseAddress!, inherited)
            }
            guard result == ETXTBSY else { break }
            usleep(useconds_t(5_000 << attempt))
        }
        guard result == 0 else { throw .spawnFailed(program: arguments.first ?? "", errno: result) }
        return pid
    }

    #if os(Linux)
    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), looked up at run time so that
    /// older systems still run (their children then inherit descriptors not marked close-on-exec).
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(
            symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()
    #endif

    /// A readable name for a signal number, such as `SIGKILL`.
    public static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGABRT: "SIGABRT",
            SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGBUS: "SIGBUS", SIGSEGV: "SIGSEGV", SIGPIPE: "SIGPIPE",
            SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGUSR1: "SIGUSR1", SIGUSR2: "SIGUSR2",
        ]
        return names[signal] ?? "signal \(signal)"
    }
}

#if os(Linux)
/// glibc's `pipe2(2)`, which the Glibc module does not export (it sits behind `_GNU_SOURCE`).
@_silgen_name("pipe2")
private func systemPipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
#endif
