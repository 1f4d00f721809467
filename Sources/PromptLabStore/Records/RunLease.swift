import Foundation

/// The right to execute one run, held by one process at a time.
///
/// Two `promptlab run --resume` of the same run would otherwise both send every missing cell: the
/// responses table keeps only the first answer per cell, but every request is paid for. A process
/// takes the lease before it sends anything and renews it while it works; the lease lapses at
/// ``expiresAt`` if the holder dies without releasing it, so a crashed run never stays blocked.
public struct RunLease: Sendable, Hashable, Codable {
    /// The run being executed.
    public var runID: String
    /// A random token that identifies this holding, so a renewal or release by a process that
    /// lost the lease (after being suspended past its expiry) cannot touch its successor's lease.
    public var token: String
    /// The holder's process id and host name, shown to whoever is refused.
    public var processID: Int32
    public var host: String
    /// When the lease was taken.
    public var acquiredAt: Date
    /// When the lease lapses unless renewed.
    public var expiresAt: Date

    public init(runID: String, token: String, processID: Int32, host: String, acquiredAt: Date, expiresAt: Date) {
        self.runID = runID
        self.token = token
        self.processID = processID
        self.host = host
        self.acquiredAt = acquiredAt
        self.expiresAt = expiresAt
    }

    /// `process 1234 on host build-7`, for messages.
    public var holderDescription: String { "process \(processID) on host \(host)" }
}
