import Foundation
internal import GRDB

extension SQLiteResultsStore {
    /// How many keys one `IN (...)` lookup binds; well under SQLite's limit on host parameters.
    private static let cacheLookupChunk = 500

    public func cachedResponses(keys: [String]) async throws -> [String: CacheEntry] {
        let unique = Array(Set(keys))
        guard !unique.isEmpty else { return [:] }
        return try await read("look up \(unique.count) cached responses") { db in
            var found: [String: CacheEntry] = [:]
            for start in stride(from: 0, to: unique.count, by: Self.cacheLookupChunk) {
                let chunk = Array(unique[start..<min(start + Self.cacheLookupChunk, unique.count)])
                let sql = """
                    SELECT \(CacheEntry.selectColumns) FROM response_cache
                    WHERE cache_key IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ", ")))
                    """
                // Full chunks share one cached statement; the last, shorter one is prepared once.
                let statement =
                    chunk.count == Self.cacheLookupChunk
                    ? try db.cachedStatement(sql: sql)
                    : try db.makeStatement(sql: sql)
                let rows = try Row.fetchCursor(statement, arguments: StatementArguments(chunk))
                while let row = try rows.next() {
                    let entry = try CacheEntry(row: row)
                    found[entry.cacheKey] = entry
                }
            }
            return found
        }
    }

    public func storeCache(_ entries: [CacheEntry]) async throws {
        guard !entries.isEmpty else { return }
        try await write("store \(entries.count) cached responses") { db in
            for entry in entries {
                try entry.insertOrReplace(db)
            }
        }
    }

    @discardableResult
    public func clearCache(createdBefore: Date?) async throws -> Int {
        try await write("clear the response cache") { db in
            if let createdBefore {
                try db.execute(
                    sql: "DELETE FROM response_cache WHERE created_at < ?",
                    arguments: [Timestamp.string(from: createdBefore)])
            } else {
                try db.execute(sql: "DELETE FROM response_cache")
            }
            return db.changesCount
        }
    }
}
