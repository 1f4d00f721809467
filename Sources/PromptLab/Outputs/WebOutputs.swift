import Foundation
import PromptFormat
import PromptLabCore

// Documents the web app's API returns beside the CLI's own (snake_case keys, see
// docs/json-output.md). The pages render the same values.

/// Which slice of a long listing a response holds.
public struct PageInfo: Codable, Sendable, Equatable {
    /// 1-based page number.
    public var page: Int
    public var perPage: Int
    /// Pages in all (at least 1, even with nothing to show).
    public var pages: Int
    /// Items matching the filters, over every page.
    public var matching: Int

    public init(page: Int, perPage: Int, matching: Int) {
        self.page = page
        self.perPage = perPage
        self.matching = matching
        // Written so that no page size, however large, overflows.
        pages = matching <= 0 ? 1 : (matching - 1) / max(1, perPage) + 1
    }
}

/// One case of a run in full: what each variant was sent and answered, with every grade and its
/// raw judge output, tokens, latency and cost.
public struct CaseDetailOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var run: String
    public var experiment: String
    public var caseId: String
    public var position: Int
    public var variables: PromptValue
    public var expected: String?
    public var variants: [Variant]

    public struct Variant: Codable, Sendable, Equatable {
        public var variant: String
        public var control: Bool
        /// `NAME@vN` of the prompt version the variant was pinned to.
        public var prompt: String
        public var commit: String
        public var model: String
        /// The messages the prompt version renders for this case: what was sent. Nil when the version
        /// can no longer be rendered here (such as a repository without that commit).
        public var messages: [RenderOutput.Message]?
        /// Why ``messages`` is nil.
        public var messagesNote: String?
        public var responses: [Response]
    }

    public struct Response: Codable, Sendable, Equatable {
        public var `repeat`: Int
        /// `ok` or `error`.
        public var status: String
        /// The model's text exactly as the provider returned it.
        public var output: String?
        public var errorKind: String?
        public var errorMessage: String?
        public var provider: String
        public var model: String
        public var finishReason: String?
        public var requestId: String?
        public var attempts: Int
        public var inputTokens: Int?
        public var outputTokens: Int?
        public var cachedTokens: Int?
        public var latencyMs: Double?
        /// Nil when unknown (an unpriced model), never for free.
        public var costUsd: Double?
        public var fromCache: Bool
        public var grades: [Grade]
    }

    public struct Grade: Codable, Sendable, Equatable {
        public var grader: String
        /// `AB` or `BA` for a pairwise judge's two orders; else nil.
        public var order: String?
        public var score: Double?
        public var passed: Bool?
        public var reason: String?
        /// The judge model's own words, when the grader is an LLM judge.
        public var rawJudgeOutput: String?
    }
}

/// A run's progress, for live pages: sent by the server as Server-Sent Events while a run works.
public struct RunProgressOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var run: String
    public var experiment: String
    /// `running`, `completed`, `failed`, `interrupted`…
    public var status: String
    public var cells: Int
    public var done: Int
    public var ok: Int
    public var errors: Int
    public var cached: Int
    /// Nil while some response is unpriced.
    public var costUsd: Double?
    public var knownCostUsd: Double
    /// The primary grader's comparisons so far, with always-valid p-values while the run works.
    public var interim: [InterimComparison]

    public struct InterimComparison: Codable, Sendable, Equatable {
        public var variant: String
        public var grader: String
        public var estimate: Double
        public var pValue: Double
        /// The always-valid (mSPRT) p-value, safe to read at any time.
        public var sequentialPValue: Double?
        public var significant: Bool
        public var verdict: String
    }
}

/// One blind review item: a case and two answers, sides chosen per case and reviewer.
public struct ReviewItemOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var run: String
    public var reviewer: String
    /// The two variants compared; the item does not say which side is which.
    public var variantA: String
    public var variantB: String
    public var reviewed: Int
    public var remaining: Int
    /// Cases without a successful answer from both variants.
    public var unavailable: Int
    /// Nil when this reviewer has judged every case.
    public var item: Item?

    public struct Item: Codable, Sendable, Equatable {
        public var caseId: String
        public var input: String
        public var expected: String?
        public var left: String
        public var right: String
    }
}

/// A review verdict as stored.
public struct ReviewVerdictOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var run: String
    public var caseId: String
    public var reviewer: String
    /// `A`, `B`, `tie` or `skip`, in terms of the variants, not the sides.
    public var verdict: String
    public var variantA: String
    public var variantB: String
    public var shownLeft: String
}

/// An experiment's primary grader across its runs, oldest first: is the prompt getting better?
public struct ExperimentHistoryOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var experiment: String
    public var grader: String?
    public var metric: String?
    public var points: [Point]

    public struct Point: Codable, Sendable, Equatable {
        public var run: String
        public var created: Date
        public var status: String
        public var variant: String
        public var control: Bool
        /// `NAME@vN` of the prompt version.
        public var prompt: String
        public var cases: Int
        public var estimate: Double?
        public var low: Double?
        public var high: Double?
    }
}

/// The problem-details body of every API error (RFC 9457).
public struct ProblemDetails: Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var hint: String?

    public init(type: String = "about:blank", title: String, status: Int, detail: String, hint: String? = nil) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.hint = hint
    }
}
