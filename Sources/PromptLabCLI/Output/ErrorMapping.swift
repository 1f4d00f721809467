import PromptLab
import PromptLabProviders
import PromptLabStore

/// Turns the lower layers' errors into ``PromptLabError``s, so every failure
/// reaches the user as one line with a documented exit code.
enum ErrorMapping {
    static func map(_ error: any Error) -> any Error {
        switch error {
        case let error as StoreError:
            let kind: PromptLabError.Kind = error.kind == .runNotFound ? .notFound : .failure
            return PromptLabError(kind, error.message, hint: error.hint)
        case let error as ProviderError:
            return PromptLabError(.invalidInput, error.description)
        default:
            return error
        }
    }
}
