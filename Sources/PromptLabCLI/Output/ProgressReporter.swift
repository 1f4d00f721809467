import Foundation
import PromptExperiments
import PromptLabCore
import Synchronization

/// Shows a run's progress on stderr: a live bar on a terminal, otherwise a
/// plain line every few seconds. Results go to stdout separately.
final class ProgressReporter {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastDraw = ContinuousClock.now
    private let interval: Duration

    init() {
        interval = isatty(STDERR_FILENO) == 1 ? .milliseconds(100) : .seconds(2)
    }

    func update(_ progress: RunProgress) {
        let now = ContinuousClock.now
        guard now - lastDraw >= interval || progress.done == progress.total else { return }
        lastDraw = now
        let text = Self.describe(progress)
        if isTerminal {
            let width = 24
            let filled = progress.total == 0 ? width : width * progress.done / progress.total
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            Terminal.note("\r\u{1B}[2K\(bar) \(text)")
        } else {
            Terminal.note("progress: \(text)\n")
        }
    }

    /// Ends the live line, if any.
    func finish() {
        if isTerminal { Terminal.note("\n") }
    }

    static func describe(_ p: RunProgress) -> String {
        var parts = ["\(p.done)/\(p.total) cells", String(format: "%.1f/s", p.rate)]
        if let eta = p.etaSeconds { parts.append("ETA \(duration(eta))") }
        parts.append("\(p.errors) errors")
        if p.cached > 0 { parts.append("\(p.cached) cached") }
        parts.append(Money.usd(p.costUSD, unknown: "cost unknown"))
        return parts.joined(separator: "  ")
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.0fs", seconds) }
        if seconds < 3600 { return "\(Int(seconds) / 60)m\(Int(seconds) % 60)s" }
        return "\(Int(seconds) / 3600)h\(Int(seconds) % 3600 / 60)m"
    }
}

/// Shows judge and exec grading progress on stderr: a live line on a terminal, else a line every few seconds.
final class GradingProgressPrinter {
    private let enabled: Bool
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastDraw = ContinuousClock.now
    private var drew = false

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func update(_ progress: GradingProgress) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let interval: Duration = isTerminal ? .milliseconds(100) : .seconds(2)
        guard now - lastDraw >= interval || progress.done == progress.total else { return }
        lastDraw = now
        let text = "grading: \(progress.done)/\(progress.total) judge and exec grades, \(progress.failures) failed"
        if isTerminal {
            Terminal.note("\r\u{1B}[2K\(text)")
            drew = true
        } else {
            Terminal.note("\(text)\n")
        }
    }

    func finish() {
        if drew { Terminal.note("\n") }
    }
}

/// Runs `body` as a task that the first Ctrl-C cancels; a second Ctrl-C exits at once.
///
/// The services stop new work when their task is cancelled and return what finished, so the
/// command can still print it and exit 130.
func withInterruptHandling<T: Sendable>(_ body: sending @escaping () async throws -> T) async throws -> T {
    let task = Task { try await body() }
    signal(SIGINT, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue(label: "promptlab.sigint"))
    let presses = PressCounter()
    source.setEventHandler {
        if presses.increment() == 1 {
            Terminal.note("\ninterrupted: stopping new requests and recording finished ones (Ctrl-C again to quit now)\n")
            task.cancel()
        } else {
            exit(ExitStatus.interrupted.code)
        }
    }
    source.resume()
    defer {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
    return try await task.value
}

/// Counts Ctrl-C presses from the signal handler's queue.
private final class PressCounter: Sendable {
    private let count = Mutex(0)

    func increment() -> Int {
        count.withLock { value in
            value += 1
            return value
        }
    }
}
