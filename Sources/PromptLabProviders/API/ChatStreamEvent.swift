/// One event of a streamed answer (``ChatProvider/stream(_:)``).
///
/// A stream that succeeds delivers zero or more ``text(_:)`` deltas and then exactly one ``finished(_:)``,
/// after which it ends. A stream that fails throws a ``ProviderError`` instead of `finished`, possibly
/// after some deltas: the text delivered so far is then not a complete answer.
public enum ChatStreamEvent: Sendable, Hashable {
    /// The next piece of the answer text (never empty). Joined in order, the deltas are the answer.
    case text(String)
    /// The answer is complete: why it ended, the usage and the request id.
    case finished(ChatStreamSummary)
}
