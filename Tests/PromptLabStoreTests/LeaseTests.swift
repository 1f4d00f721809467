import Foundation
import PromptLabStore
import Testing

/// The run lease: one process at a time executes a run, and a dead holder never blocks it for good.
@Suite struct LeaseTests {
    let start = Date(milliseconds: 1_790_000_000_000)

    func lease(_ runID: String, token: String, pid: Int32 = 100, host: String = "alpha", at date: Date) -> RunLease {
        RunLease(runID: runID, token: token, processID: pid, host: host, acquiredAt: date, expiresAt: date.addingTimeInterval(60))
    }

    @Test func aLiveLeaseRefusesASecondHolderAndNamesTheFirst() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture()
            try await fixture.create(in: store)
            let first = lease(fixture.runID, token: "a", pid: 4242, host: "build-7", at: start)
            try await store.acquireLease(first, now: start) { _ in false }

            let second = lease(fixture.runID, token: "b", at: start.addingTimeInterval(10))
            let error = await #expect(throws: StoreError.self) {
                try await store.acquireLease(second, now: start.addingTimeInterval(10)) { _ in false }
            }
            #expect(error?.kind == .leaseHeld)
            #expect(error?.message.contains("process 4242 on host build-7") == true, "\(error?.message ?? "")")
            #expect(try await store.lease(runID: fixture.runID) == first)
        }
    }

    @Test func anExpiredOrAbandonedLeaseIsTakenOver() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture()
            try await fixture.create(in: store)
            try await store.acquireLease(lease(fixture.runID, token: "a", at: start), now: start) { _ in false }

            // Past its expiry, anyone may take it.
            let later = start.addingTimeInterval(61)
            let second = lease(fixture.runID, token: "b", at: later)
            try await store.acquireLease(second, now: later) { _ in false }
            #expect(try await store.lease(runID: fixture.runID)?.token == "b")

            // Before expiry, only when the caller knows the holder is gone (a dead process on its host).
            let third = lease(fixture.runID, token: "c", at: later.addingTimeInterval(1))
            try await store.acquireLease(third, now: later.addingTimeInterval(1)) { held in held.token == "b" }
            #expect(try await store.lease(runID: fixture.runID)?.token == "c")
        }
    }

    @Test func aLostLeaseCanNeitherBeRenewedNorReleased() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture()
            try await fixture.create(in: store)
            let first = lease(fixture.runID, token: "a", at: start)
            try await store.acquireLease(first, now: start) { _ in false }
            try await store.renewLease(first, expiresAt: start.addingTimeInterval(120))
            #expect(try await store.lease(runID: fixture.runID)?.expiresAt == start.addingTimeInterval(120))

            let later = start.addingTimeInterval(200)
            let second = lease(fixture.runID, token: "b", at: later)
            try await store.acquireLease(second, now: later) { _ in false }
            await expectStoreError(.leaseHeld) { try await store.renewLease(first, expiresAt: later.addingTimeInterval(60)) }
            try await store.releaseLease(first)
            #expect(try await store.lease(runID: fixture.runID) == second)

            try await store.releaseLease(second)
            #expect(try await store.lease(runID: fixture.runID) == nil)
            // Released: the next holder needs no take-over.
            try await store.acquireLease(lease(fixture.runID, token: "c", at: later), now: later) { _ in false }
        }
    }

    @Test func leasesNeedARecordedRun() async throws {
        try await withTemporaryStore { store, _ in
            await expectStoreError(.runNotFound) {
                try await store.acquireLease(lease("r-missing", token: "a", at: start), now: start) { _ in false }
            }
        }
    }
}
