import Foundation
internal import GRDB

extension SQLiteResultsStore: RolloutStore {
    // MARK: - State changes

    public func appendRolloutEvent(_ event: RolloutEventRecord, expectedLatest: Int64?) async throws -> Int64 {
        try await write("record a change of rollout '\(event.rollout)'") { db in
            let latest = try Int64.fetchOne(
                db, sql: "SELECT max(id) FROM rollout_events WHERE rollout = ?", arguments: [event.rollout])
            guard latest == expectedLatest else {
                throw StoreError(
                    .invalidStatusTransition, "rollout '\(event.rollout)' was changed by another process meanwhile",
                    hint: "nothing was written; look at 'promptlab rollout status \(event.rollout)' and try again")
            }
            try db.execute(
                sql: """
                    INSERT INTO rollout_events
                        (rollout, action, status, phase, weights_json, paused_arms_json, plan_json, actor, reason, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    event.rollout, event.action, event.status, event.phase, event.weightsJSON, event.pausedArmsJSON, event.planJSON,
                    event.actor, event.reason, Timestamp.string(from: event.createdAt),
                ])
            return db.lastInsertedRowID
        }
    }

    static let rolloutEventColumns =
        "id, rollout, action, status, phase, weights_json, paused_arms_json, plan_json, actor, reason, created_at"

    static func rolloutEvent(_ row: Row) -> RolloutEventRecord {
        RolloutEventRecord(
            id: row[0], rollout: row[1], action: row[2], status: row[3], phase: row[4], weightsJSON: row[5], pausedArmsJSON: row[6],
            planJSON: row[7], actor: row[8], reason: row[9], createdAt: Timestamp.date(from: row[10]) ?? Date(timeIntervalSince1970: 0))
    }

    public func rolloutEvents(rollout: String) async throws -> [RolloutEventRecord] {
        try await read("read the changes of rollout '\(rollout)'") { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.rolloutEventColumns) FROM rollout_events WHERE rollout = ? ORDER BY id", arguments: [rollout]
            ).map(Self.rolloutEvent)
        }
    }

    public func currentRollouts() async throws -> [(start: RolloutEventRecord, latest: RolloutEventRecord)] {
        try await read("read the rollouts") { db in
            let latest = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.rolloutEventColumns) FROM rollout_events
                    WHERE id IN (SELECT max(id) FROM rollout_events GROUP BY rollout) ORDER BY rollout
                    """
            ).map(Self.rolloutEvent)
            var pairs = [(start: RolloutEventRecord, latest: RolloutEventRecord)]()
            for event in latest {
                guard
                    let start = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT \(Self.rolloutEventColumns) FROM rollout_events
                            WHERE rollout = ? AND action = 'start' ORDER BY id DESC LIMIT 1
                            """, arguments: [event.rollout]
                    ).map(Self.rolloutEvent)
                else { continue }
                pairs.append((start, event))
            }
            return pairs
        }
    }

    public func rolloutStateVersion() async throws -> Int64 {
        try await read("read the rollouts' state") { db in
            try Int64.fetchOne(db, sql: "SELECT ifnull(max(id), 0) FROM rollout_events") ?? 0
        }
    }

    // MARK: - Traffic

    public func recordTraffic(
        _ batch: TrafficBatch, validate: @escaping @Sendable (String, String, Double, Bool) -> String?
    ) async throws -> [MetricValueOutcome] {
        guard !batch.isEmpty else { return [] }
        return try await write("record live traffic") { db in
            let exposure = try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO rollout_exposures (rollout, phase, unit, arm, bucket, first_seen_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """)
            for item in batch.exposures {
                try exposure.execute(arguments: [
                    item.rollout, item.phase, item.unit, item.arm, item.bucket, Timestamp.string(from: item.at),
                ])
            }
            let assignment = try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO rollout_assignments
                        (id, rollout, phase, unit, arm, version, commit_sha, kind, created_at, status, latency_ms,
                         input_tokens, output_tokens, cost_usd, error_kind)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for item in batch.assignments {
                let status: String? = item.kind == .gateway ? ((item.succeeded ?? false) ? "ok" : "error") : nil
                try assignment.execute(arguments: [
                    item.id, item.rollout, item.phase, item.unit, item.arm, item.version, item.commit, item.kind.rawValue,
                    Timestamp.string(from: item.at), status, item.latencyMs, item.inputTokens, item.outputTokens, item.costUSD,
                    item.errorKind,
                ])
            }
            guard !batch.metricValues.isEmpty else { return [] }
            let owner = try db.cachedStatement(sql: "SELECT rollout, phase, arm, unit FROM rollout_assignments WHERE id = ?")
            let existing = try db.cachedStatement(
                sql: "SELECT assignment_id, metric, value FROM rollout_metric_values WHERE event_id = ?")
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO rollout_metric_values
                        (event_id, assignment_id, rollout, phase, arm, unit, metric, value, source, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            var outcomes = [MetricValueOutcome]()
            outcomes.reserveCapacity(batch.metricValues.count)
            for item in batch.metricValues {
                if let row = try Row.fetchOne(existing, arguments: [item.eventID]) {
                    let same =
                        (row[0] as String) == item.assignmentID && (row[1] as String) == item.metric && (row[2] as Double) == item.value
                    outcomes.append(same ? .duplicate : .conflictingDuplicate)
                    continue
                }
                guard let row = try Row.fetchOne(owner, arguments: [item.assignmentID]) else {
                    outcomes.append(.unknownAssignment)
                    continue
                }
                let rollout: String = row[0]
                // Online grades come from the server itself; feedback is checked against the rollout.
                if item.source == .feedback, let problem = validate(rollout, item.metric, item.value, item.isBoolean) {
                    outcomes.append(.refused(problem))
                    continue
                }
                try insert.execute(arguments: [
                    item.eventID, item.assignmentID, rollout, row[1] as Int, row[2] as String, row[3] as String, item.metric, item.value,
                    item.source.rawValue, Timestamp.string(from: item.at),
                ])
                outcomes.append(.recorded)
            }
            return outcomes
        }
    }

    // MARK: - Readout

    public func exposedUnits(rollout: String, phase: Int, before: Date?) async throws -> [String: Int] {
        try await read("count the units of rollout '\(rollout)'") { db in
            var sql = "SELECT arm, count(*) FROM rollout_exposures WHERE rollout = ? AND phase = ?"
            var arguments: StatementArguments = [rollout, phase]
            if let before {
                sql += " AND first_seen_at < ?"
                arguments += [Timestamp.string(from: before)]
            }
            var counts = [String: Int]()
            for row in try Row.fetchAll(db, sql: sql + " GROUP BY arm", arguments: arguments) { counts[row[0]] = row[1] }
            return counts
        }
    }

    public func assignmentCounts(rollout: String, phase: Int) async throws -> [String: (assignments: Int, units: Int)] {
        try await read("count the assignments of rollout '\(rollout)'") { db in
            var counts = [String: (assignments: Int, units: Int)]()
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT arm, count(*), count(DISTINCT unit) FROM rollout_assignments
                    WHERE rollout = ? AND phase = ? GROUP BY arm
                    """, arguments: [rollout, phase])
            {
                counts[row[0]] = (row[1], row[2])
            }
            return counts
        }
    }

    /// The SQL expression of a request metric's value for one gateway assignment (NULL: no observation).
    static func requestMetricExpression(_ metric: String) -> String? {
        switch metric {
        case "latency_ms": "CASE WHEN status = 'ok' THEN latency_ms END"
        case "error_rate": "CASE WHEN status = 'error' THEN 1.0 ELSE 0.0 END"
        case "input_tokens": "input_tokens"
        case "output_tokens": "output_tokens"
        case "cost_usd": "cost_usd"
        default: nil
        }
    }

    public func unitSums(rollout: String, phase: Int, metric: String) async throws -> [String: UnitSums] {
        let perUnit: String
        let arguments: StatementArguments
        if let expression = Self.requestMetricExpression(metric) {
            perUnit = """
                SELECT arm, unit, total(v) AS x, count(v) AS m FROM (
                    SELECT arm, unit, \(expression) AS v FROM rollout_assignments
                    WHERE rollout = ? AND phase = ? AND kind = 'gateway'
                ) WHERE v IS NOT NULL GROUP BY arm, unit
                """
            arguments = [rollout, phase]
        } else {
            perUnit = """
                SELECT arm, unit, total(value) AS x, count(*) AS m FROM rollout_metric_values
                WHERE rollout = ? AND phase = ? AND metric = ? GROUP BY arm, unit
                """
            arguments = [rollout, phase, metric]
        }
        return try await read("sum metric '\(metric)' of rollout '\(rollout)'") { db in
            var sums = [String: UnitSums]()
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT arm, count(*), total(x), total(x * x), total(m), total(m * m), total(x * m)
                    FROM (\(perUnit)) GROUP BY arm
                    """, arguments: arguments)
            {
                sums[row[0]] = UnitSums(
                    units: row[1], sumValue: row[2], sumValueSquared: row[3], sumCount: row[4], sumCountSquared: row[5],
                    sumValueCount: row[6])
            }
            return sums
        }
    }

    public func requestMetricQuantile(rollout: String, phase: Int, arm: String, metric: String, q: Double) async throws -> Double? {
        guard let expression = Self.requestMetricExpression(metric), q.isFinite else { return nil }
        let clamped = min(max(q, 0), 1)
        return try await read("read a percentile of rollout '\(rollout)'") { db in
            let filter =
                "FROM rollout_assignments WHERE rollout = ? AND phase = ? AND arm = ? AND kind = 'gateway' AND (\(expression)) IS NOT NULL"
            let count = try Int.fetchOne(db, sql: "SELECT count(*) \(filter)", arguments: [rollout, phase, arm]) ?? 0
            guard count > 0 else { return nil }
            // Nearest rank: the smallest value with at least q of the values at or below it.
            let rank = max(Int((clamped * Double(count)).rounded(.up)), 1) - 1
            return try Double.fetchOne(
                db, sql: "SELECT \(expression) AS v \(filter) ORDER BY v LIMIT 1 OFFSET ?", arguments: [rollout, phase, arm, rank])
        }
    }

    public func exceedanceSums(rollout: String, phase: Int, arm: String, metric: String, threshold: Double) async throws -> UnitSums {
        guard let expression = Self.requestMetricExpression(metric) else { return UnitSums() }
        return try await read("read the exceedances of rollout '\(rollout)'") { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT count(*), total(x), total(x * x), total(m), total(m * m), total(x * m) FROM (
                            SELECT unit, total(CASE WHEN v > ? THEN 1.0 ELSE 0.0 END) AS x, count(*) AS m FROM (
                                SELECT unit, \(expression) AS v FROM rollout_assignments
                                WHERE rollout = ? AND phase = ? AND arm = ? AND kind = 'gateway'
                            ) WHERE v IS NOT NULL GROUP BY unit
                        )
                        """, arguments: [threshold, rollout, phase, arm])
            else { return UnitSums() }
            return UnitSums(
                units: row[0], sumValue: row[1], sumValueSquared: row[2], sumCount: row[3], sumCountSquared: row[4], sumValueCount: row[5])
        }
    }
}
