import AsyncHTTPClient
import Logging
import NIOCore

extension HTTPClient.Configuration {
    /// The `HTTPClient` configuration the providers expect.
    ///
    /// ``RetryingProvider`` is the only retry layer, so the client must not retry on its own: redirects are
    /// not followed (an API that redirects a POST is misconfigured, and following it would resend the
    /// request), and failed connection attempts fail the request at once instead of being retried inside
    /// the connection pool.
    ///
    /// - Parameter maxConnectionsPerHost: Kept-alive HTTP/1.1 connections per host; set it at least to the
    ///   highest provider concurrency so requests do not queue inside the client.
    public static func promptLabProviders(maxConnectionsPerHost: Int = 64) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10)),
            connectionPool: .init(
                idleTimeout: .seconds(60),
                concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, maxConnectionsPerHost)
            ),
            decompression: .disabled
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }
}
