import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// Reads one vendor's server-sent events into ``ChatStreamEvent``s.
///
/// A pure state machine over parsed events, with no I/O, clock or secrets, so that tests can drive it
/// with any input; it never traps. Vendor text in its errors is not redacted here.
protocol ChatStreamDecoder: Sendable {
    /// The provider's name, for errors.
    var provider: String { get }

    /// Whether the vendor's terminator has been read (`data: [DONE]`, `message_stop`): the answer is
    /// complete and nothing after it is read.
    var isComplete: Bool { get }

    /// Reads the next event.
    ///
    /// - Returns: The deltas it carries, and `finished` when it is the terminator.
    /// - Throws: ``ProviderError`` for an error event, a withheld answer or an event that does not parse.
    mutating func read(_ event: ServerSentEvent) throws(ProviderError) -> [ChatStreamEvent]

    /// Called when the body has ended before ``isComplete``.
    ///
    /// - Returns: `finished`, for a vendor whose stream ends with its body (Gemini).
    /// - Throws: ``ProviderError`` `.malformedResponse` when the stream ended before its terminator.
    mutating func end() throws(ProviderError) -> [ChatStreamEvent]
}

extension HTTPTransport {
    /// The stream of one exchange: `postStream` run when the stream is iterated, with every error
    /// redacted. The vendor providers' `stream(_:)` build their exchange and call this.
    func chatStream<Decoder: ChatStreamDecoder>(
        _ prepared: Result<Exchange, ProviderError>, provider name: String, model: String,
        decoder makeDecoder: @escaping @Sendable (HTTPHeaders) -> Decoder,
        interpret: @escaping @Sendable (_ status: Int, HTTPHeaders, ByteBuffer) throws(ProviderError) -> ChatResponse
    ) -> ChatStream {
        let exchange: Exchange
        switch prepared {
        case .success(let built): exchange = built
        case .failure(let error): return .failure(error)
        }
        let transport = self
        return ChatStream(provider: name) { continuation throws(ProviderError) in
            do throws(ProviderError) {
                try await transport.postStream(
                    url: exchange.url, headers: exchange.headers, body: exchange.body, model: model, decoder: makeDecoder,
                    interpret: interpret, to: continuation)
            } catch {
                throw transport.redactor(error)
            }
        }
    }

    /// POSTs `body` as JSON and delivers the server-sent events of the answer, as `decoder` reads them,
    /// to `continuation`.
    ///
    /// The status comes first: a non-2xx response is read whole and `interpret`ed, the way ``post(url:headers:body:model:)``'s
    /// callers read it, so its error is the one sending would have given (and a stream fails before any
    /// event). A 2xx JSON body, from a server that ignores the request to stream, is also `interpret`ed and
    /// delivered as one delta. Otherwise the body is read as server-sent events until the vendor's
    /// terminator, at most ``HTTPTransport/maxResponseBytes`` of it, with lines and events of at most
    /// ``ServerSentEventParser/defaultLimit`` bytes.
    ///
    /// The time limit covers the whole exchange, as for ``post(url:headers:body:model:)``: one attempt
    /// must be complete within it, streamed or not. Cancelling the calling task cancels the request.
    ///
    /// - Throws: ``ProviderError``: the vendor's error, `.timeout`, `.transport` (also for a connection
    ///   closed in the middle of the stream), `.malformedResponse` (an event that does not parse, an
    ///   oversized line, event or body, a stream without its terminator) or `.cancelled`.
    func postStream<Decoder: ChatStreamDecoder>(
        url: String, headers: HTTPHeaders, body: ByteBuffer, model: String,
        decoder makeDecoder: @escaping @Sendable (HTTPHeaders) -> Decoder,
        interpret: @escaping @Sendable (_ status: Int, HTTPHeaders, ByteBuffer) throws(ProviderError) -> ChatResponse,
        to continuation: ChatStream.Continuation
    ) async throws(ProviderError) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers = headers
        request.headers.replaceOrAdd(name: "content-type", value: "application/json")
        request.headers.replaceOrAdd(name: "accept", value: "text/event-stream")
        request.headers.replaceOrAdd(name: "user-agent", value: "promptlab")
        request.body = .bytes(body)

        let stopwatch = ContinuousClock()
        let start = stopwatch.now
        let deadline = NIODeadline.now() + TimeAmount.nanoseconds(timeout.nanoseconds)
        let (client, logger, providerName, prepared) = (self.client, self.logger, self.providerName, request)
        /// `event` with the latency of the exchange so far when it is the summary.
        @Sendable func timed(_ event: ChatStreamEvent) -> ChatStreamEvent {
            guard case .finished(var summary) = event else { return event }
            summary.latencySeconds = (stopwatch.now - start).seconds
            return .finished(summary)
        }
        do {
            // The operation returns (the status) only once the answer is complete, so a late return still counts.
            let complete: @Sendable (Int) -> Bool = { _ in true }
            let status = try await clock.withTimeLimit(timeout, keepingFinished: complete) { () async throws -> Int in
                let response = try await client.execute(prepared, deadline: deadline, logger: logger)
                let status = Int(response.status.code)
                let contentType = response.headers.first(name: "content-type")?.lowercased() ?? ""
                if !(200..<300).contains(response.status.code) || contentType.hasPrefix("application/json") {
                    let bytes = try await response.body.collect(upTo: HTTPTransport.maxResponseBytes)
                    let answer = try interpret(status, response.headers, bytes)
                    continuation.yield(.text(answer.text))
                    continuation.yield(timed(.finished(ChatStreamSummary(answer, model: model))))
                    return status
                }
                var decoder = makeDecoder(response.headers)
                var parser = ServerSentEventParser()
                var received = 0
                for try await buffer in response.body {
                    received += buffer.readableBytes
                    guard received <= HTTPTransport.maxResponseBytes else {
                        throw ProviderError(
                            .malformedResponse("response body larger than \(HTTPTransport.maxResponseBytes) bytes"), provider: providerName)
                    }
                    let events: [ServerSentEvent]
                    do throws(ServerSentEventError) {
                        events = try parser.parse(buffer.readableBytesView)
                    } catch {
                        throw ProviderError(.malformedResponse(error.description), provider: providerName)
                    }
                    for event in events {
                        for output in try decoder.read(event) { continuation.yield(timed(output)) }
                        // Whatever follows the terminator is not part of the answer.
                        if decoder.isComplete { return status }
                    }
                }
                for output in try decoder.end() { continuation.yield(timed(output)) }
                return status
            }
            logger.debug(
                "provider stream",
                metadata: [
                    "provider": "\(providerName)", "model": "\(model)", "status": "\(status)",
                    "latency_ms": "\(Int((stopwatch.now - start).seconds * 1000))",
                ]
            )
        } catch {
            let mapped = mapError(error)
            logger.debug(
                "provider stream failed",
                metadata: ["provider": "\(providerName)", "model": "\(model)", "error": "\(redactor(mapped).description)"]
            )
            throw mapped
        }
    }
}
