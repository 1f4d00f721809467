import Testing

@testable import PromptLabProviders

/// The `text/event-stream` reader, against the WHATWG parsing rules, however the bytes are split.
@Suite("Server-sent event parser")
struct ServerSentEventParserTests {
    /// Parses `text` fed in pieces cut at `cuts` (byte offsets), and at the end, nothing more.
    func parse(_ text: String, cuts: [Int] = [], parser: ServerSentEventParser = ServerSentEventParser()) throws(ServerSentEventError)
        -> [ServerSentEvent]
    {
        var parser = parser
        let bytes = Array(text.utf8)
        var events: [ServerSentEvent] = []
        var start = 0
        for cut in cuts.sorted() + [bytes.count] where cut >= start {
            events += try parser.parse(bytes[start..<cut])
            start = cut
        }
        return events
    }

    /// A stream of OpenAI-like events, with every kind of line the parser must handle.
    static let sample =
        ": a comment, then an event with a type and an id\r\n"
        + "event: delta\r\nid: 7\r\ndata: {\"text\":\"héllo\"}\r\n\r\n"
        + "data:no space after the colon\n\n"
        + "data: first line\ndata: second line\ndata\n\n"
        + "retry: 1000\nunknown: field\n\n"
        + "data: emoji 🙂 split\r\r"
        + "data: [DONE]\n\n"

    static let sampleEvents = [
        ServerSentEvent(type: "delta", data: "{\"text\":\"héllo\"}", id: "7"),
        ServerSentEvent(type: nil, data: "no space after the colon", id: "7"),
        ServerSentEvent(type: nil, data: "first line\nsecond line\n", id: "7"),
        ServerSentEvent(type: nil, data: "emoji 🙂 split", id: "7"),
        ServerSentEvent(type: nil, data: "[DONE]", id: "7"),
    ]

    @Test func readsEveryKindOfLine() throws {
        #expect(try parse(Self.sample) == Self.sampleEvents)
    }

    /// Every single cut, and every pair of cuts, gives the same events: CRLF, the emoji's four bytes and
    /// the é's two bytes are split in every possible way.
    @Test func buffersMaySplitAnywhere() throws {
        let length = Self.sample.utf8.count
        for cut in 0...length {
            #expect(try parse(Self.sample, cuts: [cut]) == Self.sampleEvents, "cut at \(cut)")
        }
        for first in stride(from: 0, through: length, by: 3) {
            for second in stride(from: first, through: length, by: 5) {
                #expect(try parse(Self.sample, cuts: [first, second]) == Self.sampleEvents, "cuts at \(first), \(second)")
            }
        }
        // One byte at a time.
        #expect(try parse(Self.sample, cuts: Array(0...length)) == Self.sampleEvents)
    }

    @Test func lineEndingsMayBeMixed() throws {
        let events = try parse("data: a\r\n\ndata: b\r\rdata: c\n\r\n")
        #expect(events.map(\.data) == ["a", "b", "c"])
    }

    @Test func aCarriageReturnAtTheEndOfABufferIsOneLineEnding() throws {
        // CR ends the first buffer and LF starts the second: one line ending, so one blank line dispatches.
        var parser = ServerSentEventParser()
        #expect(try parser.parse(Array("data: a\r".utf8)).isEmpty)
        #expect(try parser.parse(Array("\n".utf8)).isEmpty)
        #expect(try parser.parse(Array("\r\n".utf8)).map(\.data) == ["a"])
    }

    @Test func commentsAndEventsWithoutDataDispatchNothing() throws {
        #expect(try parse(": keep-alive\n\n:\n\nevent: ping\n\nid: 3\n\n").isEmpty)
        // The type of an event without data does not leak into the next event.
        #expect(try parse("event: ping\n\ndata: x\n\n") == [ServerSentEvent(type: nil, data: "x", id: nil)])
    }

    @Test func anEmptyDataLineIsAnEventWithEmptyData() throws {
        #expect(try parse("data:\n\n").map(\.data) == [""])
        #expect(try parse("data: \n\n").map(\.data) == [""])
    }

    @Test func onlyOneSpaceAfterTheColonIsRemoved() throws {
        #expect(try parse("data:  two spaces\n\n").map(\.data) == [" two spaces"])
        #expect(try parse("data: a: b\n\n").map(\.data) == ["a: b"])
    }

    @Test func anUnfinishedEventAtTheEndIsNotDispatched() throws {
        #expect(try parse("data: complete\n\ndata: cut short").map(\.data) == ["complete"])
        #expect(try parse("data: cut before the blank line\n").isEmpty)
    }

    @Test func aLeadingByteOrderMarkIsSkipped() throws {
        #expect(try parse("\u{FEFF}data: a\n\n", cuts: [1, 2]).map(\.data) == ["a"])
        // Only at the very start: later it is part of the field name, which is then unknown.
        #expect(try parse("data: a\n\n\u{FEFF}data: b\n\n").map(\.data) == ["a"])
    }

    @Test func bytesThatAreNotUTF8BecomeReplacementCharacters() throws {
        var parser = ServerSentEventParser()
        let events = try parser.parse([UInt8]("data: a".utf8) + [0xFF, 0xC3] + [UInt8]("b\n\n".utf8))
        #expect(events.map(\.data) == ["a\u{FFFD}\u{FFFD}b"])
    }

    @Test func anIDWithANullIsIgnored() throws {
        #expect(try parse("id: 1\ndata: a\n\nid: 2\u{0}x\ndata: b\n\n").map(\.id) == ["1", "1"])
    }

    // MARK: - Limits

    @Test func aLineLongerThanTheLimitFailsBeforeItEnds() throws {
        let parser = ServerSentEventParser(maxLineBytes: 16, maxEventBytes: 1000)
        #expect(throws: ServerSentEventError.lineTooLong(limit: 16)) {
            // No line ending ever comes: the limit is found from the bytes alone.
            _ = try parse("data: " + String(repeating: "x", count: 11), cuts: [3, 9], parser: parser)
        }
        // Exactly at the limit is accepted; comments count too.
        #expect(try parse("data: " + String(repeating: "x", count: 10) + "\n\n", parser: parser).count == 1)
        #expect(throws: ServerSentEventError.lineTooLong(limit: 16)) {
            _ = try parse(": " + String(repeating: "x", count: 15) + "\n", parser: parser)
        }
    }

    @Test func anEventLargerThanTheLimitFails() throws {
        let parser = ServerSentEventParser(maxLineBytes: 100, maxEventBytes: 20)
        // Three lines of 8 bytes, joined by two newlines: 26 bytes.
        #expect(throws: ServerSentEventError.eventTooLarge(limit: 20)) {
            _ = try parse("data: 12345678\ndata: 12345678\ndata: 12345678\n\n", parser: parser)
        }
        // 8 + 1 + 8 = 17 bytes fit, and the count starts again with each event.
        let events = try parse("data: 12345678\ndata: 12345678\n\ndata: 12345678\ndata: 12345678\n\n", parser: parser)
        #expect(events.count == 2)
    }

    @Test func theDefaultLimitIsOneMebibyte() throws {
        let big = String(repeating: "x", count: ServerSentEventParser.defaultLimit - "data: ".utf8.count)
        #expect(try parse("data: \(big)\n\n").first?.data.utf8.count == big.utf8.count)
        #expect(throws: ServerSentEventError.lineTooLong(limit: ServerSentEventParser.defaultLimit)) {
            _ = try parse("data: \(big)x\n\n")
        }
    }
}
