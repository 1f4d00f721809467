import Foundation
import PromptLab

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
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(bar) \(text)".utf8))
        } else {
            FileHandle.standardError.write(Data("progress: \(text)\n".utf8))
        }
    }

    /// Ends the live line, if any.
    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func describe(_ p: RunProgress) -> String {
        var parts = ["\(p.done)/\(p.total) cells", String(format: "%.1f/s", p.rate)]
        if let eta = p.etaSeconds { parts.append("ETA \(duration(eta))") }
        parts.append("\(p.errors) errors")
        if p.cached > 0 { parts.append("\(p.cached) cached") }
        parts.append(p.costUSD.map { String(format: "$%.4f", $0) } ?? "cost unknown")
        return parts.joined(separator: "  ")
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.0fs", seconds) }
        if seconds < 3600 { return "\(Int(seconds) / 60)m\(Int(seconds) % 60)s" }
        return "\(Int(seconds) / 3600)h\(Int(seconds) % 3600 / 60)m"
    }
}

/// Runs `body` as a task that the first Ctrl-C cancels; a second Ctrl-C exits at once.
func withInterruptHandling<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let task = Task { try await body() }
    signal(SIGINT, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue(label: "promptlab.sigint"))
    let presses = ManagedAtomicCounter()
    source.setEventHandler {
        if presses.increment() == 1 {
            FileHandle.standardError.write(Data("\ninterrupted: stopping new requests and recording finished ones (Ctrl-C again to quit now)\n".utf8))
            task.cancel()
        } else {
            exit(130)
        }
    }
    source.resume()
    defer {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
    return try await task.value
}

/// A tiny thread-safe counter for the signal handler.
final class ManagedAtomicCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
