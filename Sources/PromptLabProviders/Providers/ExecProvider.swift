import Foundation
import Logging

/// Runs an external program per request: the way to plug in anything PromptLab has no built-in client for.
///
/// **Protocol.** The program gets one JSON object on stdin and must print one JSON object on stdout:
///
/// ```text
/// stdin:  {"model": "...", "messages": [{"role": "user", "content": "..."}],
///          "config": {"temperature": 0.2, "max_output_tokens": 50, "top_p": ..., "top_k": ...,
///                     "stop_sequences": [...], "seed": ..., "response_format": "json",
///                     "response_schema": {...}, "additional": {...}}}   // unset settings are left out
/// stdout: {"text": "...", "input_tokens": 12, "output_tokens": 3, "cached_tokens": 0, "finish_reason": "stop"}
///         // only "text" is required; {"error": "message"} reports a failure
/// ```
///
/// A message with media also has `"parts"`, Genkit's form: `[{"text": "..."}, {"media": {"url": "...",
/// "contentType": "image/png"}}]` (its `content` is then the text alone). Parts reach the program
/// as the prompt gave them, unchecked: the program decides what it can take.
///
/// A non-zero exit status, death by a signal or output that is not such an object fails the request with
/// a one-line error that quotes the first line of stderr. Exit status 75 (`EX_TEMPFAIL`) marks the failure
/// as worth retrying. The program is killed (with everything it started) when the time limit passes or the
/// task is cancelled. The program inherits PromptLab's environment; known API keys are redacted from
/// anything it prints that ends up in an error.
public struct ExecProvider: ChatProvider {
    public let name: String
    /// The program and its arguments.
    public let arguments: [String]
    private let timeout: Duration
    private let environment: [String: String]?
    private let redactor: Redactor
    private let logger: Logger

    /// Creates a provider for an already split command.
    ///
    /// - Parameters:
    ///   - arguments: The program (looked up on `PATH` when it has no slash) and its arguments.
    ///   - timeout: The time limit of one run.
    ///   - environment: The program's environment; `nil` inherits PromptLab's.
    ///   - secrets: Keys to mask in the program's stderr and error messages.
    ///   - logger: Receives one debug line per run.
    public init(
        name: String = "exec",
        arguments: [String],
        timeout: Duration = ProviderSettings.defaultTimeout,
        environment: [String: String]? = nil,
        secrets: [APIKey] = [],
        logger: Logger
    ) {
        self.name = name
        self.arguments = arguments
        self.timeout = timeout
        self.environment = environment
        self.redactor = Redactor(secrets)
        self.logger = logger
    }

    /// Creates a provider from a command line such as `python3 "my classifier.py" --fast`.
    ///
    /// - Throws: ``ProviderError/Kind/invalidConfiguration(_:)`` for an empty command or an unterminated quote.
    public init(
        commandLine: String,
        timeout: Duration = ProviderSettings.defaultTimeout,
        environment: [String: String]? = nil,
        secrets: [APIKey] = [],
        logger: Logger
    ) throws(ProviderError) {
        let words = try ModelReference(provider: .exec, model: commandLine).commandLine()
        self.init(arguments: words, timeout: timeout, environment: environment, secrets: secrets, logger: logger)
    }

    private var commandName: String {
        arguments.first.map { ($0 as NSString).lastPathComponent } ?? "command"
    }

    public func send(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse {
        guard !arguments.isEmpty else {
            throw ProviderError(.invalidConfiguration("exec/ needs a command"), provider: name)
        }
        let input: [UInt8]
        do {
            input = Array(try JSONEncoder.requestBodyEncoder().encode(ExecWire.Input(request)))
        } catch {
            throw ProviderError(.invalidConfiguration("cannot encode the request: \(error)"), provider: name)
        }

        let process = ChildProcess(arguments: arguments, environment: environment, timeout: timeout)
        let output: ChildProcess.Output
        do {
            output = try await process.run(input: input)
        } catch {
            switch error {
            case .spawnFailed(let program, let code):
                throw ProviderError(
                    .execFailed(exitStatus: nil, signal: nil, detail: "cannot start '\(program)': \(String(cString: strerror(code)))"),
                    provider: name)
            case .systemCall(let call, let code):
                throw ProviderError(.transport("\(call) failed: \(String(cString: strerror(code)))"), provider: name)
            }
        }
        logger.debug(
            "exec finished",
            metadata: [
                "command": "\(commandName)", "termination": "\(output.termination)",
                "latency_ms": "\(Int(output.seconds * 1000))",
            ]
        )

        let stderrLine = firstLine(of: output.stderr)
        let stderrSuffix = stderrLine.map { ": \($0)" } ?? " (stderr was empty)"
        if output.cancelled { throw ProviderError(.cancelled, provider: name) }
        if output.timedOut { throw ProviderError(.timeout(seconds: timeout.seconds), provider: name) }
        switch output.termination {
        case .signaled(let signal):
            throw ProviderError(
                .execFailed(
                    exitStatus: nil, signal: signal,
                    detail: "\(commandName) was killed by \(ChildProcess.signalName(signal))\(stderrSuffix)"),
                provider: name)
        case .exited(let status) where status != 0:
            throw ProviderError(
                .execFailed(exitStatus: status, signal: nil, detail: "\(commandName) exited with status \(status)\(stderrSuffix)"),
                provider: name)
        case .exited:
            break
        }
        if output.stdoutTruncated {
            throw ProviderError(.malformedResponse("\(commandName) printed more than 16 MiB on stdout"), provider: name)
        }
        let trimmed = output.stdout.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        guard !trimmed.isEmpty else {
            throw ProviderError(.malformedResponse("\(commandName) printed nothing on stdout\(stderrSuffix)"), provider: name)
        }
        let decoded: ExecWire.Output
        do {
            decoded = try JSONDecoder().decode(ExecWire.Output.self, from: Data(output.stdout))
        } catch {
            let preview = ProviderError.oneLine(redactor(String(decoding: output.stdout.prefix(80), as: UTF8.self)), limit: 80)
            throw ProviderError(
                .malformedResponse(
                    "\(commandName) did not print a JSON object with a \"text\" field (\(HTTPTransport.describe(error))); stdout starts with '\(preview)'"
                ),
                provider: name)
        }
        if let message = decoded.error {
            throw ProviderError(
                .execFailed(exitStatus: 0, signal: nil, detail: "\(commandName) reported: \(redactor(message))"), provider: name)
        }
        guard let text = decoded.text else {
            throw ProviderError(.malformedResponse("\(commandName) printed JSON without a \"text\" field"), provider: name)
        }
        return ChatResponse(
            text: text,
            inputTokens: decoded.inputTokens,
            outputTokens: decoded.outputTokens,
            cachedTokens: decoded.cachedTokens,
            finishReason: decoded.finishReason,
            requestID: nil,
            latencySeconds: output.seconds,
            attempts: 1
        )
    }

    /// The first non-blank line of stderr, redacted and shortened.
    private func firstLine(of bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let line = text.split(whereSeparator: \.isNewline).first(where: { !$0.allSatisfy(\.isWhitespace) }) else {
            return nil
        }
        return ProviderError.oneLine(redactor(String(line)), limit: 200)
    }
}

// MARK: - Wire format

enum ExecWire {
    struct Input: Encodable {
        struct Config: Encodable {
            var temperature: Double?
            var maxOutputTokens: Int?
            var topP: Double?
            var stopSequences: [String]?
            var seed: Int?
            var responseFormat: String?
            var topK: Int?
            var responseSchema: ProviderJSON?
            var additional: [String: ProviderJSON]?

            enum CodingKeys: String, CodingKey {
                case temperature, seed, additional
                case maxOutputTokens = "max_output_tokens"
                case topP = "top_p"
                case stopSequences = "stop_sequences"
                case responseFormat = "response_format"
                case topK = "top_k"
                case responseSchema = "response_schema"
            }
        }
        var model: String
        var messages: [ChatMessage]
        var config: Config

        init(_ request: ChatRequest) {
            model = request.model
            messages = request.messages
            let settings = request.config
            config = Config(
                temperature: settings.temperature,
                maxOutputTokens: settings.maxOutputTokens,
                topP: settings.topP,
                stopSequences: settings.stopSequences,
                seed: settings.seed,
                responseFormat: settings.responseFormat?.rawValue,
                topK: settings.topK,
                responseSchema: settings.responseSchema,
                additional: settings.additional.isEmpty ? nil : settings.additional
            )
        }
    }

    struct Output: Decodable {
        var text: String?
        var inputTokens: Int?
        var outputTokens: Int?
        var cachedTokens: Int?
        var finishReason: String?
        var error: String?

        enum CodingKeys: String, CodingKey {
            case text, error
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
            case cachedTokens = "cached_tokens"
            case finishReason = "finish_reason"
        }
    }
}

// MARK: - Descriptor

extension ModelReference.Provider {
    /// An external program speaking JSON on stdin/stdout.
    public static let exec = Self(declaring: "exec")
}

extension ProviderDescriptor {
    public static let exec = ProviderDescriptor(
        .exec, summary: "an external program (JSON on stdin and stdout)", endpoint: nil, apiKey: .unused, modelSyntax: .commandLine,
        mediaSupport: .anything,
        validateModel: { (reference) throws(ProviderError) in _ = try reference.commandLine() },
        make: { (settings, context) throws(ProviderError) in
            ExecProvider(
                arguments: try settings.reference.commandLine(), timeout: settings.timeout, environment: context.environment,
                secrets: context.secrets, logger: context.logger)
        })
}
