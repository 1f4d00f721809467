/// A streamed answer: an asynchronous sequence of ``ChatStreamEvent``s that fails with ``ProviderError``.
///
/// Nothing is sent until the sequence is iterated, and each iteration makes its own request (which is how
/// ``RetryingProvider`` tries again). The request runs in a task of its own that is cancelled as soon as
/// the consumer stops: when the consumer's task is cancelled, when it leaves its `for` loop early or drops
/// the iterator. An abandoned stream never keeps an upstream request open.
///
/// The sequence keeps its contract whatever the code that produces it does: deltas (never empty), one
/// `finished`, then the end. Events after `finished` are dropped, and an end without `finished` is a
/// `.malformedResponse` error (`.cancelled` when the consumer was cancelled).
///
/// ```swift
/// for try await event in provider.stream(request) {
///     switch event {
///     case .text(let delta): write(delta)
///     case .finished(let summary): record(summary)
///     }
/// }
/// ```
public struct ChatStream: AsyncSequence, Sendable {
    public typealias Element = ChatStreamEvent
    public typealias Failure = ProviderError

    /// Hands the events of one iteration to its consumer.
    public struct Continuation: Sendable {
        fileprivate let base: AsyncThrowingStream<ChatStreamEvent, any Error>.Continuation

        /// Delivers `event` (an empty delta is dropped). Events are buffered until the consumer reads them.
        public func yield(_ event: ChatStreamEvent) {
            if case .text(let text) = event, text.isEmpty { return }
            base.yield(event)
        }
    }

    /// The name of the provider that answers, for the errors the sequence reports itself.
    public let provider: String
    private let produce: @Sendable (Continuation) async throws(ProviderError) -> Void

    /// A stream whose iterations run `produce`.
    ///
    /// - Parameters:
    ///   - provider: The provider's name, for errors.
    ///   - produce: Makes one attempt: yields the deltas and then `finished`, or throws. It runs in a task
    ///     that is cancelled when the consumer stops, so it should stop when cancelled.
    public init(provider: String, _ produce: @escaping @Sendable (Continuation) async throws(ProviderError) -> Void) {
        self.provider = provider
        self.produce = produce
    }

    /// A stream that fails with `error` as soon as it is read: for problems found before anything is sent.
    public static func failure(_ error: ProviderError) -> ChatStream {
        ChatStream(provider: error.provider) { _ throws(ProviderError) in throw error }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        let (events, continuation) = AsyncThrowingStream.makeStream(of: ChatStreamEvent.self)
        let produce = self.produce
        let task = Task {
            do {
                try await produce(Continuation(base: continuation))
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        // Called when the producer finishes, and also when the consumer is cancelled or drops the iterator.
        continuation.onTermination = { _ in task.cancel() }
        return AsyncIterator(base: events.makeAsyncIterator(), provider: provider)
    }

    /// Reads one iteration of a ``ChatStream``.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private var base: AsyncThrowingStream<ChatStreamEvent, any Error>.Iterator
        private let provider: String
        private var isDone = false

        fileprivate init(base: AsyncThrowingStream<ChatStreamEvent, any Error>.Iterator, provider: String) {
            self.base = base
            self.provider = provider
        }

        public mutating func next() async throws(ProviderError) -> ChatStreamEvent? {
            try await next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(ProviderError) -> ChatStreamEvent? {
            guard !isDone else { return nil }
            let event: ChatStreamEvent?
            do {
                event = try await base.next(isolation: actor)
            } catch {
                isDone = true
                throw error as? ProviderError ?? ProviderError(.transport(String(describing: error)), provider: provider)
            }
            switch event {
            case .text:
                return event
            case .finished:
                isDone = true
                return event
            case nil:
                isDone = true
                if Task.isCancelled { throw ProviderError(.cancelled, provider: provider) }
                throw ProviderError(.malformedResponse("the stream ended before the answer was complete"), provider: provider)
            }
        }
    }

    /// Reads the whole stream into one answer: the deltas joined, with the summary.
    ///
    /// - Throws: The stream's ``ProviderError``.
    public func collect() async throws(ProviderError) -> ChatResponse {
        var text = ""
        var events = makeAsyncIterator()
        while let event = try await events.next() {
            switch event {
            case .text(let delta): text += delta
            case .finished(let summary): return ChatResponse(text: text, summary: summary)
            }
        }
        // The iterator throws rather than end without `finished`.
        throw ProviderError(.malformedResponse("the stream ended before the answer was complete"), provider: provider)
    }
}
