import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A real HTTP/1.1 server on loopback that speaks the OpenAI Chat Completions, Anthropic Messages and
/// Gemini `generateContent` wire formats, for tests and benchmarks of the provider layer.
///
/// - A request that asks to stream (`"stream": true`, or Gemini's `:streamGenerateContent?alt=sse`) gets
///   the same answer as server-sent events in the vendor's format, its text in several deltas
///   (``Configuration/streamDeltaLength``), with the finish reason and the usage.
/// - It checks each request the way the real API would (path, auth headers, body shape) and answers a bad
///   one with a 400 in the vendor's error format, listing the problems in ``violations``.
/// - A good request gets a deterministic answer: the last user message echoed back, with token counts
///   (whitespace tokens), a finish reason and a request id (`req_N`).
/// - Faults (``Fault``) can be scripted as a queue, pinned to request numbers, or drawn at random from a
///   seeded generator.
/// - It counts requests in total and per path and records the last ``Configuration/recordLimit`` of them
///   with headers and bodies.
///
/// It keeps connections alive, logs nothing, and answers from the event loop, so it can take tens of
/// thousands of requests quickly.
public final class ProviderTestServer: Sendable {
    /// Server behaviour that tests may set at start.
    public struct Configuration: Sendable {
        /// When set, requests whose key differs are rejected as the vendor would (401, or 400 for Gemini).
        /// The rejection message echoes the wrong key, as real APIs partly do, so that redaction is tested.
        public var expectedAPIKey: String?
        /// The cached prompt tokens reported in every usage block (capped at the prompt tokens).
        public var cachedTokens: Int
        /// How many of the latest requests to keep in ``ProviderTestServer/requests``; 0 records none.
        public var recordLimit: Int
        /// The most characters of answer text in one delta of a streamed answer. The text is cut at
        /// whitespace, and a longer word into pieces of this many characters.
        public var streamDeltaLength: Int

        /// Creates a configuration.
        public init(expectedAPIKey: String? = nil, cachedTokens: Int = 0, recordLimit: Int = 1000, streamDeltaLength: Int = 16) {
            self.expectedAPIKey = expectedAPIKey
            self.cachedTokens = cachedTokens
            self.recordLimit = recordLimit
            self.streamDeltaLength = max(1, streamDeltaLength)
        }
    }

    /// The port the server listens on (127.0.0.1).
    public let port: Int
    /// `http://127.0.0.1:PORT`, to use as a provider base URL.
    public var baseURL: String { "http://\(host):\(port)" }

    let host: String
    let state: ServerState
    private let serverChannel: any Channel
    /// The event loops this server created for itself (`nil` when it runs on the shared ones).
    private let ownedGroup: MultiThreadedEventLoopGroup?

    private init(
        host: String, port: Int, state: ServerState, serverChannel: any Channel, ownedGroup: MultiThreadedEventLoopGroup?
    ) {
        self.host = host
        self.port = port
        self.state = state
        self.serverChannel = serverChannel
        self.ownedGroup = ownedGroup
    }

    /// Starts a server on an ephemeral port.
    ///
    /// - Parameters:
    ///   - host: The address to bind; keep the default loopback address.
    ///   - threads: Event-loop threads of the server's own; `nil` (the default) runs it on NIO's shared
    ///     event loops. Tests keep the default: dozens of servers run at once, and a group per server
    ///     would cost each a thread and three descriptors. The standalone server passes its own count.
    ///   - configuration: Behaviour settings.
    public static func start(
        host: String = "127.0.0.1",
        threads: Int? = nil,
        configuration: Configuration = Configuration()
    ) async throws -> ProviderTestServer {
        let ownedGroup = threads.map { MultiThreadedEventLoopGroup(numberOfThreads: max(1, $0)) }
        let group: any EventLoopGroup = ownedGroup ?? MultiThreadedEventLoopGroup.singleton
        let state = ServerState(configuration: configuration)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(RequestHandler(state: state))
                        state.track(channel)
                    }
                }
                .bind(host: host, port: 0)
                .get()
            guard let port = channel.localAddress?.port else {
                try? await channel.close()
                throw ServerError.noPort
            }
            return ProviderTestServer(host: host, port: port, state: state, serverChannel: channel, ownedGroup: ownedGroup)
        } catch {
            try? await ownedGroup?.shutdownGracefully()
            throw error
        }
    }

    /// Runs `body` with a fresh server and shuts it down afterwards, also when `body` throws.
    public static func withServer<Result>(
        threads: Int? = nil,
        configuration: Configuration = Configuration(),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (ProviderTestServer) async throws -> Result
    ) async throws -> Result {
        let server = try await start(threads: threads, configuration: configuration)
        let result: Swift.Result<Result, any Error>
        do {
            result = .success(try await body(server))
        } catch {
            result = .failure(error)
        }
        try await server.shutdown()
        return try result.get()
    }

    /// Closes the listening socket and every open connection (hanging ones included), then stops the
    /// event loops if the server has its own.
    public func shutdown() async throws {
        try? await serverChannel.close()
        for channel in state.openChannels() {
            try? await channel.close()
        }
        try await ownedGroup?.shutdownGracefully()
    }

    // MARK: - Faults

    /// Queues faults for the next requests, one per request, in order (after any earlier queued faults).
    public func enqueue(_ faults: Fault...) {
        state.enqueue(faults)
    }

    /// Queues faults for the next requests, one per request, in order.
    public func enqueue(contentsOf faults: [Fault]) {
        state.enqueue(faults)
    }

    /// Pins a fault to the request with this 1-based number (counted since start or ``reset()``).
    /// A pinned fault wins over the queue.
    public func setFault(_ fault: Fault, onRequest number: Int) {
        state.pin(fault, number: number)
    }

    /// Gives every request that has no pinned or queued fault a chance of each fault, drawn from a
    /// generator seeded with `seed` (so a run is repeatable for the same order of requests).
    ///
    /// - Parameter faults: Faults with their probabilities (summing to at most 1).
    public func setRandomFaults(_ faults: [(fault: Fault, probability: Double)], seed: UInt64) {
        state.setRandom(faults, seed: seed)
    }

    /// Removes every queued, pinned and random fault.
    public func clearFaults() {
        state.clearFaults()
    }

    /// Clears faults, counters, recorded requests and violations; request numbers start again at 1.
    public func reset() {
        state.reset()
    }

    // MARK: - Observations

    /// Requests received (fully read), including those answered with a fault.
    public var requestCount: Int { state.snapshot { $0.total } }

    /// Requests received for one path (without query), for example `/v1/messages`.
    public func requestCount(path: String) -> Int { state.snapshot { $0.perPath[path] ?? 0 } }

    /// Requests received per path.
    public var requestCountsByPath: [String: Int] { state.snapshot { $0.perPath } }

    /// The latest recorded requests, oldest first.
    public var requests: [RecordedRequest] { state.snapshot { Array($0.recorded) } }

    /// The most recent request.
    public var lastRequest: RecordedRequest? { state.snapshot { $0.recorded.last } }

    /// Wire-format problems found in requests, each prefixed with the request number and path.
    public var violations: [String] { state.snapshot { $0.violations } }

    /// Body bytes written so far by ``HostileBehaviour/trickle(interval:)`` answers.
    public var trickledBytes: Int { state.snapshot { $0.trickled } }

    /// Connections accepted so far (to check keep-alive reuse).
    public var connectionCount: Int { state.snapshot { $0.connections } }

    enum ServerError: Error {
        case noPort
    }
}

// MARK: - Shared state

/// Counters, recordings and fault plans shared by all connections, behind one lock.
final class ServerState: Sendable {
    struct Storage {
        var configuration: ProviderTestServer.Configuration
        var total = 0
        var perPath: [String: Int] = [:]
        var recorded: [RecordedRequest] = []
        var violations: [String] = []
        var queue: [Fault] = []
        var queueHead = 0
        var pinned: [Int: Fault] = [:]
        var random: [(fault: Fault, probability: Double)] = []
        var generator = SplitMix64(seed: 0)
        var channels: [ObjectIdentifier: any Channel] = [:]
        var connections = 0
        var trickled = 0
    }

    private let storage: Mutex<Storage>

    init(configuration: ProviderTestServer.Configuration) {
        storage = Mutex(Storage(configuration: configuration))
    }

    func snapshot<T>(_ read: (Storage) -> T) -> T {
        storage.withLock { read($0) }
    }

    private func mutate<T>(_ change: (inout Storage) -> T) -> T {
        storage.withLock { change(&$0) }
    }

    var configuration: ProviderTestServer.Configuration { snapshot { $0.configuration } }

    func enqueue(_ faults: [Fault]) { mutate { $0.queue.append(contentsOf: faults) } }
    func pin(_ fault: Fault, number: Int) { mutate { $0.pinned[number] = fault } }
    func setRandom(_ faults: [(fault: Fault, probability: Double)], seed: UInt64) {
        mutate {
            $0.random = faults
            $0.generator = SplitMix64(seed: seed)
        }
    }
    func clearFaults() {
        mutate {
            $0.queue = []
            $0.queueHead = 0
            $0.pinned = [:]
            $0.random = []
        }
    }
    func reset() {
        mutate {
            $0.total = 0
            $0.perPath = [:]
            $0.recorded = []
            $0.violations = []
            $0.queue = []
            $0.queueHead = 0
            $0.pinned = [:]
            $0.random = []
        }
    }

    /// Counts a request, records it, and picks its fault: pinned, then queued, then random.
    func admit(_ request: inout RecordedRequest) -> (fault: Fault?, configuration: ProviderTestServer.Configuration) {
        mutate { storage in
            storage.total += 1
            request.number = storage.total
            storage.perPath[request.path, default: 0] += 1
            if storage.configuration.recordLimit > 0 {
                if storage.recorded.count >= storage.configuration.recordLimit {
                    storage.recorded.removeFirst(storage.recorded.count - storage.configuration.recordLimit + 1)
                }
                storage.recorded.append(request)
            }
            var fault: Fault?
            if let pinned = storage.pinned.removeValue(forKey: request.number) {
                fault = pinned
            } else if storage.queueHead < storage.queue.count {
                fault = storage.queue[storage.queueHead]
                storage.queueHead += 1
                if storage.queueHead == storage.queue.count {
                    storage.queue = []
                    storage.queueHead = 0
                }
            } else if !storage.random.isEmpty {
                let draw = Double(storage.generator.next() >> 11) * 0x1.0p-53
                var cumulative = 0.0
                for entry in storage.random {
                    cumulative += entry.probability
                    if draw < cumulative {
                        fault = entry.fault
                        break
                    }
                }
            }
            return (fault, storage.configuration)
        }
    }

    func countTrickled(_ bytes: Int) { mutate { $0.trickled += bytes } }

    func addViolations(_ problems: [String], number: Int, path: String) {
        mutate { storage in
            for problem in problems { storage.violations.append("#\(number) \(path): \(problem)") }
        }
    }

    func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        mutate {
            $0.channels[id] = channel
            $0.connections += 1
        }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.mutate { _ = $0.channels.removeValue(forKey: id) }
        }
    }

    func openChannels() -> [any Channel] { snapshot { Array($0.channels.values) } }
}

/// A small, fast, seedable generator (SplitMix64), so random faults repeat for the same seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - Connection handler

/// Collects one request at a time and answers it.
final class RequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let state: ServerState
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private static let maxBodyBytes = 32 * 1024 * 1024

    init(state: ServerState) {
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body = context.channel.allocator.buffer(capacity: 0)
        case .body(var chunk):
            if (body?.readableBytes ?? 0) + chunk.readableBytes <= RequestHandler.maxBodyBytes {
                body?.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            let bytes = body ?? ByteBuffer()
            self.head = nil
            self.body = nil
            handle(context: context, head: head, body: bytes)
        }
    }

    private func handle(context: ChannelHandlerContext, head: HTTPRequestHead, body: ByteBuffer) {
        let uri = head.uri
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        var request = RecordedRequest(
            number: 0,
            method: head.method.rawValue,
            uri: uri,
            path: path,
            headers: head.headers.map { ($0.name, $0.value) },
            body: Data(body.readableBytesView)
        )
        let (fault, configuration) = state.admit(&request)
        let keepAlive = head.isKeepAlive
        let version = head.version

        guard let route = WireFormats.route(path: path) else {
            state.addViolations(["unknown path"], number: request.number, path: path)
            let reply = WireFormats.error(
                .openai, status: 404, type: "invalid_request_error", code: "unknown_url", message: "Unknown path \(path)")
            write(reply, context: context, version: head.version, keepAlive: keepAlive)
            return
        }

        // Faults come before validation, as a real overloaded server would not look at the body.
        if let fault {
            switch fault {
            case .dropConnection:
                context.close(promise: nil)
                return
            case .hang:
                return
            case .hostile(.trickle(let interval)):
                let reply = normalReply(request, route: route, configuration: configuration)
                trickle(reply, interval: interval, context: context, version: head.version, keepAlive: keepAlive)
                return
            case .hostile(let behaviour):
                let streamDeltaLength = route.streams(request.json) ? configuration.streamDeltaLength : nil
                if let reply = WireFormats.hostileReply(
                    behaviour, request: request, vendor: route.vendor, model: route.model, cachedTokens: configuration.cachedTokens,
                    streamDeltaLength: streamDeltaLength)
                {
                    write(reply, context: context, version: head.version, keepAlive: keepAlive)
                    return
                }
            case .cutStream(let afterDeltas):
                let reply = normalReply(request, route: route, configuration: configuration)
                if let stream = reply.stream {
                    let events = stream.opening + stream.deltas.prefix(max(0, afterDeltas))
                    writeStream(reply, events: events, context: context, version: version, keepAlive: keepAlive, completes: false)
                } else {
                    let half = reply.body.prefix(reply.body.count / 2)
                    write(reply, body: half, context: context, version: version, keepAlive: keepAlive, completes: false)
                }
                return
            case .streamError(let afterDeltas):
                let reply = normalReply(request, route: route, configuration: configuration)
                if let stream = reply.stream {
                    let events = stream.opening + stream.deltas.prefix(max(0, afterDeltas)) + [WireFormats.streamedError(route.vendor)]
                    writeStream(reply, events: events, context: context, version: version, keepAlive: keepAlive)
                    return
                }
                if reply.status == 200, let error = WireFormats.faultReply(fault, vendor: route.vendor) {
                    write(error, context: context, version: version, keepAlive: keepAlive)
                } else {
                    write(reply, context: context, version: version, keepAlive: keepAlive)
                }
                return
            case .delay(let delay):
                context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(delay.nanosecondsClamped)) {
                    let reply = self.normalReply(request, route: route, configuration: configuration)
                    self.write(reply, context: context, version: version, keepAlive: keepAlive)
                }
                return
            default:
                if let reply = WireFormats.faultReply(fault, vendor: route.vendor) {
                    write(reply, context: context, version: head.version, keepAlive: keepAlive)
                    return
                }
            }
        }
        write(
            normalReply(request, route: route, configuration: configuration), context: context, version: head.version, keepAlive: keepAlive)
    }

    private func normalReply(
        _ request: RecordedRequest, route: WireFormats.Route, configuration: ProviderTestServer.Configuration
    ) -> Reply {
        if let rejection = WireFormats.authenticate(route.vendor, request, expectedKey: configuration.expectedAPIKey) {
            return rejection
        }
        let body = request.json
        let problems = WireFormats.violations(route.vendor, request, body: body, model: route.model)
        if !problems.isEmpty {
            state.addViolations(problems, number: request.number, path: request.path)
            let type = route.vendor == .gemini ? "INVALID_ARGUMENT" : "invalid_request_error"
            return WireFormats.error(route.vendor, status: 400, type: type, code: nil, message: problems.joined(separator: "; "))
        }
        return WireFormats.answer(
            route.vendor, json: body ?? .null, model: route.model, number: request.number,
            cachedTokens: configuration.cachedTokens, streamDeltaLength: route.streams(body) ? configuration.streamDeltaLength : nil)
    }

    /// Writes `reply`: its body, or its events when it is a stream.
    private func write(_ reply: Reply, context: ChannelHandlerContext, version: HTTPVersion, keepAlive: Bool) {
        if let stream = reply.stream {
            writeStream(reply, events: stream.events, context: context, version: version, keepAlive: keepAlive)
        } else {
            write(reply, body: reply.body, context: context, version: version, keepAlive: keepAlive)
        }
    }

    /// Writes the head of `reply` (its `content-length` says `reply.body`'s length) and `body`; when not
    /// `completes`, the connection is then closed (the answer is cut short).
    private func write(
        _ reply: Reply, body: Data, context: ChannelHandlerContext, version: HTTPVersion, keepAlive: Bool, completes: Bool = true
    ) {
        guard context.channel.isActive else { return }
        var buffer = context.channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        context.write(wrapOutboundOut(.head(responseHead(reply, version: version, keepAlive: keepAlive))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        finish(context: context, keepAlive: keepAlive, completes: completes)
    }

    /// Writes the head of a streamed `reply` (chunked, no `content-length`), then each event flushed on its
    /// own; when not `completes`, the connection is closed without ending the body.
    ///
    /// Before a cut the events go out as one chunk: AsyncHTTPClient can drop the body parts it has not yet
    /// handed to its reader when the connection closes, so separate chunks would make the deltas a test
    /// sees before the error vary from run to run. One chunk arrives whole, before the close.
    private func writeStream(
        _ reply: Reply, events: [Data], context: ChannelHandlerContext, version: HTTPVersion, keepAlive: Bool, completes: Bool = true
    ) {
        guard context.channel.isActive else { return }
        context.writeAndFlush(wrapOutboundOut(.head(responseHead(reply, version: version, keepAlive: keepAlive))), promise: nil)
        if !completes {
            var buffer = context.channel.allocator.buffer(capacity: 0)
            for event in events { buffer.writeBytes(event) }
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        } else {
            for event in events {
                var buffer = context.channel.allocator.buffer(capacity: event.count)
                buffer.writeBytes(event)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            }
        }
        finish(context: context, keepAlive: keepAlive, completes: completes)
    }

    /// Ends the response, or closes the connection in the middle of it when it does not `complete`.
    private func finish(context: ChannelHandlerContext, keepAlive: Bool, completes: Bool) {
        if !completes {
            context.flush()
            context.close(promise: nil)
        } else if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }

    /// The head of `reply`: JSON with its `content-length`, or an event stream (chunked).
    private func responseHead(_ reply: Reply, version: HTTPVersion, keepAlive: Bool) -> HTTPResponseHead {
        var head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: reply.status))
        if reply.stream != nil {
            head.headers.add(name: "content-type", value: "text/event-stream")
            head.headers.add(name: "cache-control", value: "no-cache")
        } else {
            head.headers.add(name: "content-type", value: "application/json")
            head.headers.add(name: "content-length", value: String(reply.body.count))
        }
        for (name, value) in reply.headers { head.headers.add(name: name, value: value) }
        if !keepAlive { head.headers.add(name: "connection", value: "close") }
        return head
    }

    /// Writes the head of `reply` at once, then its body (or its events) one byte every `interval`
    /// (until the client goes away).
    private func trickle(_ reply: Reply, interval: Duration, context: ChannelHandlerContext, version: HTTPVersion, keepAlive: Bool) {
        context.writeAndFlush(wrapOutboundOut(.head(responseHead(reply, version: version, keepAlive: keepAlive))), promise: nil)
        let bytes = reply.stream.map { $0.events.flatMap { [UInt8]($0) } } ?? [UInt8](reply.body)
        let loop = context.eventLoop.assumeIsolated()
        func send(from index: Int) {
            guard context.channel.isActive else { return }
            guard index < bytes.count else {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                if !keepAlive { context.close(promise: nil) }
                return
            }
            var buffer = context.channel.allocator.buffer(capacity: 1)
            buffer.writeInteger(bytes[index])
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            state.countTrickled(1)
            loop.scheduleTask(in: .nanoseconds(interval.nanosecondsClamped)) { send(from: index + 1) }
        }
        send(from: 0)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

extension Duration {
    /// Whole nanoseconds, clamped to `Int64`.
    var nanosecondsClamped: Int64 {
        let parts = components
        let (product, overflow) = parts.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return parts.seconds < 0 ? .min : .max }
        return product &+ parts.attoseconds / 1_000_000_000
    }
}
