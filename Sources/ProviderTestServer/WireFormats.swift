import Foundation

/// The three vendor dialects the server speaks.
public enum Vendor: String, Sendable, Hashable, CaseIterable {
    /// OpenAI Chat Completions (also Ollama's and other compatible servers' `/v1`).
    case openai
    /// Anthropic Messages.
    case anthropic
    /// Gemini `generateContent`.
    case gemini
}

/// One response to write: a whole body, or a stream of server-sent events.
struct Reply {
    var status: Int
    var headers: [(String, String)] = []
    var body: Data
    /// When set, the reply is `text/event-stream` and these events are its body (``body`` is unused).
    var stream: EventStream?

    /// Applies `change` to the body and to every event, for hostile rewrites of the bytes.
    mutating func rewriteBytes(_ change: (Data) -> Data) {
        body = change(body)
        if var stream {
            stream.opening = stream.opening.map(change)
            stream.deltas = stream.deltas.map(change)
            stream.closing = stream.closing.map(change)
            self.stream = stream
        }
    }
}

/// The server-sent events of a streamed answer, each one encoded with its blank line, in three parts so
/// that faults can cut the stream after a number of text deltas.
struct EventStream {
    /// Before the first delta: OpenAI's role chunk; Anthropic's `message_start`, thinking block, `ping` and
    /// text block start; Gemini's thought.
    var opening: [Data]
    /// One event per text delta.
    var deltas: [Data]
    /// After the last delta: the finish reason, the usage and the terminator.
    var closing: [Data]

    var events: [Data] { opening + deltas + closing }
}

/// Request checking and answer building for each vendor's wire format. Pure functions over JSON values.
enum WireFormats {
    // MARK: - Routing

    /// Where a request went: the vendor, the model named in the path (Gemini) and whether the path is
    /// a streaming endpoint (Gemini's `:streamGenerateContent`; the others stream on `"stream": true`).
    struct Route {
        var vendor: Vendor
        var model: String?
        var isStreamEndpoint = false

        /// Whether the answer to `body` is streamed.
        func streams(_ body: JSONValue?) -> Bool {
            switch vendor {
            case .openai, .anthropic: body?["stream"]?.boolValue == true
            case .gemini: isStreamEndpoint
            }
        }
    }

    /// The route of a path, or `nil` for an unknown path.
    static func route(path: String) -> Route? {
        if path == "/v1/chat/completions" { return Route(vendor: .openai) }
        if path == "/v1/messages" { return Route(vendor: .anthropic) }
        let prefix = "/v1beta/models/"
        for (suffix, streams) in [(":generateContent", false), (":streamGenerateContent", true)] {
            if path.hasPrefix(prefix), path.hasSuffix(suffix), path.count > prefix.count + suffix.count {
                let model = String(path.dropFirst(prefix.count).dropLast(suffix.count))
                return Route(vendor: .gemini, model: model.removingPercentEncoding ?? model, isStreamEndpoint: streams)
            }
        }
        return nil
    }

    // MARK: - Authentication

    /// An error reply when the request's credentials are missing or wrong, else `nil`.
    static func authenticate(_ vendor: Vendor, _ request: RecordedRequest, expectedKey: String?) -> Reply? {
        switch vendor {
        case .openai:
            guard let header = request.header("authorization"), header.hasPrefix("Bearer "),
                header.count > "Bearer ".count
            else {
                return error(
                    .openai, status: 401, type: "invalid_request_error", code: nil,
                    message:
                        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
                )
            }
            let token = String(header.dropFirst("Bearer ".count))
            if let expectedKey, token != expectedKey {
                // Like the real API, echo the key in the message: clients must redact it.
                return error(
                    .openai, status: 401, type: "invalid_request_error", code: "invalid_api_key",
                    message: "Incorrect API key provided: \(token). You can find your API key in your account settings.")
            }
        case .anthropic:
            guard let key = request.header("x-api-key"), !key.isEmpty else {
                return error(.anthropic, status: 401, type: "authentication_error", code: nil, message: "x-api-key header is required")
            }
            if let expectedKey, key != expectedKey {
                return error(.anthropic, status: 401, type: "authentication_error", code: nil, message: "invalid x-api-key \(key)")
            }
        case .gemini:
            guard let key = request.header("x-goog-api-key"), !key.isEmpty else {
                return error(
                    .gemini, status: 403, type: "PERMISSION_DENIED", code: nil,
                    message:
                        "Method doesn't allow unregistered callers. Please use API Key or other form of API consumer identity to call this API."
                )
            }
            if let expectedKey, key != expectedKey {
                return error(
                    .gemini, status: 400, type: "INVALID_ARGUMENT", code: nil,
                    message: "API key not valid. Please pass a valid API key. (\(key))")
            }
        }
        return nil
    }

    // MARK: - Validation

    /// Everything about the request that the real API would reject (or that leaks a key).
    static func violations(_ vendor: Vendor, _ request: RecordedRequest, body: JSONValue?, model: String?) -> [String] {
        var problems: [String] = []
        if request.method != "POST" { problems.append("method must be POST, not \(request.method)") }
        if !(request.header("content-type") ?? "").lowercased().hasPrefix("application/json") {
            problems.append("content-type must be application/json")
        }
        if request.uri.contains("key=") { problems.append("the API key must not be in the URL") }
        if request.path.hasSuffix(":streamGenerateContent"), !request.uri.contains("alt=sse") {
            // Without `alt=sse` Gemini streams one JSON array, which this server does not speak.
            problems.append("streamGenerateContent needs ?alt=sse")
        }
        guard let body, let json = body.objectValue else {
            problems.append("the body is not a JSON object")
            return problems
        }
        switch vendor {
        case .openai: checkOpenAI(json, &problems)
        case .anthropic: checkAnthropic(json, request, &problems)
        case .gemini: checkGemini(json, model: model, &problems)
        }
        return problems
    }

    private static func checkKeys(_ json: [String: JSONValue], allowed: Set<String>, in place: String, _ problems: inout [String]) {
        for key in json.keys.sorted() where !allowed.contains(key) {
            problems.append("unexpected field '\(key)' in \(place)")
        }
    }

    private static func checkNumbers(_ json: [String: JSONValue], _ names: [String], _ problems: inout [String]) {
        for name in names where json[name] != nil && json[name]?.isNumber != true {
            problems.append("'\(name)' must be a number")
        }
    }

    private static func checkPositiveInteger(_ json: [String: JSONValue], _ name: String, required: Bool, _ problems: inout [String]) {
        guard let value = json[name] else {
            if required { problems.append("'\(name)' is required") }
            return
        }
        if (value.intValue ?? 0) <= 0 { problems.append("'\(name)' must be a positive integer") }
    }

    private static func checkStrings(_ value: JSONValue?, _ name: String, _ problems: inout [String]) {
        guard let value else { return }
        guard let array = value.arrayValue, array.allSatisfy({ $0.stringValue != nil }) else {
            problems.append("'\(name)' must be an array of strings")
            return
        }
    }

    private static func checkOpenAI(_ json: [String: JSONValue], _ problems: inout [String]) {
        checkKeys(
            json,
            allowed: [
                "model", "messages", "temperature", "top_p", "max_tokens", "max_completion_tokens", "stop", "seed",
                "response_format", "n", "stream", "stream_options", "user", "frequency_penalty", "presence_penalty",
                "logprobs", "top_logprobs", "logit_bias", "reasoning_effort",
                // Not OpenAI's, but the compatible servers served on this path (vLLM, llama.cpp) take it.
                "top_k",
            ], in: "the request", &problems)
        if json["model"]?.stringValue?.isEmpty ?? true { problems.append("'model' must be a non-empty string") }
        if let messages = json["messages"]?.arrayValue, !messages.isEmpty {
            for (index, message) in messages.enumerated() {
                guard message.objectValue != nil else {
                    problems.append("messages[\(index)] must be an object")
                    continue
                }
                let role = message["role"]?.stringValue ?? ""
                if !["system", "developer", "user", "assistant"].contains(role) {
                    problems.append("messages[\(index)].role '\(role)' is not valid")
                }
                if let parts = message["content"]?.arrayValue {
                    checkOpenAIParts(parts, role: role, place: "messages[\(index)].content", &problems)
                } else if message["content"]?.stringValue == nil {
                    problems.append("messages[\(index)].content must be a string or an array of parts")
                }
            }
        } else {
            problems.append("'messages' must be a non-empty array")
        }
        checkNumbers(json, ["temperature", "top_p", "frequency_penalty", "presence_penalty"], &problems)
        checkPositiveInteger(json, "max_tokens", required: false, &problems)
        checkPositiveInteger(json, "max_completion_tokens", required: false, &problems)
        if json["max_tokens"] != nil && json["max_completion_tokens"] != nil {
            problems.append("set either 'max_tokens' or 'max_completion_tokens', not both")
        }
        if let seed = json["seed"], seed.intValue == nil { problems.append("'seed' must be an integer") }
        if let stop = json["stop"], stop.stringValue == nil { checkStrings(stop, "stop", &problems) }
        if let stream = json["stream"], stream.boolValue == nil { problems.append("'stream' must be a boolean") }
        if let options = json["stream_options"] {
            if json["stream"]?.boolValue != true {
                problems.append("'stream_options' is only allowed when 'stream' is true")
            }
            if let members = options.objectValue {
                checkKeys(members, allowed: ["include_usage", "include_obfuscation"], in: "stream_options", &problems)
                if let include = members["include_usage"], include.boolValue == nil {
                    problems.append("'stream_options.include_usage' must be a boolean")
                }
            } else {
                problems.append("'stream_options' must be an object")
            }
        }
        if let format = json["response_format"] {
            let type = format["type"]?.stringValue ?? ""
            if !["text", "json_object", "json_schema"].contains(type) {
                problems.append("'response_format.type' must be text, json_object or json_schema")
            }
            if type == "json_schema" {
                let name = format["json_schema"]?["name"]?.stringValue ?? ""
                let nameCharacters = name.unicodeScalars.allSatisfy {
                    CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "_" || $0 == "-"
                }
                if name.isEmpty || name.count > 64 || !nameCharacters {
                    problems.append("'response_format.json_schema.name' must be 1 to 64 of a-z, A-Z, 0-9, _ and -")
                }
                if format["json_schema"]?["schema"]?.objectValue == nil {
                    problems.append("'response_format.json_schema.schema' must be an object")
                }
            }
        }
    }

    /// Chat Completions content parts: `text` everywhere, `image_url` (an http(s) URL or a data URI of
    /// an image) in user messages only.
    private static func checkOpenAIParts(_ parts: [JSONValue], role: String, place: String, _ problems: inout [String]) {
        if parts.isEmpty { problems.append("\(place) must not be empty") }
        for (index, part) in parts.enumerated() {
            switch part["type"]?.stringValue {
            case "text":
                if part["text"]?.stringValue == nil { problems.append("\(place)[\(index)].text must be a string") }
            case "image_url":
                if role != "user" { problems.append("\(place)[\(index)]: image_url parts are only for user messages") }
                let url = part["image_url"]?["url"]?.stringValue ?? ""
                let imageData = ["png", "jpeg", "gif", "webp"].contains { url.hasPrefix("data:image/\($0);base64,") }
                if !(url.hasPrefix("https://") || url.hasPrefix("http://") || imageData) {
                    problems.append("\(place)[\(index)].image_url.url must be an http(s) URL or a base64 data URI of an image")
                }
            default:
                problems.append("\(place)[\(index)].type must be text or image_url")
            }
        }
    }

    private static func checkAnthropic(_ json: [String: JSONValue], _ request: RecordedRequest, _ problems: inout [String]) {
        if request.header("anthropic-version") != "2023-06-01" {
            problems.append("the anthropic-version header must be 2023-06-01")
        }
        checkKeys(
            json,
            allowed: [
                "model", "max_tokens", "system", "messages", "temperature", "top_p", "top_k", "stop_sequences",
                "metadata", "stream", "thinking",
            ], in: "the request", &problems)
        if json["model"]?.stringValue?.isEmpty ?? true { problems.append("'model' must be a non-empty string") }
        checkPositiveInteger(json, "max_tokens", required: true, &problems)
        if let system = json["system"], system.stringValue == nil { problems.append("'system' must be a string") }
        if let stream = json["stream"], stream.boolValue == nil { problems.append("'stream' must be a boolean") }
        if let messages = json["messages"]?.arrayValue, !messages.isEmpty {
            for (index, message) in messages.enumerated() {
                guard message.objectValue != nil else {
                    problems.append("messages[\(index)] must be an object")
                    continue
                }
                let role = message["role"]?.stringValue ?? ""
                if role == "system" {
                    problems.append("messages[\(index)]: the system prompt must be the top-level 'system' field")
                } else if role != "user" && role != "assistant" {
                    problems.append("messages[\(index)].role '\(role)' is not valid")
                }
                if let blocks = message["content"]?.arrayValue {
                    checkAnthropicBlocks(blocks, role: role, place: "messages[\(index)].content", &problems)
                } else if message["content"]?.stringValue == nil {
                    problems.append("messages[\(index)].content must be a string or an array of blocks")
                }
            }
        } else {
            problems.append("'messages' must be a non-empty array")
        }
        checkNumbers(json, ["temperature", "top_p"], &problems)
        checkStrings(json["stop_sequences"], "stop_sequences", &problems)
    }

    /// Messages content blocks: `text`; `image` (PNG, JPEG, GIF, WebP) and `document` (PDF) with a
    /// `base64` or `url` source, in user messages only.
    private static func checkAnthropicBlocks(_ blocks: [JSONValue], role: String, place: String, _ problems: inout [String]) {
        if blocks.isEmpty { problems.append("\(place) must not be empty") }
        for (index, block) in blocks.enumerated() {
            let here = "\(place)[\(index)]"
            let type = block["type"]?.stringValue ?? ""
            switch type {
            case "text":
                if block["text"]?.stringValue == nil { problems.append("\(here).text must be a string") }
            case "image", "document":
                if role != "user" { problems.append("\(here): \(type) blocks are only for user messages") }
                let accepted: Set<String> =
                    type == "image" ? ["image/png", "image/jpeg", "image/gif", "image/webp"] : ["application/pdf"]
                let source = block["source"]
                switch source?["type"]?.stringValue {
                case "base64":
                    if !accepted.contains(source?["media_type"]?.stringValue ?? "") {
                        problems.append("\(here).source.media_type must be one of \(accepted.sorted())")
                    }
                    if Data(base64Encoded: source?["data"]?.stringValue ?? "") == nil {
                        problems.append("\(here).source.data must be base64")
                    }
                case "url":
                    let url = source?["url"]?.stringValue ?? ""
                    if !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
                        problems.append("\(here).source.url must be an http(s) URL")
                    }
                default:
                    problems.append("\(here).source.type must be base64 or url")
                }
            default:
                problems.append("\(here).type '\(type)' is not a content block this server knows")
            }
        }
    }

    /// A Gemini `Schema`: an OpenAPI 3.0 subset that rejects JSON Schema's `additionalProperties`,
    /// `$schema` and other keywords it does not have, and a `type` that is a list.
    private static func checkGeminiSchema(_ schema: JSONValue, place: String, depth: Int, _ problems: inout [String]) {
        guard depth < 100, let members = schema.objectValue else {
            problems.append("\(place) must be a schema object")
            return
        }
        let known: Set<String> = [
            "type", "format", "title", "description", "nullable", "enum", "items", "properties", "required", "minItems",
            "maxItems", "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "minimum", "maximum", "anyOf",
            "propertyOrdering", "default", "example",
        ]
        for key in members.keys.sorted() where !known.contains(key) { problems.append("\(place) has unknown field '\(key)'") }
        if let type = members["type"] {
            let types = ["STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT"]
            if !types.contains((type.stringValue ?? "").uppercased()) {
                problems.append("\(place).type must be one of \(types)")
            }
        }
        for (name, property) in (members["properties"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            checkGeminiSchema(property, place: "\(place).properties.\(name)", depth: depth + 1, &problems)
        }
        if let items = members["items"] { checkGeminiSchema(items, place: "\(place).items", depth: depth + 1, &problems) }
        for (index, option) in (members["anyOf"]?.arrayValue ?? []).enumerated() {
            checkGeminiSchema(option, place: "\(place).anyOf[\(index)]", depth: depth + 1, &problems)
        }
    }

    private static func checkGemini(_ json: [String: JSONValue], model: String?, _ problems: inout [String]) {
        if (model ?? "").isEmpty { problems.append("the model is missing from the path") }
        checkKeys(
            json,
            allowed: ["contents", "systemInstruction", "generationConfig", "safetySettings", "tools", "toolConfig", "cachedContent"],
            in: "the request", &problems)
        func checkParts(_ value: JSONValue?, _ place: String) {
            guard let parts = value?.arrayValue, !parts.isEmpty else {
                problems.append("\(place).parts must be a non-empty array")
                return
            }
            for (index, part) in parts.enumerated() {
                let here = "\(place).parts[\(index)]"
                let kinds = ["text", "inlineData", "fileData"].filter { part[$0] != nil }
                guard kinds.count == 1 else {
                    problems.append("\(here) must have exactly one of text, inlineData and fileData")
                    continue
                }
                switch kinds[0] {
                case "text":
                    if part["text"]?.stringValue == nil { problems.append("\(here).text must be a string") }
                case "inlineData":
                    if (part["inlineData"]?["mimeType"]?.stringValue ?? "").isEmpty {
                        problems.append("\(here).inlineData.mimeType is required")
                    }
                    if Data(base64Encoded: part["inlineData"]?["data"]?.stringValue ?? "") == nil {
                        problems.append("\(here).inlineData.data must be base64")
                    }
                default:
                    if (part["fileData"]?["mimeType"]?.stringValue ?? "").isEmpty {
                        problems.append("\(here).fileData.mimeType is required")
                    }
                    if (part["fileData"]?["fileUri"]?.stringValue ?? "").isEmpty {
                        problems.append("\(here).fileData.fileUri is required")
                    }
                }
            }
        }
        if let contents = json["contents"]?.arrayValue, !contents.isEmpty {
            for (index, content) in contents.enumerated() {
                guard content.objectValue != nil else {
                    problems.append("contents[\(index)] must be an object")
                    continue
                }
                let role = content["role"]?.stringValue ?? ""
                if role != "user" && role != "model" { problems.append("contents[\(index)].role '\(role)' must be user or model") }
                checkParts(content["parts"], "contents[\(index)]")
            }
        } else {
            problems.append("'contents' must be a non-empty array")
        }
        if let system = json["systemInstruction"] {
            if system.objectValue != nil {
                checkParts(system["parts"], "systemInstruction")
            } else {
                problems.append("'systemInstruction' must be an object")
            }
        }
        if let config = json["generationConfig"] {
            guard let config = config.objectValue else {
                problems.append("'generationConfig' must be an object")
                return
            }
            checkKeys(
                config,
                allowed: [
                    "temperature", "maxOutputTokens", "topP", "topK", "stopSequences", "seed", "responseMimeType",
                    "candidateCount", "responseSchema", "thinkingConfig", "presencePenalty", "frequencyPenalty",
                ], in: "generationConfig", &problems)
            checkNumbers(config, ["temperature", "topP"], &problems)
            checkPositiveInteger(config, "maxOutputTokens", required: false, &problems)
            checkStrings(config["stopSequences"], "generationConfig.stopSequences", &problems)
            if let seed = config["seed"], seed.intValue == nil { problems.append("'generationConfig.seed' must be an integer") }
            if let type = config["responseMimeType"], !["text/plain", "application/json"].contains(type.stringValue ?? "") {
                problems.append("'generationConfig.responseMimeType' is not supported")
            }
            if let topK = config["topK"], topK.intValue == nil { problems.append("'generationConfig.topK' must be an integer") }
            if let schema = config["responseSchema"] {
                if config["responseMimeType"]?.stringValue != "application/json" {
                    problems.append("'generationConfig.responseSchema' needs responseMimeType application/json")
                }
                checkGeminiSchema(schema, place: "generationConfig.responseSchema", depth: 0, &problems)
            }
        }
    }

    // MARK: - Answers

    /// The deterministic answer to a request, before it is put in a vendor's format.
    struct Answer {
        var text: String
        /// `stop`, `stop_sequence` or `length`, translated into each vendor's words when rendered.
        var finish: String
        var modelName: String
        var inputTokens: Int
        var outputTokens: Int
        var cachedTokens: Int
    }

    /// The deterministic answer: the last user message, cut at a stop sequence or shortened to the token
    /// limit, wrapped as `{"echo": ...}` in JSON mode. Streamed (``streamedAnswer(_:_:number:requestID:deltaLength:includeUsage:)``)
    /// when `streamDeltaLength` is set, in deltas of at most that many characters.
    static func answer(
        _ vendor: Vendor, json: JSONValue, model: String?, number: Int, cachedTokens: Int, requestID: String? = nil,
        streamDeltaLength: Int? = nil
    ) -> Reply {
        let answer = computeAnswer(vendor, json: json, model: model, cachedTokens: cachedTokens)
        if let streamDeltaLength {
            let includeUsage = json["stream_options"]?["include_usage"]?.boolValue == true
            return streamedAnswer(
                vendor, answer, number: number, requestID: requestID, deltaLength: streamDeltaLength, includeUsage: includeUsage)
        }
        return wholeAnswer(vendor, answer, number: number, requestID: requestID)
    }

    static func computeAnswer(_ vendor: Vendor, json: JSONValue, model: String?, cachedTokens: Int) -> Answer {
        var texts: [String] = []
        var lastUser = ""
        var maxTokens: Int?
        var stops: [String] = []
        var jsonMode = false
        var modelName = model ?? ""
        switch vendor {
        case .openai:
            modelName = json["model"]?.stringValue ?? ""
            for message in json["messages"]?.arrayValue ?? [] {
                let content =
                    message["content"]?.stringValue
                    ?? (message["content"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
                texts.append(content)
                if message["role"]?.stringValue == "user" { lastUser = content }
            }
            maxTokens = (json["max_completion_tokens"] ?? json["max_tokens"])?.intValue
            stops = json["stop"]?.arrayValue?.compactMap(\.stringValue) ?? json["stop"]?.stringValue.map { [$0] } ?? []
            jsonMode = ["json_object", "json_schema"].contains(json["response_format"]?["type"]?.stringValue ?? "")
        case .anthropic:
            modelName = json["model"]?.stringValue ?? ""
            if let system = json["system"]?.stringValue { texts.append(system) }
            for message in json["messages"]?.arrayValue ?? [] {
                let content =
                    message["content"]?.stringValue
                    ?? (message["content"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
                texts.append(content)
                if message["role"]?.stringValue == "user" { lastUser = content }
            }
            maxTokens = json["max_tokens"]?.intValue
            stops = json["stop_sequences"]?.arrayValue?.compactMap(\.stringValue) ?? []
        case .gemini:
            for part in json["systemInstruction"]?["parts"]?.arrayValue ?? [] {
                texts.append(part["text"]?.stringValue ?? "")
            }
            for content in json["contents"]?.arrayValue ?? [] {
                let text = (content["parts"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
                texts.append(text)
                if content["role"]?.stringValue == "user" { lastUser = text }
            }
            let config = json["generationConfig"]
            maxTokens = config?["maxOutputTokens"]?.intValue
            stops = config?["stopSequences"]?.arrayValue?.compactMap(\.stringValue) ?? []
            jsonMode = config?["responseMimeType"]?.stringValue == "application/json"
        }

        var text = lastUser
        var finish = "stop"
        if let stop = stops.compactMap({ text.range(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound }) {
            text = String(text[..<stop.lowerBound])
            finish = "stop_sequence"
        }
        let words = text.split(whereSeparator: \.isWhitespace)
        if let maxTokens, words.count > maxTokens {
            text = words.prefix(maxTokens).joined(separator: " ")
            finish = "length"
        }
        if jsonMode {
            text = String(decoding: JSONValue.object(["echo": .string(text)]).data, as: UTF8.self)
        }
        let inputTokens = texts.reduce(0) { $0 + $1.split(whereSeparator: \.isWhitespace).count }
        let outputTokens = text.split(whereSeparator: \.isWhitespace).count
        let cached = min(cachedTokens, inputTokens)
        return Answer(
            text: text, finish: finish, modelName: modelName, inputTokens: inputTokens, outputTokens: outputTokens, cachedTokens: cached)
    }

    /// An answer as one JSON body.
    static func wholeAnswer(_ vendor: Vendor, _ answer: Answer, number: Int, requestID: String?) -> Reply {
        let (text, finish, modelName) = (answer.text, answer.finish, answer.modelName)
        let (inputTokens, outputTokens, cached) = (answer.inputTokens, answer.outputTokens, answer.cachedTokens)
        let middle = text.index(text.startIndex, offsetBy: text.count / 2)
        let firstHalf = JSONValue.string(String(text[..<middle]))
        let secondHalf = JSONValue.string(String(text[middle...]))

        switch vendor {
        case .openai:
            let body: JSONValue = [
                "id": .string("chatcmpl-\(number)"), "object": "chat.completion", "created": 1_700_000_000,
                "model": .string(modelName),
                "choices": [
                    [
                        // `refusal` and `logprobs` are required (nullable) in OpenAI's response schema.
                        "index": 0, "message": ["role": "assistant", "content": .string(text), "refusal": .null],
                        "finish_reason": .string(finish == "stop_sequence" ? "stop" : finish), "logprobs": .null,
                    ]
                ],
                "usage": [
                    "prompt_tokens": .int(inputTokens), "completion_tokens": .int(outputTokens),
                    "total_tokens": .int(inputTokens + outputTokens),
                    "prompt_tokens_details": ["cached_tokens": .int(cached)],
                ],
            ]
            return Reply(status: 200, headers: [("x-request-id", requestID ?? "req_\(number)")], body: body.data)
        case .anthropic:
            // A thinking block and two text blocks, so that clients must pick and join the text blocks.
            let stopReason = finish == "length" ? "max_tokens" : (finish == "stop_sequence" ? "stop_sequence" : "end_turn")
            let body: JSONValue = [
                "id": .string("msg_\(number)"), "type": "message", "role": "assistant", "model": .string(modelName),
                "content": [
                    ["type": "thinking", "thinking": "(thinking about it)", "signature": .string("sig_\(number)")],
                    ["type": "text", "text": firstHalf],
                    ["type": "text", "text": secondHalf],
                ],
                "stop_reason": .string(stopReason), "stop_sequence": .null,
                "usage": [
                    "input_tokens": .int(inputTokens - cached), "output_tokens": .int(outputTokens),
                    "cache_read_input_tokens": .int(cached), "cache_creation_input_tokens": 0,
                ],
            ]
            return Reply(status: 200, headers: [("request-id", requestID ?? "req_\(number)")], body: body.data)
        case .gemini:
            // A thought part and two text parts, so that clients must skip thoughts and join the text.
            let body: JSONValue = [
                "candidates": [
                    [
                        "content": [
                            "role": "model",
                            "parts": [["text": "(thinking about it)", "thought": true], ["text": firstHalf], ["text": secondHalf]],
                        ],
                        "finishReason": .string(finish == "length" ? "MAX_TOKENS" : "STOP"), "index": 0,
                    ]
                ],
                "usageMetadata": [
                    "promptTokenCount": .int(inputTokens), "candidatesTokenCount": .int(outputTokens),
                    "totalTokenCount": .int(inputTokens + outputTokens), "cachedContentTokenCount": .int(cached),
                ],
                "modelVersion": .string(modelName), "responseId": .string(requestID ?? "resp_\(number)"),
            ]
            return Reply(status: 200, body: body.data)
        }
    }

    // MARK: - Errors

    /// An error reply in the vendor's error format.
    static func error(_ vendor: Vendor, status: Int, type: String, code: String?, message: String, headers: [(String, String)] = [])
        -> Reply
    {
        let body: JSONValue
        switch vendor {
        case .openai:
            body = [
                "error": ["message": .string(message), "type": .string(type), "param": .null, "code": code.map(JSONValue.string) ?? .null]
            ]
        case .anthropic:
            body = ["type": "error", "error": ["type": .string(type), "message": .string(message)]]
        case .gemini:
            body = ["error": ["code": .int(status), "message": .string(message), "status": .string(type)]]
        }
        return Reply(status: status, headers: headers, body: body.data)
    }

    /// The reply for an HTTP-error fault, or `nil` for faults that are not plain error replies.
    static func faultReply(_ fault: Fault, vendor: Vendor) -> Reply? {
        switch fault {
        case .rateLimited(let retryAfter, let retryAfterMilliseconds):
            var headers: [(String, String)] = []
            if let retryAfter { headers.append(("retry-after", retryAfter)) }
            if let retryAfterMilliseconds { headers.append(("retry-after-ms", String(retryAfterMilliseconds))) }
            let type = ["openai": "requests", "anthropic": "rate_limit_error", "gemini": "RESOURCE_EXHAUSTED"][vendor.rawValue]!
            return error(
                vendor, status: 429, type: type, code: vendor == .openai ? "rate_limit_exceeded" : nil,
                message: "Rate limit reached for requests", headers: headers)
        case .insufficientQuota:
            let type = vendor == .gemini ? "RESOURCE_EXHAUSTED" : "insufficient_quota"
            return error(
                vendor, status: 429, type: type, code: "insufficient_quota",
                message: "You exceeded your current quota, please check your plan and billing details.")
        case .badRequest:
            return error(
                vendor, status: 400, type: vendor == .gemini ? "INVALID_ARGUMENT" : "invalid_request_error", code: nil,
                message: "Invalid request (injected fault)")
        case .unauthorized:
            return error(
                vendor, status: 401, type: vendor == .gemini ? "UNAUTHENTICATED" : "authentication_error",
                code: vendor == .openai ? "invalid_api_key" : nil, message: "Invalid authentication (injected fault)")
        case .notFound:
            return error(
                vendor, status: 404, type: vendor == .gemini ? "NOT_FOUND" : "not_found_error",
                code: vendor == .openai ? "model_not_found" : nil, message: "The model does not exist (injected fault)")
        case .serverError:
            return error(
                vendor, status: 500, type: vendor == .gemini ? "INTERNAL" : (vendor == .anthropic ? "api_error" : "server_error"),
                code: nil, message: "Internal server error (injected fault)")
        case .unavailable:
            return error(
                vendor, status: 503, type: vendor == .gemini ? "UNAVAILABLE" : "server_error", code: nil,
                message: "The service is temporarily unavailable (injected fault)")
        case .overloaded:
            return error(vendor, status: 529, type: "overloaded_error", code: nil, message: "Overloaded (injected fault)")
        case .status(let status, let body):
            return Reply(status: status, body: Data(body.utf8))
        case .malformedJSON:
            return Reply(status: 200, body: Data("{\"choices\": [ this is not json".utf8))
        case .wrongShape:
            return Reply(status: 200, body: Data("{\"unexpected\": true}".utf8))
        case .streamError:
            // Outside a stream, the error the stream would have carried, as its status.
            switch vendor {
            case .openai: return faultReply(.serverError, vendor: vendor)
            case .anthropic: return faultReply(.overloaded, vendor: vendor)
            case .gemini: return faultReply(.unavailable, vendor: vendor)
            }
        case .delay, .hang, .dropConnection, .hostile, .cutStream:
            return nil
        }
    }
}
