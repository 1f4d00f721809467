import Foundation

/// A `provider/model` string such as `openai/gpt-4o-mini`, parsed.
///
/// The provider is everything before the first `/`; the model is the rest, so models that contain
/// slashes (`openai-compatible/meta-llama/Llama-3.1-8B`) keep them. For `exec/` the "model" is a command
/// line, which may contain spaces and shell-style quotes: `exec/python3 "my classifier.py" --fast`.
public struct ModelReference: Sendable, Hashable, Codable, CustomStringConvertible, LosslessStringConvertible {
    /// The name of a provider PromptLab can talk to: one of ``ProviderDescriptor/all``.
    ///
    /// Each provider's file declares its name (``openai``, ``anthropic``, ``exec``, ...) beside its
    /// ``ProviderDescriptor``. Decoding or ``init(rawValue:)`` accepts only registered names.
    public struct Provider: RawRepresentable, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
        public let rawValue: String

        /// The registered provider called `rawValue`; nil for a name no descriptor has.
        public init?(rawValue: String) {
            guard ProviderDescriptor.named(rawValue) != nil else { return nil }
            self.rawValue = rawValue
        }

        /// Declares a provider name; register its ``ProviderDescriptor`` in ``ProviderDescriptor/all``.
        init(declaring name: String) {
            rawValue = name
        }

        /// Every registered provider, in table order.
        public static var allCases: [Provider] { ProviderDescriptor.all.map(\.provider) }

        public var description: String { rawValue }

        /// The provider's descriptor; nil only for a name declared but not registered.
        public var descriptor: ProviderDescriptor? { ProviderDescriptor.named(rawValue) }
    }

    /// The provider.
    public var provider: Provider
    /// The provider-local model name (or the command line, for `exec`).
    public var model: String

    /// Creates a reference from its parts.
    public init(provider: Provider, model: String) {
        self.provider = provider
        self.model = model
    }

    /// Parses `provider/model`.
    ///
    /// - Throws: ``ProviderError/Kind/invalidConfiguration(_:)`` for a missing slash, an unknown provider,
    ///   an empty model, or whitespace in a model name (only `exec/` commands may contain spaces).
    public init(parsing text: String) throws(ProviderError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let slash = trimmed.firstIndex(of: "/") else {
            throw ModelReference.parseError(
                "'\(trimmed)' is not a model reference: write provider/model, for example openai/gpt-4o-mini")
        }
        let providerText = String(trimmed[..<slash])
        let model = String(trimmed[trimmed.index(after: slash)...])
        guard let provider = Provider(rawValue: providerText.lowercased()) else {
            let known = Provider.allCases.map(\.rawValue).joined(separator: ", ")
            throw ModelReference.parseError("unknown provider '\(providerText)' in '\(trimmed)': use one of \(known)")
        }
        guard !model.isEmpty else {
            throw ModelReference.parseError("'\(trimmed)' names no model after the slash")
        }
        let syntax = provider.descriptor?.modelSyntax ?? .name
        if syntax == .name, model.contains(where: { $0.isWhitespace }) {
            throw ModelReference.parseError("model name '\(model)' in '\(trimmed)' contains whitespace")
        }
        self.init(provider: provider, model: model)
        if syntax == .commandLine { _ = try commandLine() }
    }

    /// Parses `provider/model`; `nil` when the text is not a valid reference.
    public init?(_ description: String) {
        guard let parsed = try? ModelReference(parsing: description) else { return nil }
        self = parsed
    }

    /// `provider/model`, the form the reference was parsed from.
    public var description: String { "\(provider.rawValue)/\(model)" }

    /// For `exec/` references: the command split into program and arguments.
    ///
    /// Splitting follows POSIX shell quoting without expansion: `'single'` quotes are literal, `"double"`
    /// quotes honour `\"` and `\\`, and a backslash outside quotes escapes the next character.
    /// - Throws: ``ProviderError/Kind/invalidConfiguration(_:)`` for an unterminated quote or an empty command.
    public func commandLine() throws(ProviderError) -> [String] {
        let words = try ModelReference.splitCommandLine(model)
        guard !words.isEmpty else { throw ModelReference.parseError("exec/ needs a command, for example exec/./classify.sh") }
        return words
    }

    // MARK: - Codable as a string

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    // MARK: - Command-line splitting

    /// Splits a command line into words, honouring quotes and backslashes (no variable or glob expansion).
    static func splitCommandLine(_ text: String) throws(ProviderError) -> [String] {
        enum Quote { case none, single, double }
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote = Quote.none
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            switch quote {
            case .single:
                if character == "'" { quote = .none } else { current.append(character) }
            case .double:
                if character == "\"" {
                    quote = .none
                } else if character == "\\" {
                    guard let next = iterator.next() else { throw parseError("unterminated quote in command '\(text)'") }
                    if next == "\"" || next == "\\" || next == "$" || next == "`" {
                        current.append(next)
                    } else {
                        current.append(character)
                        current.append(next)
                    }
                } else {
                    current.append(character)
                }
            case .none:
                if character.isWhitespace {
                    if inWord {
                        words.append(current)
                        current = ""
                        inWord = false
                    }
                } else if character == "'" {
                    quote = .single
                    inWord = true
                } else if character == "\"" {
                    quote = .double
                    inWord = true
                } else if character == "\\" {
                    guard let next = iterator.next() else {
                        throw parseError("command '\(text)' ends with a lone backslash")
                    }
                    current.append(next)
                    inWord = true
                } else {
                    current.append(character)
                    inWord = true
                }
            }
        }
        guard quote == .none else { throw parseError("unterminated quote in command '\(text)'") }
        if inWord { words.append(current) }
        return words
    }

    static func parseError(_ message: String) -> ProviderError {
        ProviderError(.invalidConfiguration(message), provider: "model-reference")
    }
}
