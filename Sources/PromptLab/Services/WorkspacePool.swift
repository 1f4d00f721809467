import Foundation
import PromptLabCore
import Synchronization

/// Open workspaces shared by requests, one request at a time each.
///
/// Opening the repository and the database per request would cost more than most requests; a
/// workspace is not safe to use from two tasks at once (libgit2 repositories are not), so each
/// request borrows one for its duration and gives it back. Repositories keep their version index
/// for the current commit, so lookups after the first are cheap.
public final class WorkspacePool: Sendable {
    private let open: @Sendable () throws(PromptLabError) -> Workspace
    private let idle = Mutex<[Lease]>([])
    private let capacity: Int

    /// A workspace lent to one request.
    ///
    /// `@unchecked Sendable` because the pool hands it to one task at a time: it is taken out of
    /// `idle` under the lock before use and put back after.
    final class Lease: @unchecked Sendable {
        let workspace: Workspace
        init(_ workspace: Workspace) { self.workspace = workspace }
    }

    public init(capacity: Int = 8, open: @escaping @Sendable () throws(PromptLabError) -> Workspace) {
        self.capacity = capacity
        self.open = open
    }

    /// Runs `body` with a workspace no other request is using.
    public func withWorkspace<Result>(_ body: (Workspace) async throws -> Result) async throws -> Result {
        let lease = try idle.withLock { $0.popLast() } ?? Lease(open())
        defer {
            let kept = idle.withLock { idle -> Bool in
                guard idle.count < capacity else { return false }
                idle.append(lease)
                return true
            }
            if !kept { lease.workspace.close() }
        }
        return try await body(lease.workspace)
    }
}
