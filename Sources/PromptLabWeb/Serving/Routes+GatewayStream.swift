import Foundation
import Hummingbird
import PromptLab
import PromptLabCore
import PromptLabProviders

extension WebApp {
    /// `stream: true`: the upstream's deltas as OpenAI `chat.completion.chunk` events, ending with
    /// `data: [DONE]`, whichever vendor answers.
    ///
    /// The first event is awaited before answering, so a request the upstream refuses outright gets an
    /// HTTP error as without streaming; a failure after some deltas ends the stream with an `error` event.
    func streamCompletion(_ call: GatewayService.Call, gateway: GatewayService, includeUsage: Bool) async throws -> Response {
        let started = ContinuousClock.now
        let provider: RetryingProvider
        do {
            provider = try gateway.provider(for: call.reference)
        } catch {
            _ = await gateway.finishStream(call, text: "", inputTokens: nil, outputTokens: nil, error: error, latencyMs: 0)
            return Self.openAIError(error)
        }
        let events = StreamCursor(provider.stream(call.request).makeAsyncIterator())
        let first: ChatStreamEvent?
        do {
            first = try await events.next()
        } catch {
            let assignment = await gateway.finishStream(
                call, text: "", inputTokens: nil, outputTokens: nil, error: error,
                latencyMs: GatewayService.milliseconds(started.duration(to: .now)))
            var response = Self.openAIError(error)
            Self.addAssignmentHeaders(&response, call: call, assignment: assignment)
            return response
        }
        let id = "chatcmpl-" + ServingService.assignmentID().dropFirst(4)
        let created = Int(gateway.serving.configuration.now().timeIntervalSince1970)
        let model = call.modelName
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        if let assignment = call.assignmentID { headers[.promptLabAssignment] = assignment }
        if let arm = call.assignmentArm { headers[.promptLabArm] = arm }
        if let rollout = call.rollout { headers[.promptLabRollout] = rollout }
        if let bucket = call.bucket { headers[.promptLabBucket] = String(format: "%.4f", bucket) }
        headers[.promptLabVersion] = call.version.number.map { "v\($0)" } ?? call.version.sha
        // The assignment is recorded when the stream ends (with its latency and tokens); its id was
        // chosen before sending, so the header above carries it.
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                var text = ""
                var summary: ChatStreamSummary?
                var failure: ProviderError?
                func send(_ chunk: some Encodable) async throws {
                    let data = try JSONEncoder().encode(chunk)
                    var buffer = ByteBuffer(string: "data: ")
                    buffer.writeBytes(data)
                    buffer.writeString("\n\n")
                    try await writer.write(buffer)
                }
                func delta(_ content: String?, role: String? = nil, finish: String? = nil) -> OpenAIChunk {
                    OpenAIChunk(
                        id: id, created: created, model: model,
                        choices: [.init(index: 0, delta: .init(role: role, content: content), finishReason: finish)], usage: nil)
                }
                try await send(delta("", role: "assistant"))
                var next = first
                while let event = next {
                    switch event {
                    case .text(let piece):
                        text += piece
                        try await send(delta(piece))
                    case .finished(let end):
                        summary = end
                    }
                    if summary != nil { break }
                    do {
                        next = try await events.next()
                    } catch let error as ProviderError {
                        failure = error
                        next = nil
                    }
                }
                let latency = GatewayService.milliseconds(started.duration(to: .now))
                _ = await gateway.finishStream(
                    call, text: text, inputTokens: summary?.inputTokens, outputTokens: summary?.outputTokens, error: failure,
                    latencyMs: latency)
                if let failure {
                    let body = OpenAIErrorBody(
                        error: .init(
                            message: "the model provider failed: \(failure.description)", type: "upstream_error",
                            code: failure.kindName, param: nil))
                    try await send(body)
                    try await writer.finish(nil)
                    return
                }
                try await send(delta(nil, finish: GatewayCompletion.openAIFinishReason(summary?.finishReason)))
                if includeUsage, let input = summary?.inputTokens, let output = summary?.outputTokens {
                    try await send(
                        OpenAIChunk(
                            id: id, created: created, model: model, choices: [],
                            usage: GatewayUsage(promptTokens: input, completionTokens: output, totalTokens: input &+ output)))
                }
                try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                try await writer.finish(nil)
            })
    }
}

/// Reads a stream's events one at a time from inside a response body.
///
/// `@unchecked Sendable`: the handler reads the first event, then hands the cursor to the response
/// body, which alone reads the rest; the two never run at once.
final class StreamCursor: @unchecked Sendable {
    private var iterator: ChatStream.AsyncIterator

    init(_ iterator: ChatStream.AsyncIterator) {
        self.iterator = iterator
    }

    func next() async throws(ProviderError) -> ChatStreamEvent? {
        try await iterator.next()
    }
}
