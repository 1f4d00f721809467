import Foundation

/// What a hostile server or proxy may send, for tests that PromptLab survives it: absurd numbers, huge or
/// trickled bodies, echoed secrets and bytes that are not UTF-8.
///
/// Queue one as ``Fault/hostile(_:)``. Each answer is otherwise in the wire format of the vendor whose
/// path was called, so a client gets as far as reading the hostile part.
public enum HostileBehaviour: Sendable, Hashable {
    /// 429 whose `retry-after` and `retry-after-ms` headers carry these texts verbatim
    /// (`99999999999999999999`, `1e308`, `-5`, `nan`, ...); `nil` leaves a header out.
    case retryAfter(seconds: String?, milliseconds: String?)
    /// A normal answer whose prompt and answer token counts are these JSON number texts, written verbatim
    /// (`9223372036854775807`, `-5`, `1e400`, ...).
    case usage(input: String, output: String)
    /// A normal answer with a `padding` member that makes the body at least `bytes` long; a streamed
    /// answer starts with a comment line (`: xxx…`) of `bytes` bytes instead.
    case hugeBody(bytes: Int)
    /// A normal answer whose headers are sent at once and whose body follows one byte every `interval`,
    /// so the exchange takes (body bytes × interval). ``ProviderTestServer/trickledBytes`` counts the bytes.
    case trickle(interval: Duration)
    /// Echoes secrets back: the key the request carried (`Authorization`, `x-api-key` or
    /// `x-goog-api-key`) and `also` (say, another provider's key), in the request-id headers (`x-request-id`,
    /// `request-id`) and in the answer text (Gemini: also as `responseId`); with `errorStatus`, in the
    /// message of an error of that status instead of an answer. A streamed answer carries them in its
    /// deltas, cut as ``ProviderTestServer/Configuration/streamDeltaLength`` says (a key longer than it
    /// is split over several deltas).
    case echoSecrets(also: String? = nil, errorStatus: Int? = nil)
    /// A body that is JSON apart from bytes that are not UTF-8 inside the answer text (status 200) or the
    /// error message (any other status).
    case invalidUTF8(status: Int = 200)
}

// MARK: - Replies

extension WireFormats {
    /// The marker replaced by bytes that are not UTF-8 (`§` is two bytes, C2 A7, and appears nowhere else).
    static let invalidUTF8Marker = "§"
    /// What replaces ``invalidUTF8Marker``: a lone continuation byte, then bytes no UTF-8 text contains.
    static let invalidUTF8Bytes: [UInt8] = [0x80, 0xFF, 0xFE]

    /// The reply of a hostile behaviour to a request, or `nil` for ``HostileBehaviour/trickle(interval:)``,
    /// which the connection handler writes itself around ``answer(_:json:model:number:cachedTokens:requestID:)``.
    static func hostileReply(
        _ behaviour: HostileBehaviour, request: RecordedRequest, vendor: Vendor, model: String?, cachedTokens: Int,
        streamDeltaLength: Int? = nil
    ) -> Reply? {
        let json = request.json ?? .null
        func normal(_ json: JSONValue = json, requestID: String? = nil) -> Reply {
            answer(
                vendor, json: json, model: model, number: request.number, cachedTokens: cachedTokens, requestID: requestID,
                streamDeltaLength: streamDeltaLength)
        }
        switch behaviour {
        case .retryAfter(let seconds, let milliseconds):
            var headers: [(String, String)] = []
            if let seconds { headers.append(("retry-after", seconds)) }
            if let milliseconds { headers.append(("retry-after-ms", milliseconds)) }
            return error(vendor, status: 429, type: "rate_limit_error", code: nil, message: "slow down", headers: headers)
        case .usage(let input, let output):
            var reply = normal()
            let fields: (input: String, output: String) =
                switch vendor {
                case .openai: ("prompt_tokens", "completion_tokens")
                case .anthropic: ("input_tokens", "output_tokens")
                case .gemini: ("promptTokenCount", "candidatesTokenCount")
                }
            reply.rewriteBytes {
                replacingNumber(of: fields.output, with: output, in: replacingNumber(of: fields.input, with: input, in: $0))
            }
            return reply
        case .hugeBody(let bytes):
            var reply = normal()
            if var stream = reply.stream {
                var comment = Data(": ".utf8)
                comment.append(Data(repeating: UInt8(ascii: "x"), count: max(0, bytes - 3)))
                comment.append(Data("\n".utf8))
                stream.opening.insert(comment, at: 0)
                reply.stream = stream
                return reply
            }
            var body = Data("{\"padding\":\"".utf8)
            body.append(Data(repeating: UInt8(ascii: "x"), count: max(0, bytes - reply.body.count)))
            body.append(Data("\",".utf8))
            body.append(reply.body.dropFirst())  // the answer's members, after its opening brace
            reply.body = body
            return reply
        case .trickle:
            return nil
        case .echoSecrets(let also, let errorStatus):
            let key = requestKey(request, vendor: vendor) ?? "(no key)"
            let secrets = [key, also].compactMap { $0 }.joined(separator: " and ")
            let headers = [("x-request-id", secrets), ("request-id", secrets)]
            if let errorStatus {
                return error(
                    vendor, status: errorStatus, type: "invalid_request_error", code: nil,
                    message: "Invalid API key provided: \(secrets)", headers: headers)
            }
            var reply = normal(appendingUserMessage("Your key is \(secrets).", to: json, vendor: vendor), requestID: secrets)
            reply.headers = headers
            return reply
        case .invalidUTF8(let status):
            var reply =
                status == 200
                ? normal(appendingUserMessage(invalidUTF8Marker, to: json, vendor: vendor))
                : error(vendor, status: status, type: "server_error", code: nil, message: "broken \(invalidUTF8Marker) text")
            reply.rewriteBytes(replacingInvalidUTF8Marker)
            return reply
        }
    }

    /// `body` with every ``invalidUTF8Marker`` replaced by ``invalidUTF8Bytes``.
    static func replacingInvalidUTF8Marker(in body: Data) -> Data {
        var bytes = [UInt8](body)
        let marker = Array(invalidUTF8Marker.utf8)
        var index = 0
        while index + marker.count <= bytes.count {
            if Array(bytes[index..<(index + marker.count)]) == marker {
                bytes.replaceSubrange(index..<(index + marker.count), with: invalidUTF8Bytes)
                index += invalidUTF8Bytes.count
            } else {
                index += 1
            }
        }
        return Data(bytes)
    }

    /// The key a request carried, in whichever header its vendor uses.
    static func requestKey(_ request: RecordedRequest, vendor: Vendor) -> String? {
        switch vendor {
        case .openai:
            return request.header("authorization").map { String($0.dropFirst($0.hasPrefix("Bearer ") ? 7 : 0)) }
        case .anthropic: return request.header("x-api-key")
        case .gemini: return request.header("x-goog-api-key")
        }
    }

    /// The request with one more user message, so that the answer (which echoes the last user message) is `text`.
    static func appendingUserMessage(_ text: String, to json: JSONValue, vendor: Vendor) -> JSONValue {
        guard case .object(var members) = json else { return json }
        switch vendor {
        case .openai, .anthropic:
            members["messages"] = .array((members["messages"]?.arrayValue ?? []) + [["role": "user", "content": .string(text)]])
        case .gemini:
            members["contents"] = .array(
                (members["contents"]?.arrayValue ?? []) + [["role": "user", "parts": [["text": .string(text)]]]])
        }
        return .object(members)
    }

    /// `body` with the number of every `"name":` member replaced by `text`, verbatim.
    static func replacingNumber(of name: String, with text: String, in body: Data) -> Data {
        var bytes = [UInt8](body)
        let prefix = Array("\"\(name)\":".utf8)
        let numberBytes = Set("-+.0123456789eE".utf8)
        var index = 0
        while index + prefix.count <= bytes.count {
            guard Array(bytes[index..<(index + prefix.count)]) == prefix else {
                index += 1
                continue
            }
            let start = index + prefix.count
            var end = start
            while end < bytes.count, numberBytes.contains(bytes[end]) { end += 1 }
            bytes.replaceSubrange(start..<end, with: Array(text.utf8))
            index = start + text.utf8.count
        }
        return Data(bytes)
    }
}
