import AsyncHTTPClient
import Foundation
import Logging
import PromptLabTestSupport
import ProviderTestServer
import Testing

@testable import PromptLabProviders

// MARK: - Server and client

/// Runs `body` with a fresh loopback server and an HTTP client configured as the providers expect.
func withServerAndClient<Result>(
    configuration: ProviderTestServer.Configuration = .init(),
    _ body: (ProviderTestServer, HTTPClient) async throws -> Result
) async throws -> Result {
    try await ProviderTestServer.withServer(configuration: configuration) { server in
        try await HTTPClient.withHTTPClient(configuration: .promptLabProviders()) { client in
            try await body(server, client)
        }
    }
}

/// A retry policy with tiny back-off, for tests.
func fastRetries(_ attempts: Int = 4) -> RetryPolicy {
    RetryPolicy(maxAttempts: attempts, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5))
}

/// Runs `body` and returns the `ProviderError` it throws, recording an issue when it succeeds or throws
/// something else.
func providerError<T>(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> T
) async -> ProviderError? {
    do {
        let value = try await body()
        Issue.record("expected a ProviderError, got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch let error as ProviderError {
        return error
    } catch {
        Issue.record("expected a ProviderError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Wall-clock seconds taken by `body`.
func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let value = try await body()
    let elapsed = clock.now - start
    return (value, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
}

// MARK: - Logs

/// Collects every log line, with its metadata, so tests can search them.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []

    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }

    func append(_ line: String) {
        lock.lock()
        storage.append(line)
        lock.unlock()
    }

    /// A logger at trace level that writes here.
    func logger(label: String = "test") -> Logger {
        var logger = Logger(label: label) { _ in CapturingLogHandler(capture: self) }
        logger.logLevel = .trace
        return logger
    }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { _, new in new }
        let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let error = event.error.map { " error=\(String(reflecting: $0))" } ?? ""
        capture.append("\(event.level) \(event.source) \(event.message) \(rendered)\(error)")
    }
}

/// A logger that drops everything.
let quietLogger = Logger(label: "quiet") { _ in SwiftLogNoOpLogHandler() }

// MARK: - Files

/// A fresh temporary directory, removed when the returned handle is released by `defer`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = TestFolders.rootURL.appendingPathComponent("promptlab-providers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var path: String { url.path }

    /// Writes an executable shell script and returns its path.
    @discardableResult
    func script(_ name: String, _ body: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try ("#!/bin/sh\n" + body + "\n").write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        return file.path
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
