import Foundation
import GRDB
import PromptLabStore
import Testing

/// The response cache: batch lookups, replacement, and no place for errors.
@Suite struct CacheTests {
    private func entry(_ key: String, output: String = "cached answer", at milliseconds: Int64 = 1_790_000_000_000) -> CacheEntry {
        CacheEntry(
            cacheKey: key, provider: "anthropic", model: "claude-haiku", output: output,
            inputTokens: 10, outputTokens: 2, cachedTokens: 8, finishReason: "end_turn",
            requestID: "msg_\(key)", createdAt: Date(milliseconds: milliseconds))
    }

    @Test func entriesRoundTripThroughBatchLookups() async throws {
        try await withTemporaryStore { store, _ in
            let entries = (0..<1_203).map { entry(String(format: "%064x", $0), output: "answer \($0)") }
            try await store.storeCache(entries)

            // More keys than one lookup chunk, some missing, one repeated.
            let wanted = entries.map(\.cacheKey) + ["missing-1", "missing-2", entries[0].cacheKey]
            let found = try await store.cachedResponses(keys: wanted)
            #expect(found.count == 1_203)
            #expect(found[entries[42].cacheKey] == entries[42])
            #expect(found["missing-1"] == nil)
            #expect(try await store.cachedResponses(keys: []).isEmpty)
        }
    }

    @Test func storingAnExistingKeyReplacesIt() async throws {
        try await withTemporaryStore { store, path in
            try await store.storeCache([entry("k", output: "old")])
            try await store.storeCache([entry("k", output: "new")])
            #expect(try await store.cachedResponses(keys: ["k"])["k"]?.output == "new")
            let count = try await openRaw(path).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM response_cache") }
            #expect(count == 1)
        }
    }

    @Test func errorsCannotBeCached() async throws {
        try await withTemporaryStore { store, path in
            let fixture = Fixture()
            let failed = fixture.response(outcome: .failure(kind: "http_500", message: "server error"))
            #expect(CacheEntry(cacheKey: "k", response: failed) == nil)

            let succeeded = fixture.response(outcome: .success(output: "billing"))
            let fromResponse = try #require(CacheEntry(cacheKey: "k", response: succeeded, createdAt: Date(milliseconds: 5)))
            #expect(fromResponse.output == "billing")
            #expect(fromResponse.requestID == succeeded.requestID)
            try await store.storeCache([fromResponse])
            #expect(try await store.cachedResponses(keys: ["k"]) == ["k": fromResponse])

            // The table itself refuses an entry without an output.
            await #expect(throws: DatabaseError.self) {
                try await openRaw(path).write { db in
                    try db.execute(
                        sql: """
                            INSERT INTO response_cache (cache_key, provider, model, output, created_at)
                            VALUES ('e', 'p', 'm', NULL, 't')
                            """)
                }
            }
        }
    }

    @Test func clearingTheCache() async throws {
        try await withTemporaryStore { store, _ in
            try await store.storeCache([entry("old", at: 1_000), entry("new", at: 9_000)])
            #expect(try await store.clearCache(createdBefore: Date(milliseconds: 5_000)) == 1)
            #expect(try await store.cachedResponses(keys: ["old", "new"]).keys.sorted() == ["new"])
            #expect(try await store.clearCache() == 1)
            #expect(try await store.cachedResponses(keys: ["new"]).isEmpty)
        }
    }
}
