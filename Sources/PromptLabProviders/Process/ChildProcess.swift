import Foundation
import Subprocess
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
/// Built on swift-subprocess, which spawns the program (its own session, only stdin, stdout and stderr
/// inherited, signal handling reset), writes stdin while it reads stdout and stderr (no deadlock on large
/// outputs), watches for the exit without blocking a thread and reaps the program (no zombie). What
/// PromptLab adds, because swift-subprocess 1.0.2 has no such option:
/// - **The time limit.** 1.0.2 only tears a program down when the calling task is cancelled. A timer runs
///   alongside the I/O and, unless the program has exited by then, kills its whole session with `SIGKILL`
///   (so `sh -c 'sleep 100'` leaves no grandchild behind).
/// - **Cancellation of the whole session.** 1.0.2's default teardown signals the program alone; PromptLab
///   sets a teardown that kills its session, and kills the session itself as soon as the task is cancelled.
/// - **Keeping the start of an oversized output.** `.bytes(limit:)` throws `outputLimitExceeded` and returns
///   nothing past the limit; PromptLab streams stdout and stderr (`.sequence`), keeps the first 16 MiB of
///   stdout (reporting `stdoutTruncated`) and the first 64 KiB of stderr, and keeps reading the rest so the
///   program never blocks on a full pipe.
/// - **Surviving a program that exits without reading its input.** 1.0.2 writes stdin with a plain
///   `write(2)` on whichever thread runs the writing task and does nothing about `SIGPIPE`, whose default
///   action would end PromptLab. Ignoring `SIGPIPE` process-wide is not this type's call, so a run's tasks
///   run on ``ChildProcessExecutor``, a thread of its own with `SIGPIPE` blocked, and the write fails with
///   `EPIPE` instead. That thread also keeps reading output and the time limit going while blocking work
///   elsewhere in PromptLab holds every thread of the concurrency pool.
/// - **`ETXTBSY`.** 1.0.2 retries a spawn only on `EAGAIN`; a program file that another thread has just
///   finished writing can refuse to run for a moment, so that is retried briefly here.
/// - **Why a program cannot start.** 1.0.2 reports any program that `exec` rejects with `ENOENT`, `EACCES`
///   or `ENOTDIR` as not found, with `ENOENT`; the file system is asked which it was.
///
/// When the program exits, swift-subprocess stops reading once the pipes are drained, even if a background
/// process it started still holds them open; such a process is not waited for, and is left running like
/// any background process after a normal exit. swift-subprocess also refuses an environment with a name
/// that POSIX does not allow (one that begins with a digit or holds `=`): such a run fails to start with
/// `EINVAL`.
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
        /// The program could not be started, for example because it does not exist (`errno` says why).
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

    /// Describes a program to run.
    ///
    /// - Parameters:
    ///   - arguments: The program (looked up on the `PATH` of its environment when it has no slash) and its
    ///     arguments.
    ///   - environment: The program's environment; `nil` inherits this process's.
    ///   - timeout: The time limit; the program and everything it started are killed when it passes.
    public init(arguments: [String], environment: [String: String]? = nil, timeout: Duration) {
        self.arguments = arguments
        self.environment = environment
        self.timeout = timeout
    }

    /// Runs the program with `input` on stdin and waits for it to end. Cancelling the calling task kills
    /// the program's session.
    ///
    /// - Throws: ``Failure`` only when the program could not be started; a non-zero exit, a signal or a
    ///   time-out is reported in the ``Output``.
    public func run(input: [UInt8]) async throws(Failure) -> Output {
        guard let program = arguments.first, !program.isEmpty else {
            throw .spawnFailed(program: "", errno: ENOENT)
        }
        let configuration = makeConfiguration(program: program)
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + timeout
        let stop = Stop()
        var attempt = 0
        while true {
            let result: ExecutionResult<Collected, SequenceOutput, SequenceOutput>
            do {
                result = try await withTaskExecutorPreference(ChildProcessExecutor.shared) {
                    try await Subprocess.run(
                        configuration, input: .inputWriter, output: .sequence, error: .sequence
                    ) { execution in
                        await communicate(with: execution, input: input, deadline: deadline, stop: stop)
                    }
                }
            } catch {
                let failure = Self.failure(from: error, program: program)
                // Another thread of this process may have just written the program file and one of its own
                // children may hold the descriptor for a moment (ETXTBSY). It clears quickly; retry briefly.
                if case .spawnFailed(_, ETXTBSY) = failure, attempt < 7, !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(5 << attempt))
                    attempt += 1
                    continue
                }
                throw failure
            }
            let termination: Termination =
                switch result.terminationStatus {
                case .exited(let status): .exited(status)
                case .signaled(let signal): .signaled(signal)
                }
            // Killed by PromptLab only if it died of the SIGKILL sent; one that exited on its own at the same
            // moment keeps its own result.
            let killed = termination == .signaled(SIGKILL)
            return Output(
                termination: termination,
                stdout: result.closureResult.stdout,
                stderr: result.closureResult.stderr,
                stdoutTruncated: result.closureResult.stdoutTruncated,
                timedOut: killed && stop.reason == .timedOut,
                cancelled: killed && stop.reason == .cancelled,
                seconds: (clock.now - start).seconds
            )
        }
    }

    private func makeConfiguration(program: String) -> Subprocess.Configuration {
        var options = PlatformOptions()
        // A session of its own: killing it reaches everything the program started (unless something left it
        // with `setsid`), and the program has no controlling terminal to stop on.
        options.createSession = true
        // What swift-subprocess itself does when the task is cancelled before PromptLab's own handler runs.
        options.teardownSequence = [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .zero)]
        let environment: Subprocess.Environment =
            self.environment.map { values in
                .custom(Dictionary(uniqueKeysWithValues: values.map { (Subprocess.Environment.Key(stringLiteral: $0.key), $0.value) }))
            } ?? .inherit
        return Subprocess.Configuration(
            executable: program.contains("/") ? .path(.init(program)) : .name(program),
            // argv[0] is the program as written, as a shell would pass it.
            arguments: Arguments(executablePathOverride: program, remainingValues: Array(arguments.dropFirst())),
            environment: environment,
            platformOptions: options
        )
    }

    /// What the program printed, as kept.
    private struct Collected: Sendable {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var stdoutTruncated = false
    }

    private enum Part: Sendable {
        case stdout([UInt8], truncated: Bool)
        case stderr([UInt8])
        case done
    }

    /// Writes stdin, reads stdout and stderr and enforces the time limit, all at once; returns once the
    /// program has exited (swift-subprocess reaps it only after this returns, so its process ID, and with
    /// it the session to kill, cannot be reused before then).
    private func communicate(
        with execution: Execution<CustomWriteInput, SequenceOutput, SequenceOutput>,
        input: [UInt8],
        deadline: ContinuousClock.Instant,
        stop: Stop
    ) async -> Collected {
        await withTaskCancellationHandler {
            await withTaskGroup(of: Part.self) { group in
                group.addTask {
                    // A program may exit or close stdin without reading it all: not an error of the run.
                    let writer = execution.standardInputWriter
                    if !input.isEmpty { _ = try? await writer.write(input) }
                    try? await writer.finish()
                    return .done
                }
                group.addTask {
                    let (kept, truncated) = await Self.collect(execution.standardOutput, keeping: maxStdoutBytes)
                    return .stdout(kept, truncated: truncated)
                }
                group.addTask {
                    .stderr(await Self.collect(execution.standardError, keeping: maxStderrBytes).kept)
                }
                group.addTask {
                    await withTaskGroup(of: Void.self) { limit in
                        limit.addTask {
                            // Returns once the program has exited. 1.0.2 has no other way to await the exit
                            // here; signal 0 sends nothing, and the step's kill is never reached.
                            await execution.teardown(using: [
                                .send(signal: Signal(rawValue: 0), toProcessGroup: true, allowedDurationToNextStep: .seconds(366 * 86_400))
                            ])
                        }
                        limit.addTask {
                            // The time limit, measured from the start.
                            guard (try? await Task.sleep(until: deadline)) != nil else { return }
                            Self.killSession(execution, because: .timedOut, stop)
                        }
                        // The first to end: the exit stops the clock; a kill leaves the exit to wait for.
                        await limit.next()
                        limit.cancelAll()
                    }
                    return .done
                }
                var collected = Collected()
                for await part in group {
                    switch part {
                    case .stdout(let bytes, let truncated):
                        collected.stdout = bytes
                        collected.stdoutTruncated = truncated
                    case .stderr(let bytes):
                        collected.stderr = bytes
                    case .done:
                        break
                    }
                }
                return collected
            }
        } onCancel: {
            Self.killSession(execution, because: .cancelled, stop)
        }
    }

    /// Kills the program's session, unless the program has already exited (its result then stands, however
    /// late this runs) or was already killed for the other reason.
    private static func killSession(
        _ execution: Execution<CustomWriteInput, SequenceOutput, SequenceOutput>, because reason: Stop.Reason, _ stop: Stop
    ) {
        // Whether it exited, without reaping it: swift-subprocess reaps it after the run's body returns.
        var info = siginfo_t()
        let exited =
            waitid(P_PID, id_t(execution.processIdentifier.value), &info, WEXITED | WNOHANG | WNOWAIT) == 0
            && info.si_signo == SIGCHLD
        if !exited, stop.claim(reason) { try? execution.send(signal: .kill, toProcessGroup: true) }
    }

    /// Reads a stream to its end, keeping its first `limit` bytes; a read error ends it like end-of-file.
    private static func collect(_ stream: SubprocessOutputSequence, keeping limit: Int) async -> (kept: [UInt8], truncated: Bool) {
        var kept: [UInt8] = []
        var truncated = false
        do {
            for try await buffer in stream {
                let room = max(0, limit - kept.count)
                if buffer.count > room { truncated = true }
                buffer.withUnsafeBytes { kept.append(contentsOf: $0.prefix(room)) }
            }
        } catch {}
        return (kept, truncated)
    }

    /// Why PromptLab killed the program, decided once: the time limit or cancellation, whichever came first.
    final class Stop: Sendable {
        enum Reason: UInt8 { case none, timedOut, cancelled }
        private let value = Atomic<UInt8>(Reason.none.rawValue)

        @discardableResult
        func claim(_ reason: Reason) -> Bool {
            value.compareExchange(expected: Reason.none.rawValue, desired: reason.rawValue, ordering: .acquiringAndReleasing).exchanged
        }

        var reason: Reason { Reason(rawValue: value.load(ordering: .acquiring)) ?? .none }
    }

    private static func failure(from error: any Error, program: String) -> Failure {
        guard let error = error as? SubprocessError else { return .systemCall("running \(program)", errno: EIO) }
        let code = error.underlyingError?.rawValue
        switch error.code {
        case .executableNotFound: return .spawnFailed(program: program, errno: whyNotExecutable(program))
        case .spawnFailed: return .spawnFailed(program: program, errno: code ?? EINVAL)
        case .failedToMonitorProcess: return .systemCall("waitid", errno: code ?? EIO)
        case .asyncIOFailed: return .systemCall("pipe", errno: code ?? EIO)
        default: return .systemCall("I/O with \(program)", errno: code ?? EIO)
        }
    }

    /// The `errno` that `exec` gave for a program swift-subprocess reports as not found.
    private static func whyNotExecutable(_ program: String) -> Int32 {
        guard program.contains("/") else { return ENOENT }
        if access(program, X_OK) != 0 { return errno }
        var info = stat()
        let isDirectory = stat(program, &info) == 0 && (info.st_mode & numericCast(S_IFMT)) == numericCast(S_IFDIR)
        return isDirectory ? EACCES : ENOENT
    }

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

/// Runs the tasks of every ``ChildProcess`` run (swift-subprocess's reading, writing and waiting tasks
/// inherit it) on one thread of its own, on which `SIGPIPE` is blocked, so a write to a program that exited
/// without reading its input fails with `EPIPE` instead of ending PromptLab. The signal such a write raises
/// stays pending on this thread, never delivered. All its work is non-blocking I/O, so one thread serves
/// any number of runs, and blocking work on the concurrency pool cannot stall it.
///
/// The hand-written part that swift-subprocess 1.0.2 lacks: it writes stdin with `write(2)` on the thread
/// of the writing task (its `StandardInputWriter` is a default actor, so it runs on the task's preferred
/// executor) and neither blocks nor ignores `SIGPIPE`.
final class ChildProcessExecutor: TaskExecutor {
    static let shared = ChildProcessExecutor()

    private let jobs = Mutex<[UnownedJob]>([])
    private let ready = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in runJobs() }
        thread.name = "promptlab-exec"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        ready.signal()
    }

    private func runJobs() {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
        while true {
            ready.wait()
            let job = jobs.withLock { $0.removeFirst() }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
