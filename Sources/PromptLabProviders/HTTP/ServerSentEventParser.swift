/// One event of a `text/event-stream` body.
struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field; nil when the event had none (the spec's default type `message`).
    var type: String?
    /// The `data:` lines joined with `\n`.
    var data: String
    /// The `id:` field in force when the event was dispatched.
    var id: String?
}

/// Why a `text/event-stream` body could not be read.
enum ServerSentEventError: Error, Sendable, Hashable {
    /// A line grew past the limit before it ended.
    case lineTooLong(limit: Int)
    /// An event's data grew past the limit before the blank line that dispatches it.
    case eventTooLarge(limit: Int)

    var description: String {
        switch self {
        case .lineTooLong(let limit): "a server-sent event line is longer than \(limit) bytes"
        case .eventTooLarge(let limit): "a server-sent event is larger than \(limit) bytes"
        }
    }
}

/// Reads a `text/event-stream` body as it arrives, buffer by buffer, into events, following the
/// WHATWG parsing rules (<https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation>):
/// lines end with CRLF, LF or CR; a line starting with `:` is a comment; `field: value` loses one space
/// after the colon; `data` lines accumulate, joined with `\n`; a blank line dispatches the event; an event
/// without data is not dispatched; a leading byte-order mark is skipped.
///
/// The buffers may split a line, a CRLF or a UTF-8 sequence anywhere: bytes are kept until their line
/// ends, and only whole lines are decoded (bytes that are not UTF-8 become U+FFFD, as the spec says).
/// Memory is bounded: a line or an event's data larger than the limits is an error as soon as it passes
/// them, however the server sends it.
struct ServerSentEventParser: Sendable {
    /// The longest line accepted, in bytes, without its line ending.
    let maxLineBytes: Int
    /// The most data one event may carry, in bytes, counting the `\n` between its lines.
    let maxEventBytes: Int

    /// The limit used for both, by default: far above any chunk a vendor sends.
    static let defaultLimit = 1 << 20

    private var line: [UInt8] = []
    /// The previous buffer ended with CR: an LF starting this one belongs to the same line ending.
    private var skipsLineFeed = false
    private var isFirstLine = true
    private var data: [UInt8] = []
    private var hasData = false
    private var type: String?
    private var lastEventID: String?

    init(maxLineBytes: Int = defaultLimit, maxEventBytes: Int = defaultLimit) {
        self.maxLineBytes = max(1, maxLineBytes)
        self.maxEventBytes = max(1, maxEventBytes)
    }

    /// Reads the next bytes of the body.
    ///
    /// - Returns: The events completed by these bytes, in order.
    /// - Throws: ``ServerSentEventError`` when a limit is passed; the parser must not be used afterwards.
    mutating func parse(_ bytes: some Collection<UInt8>) throws(ServerSentEventError) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        var start = bytes.startIndex
        while start != bytes.endIndex {
            if skipsLineFeed {
                skipsLineFeed = false
                if bytes[start] == UInt8(ascii: "\n") {
                    start = bytes.index(after: start)
                    continue
                }
            }
            guard let end = bytes[start...].firstIndex(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) else {
                try appendToLine(bytes[start...])
                break
            }
            try appendToLine(bytes[start..<end])
            if bytes[end] == UInt8(ascii: "\r") {
                let next = bytes.index(after: end)
                if next == bytes.endIndex {
                    skipsLineFeed = true
                    start = next
                } else {
                    start = bytes[next] == UInt8(ascii: "\n") ? bytes.index(after: next) : next
                }
            } else {
                start = bytes.index(after: end)
            }
            if let event = try processLine() { events.append(event) }
        }
        return events
    }

    private mutating func appendToLine(_ bytes: some Collection<UInt8>) throws(ServerSentEventError) {
        guard line.count + bytes.count <= maxLineBytes else { throw .lineTooLong(limit: maxLineBytes) }
        line.append(contentsOf: bytes)
    }

    /// Interprets the completed line and clears it; returns the event a blank line dispatches.
    private mutating func processLine() throws(ServerSentEventError) -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if isFirstLine {
            isFirstLine = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        }
        guard !line.isEmpty else { return dispatch() }
        if line[0] == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let name = line[..<(colon ?? line.endIndex)]
        var value = colon.map { line[line.index(after: $0)...] } ?? line[line.endIndex...]
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        switch String(decoding: name, as: UTF8.self) {
        case "data":
            let added = value.count + (hasData ? 1 : 0)
            guard data.count + added <= maxEventBytes else { throw .eventTooLarge(limit: maxEventBytes) }
            if hasData { data.append(UInt8(ascii: "\n")) }
            data.append(contentsOf: value)
            hasData = true
        case "event":
            type = String(decoding: value, as: UTF8.self)
        case "id":
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        default:
            break  // `retry` (PromptLab does not reconnect) and unknown fields are ignored, as the spec says
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
            type = nil
        }
        guard hasData else { return nil }
        return ServerSentEvent(type: type.flatMap { $0.isEmpty ? nil : $0 }, data: String(decoding: data, as: UTF8.self), id: lastEventID)
    }
}
