import Logging

/// Passes log records on to another logger with every configured secret redacted from the message and
/// the metadata.
///
/// The providers' loggers also reach AsyncHTTPClient, which at `trace` level logs whole response heads,
/// headers included, so a server that echoes a key in `x-request-id` would otherwise put it in the logs.
/// ``ProviderRegistry/makeProvider(settings:)`` gives providers a logger through this handler, so
/// everything logged on their behalf passes the same ``Redactor`` as their answers and errors.
struct RedactingLogHandler: LogHandler {
    /// Where records go once redacted.
    private var base: Logger
    private let redactor: Redactor
    var metadata: Logger.Metadata = [:]

    /// A logger that writes to `base` through a redacting handler.
    static func logger(_ base: Logger, redactor: Redactor) -> Logger {
        Logger(label: base.label) { _ in RedactingLogHandler(base: base, redactor: redactor) }
    }

    private init(base: Logger, redactor: Redactor) {
        self.base = base
        self.redactor = redactor
    }

    var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let redacted = merged.mapValues { value -> Logger.Metadata.Value in
            let text = value.description
            let clean = redactor(text)
            return clean == text ? value : .string(clean)
        }
        base.log(
            level: event.level, "\(redactor(event.message.description))", metadata: redacted.isEmpty ? nil : redacted,
            source: event.source, file: event.file, function: event.function, line: event.line)
    }
}
