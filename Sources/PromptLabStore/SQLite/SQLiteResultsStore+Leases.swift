import Foundation
internal import GRDB

extension SQLiteResultsStore {
    // MARK: - Run leases

    public func acquireLease(_ lease: RunLease, now: Date, canTakeOver: @escaping @Sendable (RunLease) -> Bool) async throws {
        try await write("take the lease of run '\(lease.runID)'") { db in
            try Self.requireRun(db, lease.runID)
            if let current = try Self.fetchLease(db, lease.runID), current.token != lease.token, current.expiresAt > now,
                !canTakeOver(current)
            {
                throw StoreError.leaseHeld(current)
            }
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO run_leases (run_id, token, process_id, host, acquired_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    lease.runID, lease.token, lease.processID, lease.host, Timestamp.string(from: lease.acquiredAt),
                    Timestamp.string(from: lease.expiresAt),
                ])
        }
    }

    public func renewLease(_ lease: RunLease, expiresAt: Date) async throws {
        try await write("renew the lease of run '\(lease.runID)'") { db in
            try db.execute(
                sql: "UPDATE run_leases SET expires_at = ? WHERE run_id = ? AND token = ?",
                arguments: [Timestamp.string(from: expiresAt), lease.runID, lease.token])
            guard db.changesCount == 1 else {
                if let current = try Self.fetchLease(db, lease.runID) { throw StoreError.leaseHeld(current) }
                throw StoreError(
                    .leaseHeld, "the lease of run '\(lease.runID)' was released by another process",
                    hint: "stop this process; see 'promptlab runs' for the run's state")
            }
        }
    }

    public func releaseLease(_ lease: RunLease) async throws {
        try await write("release the lease of run '\(lease.runID)'") { db in
            try db.execute(sql: "DELETE FROM run_leases WHERE run_id = ? AND token = ?", arguments: [lease.runID, lease.token])
        }
    }

    public func lease(runID: String) async throws -> RunLease? {
        try await read("read the lease of run '\(runID)'") { db in
            try Self.fetchLease(db, runID)
        }
    }

    static func fetchLease(_ db: Database, _ runID: String) throws -> RunLease? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: "SELECT run_id, token, process_id, host, acquired_at, expires_at FROM run_leases WHERE run_id = ?",
                arguments: [runID])
        else { return nil }
        var reader = ColumnReader(row)
        return RunLease(
            runID: try reader.next(), token: try reader.next(), processID: try reader.next(), host: try reader.next(),
            acquiredAt: try reader.nextDate(), expiresAt: try reader.nextDate())
    }
}

extension StoreError {
    /// `run 'ID' is being executed by process 1234 on host h (since …)`.
    static func leaseHeld(_ lease: RunLease) -> StoreError {
        StoreError(
            .leaseHeld,
            "run '\(lease.runID)' is being executed by \(lease.holderDescription) since \(Timestamp.string(from: lease.acquiredAt))",
            hint:
                "wait for it to finish, or stop that process; if it died on another host, its lease lapses at \(Timestamp.string(from: lease.expiresAt))"
        )
    }
}
