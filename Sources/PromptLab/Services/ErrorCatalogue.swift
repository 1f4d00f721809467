import GitKit
import PromptLabCore
import PromptLabProviders
import PromptLabStats
import PromptLabStore

/// The one place where the lower layers' errors become ``PromptLabError``s with a documented
/// ``ExitStatus``, so every front end reports a failure the same way.
public enum ErrorCatalogue {
    /// `error` as a user-facing error: one message, usually a hint, the exit status, and the
    /// lower layer's own words in ``PromptLabError/detail`` for `--verbose`.
    public static func map(_ error: any Error) -> PromptLabError {
        switch error {
        case let error as PromptLabError:
            return error
        case let error as StoreError:
            let kind: ExitStatus =
                switch error.kind {
                case .runNotFound: .notFound
                case .locked, .leaseHeld: .conflict
                case .notAPromptLabDatabase, .newerSchema, .invalidRecord: .invalidInput
                default: .failure
                }
            return PromptLabError(kind, error.message, hint: error.hint, detail: error.detail)
        case let error as ProviderError:
            return PromptLabError(.invalidInput, error.description)
        case let error as GitError:
            return PromptLabError(
                .failure, "git error: \(error.message)", hint: "run with --verbose for libgit2's details",
                detail: "libgit2 error \(error.code.rawValue) (class \(error.errorClass)): \(error.message)")
        case let error as StatsError:
            return PromptLabError(
                .failure, "cannot compute the statistics: \(error.description)",
                hint: "grade more cases, or report on another grader")
        case is CancellationError:
            return PromptLabError(.interrupted, "interrupted", hint: "run the same command again to continue")
        default:
            return PromptLabError(.failure, "\(error)", detail: String(reflecting: error))
        }
    }
}
