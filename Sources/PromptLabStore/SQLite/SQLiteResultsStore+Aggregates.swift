import Foundation
internal import GRDB

#if canImport(GRDBSQLite)
    import GRDBSQLite  // GRDB's own SQLite module: the grades pass reads columns with the C API
#else
    import SQLite3
#endif

/// Aggregates for reports, read without building a record per response or grade.
///
/// A report over a million graded responses must not load a million records.
/// These queries use the `v2-report-indexes` indexes (see ``Schema``):
///
/// - A response's idempotency key starts with `run|variant|`, so one variant's
///   grades are one contiguous key range of `grades_by_grader`, and the repeats of
///   a case (`run|variant|case|0`, `|1`, ...) are adjacent in it, in the same case
///   order for every variant. Per-case sums are taken in one ordered pass over that
///   covering index and kept in arrays indexed by case position.
/// - Counts and sums per variant are SQL aggregates over `responses_by_variant`,
///   which covers them; latency percentiles step into the same index, which orders a
///   variant's successful, uncached latencies, with `LIMIT 2 OFFSET k`.
///
/// Why not `GROUP BY variant, case` in SQL: with one grade per case the groups are
/// as many as the rows, and SQLite's aggregate step then costs about 0.7 µs per row
/// (0.7 s for a million grades), while the ordered pass over the covering index
/// costs about a fifth of that, and gives the same sums.
///
/// Related SQLite documentation: <https://www.sqlite.org/queryplanner.html>,
/// <https://www.sqlite.org/partialindex.html>.
extension SQLiteResultsStore {
    public func graderConfigurations(runID: String) async throws -> [GraderConfiguration] {
        try await read("list the graders of run '\(runID)'") { db in
            try Self.requireRun(db, runID)
            // Skip from one (grader, config_hash) to the next with an index seek each, instead of
            // scanning every grade. min() with a strict bound seeks past the equal keys; a row-value
            // comparison `(grader, config_hash) > (?, ?)` instead stepped through every grade of
            // the last pair (the index continues with response_key), 0.2 s for a million grades.
            let nextHash = try db.cachedStatement(
                sql: "SELECT min(config_hash) FROM grades WHERE run_id = ? AND grader = ? AND config_hash > ?")
            let nextGrader = try db.cachedStatement(sql: "SELECT min(grader) FROM grades WHERE run_id = ? AND grader > ?")
            let latest = try db.cachedStatement(
                sql: """
                    SELECT max(id) FROM grades WHERE run_id = ? AND grader = ? AND config_hash = ?
                    """)
            var found: [GraderConfiguration] = []
            // The empty name sorts first, and `grader > ''` would skip it.
            let hasUnnamed =
                try Int.fetchOne(
                    db, sql: "SELECT 1 FROM grades WHERE run_id = ? AND grader = '' LIMIT 1", arguments: [runID]) != nil
            var grader = hasUnnamed ? "" : try String.fetchOne(nextGrader, arguments: [runID, ""])
            while let name = grader {
                var hash = try String.fetchOne(
                    db, sql: "SELECT min(config_hash) FROM grades WHERE run_id = ? AND grader = ?", arguments: [runID, name])
                while let current = hash {
                    found.append(GraderConfiguration(grader: name, configHash: current, latestGradeID: 0))
                    hash = try String.fetchOne(nextHash, arguments: [runID, name, current])
                }
                grader = try String.fetchOne(nextGrader, arguments: [runID, name])
            }
            // The newest grade only matters to choose between several configurations of one grader.
            let counts = Dictionary(grouping: found, by: \.grader).mapValues(\.count)
            for index in found.indices where counts[found[index].grader, default: 0] > 1 {
                found[index].latestGradeID =
                    try Int64.fetchOne(
                        latest, arguments: [runID, found[index].grader, found[index].configHash]) ?? 0
            }
            return found
        }
    }

    public func caseGrades(runID: String, grader: String, configHash: String) async throws -> CaseGradeTable {
        try await read("read the grades of '\(grader)' in run '\(runID)'") { db in
            try Self.requireRun(db, runID)
            let variantNames = try String.fetchAll(
                db, sql: "SELECT name FROM run_variants WHERE run_id = ? ORDER BY position", arguments: [runID])
            let cases = try String.fetchAll(
                db, sql: "SELECT case_id FROM run_cases WHERE run_id = ? ORDER BY position, case_id", arguments: [runID])
            let matcher = CaseMatcher(cases)
            // substr() drops the `run|variant|` prefix in SQLite, so the case part reaches Swift as a short
            // string (no allocation up to 15 bytes). substr counts characters, not bytes.
            let statement = try db.cachedStatement(
                sql: """
                    SELECT substr(response_key, ?), pair_order, score, passed FROM grades
                    WHERE run_id = ? AND grader = ? AND config_hash = ? AND response_key >= ? AND response_key < ?
                    ORDER BY response_key
                    """)
            var table = CaseGradeTable(
                grader: grader, configHash: configHash, cases: cases, variants: [], gradeCount: 0, scoredCount: 0,
                judgedCount: 0, orderedCount: 0, scoreRange: nil)
            var minimum = Double.infinity
            var maximum = -Double.infinity
            let handle = statement.sqliteStatement
            for variant in variantNames {
                let (lower, upper) = Self.keyRange(runID: runID, variant: variant)
                var entry = VariantCaseGrades(variant: variant)
                var cursor = matcher.start
                try statement.setArguments([lower.unicodeScalars.count + 1, runID, grader, configHash, lower, upper])
                defer { sqlite3_reset(handle) }
                // A million rows: step the prepared statement and read columns with the C API,
                // matching the case bytes in place, with no Row or String per grade.
                while true {
                    let code = sqlite3_step(handle)
                    if code == SQLITE_DONE { break }
                    guard code == SQLITE_ROW else {
                        throw DatabaseError(
                            resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                    }
                    // Column 0 is "case|repeat": the cell is everything before the last "|".
                    let length = Int(sqlite3_column_bytes(handle, 0))
                    guard let text = sqlite3_column_text(handle, 0),
                        let index = matcher.match(UnsafeBufferPointer(start: text, count: length), cursor: &cursor)
                    else {
                        table.unmatchedCount += 1
                        continue
                    }
                    let ordered = sqlite3_column_type(handle, 1) != SQLITE_NULL
                    let shownFirst = ordered && sqlite3_column_text(handle, 1)?.pointee == UInt8(ascii: "A")
                    var scored: Int32 = 0
                    var score = 0.0
                    if sqlite3_column_type(handle, 2) != SQLITE_NULL {
                        scored = 1
                        score = sqlite3_column_double(handle, 2)
                        minimum = min(minimum, score)
                        maximum = max(maximum, score)
                    }
                    var judged: Int32 = 0
                    var passes: Int32 = 0
                    if sqlite3_column_type(handle, 3) != SQLITE_NULL {
                        judged = 1
                        passes = sqlite3_column_int64(handle, 3) != 0 ? 1 : 0
                    }
                    if !ordered {
                        if entry.unordered == nil { entry.unordered = CaseGradeSums(caseCount: cases.count) }
                        entry.unordered!.add(case: index, scored: scored, scoreSum: score, judged: judged, passes: passes)
                    } else if shownFirst {
                        if entry.shownFirst == nil { entry.shownFirst = CaseGradeSums(caseCount: cases.count) }
                        entry.shownFirst!.add(case: index, scored: scored, scoreSum: score, judged: judged, passes: passes)
                        table.orderedCount += 1
                    } else {
                        if entry.shownSecond == nil { entry.shownSecond = CaseGradeSums(caseCount: cases.count) }
                        entry.shownSecond!.add(case: index, scored: scored, scoreSum: score, judged: judged, passes: passes)
                        table.orderedCount += 1
                    }
                    table.gradeCount += 1
                    table.scoredCount += Int(scored)
                    table.judgedCount += Int(judged)
                }
                table.variants.append(entry)
            }
            if minimum <= maximum { table.scoreRange = minimum...maximum }
            return table
        }
    }

    public func variantUsage(runID: String) async throws -> [VariantUsage] {
        try await read("read the usage of run '\(runID)'") { db in
            try Self.requireRun(db, runID)
            let variantNames = try String.fetchAll(
                db, sql: "SELECT name FROM run_variants WHERE run_id = ? ORDER BY position", arguments: [runID])
            let sums = try db.cachedStatement(
                sql: """
                    SELECT count(*), coalesce(sum(status = 'ok'), 0), coalesce(sum(status = 'error'), 0),
                           coalesce(sum(from_cache), 0), total(input_tokens), count(input_tokens),
                           total(output_tokens), count(output_tokens), total(cost_usd), count(cost_usd)
                    FROM responses INDEXED BY responses_by_variant WHERE run_id = ? AND variant = ?
                    """)
            let latency = try db.cachedStatement(
                sql: """
                    SELECT count(*), total(latency_ms) FROM responses
                    WHERE run_id = ? AND variant = ? AND status = 'ok' AND from_cache = 0 AND latency_ms IS NOT NULL
                    """)
            let ordered = try db.cachedStatement(
                sql: """
                    SELECT latency_ms FROM responses
                    WHERE run_id = ? AND variant = ? AND status = 'ok' AND from_cache = 0 AND latency_ms IS NOT NULL
                    ORDER BY latency_ms LIMIT 2 OFFSET ?
                    """)
            return try variantNames.map { variant in
                var usage = VariantUsage(variant: variant)
                if let row = try Row.fetchOne(sums, arguments: [runID, variant]) {
                    var reader = ColumnReader(row)
                    usage.responses = try reader.next()
                    usage.ok = try reader.next()
                    usage.errors = try reader.next()
                    usage.cacheHits = try reader.next()
                    usage.inputTokens = Self.clampedCount(try reader.next(Double.self))
                    usage.inputTokensReported = try reader.next()
                    usage.outputTokens = Self.clampedCount(try reader.next(Double.self))
                    usage.outputTokensReported = try reader.next()
                    usage.knownCostUSD = try reader.next()
                    usage.pricedResponses = try reader.next()
                }
                if let row = try Row.fetchOne(latency, arguments: [runID, variant]) {
                    let count: Int = row[0]
                    let total: Double = row[1]
                    usage.latencyCount = count
                    if count > 0 {
                        usage.latencyMeanMs = total / Double(count)
                        func percentile(_ q: Double) throws -> Double {
                            // numpy's default: linear interpolation between the order statistics around q·(n − 1).
                            let position = q * Double(count - 1)
                            let below = Int(position.rounded(.down))
                            let values = try Double.fetchAll(ordered, arguments: [runID, variant, below])
                            guard let low = values.first else { return .nan }
                            let fraction = position - Double(below)
                            return values.count > 1 && fraction > 0 ? low + fraction * (values[1] - low) : low
                        }
                        usage.latencyP50Ms = try percentile(0.5)
                        usage.latencyP95Ms = try percentile(0.95)
                    }
                }
                return usage
            }
        }
    }

    // MARK: - Token sums

    /// A token sum read with SQL's `total()`, as an `Int`.
    ///
    /// Token counts come from providers, so a run can hold counts near `Int64.max`; `sum()` then fails
    /// with "integer overflow" and the run's report could never be built. `total()` sums in floating
    /// point and never fails (exact up to 2^53, far beyond real usage); the sum is clamped into `Int`
    /// here, since converting a `Double` outside its range traps.
    static func clampedCount(_ sum: Double) -> Int {
        if sum.isNaN { return 0 }
        if sum >= Double(Int.max) { return .max }
        if sum <= Double(Int.min) { return .min }
        return Int(sum)
    }

    // MARK: - Key ranges

    /// The idempotency keys of one variant's cells: `run|variant|` (inclusive) to `run|variant}` (exclusive).
    ///
    /// `}` is the byte after `|`, and the escaped names contain no `|`, so exactly the
    /// keys that start with `run|variant|` lie in between.
    static func keyRange(runID: String, variant: String) -> (lower: String, upper: String) {
        // idempotencyKey(..., caseID: "", repeatIndex: 0) is "run|variant||0".
        let lower = String(ResponseRecord.idempotencyKey(runID: runID, variant: variant, caseID: "", repeatIndex: 0).dropLast(2))
        return (lower, String(lower.dropLast()) + "}")
    }

    /// A case id as it appears inside idempotency keys (`%` and `|` escaped).
    static func escapedCaseKey(_ caseID: String) -> String {
        // idempotencyKey(runID: "", variant: "", ...) is "||case|0".
        String(ResponseRecord.idempotencyKey(runID: "", variant: "", caseID: caseID, repeatIndex: 0).dropFirst(2).dropLast(2))
    }
}

/// Maps the case part of response keys, read in key order, to case positions.
///
/// Keys sort bytewise (SQLite's BINARY collation), so within one variant the cells
/// arrive in the order of their escaped case ids followed by `|`, the same order for
/// every variant. The matcher walks that order with a cursor, so a row costs one
/// string comparison; anything unexpected falls back to a dictionary.
struct CaseMatcher {
    private let keys: [[UInt8]]
    private let positions: [Int]
    private let byKey: [String: Int]

    init(_ cases: [String]) {
        // Sort by the escaped id followed by "|", as the keys sort.
        let escaped = cases.enumerated().map { (key: Array((SQLiteResultsStore.escapedCaseKey($1) + "|").utf8), position: $0) }
        let sorted = escaped.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map {
            (key: Array($0.key.dropLast()), position: $0.position)
        }
        keys = sorted.map(\.key)
        positions = sorted.map(\.position)
        var byKey = [String: Int](minimumCapacity: sorted.count)
        for (slot, entry) in sorted.enumerated() { byKey[String(decoding: entry.key, as: UTF8.self)] = slot }
        self.byKey = byKey
    }

    /// The cursor before the first case.
    var start: Int { 0 }

    /// The position of the case of a `case|repeat` key tail, moving `cursor` to it.
    func match(_ tail: UnsafeBufferPointer<UInt8>, cursor: inout Int) -> Int? {
        guard let bar = tail.lastIndex(of: UInt8(ascii: "|")) else { return nil }
        let key = UnsafeBufferPointer(rebasing: tail[..<bar])
        if cursor < keys.count, Self.equal(keys[cursor], key) { return positions[cursor] }
        if cursor + 1 < keys.count, Self.equal(keys[cursor + 1], key) {
            cursor += 1
            return positions[cursor]
        }
        guard let slot = byKey[String(decoding: key, as: UTF8.self)] else { return nil }
        cursor = slot
        return positions[slot]
    }

    private static func equal(_ a: [UInt8], _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBufferPointer { a in
            a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0  // both non-empty here
        }
    }
}
